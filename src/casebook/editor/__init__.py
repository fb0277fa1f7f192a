"""What helps editors write cases: the web editor's configuration and form, and the JSON
Schema of a case's front matter for their IDEs.
"""
