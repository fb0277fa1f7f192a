"""The guidance pages of an edition: docs/, with its translated pages in place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from casebook.check.confined import linked
from casebook.outputs.images import ImageError, without_metadata
from casebook.pages.markup import inline_text
from casebook.pipeline.context import BuildError
from casebook.sources.i18n import Locale
from casebook.sources.project import Project
from casebook.sources.uploads import script_refusal, site_scripts


def guidance_pages(project: Project, locale: Locale) -> Iterator[tuple[Path, bytes]]:
    """docs/, with an edition's translated pages from i18n/<language>/docs/ in place.

    A page not yet translated is shown in the original, with a notice in the reader's language.
    """
    translated = project.root / "i18n" / locale.code / "docs"
    is_original = locale.code == locale.original
    allowed, _ = site_scripts(project.root)
    for source in sorted(project.docs_dir.rglob("*")):
        relative = source.relative_to(project.docs_dir)
        own = translated / relative
        for path, top in ((source, project.docs_dir), (own, translated)):
            if (path.exists() or path.is_symlink()) and linked(path, top):
                # The check refuses it; whatever ran before, it is never read nor published.
                raise BuildError(
                    f"{path.relative_to(project.root)}: a symbolic link, which is never "
                    "published; put a copy of the file here instead, or delete the link"
                )
        if not source.is_file():
            continue
        # A translated file has the original's name, so its type too.
        why = script_refusal(source, project.root, allowed)
        if why is not None:  # the check refuses it too; whatever ran before, never published
            raise BuildError(f"{relative.as_posix()} in docs/: {why}")
        if not is_original and own.is_file():
            yield relative, _published(own, project)
        elif not is_original and source.suffix == ".md":
            yield relative, _with_notice(source.read_text(encoding="utf-8"), locale).encode()
        else:
            yield relative, _published(source, project)


def _published(source: Path, project: Project) -> bytes:
    """A file's bytes as the site gets them: images without their metadata (GPS)."""
    try:
        return without_metadata(source.read_bytes(), source.suffix)
    except ImageError as exc:
        raise BuildError(f"{source.relative_to(project.root)}: {exc}") from exc


def _with_notice(text: str, locale: Locale) -> str:
    notice = locale.t(
        "page_not_translated",
        language=locale.language_name(locale.code),
        original=locale.language_name(locale.original),
    )
    # An interface string is text: escaped, on one line, so no translation can add a link, a
    # heading or HTML to every untranslated page.
    block = f'!!! note ""\n    {inline_text(notice)}\n\n'
    head, body = split_front_matter(text)
    return head + "\n" + block + body.lstrip("\n") if head else block + text


def split_front_matter(text: str) -> tuple[str, str]:
    """(the front matter with its fences, the rest); ("", text) when there is none."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[: end + 5], text[end + 5 :]
    return "", text
