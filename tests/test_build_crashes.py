"""Inputs the check passes never crash the build (issue 34, items 7 and 8): Markdown nested
on one line, images that decompress to a huge bitmap, a build/ or site/ the build cannot
write, reserved case ids given to `casebook new`, and a publish stopped half way."""

from __future__ import annotations

import errno
import inspect
import os
import signal
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from casebook.check.validate import check_project
from casebook.cli import main
from casebook.pages.markup import render_markdown
from casebook.sources.limits import MAX_IMAGE_PIXELS, MAX_MARKDOWN_NESTING
from casebook.sources.problems import Problem
from casebook.sources.project import Project
from sitebuild import REPO, odi_alone

ODI = "case_studies/odi-mexico.md"
ANCHOR = "what its lawyers saw in the courtroom,"  # a phrase in the ODI case's body
GUIDANCE = "docs/guidance/safeguarding.md"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project with the ODI case alone (and its translations)."""
    root = odi_alone(tmp_path / "project")
    monkeypatch.chdir(root)
    return root


def errors(root: Path) -> list[Problem]:
    return [p for p in check_project(Project(root), cache=False).problems if p.is_error]


def insert_after_anchor(root: Path, text: str) -> int:
    """Put `text` in its own paragraph after the anchor's line; the line it starts on."""
    file = root / ODI
    lines = file.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if ANCHOR in line)
    lines[at + 1 : at + 1] = ["", *text.split("\n"), ""]
    file.write_text("\n".join(lines), encoding="utf-8")
    return at + 3


# --- Markdown nested on one line -------------------------------------------------------

# Each nests a level per marker on one line; Python-Markdown recurses once per level.
ONE_LINE = {
    "list items": lambda n: "- " * n + "deep",
    "starred items": lambda n: "* " * n + "deep",
    "numbered items": lambda n: "1. " * n + "deep",
    "quotes and items": lambda n: "> - " * (n // 2) + "deep",
    "a footnote of items": lambda n: "[^a]: " + "- " * (n - 1) + "deep",
    "a footnote with a long label": lambda n: "[^" + "a" * 300 + "]: " + "- " * (n - 1) + "deep",
    "items after indentation": lambda n: "\t" * (n // 2) + "- " * (n // 2) + "deep",
}


@pytest.mark.parametrize("form", ["list items", "numbered items", "a footnote of items"])
def test_markers_on_one_line_crash_python_markdown_without_the_limit(form: str) -> None:
    """What the limit is for: a few hundred markers on one line exceed Python's stack."""
    render_markdown.cache_clear()
    with pytest.raises(RecursionError):
        render_markdown("Intro.\n\n" + ONE_LINE[form](600) + "\n")


@pytest.mark.parametrize("form", sorted(ONE_LINE))
def test_markers_on_one_line_are_counted_by_the_nesting_limit(project: Path, form: str) -> None:
    line = insert_after_anchor(project, ONE_LINE[form](600))
    shown = [p.format() for p in errors(project)]
    assert any(
        s.startswith(f"{ODI}:{line}: body: the line nests lists or block quotes") for s in shown
    ), shown


@pytest.mark.parametrize("form", sorted(ONE_LINE))
def test_what_the_limit_lets_through_renders(project: Path, form: str) -> None:
    """At the limit the check passes, and the body renders (with stack to spare)."""
    text = ONE_LINE[form](MAX_MARKDOWN_NESTING)
    insert_after_anchor(project, text)
    assert errors(project) == []
    render_markdown.cache_clear()
    assert "deep" in render_markdown("Intro.\n\n" + text + "\n")


@pytest.mark.parametrize(
    "opening", ["``` not a fence `x`", "````", "~~~ two words"], ids=["text", "long", "tilde"]
)
def test_a_fence_only_the_check_sees_hides_no_line_from_the_limit(
    project: Path, opening: str
) -> None:
    """The check skips fenced code for its content rules; Python-Markdown sees no fence in
    these (text after the backticks, a closing fence shorter than the opening one), so it
    renders what follows as lists."""
    first = insert_after_anchor(project, f"{opening}\n\n{'- ' * 600}deep\n\n```")
    render_markdown.cache_clear()
    with pytest.raises(RecursionError):
        render_markdown(f"{opening}\n\n{'- ' * 600}deep\n\n```\n")
    shown = [p.format() for p in errors(project)]
    assert any(s.startswith(f"{ODI}:{first + 2}: body: the line nests") for s in shown), shown


def test_a_guidance_page_with_markers_on_one_line_is_refused(project: Path) -> None:
    page = project / GUIDANCE
    old = page.read_text(encoding="utf-8").rstrip("\n")
    page.write_text(old + "\n\n" + "1. " * 400 + "deep\n", encoding="utf-8")
    line = old.count("\n") + 3
    shown = [p.format() for p in errors(project)]
    assert any(s.startswith(f"{GUIDANCE}:{line}: body: the line nests") for s in shown), shown


# --- images that decompress to a huge bitmap -------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims `width` x `height` pixels in a few dozen bytes (its pixel data is
    one empty block: opening it reads the header, decoding it would fill memory)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tEXt", b"Comment\x00taken at home")  # metadata, so the build decodes it
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("width", "height"),
    [(20_000, 20_000), (9_000, 9_000)],
    ids=["Pillow's own bomb error", "between the limit and twice it"],
)
def test_an_image_beyond_the_pixel_limit_is_refused_by_the_check(
    project: Path, width: int, height: int
) -> None:
    image = project / "docs/assets/uploads/bomb.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(png_header(width, height))
    shown = [p.format() for p in errors(project)]
    megapixels = MAX_IMAGE_PIXELS // 1_000_000
    assert any(
        s.startswith("docs/assets/uploads/bomb.png:1: image: the image ")
        and f"{megapixels} megapixels" in s
        and "make it smaller in an image editor" in s
        for s in shown
    ), shown


def test_an_image_within_the_limit_passes_the_check(project: Path) -> None:
    image = project / "docs/assets/uploads/photo.png"
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(png_header(4_000, 3_000))
    assert errors(project) == []


def test_the_build_never_decodes_an_image_beyond_the_limit() -> None:
    """Had the check been skipped, the build's metadata cleaning refuses the image with a
    message, not Pillow's DecompressionBombError."""
    from casebook.outputs.images import ImageError, without_metadata

    for size in (20_000, 9_000):
        with pytest.raises(ImageError, match="more than 64 megapixels"):
            without_metadata(png_header(size, size), ".png")


def test_a_build_with_a_bomb_stops_at_the_check(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "docs/assets/bomb.png").write_bytes(png_header(20_000, 20_000))
    assert main(["--project", str(project), "build", "--no-pdf", "--quiet"]) == 1
    out, err = capsys.readouterr()
    assert "docs/assets/bomb.png:1: image: the image decompresses to more than" in out
    assert "build stopped: check found 1 error(s)" in err
    assert not (project / "site").exists()


# --- casebook new and the ids the site's own pages use -----------------------------------


@pytest.mark.parametrize("case_id", ["index", "compose", "feed", "map", "admin", "page", "es"])
def test_new_refuses_a_reserved_id_with_the_checks_words(
    project: Path, case_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(project), "new", case_id, "--title", "T"]) == 1
    refusal = capsys.readouterr().err
    assert not (project / "case_studies" / f"{case_id}.md").exists()
    assert not (project / "reflective_questions/cases" / f"{case_id}.yml").exists()
    # The check says the same of the file, had it been written by hand.
    (project / "case_studies" / f"{case_id}.md").write_text(
        (project / ODI).read_text(encoding="utf-8"), encoding="utf-8"
    )
    said = next(p.message for p in errors(project) if p.path == f"case_studies/{case_id}.md")
    reason = said.split("; rename the file")[0]
    assert reason.startswith(f"'{case_id}' cannot be a case id: ")
    assert refusal == f"casebook new: {reason}; choose another id, e.g. '{case_id}-<country>'\n"


def test_new_still_makes_an_ordinary_case(project: Path) -> None:
    assert main(["--project", str(project), "new", "index-kenya", "--title", "T"]) == 0
    assert (project / "case_studies/index-kenya.md").is_file()


# --- a build/ or site/ the build cannot write ---------------------------------------------


def test_build_as_a_file_is_a_message_not_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "build").write_text("not a folder\n", encoding="utf-8")
    assert main(["--project", str(project), "build", "--no-pdf", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (
        "build failed: build: Not a directory; the build needs a folder there (or a file "
        "where a folder is): move or delete it and build again"
    ) in err, err
    assert not (project / "site").exists()


def test_site_unwritable_is_a_message_not_a_traceback(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A read-only site/ (as root the test cannot make one: the publish is made to fail as
    the system would)."""
    from casebook.pipeline import sequence

    def refused(ctx: object, search: bool) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(project / "site"))

    (project / "site").mkdir()
    monkeypatch.setattr(sequence, "build_editions", refused)
    assert main(["--project", str(project), "build", "--no-pdf", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert (
        "build failed: site/: Permission denied; make it writable (or move it away) and build again"
    ) in err, err


# --- one atomic switch into site/ ---------------------------------------------------------


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


OLD = {"index.html": b"old home", "cases/a/index.html": b"old a", "gone.pdf": b"old pdf"}
NEW = {"index.html": b"new home", "cases/a/index.html": b"old a", "cases/b/index.html": b"new b"}


def old_site(tmp_path: Path) -> tuple[Path, Path]:
    site, work = tmp_path / "site", tmp_path / "build"
    for name, data in OLD.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_bytes(data)
    return site, work


# Stages the next site as a partial build does (the old site, two pages replaced, one
# removed) and switches it in; `KILL` says where the process kills itself (SIGKILL: no
# cleanup runs), as a power cut or `kill -9` would.
PUBLISH = """
import errno, os, signal, sys
from pathlib import Path
from casebook.pipeline import publish

site, work, kill, exchange = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if exchange != "yes":
    def no_exchange(first, second):
        raise OSError(errno.ENOSYS, "no renameat2", str(second))
    publish.exchange = no_exchange
staged = publish.stage(site, work)
journal = publish.Journal(work / "replaced" / "1", logged=False)
new = work / "new"
(new / "cases").mkdir(parents=True)
(new / "index.html").write_bytes(b"new home")
(new / "cases" / "b.html").write_bytes(b"new b")
journal.put(staged / "index.html", new / "index.html")
journal.put(staged / "cases" / "b" / "index.html", new / "cases" / "b.html")
journal.remove(staged / "gone.pdf")
if kill == "before the switch":
    publish.exchange = die
if kill == "after the switch":
    publish._throw_away = die
if kill == "between the two renames":
    renamed = []
    real = Path.rename
    def rename_then_die(self, target):
        if renamed:
            die()
        renamed.append(self)
        return real(self, target)
    Path.rename = rename_then_die
publish.switch(staged, site, journal.folder)
journal.discard()
"""


def publish_in_a_process(site: Path, work: Path, kill: str, exchange: bool) -> int:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}  # this checkout, from any folder
    done = subprocess.run(
        [sys.executable, "-c", PUBLISH, str(site), str(work), kill, "yes" if exchange else "no"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_a_publish_switches_the_whole_site_at_once(tmp_path: Path, exchange: bool) -> None:
    site, work = old_site(tmp_path)
    inode = (site / "cases/a/index.html").stat().st_ino
    assert publish_in_a_process(site, work, "no kill", exchange) == 0
    assert tree(site) == NEW
    # The unchanged page is the old file, linked, not copied.
    assert (site / "cases/a/index.html").stat().st_ino == inode
    assert not (work / "site.next").exists() and not (work / "site.old").exists()


@pytest.mark.parametrize(
    ("kill", "exchange", "after"),
    [
        ("before the switch", True, OLD),
        ("after the switch", True, NEW),
        ("before the switch", False, OLD),
        ("between the two renames", False, OLD),
    ],
    ids=["staged", "switched", "staged, no renameat2", "half switched, no renameat2"],
)
def test_a_publish_killed_at_any_point_leaves_the_old_site_or_the_new_whole(
    tmp_path: Path, kill: str, exchange: bool, after: dict[str, bytes]
) -> None:
    from casebook.pipeline.publish import recover

    site, work = old_site(tmp_path)
    assert publish_in_a_process(site, work, kill, exchange) == -signal.SIGKILL
    if kill == "between the two renames":
        assert not site.exists()  # the window the fallback leaves, for microseconds
    else:
        assert tree(site) == after  # what a reader sees until the next build
    # The next build, under the lock, puts the old site back or clears what was left.
    recover(work, site)
    assert tree(site) == after
    assert not (work / "site.next").exists() and not (work / "site.old").exists()
    assert recover(work, site) is False
    # What the killed build replaced (the old site, after the switch) is deleted too.
    deadline = time.monotonic() + 30
    while (work / "replaced" / "1").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not (work / "replaced" / "1").exists()


def test_a_site_that_cannot_be_renamed_gets_its_entries_moved_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """site/ as a mount point (EBUSY): entry by entry, journalled, as before the switch."""
    from casebook.pipeline import publish

    site, work = old_site(tmp_path)

    def busy(first: Path, second: Path) -> None:
        raise OSError(errno.EBUSY, "Device or resource busy", str(second))

    monkeypatch.setattr(publish, "exchange", busy)
    staged = publish.stage(site, work)
    (staged / "gone.pdf").unlink()
    (staged / "index.html").unlink()
    (staged / "index.html").write_bytes(b"new home")
    (staged / "cases/b").mkdir()
    (staged / "cases/b/index.html").write_bytes(b"new b")
    inode = site.stat().st_ino
    publish.switch(staged, site, work / "replaced" / "1")
    assert tree(site) == NEW
    assert site.stat().st_ino == inode  # the same folder: only its entries were moved
    assert not staged.exists()


KILLED_AT_THE_SWITCH = """
import os, signal, sys
from casebook.pipeline import publish

def die(first, second):
    os.kill(os.getpid(), signal.SIGKILL)

publish.exchange = die
from casebook.cli import main
sys.exit(main(["--project", sys.argv[1], "build", "--no-pdf", "--quiet"]))
"""


@pytest.mark.slow
def test_a_partial_build_killed_at_the_switch_keeps_the_old_site_whole(project: Path) -> None:
    """A partial build (one case changed) killed with everything staged: site/ is the old
    site, byte for byte; the next build publishes a whole site with the change."""
    assert main(["--project", str(project), "build", "--no-pdf", "--quiet"]) == 0
    site = project / "site"
    before = tree(site)
    case = project / ODI
    case.write_text(case.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}  # this checkout, from any folder
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AT_THE_SWITCH, str(project)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=project,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert tree(site) == before
    assert (project / "build/site.next").is_dir()  # staged whole, never switched in
    assert main(["--project", str(project), "build", "--no-pdf", "--quiet"]) == 0
    after = tree(site)
    assert "One more sentence." in after["cases/odi-mexico/index.html"].decode()
    pages = {name for name in before if name.endswith(".html")}
    assert pages == {name for name in after if name.endswith(".html")}
    assert after["guidance/safeguarding/index.html"] == before["guidance/safeguarding/index.html"]
    assert not (project / "build/site.next").exists()


def test_a_site_that_links_elsewhere_is_filled_and_stays_a_link(tmp_path: Path) -> None:
    """A publisher's `site -> /var/www/html`: the folder it names gets the new site, the
    link stays, and nothing is written through the link while the site is staged."""
    from casebook.pipeline import publish

    served, work = old_site(tmp_path / "www")
    site = tmp_path / "project-site"
    site.symlink_to(served, target_is_directory=True)
    staged = publish.stage(site, work)
    assert not staged.is_symlink()
    (staged / "index.html").unlink()
    (staged / "index.html").write_bytes(b"new home")
    assert tree(served) == OLD  # staging never writes through the link
    publish.switch(staged, site, work / "replaced" / "1")
    assert site.is_symlink() and site.resolve() == served.resolve()
    assert tree(served) == {**OLD, "index.html": b"new home"}


def test_a_file_where_the_site_goes_is_a_message(tmp_path: Path) -> None:
    from casebook.pipeline import publish
    from casebook.pipeline.context import BuildError

    site = tmp_path / "site"
    site.write_text("notes\n", encoding="utf-8")
    with pytest.raises(BuildError, match="site: a file stands where the site's folder goes"):
        publish.stage(site, tmp_path / "build")
    assert site.read_text(encoding="utf-8") == "notes\n"


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (errno.EACCES, "site/: Permission denied; make it writable (or move it away)"),
        (errno.ENOSPC, "site/: No space left on device; free some space on the disk"),
        (errno.EXDEV, "site/: Invalid cross-device link; the build publishes by renaming"),
    ],
    ids=["read-only", "disk full", "another file system"],
)
def test_what_a_failed_write_means_is_said_with_the_path(
    tmp_path: Path, error: int, said: str
) -> None:
    from casebook.pipeline.files import os_failure

    (tmp_path / "site").mkdir()
    failure = OSError(error, os.strerror(error), str(tmp_path / "site"))
    assert os_failure(failure, tmp_path).startswith(said)


def test_documents_of_lines_within_the_limit_render_in_a_shallow_stack() -> None:
    """Lines each within the limit, mixed at random (quotes, items, footnotes, definitions,
    indentation, fences): however they combine, rendering stays far from Python's stack
    limit, so no document the check passes can exceed it."""
    import random

    from casebook.check.bodylimits import nesting
    from casebook.pages.markup import _renderer

    renderer = _renderer()
    pieces = ["> ", "- ", "* ", "1. ", "    ", "\t", ": ", "[^a]: ", "!!! note ", "  "]
    ends = ["x", "", "```", "- x", "??? note"]
    chance = random.Random(34)
    depth = len(inspect.stack(0))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + 200)  # a fifth of the default stack, from here
    try:
        for _ in range(300):
            lines: list[str] = []
            size = chance.randint(1, 25)
            while len(lines) < size:
                line = "".join(chance.choice(pieces) for _ in range(chance.randint(0, 14)))
                line += chance.choice(ends)
                if nesting(line) <= MAX_MARKDOWN_NESTING:
                    lines.append(line)
            renderer.reset()
            renderer.convert("\n".join(lines))
    finally:
        sys.setrecursionlimit(limit)
