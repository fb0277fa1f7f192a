"""A per-file cache of what `casebook check` found in each case file.

In the spirit of Sphinx's build environment: checking a case file (its front matter, body and
questions) gives a `Case` (or none) and a list of problems, and those depend only on the
file, its questions files and the project's environment. They are written as JSON to
`.cache/casebook/check/entries.jsonl`, each under a key that hashes all of that, and read
back while the key is unchanged. JSON, not pickle: reading a crafted pickle would run its
code (see `casebook.check.cachecodec`). The key is a hash of public inputs, so anyone who can
write `.cache/` could put a forged entry under the right key: each entry is sealed with an
HMAC under a secret held outside the project (`casebook.sources.cachekey`), and an entry
whose seal does not hold, like a damaged one, is only checked again. Checks across files
(unique ids, translations against their originals, questions files without a case) always
run fresh, in `casebook.check.validate`.

A case's links to other cases depend on which cases exist: the answer for each linked id is
kept with the entry, and the entry is used only while every answer still holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Container
from dataclasses import dataclass, field
from pathlib import Path

from casebook.check.cachecodec import BadEntry, decode, register
from casebook.sources.cachekey import Seal
from casebook.sources.digests import environment_digest, sha, tree_digest
from casebook.sources.limits import MAX_YAML_BYTES
from casebook.sources.loader import Document
from casebook.sources.model import Case
from casebook.sources.problems import Problem
from casebook.sources.project import Project

# Bump when what an entry holds, or how the key is made, changes.
FORMAT = 3
_ABSENT = "-"


@register
@dataclass
class Entry:
    """What checking one case file produced."""

    case: Case | None
    problems: list[Problem]
    # Case ids the body links to -> whether each was a case then.
    links: dict[str, bool] = field(default_factory=dict)
    # A translation's file as read: the fresh translation check needs its lines.
    document: Document | None = None


class Links(Container[str]):
    """The set of case ids, remembering every id asked about and the answer."""

    def __init__(self, ids: Container[str]) -> None:
        self.ids = ids
        self.asked: dict[str, bool] = {}

    def __contains__(self, item: object) -> bool:
        found = item in self.ids
        if isinstance(item, str):
            self.asked[item] = found
        return found


def _digest(path: Path) -> str | None:
    """The file's hash; None (nothing cached) for a file too large for any check, which the
    check refuses after reading only its first bytes."""
    try:
        if path.stat().st_size > MAX_YAML_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _environment(project: Project, pages: frozenset[str]) -> str:
    """What every case file's check may depend on besides its own files.

    `environment_digest` covers Casebook's code and version, mkdocs.yml, i18n, vocabularies,
    data/ (identifying patterns, support services) and the audiences' question files.
    """
    from importlib.metadata import version

    import pydantic
    import pydantic_core
    import yaml

    root = project.root
    schemas = root / "schemas"
    return sha(
        str(FORMAT),
        environment_digest(project),
        tree_digest(root, sorted(p for p in schemas.rglob("*") if p.is_file())),
        # Problems name files relative to the working folder when it holds them.
        os.getcwd(),
        sys.version,
        pydantic.VERSION,
        pydantic_core.__version__,
        yaml.__version__,
        version("pycountry"),  # which codes are countries and languages
        version("markdown"),  # guidance pages are rendered to find raw HTML
        version("pymdown-extensions"),
        "\n".join(sorted(pages)),
    )


class CheckCache:
    """Entries of one project, read at the start of a check and written at its end.

    All entries are in one file, `entries.jsonl`: a first line {"format": FORMAT}, then a
    line per case file, ["absolute path", "key", "seal"], a tab, and the Entry as JSON (no
    JSON text holds a raw tab or newline). The seal is the HMAC of the path, the key and
    the JSON text. One file, not one per case file, because creating a thousand
    small files costs more than the checks they save on a busy disk; each entry is decoded
    only when its key holds, and its JSON is never escaped into another string.
    """

    def __init__(self, project: Project, enabled: bool = True) -> None:
        self.file = project.cache_dir / "check" / "entries.jsonl"
        self.project = project
        self.enabled = enabled
        self.hits = 0
        self.environment = ""
        self.questions: dict[str, str | None] = {}
        self.stored: dict[str, list[str]] = {}
        self.changed = False
        self.seal: Seal | None = None

    def prepare(self, pages: frozenset[str]) -> None:
        """Hash the environment and the questions files, and read the stored entries.

        Called before the sources are loaded: a file changed during the check then leaves
        a key older than the result stored under it, which only costs a check next time.
        """
        if not self.enabled:
            return
        try:
            self.environment = _environment(self.project, pages)
        except (OSError, ValueError, ImportError):  # unreadable sources: check without cache
            self.enabled = False
            return
        self.seal = Seal.of(self.project.root)
        folder = self.project.questions_dir / "cases"
        self.questions = {p.name: _digest(p) for p in sorted(folder.glob("*.yml"))}
        self.stored = _read(self.file)

    def key(self, path: Path, question_files: list[str]) -> str | None:
        """The key of a case file checked with these questions files (names in cases/)."""
        if not self.enabled:
            return None
        own = _digest(path)
        parts = [self.environment, str(path), os.path.abspath(path), own]
        for name in question_files:
            digest = self.questions.get(name, _ABSENT)
            parts += [name, digest]
            if digest is None:
                return None  # unreadable now: check it, and keep nothing
        if own is None:
            return None
        return sha(*(part for part in parts if part is not None))

    def load(
        self, path: Path, key: str | None, ids: Container[str], counted: bool = True
    ) -> Entry | None:
        """The stored entry for `path` under `key`, or None (missing, stale or unreadable).
        `counted`: a case file's hit, which the check reports."""
        name = os.path.abspath(path)
        stored = self.stored.get(name) if key is not None else None
        if not isinstance(stored, list) or len(stored) != 3 or stored[0] != key:
            return None
        _, text, mac = stored
        # Not written by a check on this machine (or changed since): checked again.
        if self.seal is None or not self.seal.holds(mac, "check", name, stored[0], text):
            return None
        try:
            entry: Entry = decode(text, Entry)
        except BadEntry:  # a damaged or crafted entry is checked again
            return None
        if any((target in ids) != found for target, found in entry.links.items()):
            return None
        self.hits += counted
        return entry

    def store(self, path: Path, key: str | None, text: str) -> None:
        """Keep an `Entry` as JSON text (from `encode`; written by `save`)."""
        if key is None or not self.enabled or self.seal is None:
            return
        name = os.path.abspath(path)
        self.stored[name] = [key, text, self.seal.sign("check", name, key, text)]
        self.changed = True

    def prune(self, paths: list[Path]) -> None:
        """Forget the entries of files that are gone (after a check of every file)."""
        wanted = {os.path.abspath(path) for path in paths}
        for name in [name for name in self.stored if name not in wanted]:
            del self.stored[name]
            self.changed = True

    def save(self) -> None:
        """Written whole to a temporary file, then renamed: never half a cache."""
        if not self.enabled or not self.changed:
            return
        partial = self.file.with_name(f"{self.file.name}.{os.getpid()}.part")
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            lines = [json.dumps({"format": FORMAT})]
            for name, (key, text, mac) in self.stored.items():
                lines.append(f"{json.dumps([name, key, mac], ensure_ascii=False)}\t{text}")
            with open(partial, "w", encoding="utf-8") as stream:
                stream.write("\n".join(lines) + "\n")
            os.replace(partial, self.file)
            # The pickle of earlier versions is never read again.
            self.file.with_name("entries.pickle").unlink(missing_ok=True)
        except OSError:  # a read-only checkout: check without keeping results
            partial.unlink(missing_ok=True)


def _read(file: Path) -> dict[str, list[str]]:
    """The stored entries, {path: [key, JSON text, seal]}; none when the file is missing,
    damaged or of another version (every file is then checked again)."""
    try:
        lines = file.read_text(encoding="utf-8").split("\n")
        if json.loads(lines[0]) != {"format": FORMAT}:
            return {}
    except (OSError, ValueError):
        return {}
    stored: dict[str, list[str]] = {}
    for line in lines[1:]:
        head, tab, text = line.partition("\t")
        try:
            name, key, mac = json.loads(head) if tab else (None, None, None)
        except (ValueError, TypeError):  # a damaged line: that file is checked again
            continue
        if isinstance(name, str) and isinstance(key, str) and isinstance(mac, str):
            stored[name] = [key, text, mac]
    return stored
