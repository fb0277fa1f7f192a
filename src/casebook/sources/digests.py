"""What each generated output depends on: digests of the code, the sources and the cases.

In the spirit of Sphinx's build environment: every output of an edition (a page, a data
file, a PDF link) gets a key, a hash of the inputs it is made from (its case's content, the
related cases it shows, the edition's strings, vocabularies, templates and configuration).
The build's manifest (`casebook.pipeline.manifest`) remembers the keys.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

import casebook
from casebook import __version__
from casebook.sources.model import Case
from casebook.sources.project import Project

# The whole package, not this module's folder: a change to any module changes every output.
PACKAGE = Path(casebook.__file__).resolve().parent


def sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def tree_digest(root: Path, paths: Iterable[Path]) -> str:
    """One hash of several files' names and bytes."""
    digest = hashlib.sha256()
    for path in paths:
        try:
            name = path.relative_to(root).as_posix()
        except ValueError:
            name = path.as_posix()
        digest.update(name.encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def code_digest() -> str:
    """Casebook's own code and templates: a change to them changes every output."""
    paths = [p for p in _files(PACKAGE) if p.suffix in {".py", ".j2", ".css"}]
    # Read and hashed again only when a file's size or time changed: the preview and the
    # tests ask on every check, and 130 files cost a third of a warm check.
    stamp = tuple((str(p), s.st_size, s.st_mtime_ns) for p in paths for s in (p.stat(),))
    if _CODE.get(stamp) is None:
        _CODE.clear()
        _CODE[stamp] = tree_digest(PACKAGE, paths)
    return _CODE[stamp]


_CODE: dict[tuple[tuple[str, int, int], ...], str] = {}


def environment_digest(project: Project) -> str:
    """Everything every generated page may depend on, except the cases and the guidance
    pages: code, templates, strings, vocabularies, data, audiences and configuration."""
    root = project.root
    paths = [
        project.mkdocs_yml,
        *_files(root / "i18n"),
        *_files(project.vocabularies_dir),
        *_files(root / "data"),
        *(
            p
            for p in _files(project.questions_dir)
            if "cases" not in p.relative_to(root).parts[1:2]
        ),
    ]
    # The site's address may come from the environment; citations and sheets show it.
    address = os.environ.get("CASEBOOK_SITE_URL", "")
    return sha(
        __version__, code_digest(), address, tree_digest(root, [p for p in paths if p.is_file()])
    )


def source_folders(project: Project) -> list[Path]:
    """The folders a build reads its sources from (and the preview watches)."""
    root = project.root
    return [
        project.cases_dir,
        project.questions_dir,
        project.vocabularies_dir,
        project.docs_dir,
        project.overrides_dir,
        root / "data",
        root / "i18n",
    ]


def input_fingerprint(project: Project, *flags: str) -> str:
    """Every source a build reads, and its options: equal fingerprints, equal sites."""
    paths = [project.mkdocs_yml]
    for folder in source_folders(project):
        paths += _files(folder)
    return sha(__version__, code_digest(), tree_digest(project.root, paths), *flags)


class Digests:
    """Content hashes of cases, each computed once per build."""

    def __init__(self) -> None:
        self._full: dict[int, str] = {}
        self._meta: dict[int, str] = {}

    def meta(self, case: Case) -> str:
        """The front matter only: what cards, listings and the catalogue show."""
        key = id(case)
        if key not in self._meta:
            self._meta[key] = sha(case.id, case.meta.model_dump_json())
        return self._meta[key]

    def full(self, case: Case) -> str:
        """Front matter, body and questions (and the original's, for a translation)."""
        key = id(case)
        if key not in self._full:
            parts = [self.meta(case), case.intro]
            for section in case.sections:
                parts += [section.id, section.heading, section.markdown]
            # A question is a str carrying its facilitator prompt, which json.dumps would drop.
            questions = {
                audience: [[str(q), getattr(q, "prompt", None)] for q in listed]
                for audience, listed in case.questions.items()
            }
            parts.append(json.dumps(questions, sort_keys=True, ensure_ascii=False))
            if case.original is not None:
                parts.append(self.full(case.original))
            self._full[key] = sha(*parts)
        return self._full[key]
