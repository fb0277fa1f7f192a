"""What the last builds produced: the manifest in `.cache/casebook/manifest.json`.

For each edition it remembers the keys of what is in its docs folder and of what was last
built into `site/` (the keys are the digests of `casebook.sources.digests`). An output is
generated again only when its key changed, and only pages whose key differs from the built
one go through the site builder.

A manifest whose fingerprint is the sources' lets a build skip everything, the check
included, and report the problems it holds: its first line is a seal of the rest
(`casebook.sources.cachekey`), and one this machine did not write is read as none (a full
build).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from casebook.sources.cachekey import Seal
from casebook.sources.problems import Problem, Severity
from casebook.sources.project import Project

MANIFEST_VERSION = 4  # 4: sealed


@dataclass
class EditionManifest:
    # docs path -> [key of its inputs, hash of its bytes, size, mtime] of the file there
    docs: dict[str, list[Any]] = field(default_factory=dict)
    site: dict[str, str] = field(default_factory=dict)  # docs path -> hash of the bytes built
    stamp: str = ""  # the builder's configuration, theme and options last built with


@dataclass
class Manifest:
    path: Path
    fingerprint: str = ""
    problems: list[dict[str, Any]] = field(default_factory=list)
    editions: dict[str, EditionManifest] = field(default_factory=dict)
    root: Path | None = None  # the project's (the key of its seal is outside it)

    @classmethod
    def load(cls, project: Project, name: str = "manifest.json") -> Manifest:
        """The manifest of `site/`, or of another target (the preview's) by its name."""
        path = project.cache_dir / name
        try:
            mac, _, text = path.read_text(encoding="utf-8").partition("\n")
            if not Seal.of(project.root).holds(mac, "manifest", text):
                return cls(path, root=project.root)  # forged, or an earlier version's: a full build
            data = json.loads(text)
        except (OSError, ValueError):
            return cls(path, root=project.root)
        if not _well_formed(data):  # damaged or crafted: a full build, as with none
            return cls(path, root=project.root)
        editions = {
            code: EditionManifest(dict(e["docs"]), dict(e["site"]), str(e["stamp"]))
            for code, e in data.get("editions", {}).items()
        }
        fingerprint = str(data.get("fingerprint", ""))
        problems = list(data.get("problems", []))
        return cls(path, fingerprint, problems, editions, project.root)

    def edition(self, code: str) -> EditionManifest:
        return self.editions.setdefault(code, EditionManifest())

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
        text = json.dumps(data, ensure_ascii=False)
        mac = Seal.of(self.root or self.path.parent).sign("manifest", text)
        partial.write_text(f"{mac}\n{text}", encoding="utf-8")
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
