"""A build interrupted at any point, and two builds at once: one build holds the project's
lock, the other is refused with a message naming it; a killed build leaves no worker process
behind, no lock, and the site as it was."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from casebook.cli import main
from casebook.pipeline.lock import LOCK_NAME, build_lock
from casebook.pipeline.publish import JOURNAL_LOG, Journal, recover
from sitebuild import REPO

CASE = "case_studies/odi-mexico.md"
POOL = min(2, os.cpu_count() or 1)  # worker processes in each pool (one per core)


@pytest.fixture
def built_copy(built_project: Path, tmp_path: Path) -> Path:
    """A copy of the session's built project (site, caches and all), with one case changed
    so that the next build has work to do."""
    root = tmp_path / "project"
    shutil.copytree(built_project, root, symlinks=True)
    case = root / CASE
    case.write_text(case.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    return root


def start_build(root: Path) -> subprocess.Popen[str]:
    """A build in its own process; what it prints goes to build.log beside the project (a
    pipe would stay open while a worker outlives the build)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    with open(root.parent / "build.log", "w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "casebook.cli", "--project", str(root), "build", "--quiet"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
            text=True,
        )


def children(pid: int) -> set[int]:
    """The processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_a_second_build_is_refused_while_one_runs(
    built_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = start_build(built_copy)
    lock = built_copy / ".cache/casebook" / LOCK_NAME
    try:
        wait_for(lambda: lock.is_file() and f"pid {first.pid}" in lock.read_text(), 120, "the lock")
        assert main(["--project", str(built_copy), "build", "--quiet"]) == 1
        err = capsys.readouterr().err
        assert "another build is running in this project" in err
        assert f"pid {first.pid}, casebook build" in err
        assert "Traceback" not in err
    finally:
        first.wait(timeout=600)
    assert first.returncode == 0, (built_copy.parent / "build.log").read_text()
    page = built_copy / "site/cases/odi-mexico/index.html"
    assert "One more sentence." in page.read_text(encoding="utf-8")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("pool", ["pdfs", "builders"])
def test_a_killed_build_leaves_no_worker_and_the_next_build_succeeds(
    built_copy: Path, pool: str
) -> None:
    """Killed while its first pool (the changed case's PDFs) works, or its second (the
    site builders, which the report found left behind)."""
    before = (built_copy / "site/index.html").read_bytes()
    build = start_build(built_copy)
    try:
        wait_for(lambda: len(children(build.pid)) >= POOL, 180, "the build's worker processes")
        workers = children(build.pid)
        if pool == "builders":  # new children, once the PDFs' pool has ended
            wait_for(
                lambda: len(children(build.pid) - workers) >= POOL, 180, "the builders' processes"
            )
            workers = children(build.pid) - workers
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=60)
    # No worker outlives its build for more than a few seconds (a minute tells a worker
    # that ends from one that waits for ever).
    try:
        wait_for(lambda: not any(alive(pid) for pid in workers), 60, f"workers {workers} to end")
    finally:
        for pid in workers:  # the test's own processes, if the fix failed
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    # The site is the old one, whole.
    assert (built_copy / "site/index.html").read_bytes() == before
    assert "One more sentence." not in (built_copy / "site/cases/odi-mexico/index.html").read_text(
        encoding="utf-8"
    )
    # The next build runs, and publishes the change.
    assert main(["--project", str(built_copy), "build", "--quiet"]) == 0
    page = built_copy / "site/cases/odi-mexico/index.html"
    assert "One more sentence." in page.read_text(encoding="utf-8")


def _site(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def test_a_build_killed_while_it_publishes_is_undone_by_the_next(tmp_path: Path) -> None:
    """The journal of a publication cut short (no rollback, no discard: the process was
    killed) puts the old site back, whole, when the next build starts."""
    site, work = tmp_path / "site", tmp_path / "build"
    (site / "old").mkdir(parents=True)
    (site / "index.html").write_text("old home")
    (site / "old/page.html").write_text("old page")
    before = _site(site)
    new = tmp_path / "new"
    new.mkdir()
    (new / "index.html").write_text("new home")
    (new / "added.html").write_text("added")
    journal = Journal(work / "replaced" / "1")
    journal.put(site / "index.html", new / "index.html")
    journal.put(site / "added.html", new / "added.html")
    journal.remove(site / "old")
    assert _site(site) == {"index.html": "new home", "added.html": "added"}
    with open(journal.folder / JOURNAL_LOG, "a") as log:
        log.write('["' + str(site / "half"))  # a line the kill cut short
    assert recover(work)
    assert _site(site) == before
    assert not recover(work)  # once


def test_a_finished_publication_is_not_undone(tmp_path: Path) -> None:
    site, work = tmp_path / "site", tmp_path / "build"
    site.mkdir()
    (site / "index.html").write_text("old home")
    (tmp_path / "index.html").write_text("new home")
    journal = Journal(work / "replaced" / "1")
    journal.put(site / "index.html", tmp_path / "index.html")
    journal.discard()
    assert not recover(work)
    assert _site(site) == {"index.html": "new home"}


def test_the_preview_waits_for_a_running_build(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`casebook serve` rebuilds under the same lock: it says that it waits for the build,
    and builds once the build is over."""
    from casebook.commands import serve
    from casebook.pipeline import sequence
    from casebook.sources.project import Project

    order: list[str] = []
    monkeypatch.setattr(sequence, "build_editions", lambda ctx, search: order.append("preview"))
    project = Project(project_copy)
    preview = serve.Preview(project, quiet=True)
    err = ""
    with build_lock(project, "casebook build"):
        thread = threading.Thread(target=preview.rebuild)
        thread.start()

        def said() -> bool:
            nonlocal err
            err += capsys.readouterr().err
            return "waiting for the other build" in err

        wait_for(said, 120, "the preview's message")
        assert f"(pid {os.getpid()}, casebook build)" in err
        order.append("build")
    thread.join(timeout=120)
    assert order == ["build", "preview"]
