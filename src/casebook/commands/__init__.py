"""The commands beside `check` and `build`: the preview (`serve`), the local web editor
(`edit`), a trainer's session sheet and workshop pack, and `casebook new`.
"""
