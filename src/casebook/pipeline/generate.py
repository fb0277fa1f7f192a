"""Write an edition's outdated outputs into its docs folder, the builder's input."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casebook.pages.render import Renderer
from casebook.pipeline.context import BuildContext, BuildError
from casebook.pipeline.families import plan
from casebook.pipeline.files import same, write
from casebook.pipeline.plan import Output, PlanContext, file_digest
from casebook.sources.digests import sha
from casebook.sources.facilitation import load_facilitator_notes
from casebook.sources.i18n import Locale
from casebook.sources.project import Project

# docs path -> [key of its inputs, hash of its bytes, size, mtime]: what the file holds
Records = dict[str, list[Any]]


@dataclass
class Generated:
    written: int
    unchanged: int
    removed: int
    # docs paths whose bytes changed, and those removed (the builder's outdated pages)
    changed: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    records: Records = field(default_factory=dict)
    skipped: int = 0  # outputs whose inputs had not changed, so were not generated at all
    same: list[str] = field(default_factory=list)  # generated again, with the same bytes

    @property
    def contents(self) -> dict[str, str]:
        """docs path -> hash of the file's bytes."""
        return {path: record[1] for path, record in self.records.items()}


def docs_dir_for(project: Project, locale: Locale) -> Path:
    """The builder's docs folder of one edition: build/docs, or build/<language>/docs."""
    if locale.code == locale.original:
        return project.generated_dir
    return project.root / "build" / locale.code / "docs"


def generate(ctx: BuildContext, locale: Locale, current: Records | None = None) -> Generated:
    """Write one edition's guidance pages and generated pages into its docs folder.

    `current` maps docs paths to the records of what was last written there (from the
    manifest): an output whose key is unchanged is not generated again. Of the rest, only
    files whose bytes changed are rewritten, and files no longer generated are removed.
    """
    out = docs_dir_for(ctx.project, locale)
    valid = _still_there(out, current or {})
    notes, problems = load_facilitator_notes(ctx.project, locale.code)
    if notes is None:
        raise BuildError("; ".join(p.format() for p in problems))
    renderer = Renderer(ctx.library, locale, ctx.settings, notes)
    outputs = plan(
        PlanContext(
            ctx.project,
            renderer,
            ctx.environment,
            {path: record[0] for path, record in valid.items()},
            ctx.pdfs.get(locale.code, {}),
            ctx.digests,
        )
    )
    result = Generated(0, 0, 0)
    for path, output in outputs.items():
        if path in valid and valid[path][0] == output.key:
            result.skipped += 1
            result.records[path] = valid[path]
        else:
            result.records[path] = _make(out / path, path, output, result)
    _remove_others(str(out), outputs, result)
    result.gone.sort(reverse=True)
    return result


def _still_there(out: Path, recorded: Records) -> Records:
    """The records of files that are what the manifest says: nobody wrote them since (a
    failed build, say)."""
    valid: Records = {}
    folder = str(out)
    for name, record in recorded.items():
        try:
            info = os.stat(f"{folder}/{name}")  # not pathlib: 10,000 files at 1,000 cases
        except OSError:
            continue
        if [info.st_size, info.st_mtime_ns] == record[2:4]:
            valid[name] = record
    return valid


def _make(target: Path, path: str, output: Output, result: Generated) -> list[Any]:
    """Make one output, write it only when its bytes changed, and return its record."""
    data = output.make()
    content = file_digest(data) if isinstance(data, Path) else sha(data)
    if not same(target, data):
        write(target, data)
        result.written += 1
        result.changed.append(path)
    else:
        result.unchanged += 1
    stat = target.stat()
    return [output.key, content, stat.st_size, stat.st_mtime_ns]


def _remove_others(folder: str, outputs: dict[str, Output], result: Generated) -> None:
    """Remove what is no longer generated, and folders left empty (os.walk: a fraction of
    the time of rglob and Path objects)."""
    for parent, _, files in os.walk(folder, topdown=False):
        relative = os.path.relpath(parent, folder).replace(os.sep, "/")
        prefix = "" if relative == "." else relative + "/"
        for name in files:
            if prefix + name not in outputs:
                os.unlink(os.path.join(parent, name))
                result.removed += 1
                result.gone.append(prefix + name)
        if prefix and not os.listdir(parent):
            os.rmdir(parent)
