"""What each generated output depends on, and what the last builds produced.

In the spirit of Sphinx's build environment: every output of an edition (a page, a data
file, a PDF link) gets a key, a hash of the inputs it is made from (its case's content, the
related cases it shows, the edition's strings, vocabularies, templates and configuration).
The manifest in `.cache/casebook/manifest.json` remembers, for each edition, the keys of
what is in its docs folder and of what was last built into `site/`. An output is generated
again only when its key changed, and only pages whose key differs from the built one go
through the site builder.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from casebook import __version__
from casebook.model import Case
from casebook.problems import Problem, Severity
from casebook.project import Project

MANIFEST_VERSION = 3
PACKAGE = Path(__file__).resolve().parent


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
    return tree_digest(PACKAGE, [p for p in _files(PACKAGE) if p.suffix in {".py", ".j2", ".css"}])


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


@dataclass
class EditionState:
    # docs path -> [key of its inputs, hash of its bytes, size, mtime] of the file there
    docs: dict[str, list[Any]] = field(default_factory=dict)
    site: dict[str, str] = field(default_factory=dict)  # docs path -> hash of the bytes built
    stamp: str = ""  # the builder's configuration, theme and options last built with


@dataclass
class Manifest:
    path: Path
    fingerprint: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    editions: dict[str, EditionState] = field(default_factory=dict)

    @classmethod
    def load(cls, project: Project, name: str = "manifest.json") -> Manifest:
        """The manifest of `site/`, or of another target (the preview's) by its name."""
        path = project.cache_dir / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not _well_formed(data):  # damaged or crafted: a full build, as with none
            return cls(path)
        editions = {
            code: EditionState(dict(e["docs"]), dict(e["site"]), str(e["stamp"]))
            for code, e in data.get("editions", {}).items()
        }
        return cls(path, str(data.get("fingerprint", "")), list(data.get("problems", [])), editions)

    def edition(self, code: str) -> EditionState:
        return self.editions.setdefault(code, EditionState())

    def saved_problems(self) -> list[Problem]:
        return [
            Problem(p["path"], p["line"], p["field"], p["message"], Severity(p["severity"]))
            for p in self.problems
        ]

    def remember_problems(self, problems: Iterable[Problem]) -> None:
        self.problems = [{**asdict(p), "severity": str(p.severity)} for p in problems]

    def save(self) -> None:
        """Written whole to a temporary file, then renamed: never half a manifest."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": MANIFEST_VERSION,
            "fingerprint": self.fingerprint,
            "problems": self.problems,
            # Not asdict(): it deep-copies thousands of records (0.3 s at 1,000 cases).
            "editions": {
                code: {f.name: getattr(state, f.name) for f in fields(state)}
                for code, state in self.editions.items()
            },
        }
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
        partial.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, self.path)


def _is(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and not isinstance(value, bool)


def _well_formed(data: Any) -> bool:
    """Whether a manifest holds what `Manifest.save` writes, to the type of every value the
    build reads from it."""
    if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
        return False
    if not _is(data.get("fingerprint", ""), str) or not _is(data.get("editions", {}), dict):
        return False
    problems = data.get("problems", [])
    fields = {"path": str, "line": int, "field": str, "message": str, "severity": str}
    if not _is(problems, list) or not all(
        _is(p, dict)
        and all(_is(p.get(name), kind) for name, kind in fields.items())
        and p["severity"] in set(Severity)
        for p in problems
    ):
        return False
    for edition in data.get("editions", {}).values():
        if not _is(edition, dict) or not _is(edition.get("stamp"), str):
            return False
        docs, site = edition.get("docs"), edition.get("site")
        if not _is(docs, dict) or not _is(site, dict):
            return False
        if not all(_is(v, str) for v in site.values()):
            return False
        for record in docs.values():
            if not (
                _is(record, list)
                and len(record) == 4
                and _is(record[0], str)
                and _is(record[1], str)
                and _is(record[2], int)
                and _is(record[3], int)
            ):
                return False
    return True
