"""Putting a build into the site, and the check that every case is reachable.

The new site is assembled whole beside the old one (`stage`: the old site by hard links,
then the new files in, each by a rename), and published with one rename (`switch`), so a
reader, or a build killed at any moment, sees the old site or the new one, never a mix."""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from casebook.pages.render import original_url, relative
from casebook.pipeline.context import BuildError
from casebook.pipeline.edition import EditionPlan
from casebook.pipeline.files import link_tree, remove, write
from casebook.sources.model import Library

JOURNAL_LOG = "moves.jsonl"
STAGED = "site.next"  # in the scratch folder: the next site, assembled whole
PREVIOUS = "site.old"  # the old site, for a moment, when the system cannot swap two folders


class Journal:
    """Files and folders moved into the site, and what they replaced, so that a failed
    build can put the site back as it was.

    Each move is written to a log in `folder` before it is made, so that a build killed
    while it publishes (kill -9, a power cut) is undone by the next build (`recover`).
    Without `logged`, nothing is written: moves into a staged site, which a failure or
    the next build deletes whole."""

    def __init__(self, folder: Path, logged: bool = True) -> None:
        self.folder = folder
        self.logged = logged
        self.moves: list[tuple[Path, Path | None]] = []  # (target in site, what it replaced)
        self.log: TextIO | None = None

    def _record(self, target: Path, kept: Path | None) -> None:
        if not self.logged:
            self.folder.mkdir(parents=True, exist_ok=True)
            return
        if self.log is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.log = open(self.folder / JOURNAL_LOG, "a", encoding="utf-8")  # noqa: SIM115
        self.log.write(json.dumps([str(target), None if kept is None else str(kept)]) + "\n")
        self.log.flush()  # in the system's hands: it outlives this process

    def _keep(self, target: Path) -> Path | None:
        if not (target.exists() or target.is_symlink()):
            self._record(target, None)
            return None
        kept = self.folder / str(len(self.moves))
        self._record(target, kept)
        target.rename(kept)
        return kept

    def put(self, target: Path, new: Path) -> None:
        kept = self._keep(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.moves.append((target, kept))
        new.rename(target)

    def remove(self, target: Path) -> None:
        kept = self._keep(target)
        if kept is not None:
            # A removal leaves nothing at the target: rollback only restores it.
            self.moves.append((target, kept))

    def _close(self) -> None:
        if self.log is not None:
            self.log.close()
            self.log = None

    def rollback(self) -> None:
        self._close()
        _undo(self.moves)
        self.moves.clear()
        shutil.rmtree(self.folder, ignore_errors=True)

    def discard(self) -> None:
        """Delete what was replaced, in the background: thousands of files take seconds."""
        self._close()
        # The log goes first: from here on the new site stands, whatever happens.
        (self.folder / JOURNAL_LOG).unlink(missing_ok=True)
        if not self.folder.exists():
            return
        try:
            subprocess.Popen(
                ["rm", "-rf", str(self.folder)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            shutil.rmtree(self.folder, ignore_errors=True)


def _undo(moves: list[tuple[Path, Path | None]]) -> None:
    """Put back what each move replaced, last move first. A move that was logged but not
    made (its replaced file is not where the log says) is left as it is."""
    for target, kept in reversed(moves):
        if kept is not None and not (kept.exists() or kept.is_symlink()):
            continue
        if target.exists() or target.is_symlink():
            remove(target)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            kept.rename(target)


def recover(work: Path, site: Path | None = None) -> bool:
    """Undo a publication that a killed build left half done: a switch cut between its two
    renames (the old site is put back), or a journal whose log is still there. A staged
    site left behind is deleted. True when something was undone. Called under the lock."""
    undone = False
    previous = work / PREVIOUS
    if site is not None and (previous.exists() or previous.is_symlink()):
        if not (site.exists() or site.is_symlink()):
            previous.rename(site)
            undone = True
        else:  # the switch was made; what it replaced was not yet deleted
            remove(previous)
    staged = work / STAGED
    if staged.exists() or staged.is_symlink():
        remove(staged)
    for folder in sorted((work / "replaced").glob("*")) if (work / "replaced").is_dir() else []:
        log = folder / JOURNAL_LOG
        if log.is_file():
            moves: list[tuple[Path, Path | None]] = []
            for line in log.read_text(encoding="utf-8").splitlines():
                try:
                    target, kept = json.loads(line)
                except ValueError:  # the last line, cut short: its move was not made
                    continue
                moves.append((Path(target), None if kept is None else Path(kept)))
            _undo(moves)
            undone = True
            shutil.rmtree(folder, ignore_errors=True)
        else:
            # A finished build's, being deleted in the background, or one killed between
            # its switch and that deletion (the old site, replaced files): delete it again.
            Journal(folder, logged=False).discard()
    return undone


def stage(site: Path, work: Path) -> Path:
    """A copy of the site to assemble the next one in, made of hard links (quick, and every
    change replaces a file rather than writing into it, so the live site is never touched)."""
    if site.exists() and not site.is_dir():
        raise BuildError(
            f"{site.name}: a file stands where the site's folder goes; move or delete it and "
            "build again"
        )
    staged = work / STAGED
    if staged.exists() or staged.is_symlink():
        remove(staged)
    staged.parent.mkdir(parents=True, exist_ok=True)
    if site.is_dir():
        link_tree(site.resolve(), staged)  # a site/ that links elsewhere: what it links to
    else:
        staged.mkdir()
    return staged


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# What renameat2 says when the system or the file system cannot exchange two folders.
_NO_EXCHANGE = (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP)


def exchange(first: Path, second: Path) -> None:
    """Swap two folders in one step (Linux's renameat2 with RENAME_EXCHANGE). OSError with
    errno ENOSYS where the system has no such call."""
    renameat2 = None
    if sys.platform.startswith("linux"):
        renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "the system cannot exchange two folders", str(second))
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(second))


def switch(staged: Path, site: Path, trash: Path) -> None:
    """Publish the staged site with one rename; the old site goes into `trash` (a folder
    deleted after the build).

    Where two folders cannot be exchanged, the old site is renamed away and the new one
    renamed in: between the two renames (microseconds) there is no site/, and a build
    killed there has the old site put back by the next (`recover`). A site/ that cannot
    be renamed (a mount point), or that is a link to a folder elsewhere, gets the staged
    site's entries moved in one by one, journalled, so that a failure, or the next build,
    puts the old ones back."""
    trash.mkdir(parents=True, exist_ok=True)
    if not (site.exists() or site.is_symlink()):
        staged.rename(site)
        return
    if site.is_symlink():  # the link is the publisher's: the folder it names is filled
        _move_entries(staged, site.resolve(), trash.with_name(trash.name + "-entries"))
        return
    try:
        exchange(staged, site)
    except OSError as exc:
        if exc.errno == errno.EBUSY:
            _move_entries(staged, site, trash.with_name(trash.name + "-entries"))
            return
        if exc.errno not in _NO_EXCHANGE:
            raise
        previous = staged.parent / PREVIOUS
        if previous.exists() or previous.is_symlink():
            remove(previous)
        site.rename(previous)
        try:
            staged.rename(site)
        except BaseException:
            previous.rename(site)
            raise
        _throw_away(previous, trash)
        return
    _throw_away(staged, trash)  # the old site, now where the staged one was


def _throw_away(old: Path, trash: Path) -> None:
    """The old site, once the new one is published: nothing here may fail the build."""
    try:
        old.rename(trash / "site")
    except OSError:
        shutil.rmtree(old, ignore_errors=True)


def _move_entries(staged: Path, site: Path, folder: Path) -> None:
    journal = Journal(folder)
    try:
        names = {entry.name for entry in staged.iterdir()}
        for entry in list(site.iterdir()):
            if entry.name not in names:
                journal.remove(entry)
        for entry in sorted(staged.iterdir()):
            journal.put(site / entry.name, entry)
    except BaseException:
        journal.rollback()
        raise
    journal.discard()
    remove(staged)


def apply(plans: list[EditionPlan], site: Path, journal: Journal, work: Path) -> None:
    """Move each rebuilt edition, or each rebuilt page and changed file, into the site."""
    codes = {p.locale.code for p in plans}
    for plan in plans:
        prefix = site if plan.is_original else site / plan.locale.code
        job = plan.job
        if job is not None and job.docs is None:
            if prefix == site:
                _replace_root(site, job.out, codes, journal)
            else:
                journal.put(prefix, job.out)
            continue
        if job is not None:
            for page in job.pages:
                journal.put(prefix / page, job.out / page)
        # Data files, PDFs and assets pass through the builder unchanged: copy them.
        for path in plan.outdated:
            if not path.endswith(".md"):
                copied = work / "copied" / plan.locale.code / path
                write(copied, plan.docs / path)
                journal.put(prefix / path, copied)
        for path in plan.gone:
            journal.remove(prefix / path)


def _replace_root(site: Path, built: Path, codes: set[str], journal: Journal) -> None:
    """The original edition, built whole, in the site's root, beside the other editions."""
    new = {entry.name for entry in built.iterdir()}
    for entry in list(site.iterdir()):
        if entry.name not in codes and entry.name not in new:
            journal.remove(entry)
    for entry in sorted(built.iterdir()):
        journal.put(site / entry.name, entry)


def verify(site_dir: Path, cases: Iterable[str], drafts: Iterable[str]) -> None:
    """Every published case became exactly one page, and no draft did."""
    expected = set(cases)
    built = {p.parent.name for p in (site_dir / "cases").glob("*/index.html")}
    missing = sorted(expected - built)
    extra = sorted(built - expected)
    if missing:
        raise BuildError(f"site/: no page was built for case(s) {', '.join(missing)}")
    if extra:
        raise BuildError(f"site/: pages were built for unexpected case(s) {', '.join(extra)}")
    leaked = sorted(d for d in drafts if (site_dir / "cases" / d).exists())
    if leaked:
        raise BuildError(f"site/: draft case(s) {', '.join(leaked)} were published")


def verify_reachable(
    site: Path, library: Library, rebuilt: dict[str, set[str]] | None = None
) -> None:
    """Every published case is reachable in every edition: its own page there, or a page
    that links to the case's page in its original edition, which exists.

    With `rebuilt` (edition -> docs paths rebuilt; an edition left out was rebuilt whole),
    only the link pages rebuilt now are read again: the others were verified when built."""
    published = [c.id for c in library.published]
    drafts = [c.id for c in library.cases if not c.published]
    for locale in library.languages.locales.values():
        edition = site if locale.code == locale.original else site / locale.code
        where = "site/" if edition == site else f"site/{locale.code}/"
        try:
            verify(edition, published, drafts)
        except BuildError as exc:
            raise BuildError(f"{where}: {exc}".replace(": site/:", ":")) from exc
        if locale.code == locale.original:
            continue
        own = library.translations.get(locale.code, {})
        fresh = None if rebuilt is None else rebuilt.get(locale.code)
        for case in library.published:
            if case.id in own and own[case.id].published:
                continue
            if fresh is not None and f"cases/{case.id}.md" not in fresh:
                continue
            target = original_url(case, locale)
            page = (edition / "cases" / case.id / "index.html").read_text(encoding="utf-8")
            link = relative(f"{locale.code}/{case.url}", target)
            if f'href="{link}"' not in page or not (site / target / "index.html").is_file():
                raise BuildError(
                    f"{where}cases/{case.id}/: this untranslated case does not link to its "
                    f"original at /{target}; rebuild, and report it if it happens again"
                )
