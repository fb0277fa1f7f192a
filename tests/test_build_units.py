"""The build's pure logic, without running a build: the builder's decision table, the
rollback of a failed swap into the site, and what each family of pages depends on."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from casebook.check.validate import check_project
from casebook.pages.render import Renderer, SiteSettings
from casebook.pipeline.builder import BuilderJob, build_edition
from casebook.pipeline.context import BuildError
from casebook.pipeline.decide import PARTIAL_LIMIT, Decision, Mode, decide
from casebook.pipeline.families import plan
from casebook.pipeline.plan import PlanContext
from casebook.pipeline.publish import Journal
from casebook.sources.facilitation import load_facilitator_notes
from casebook.sources.model import Case, Library
from casebook.sources.project import Project
from library_fixture import make_project

# The decision table ---------------------------------------------------------------------------

PAGES = {"index.md": "h1", "cases/a.md": "h2", "cases/b.md": "h3", "catalogue.json": "h4"}


def decided(
    has_site: bool = True,
    same_stamp: bool = True,
    generated: dict[str, str] | None = None,
    built: dict[str, str] | None = None,
) -> Decision:
    now = PAGES if generated is None else generated
    before = PAGES if built is None else built
    outdated = [path for path, content in now.items() if before.get(path) != content]
    return decide(has_site, same_stamp, now, before, outdated)


@pytest.mark.parametrize(
    ("case", "mode", "reason"),
    [
        (decided(has_site=False), Mode.FULL, "no site yet"),
        (decided(same_stamp=False), Mode.FULL, "configuration, theme or options changed"),
        (decided(), Mode.SKIP, "nothing changed"),
        (decided(generated={**PAGES, "cases/c.md": "h5"}), Mode.FULL, "1 page(s) added, 0 removed"),
        (
            decided(generated={k: v for k, v in PAGES.items() if k != "cases/b.md"}),
            Mode.FULL,
            "0 page(s) added, 1 removed",
        ),
        (
            decided(generated={**PAGES, "catalogue.json": "new"}),
            Mode.COPY,
            "1 file(s) changed, no page",
        ),
        # A data file or PDF no longer generated is only removed from the site.
        (decided(built={**PAGES, "old.pdf": "h9"}), Mode.COPY, "0 file(s) changed, no page"),
        (decided(generated={**PAGES, "cases/a.md": "new"}), Mode.PARTIAL, "1 page(s) outdated"),
        (
            decided(generated={**PAGES, "index.md": "new"}),
            Mode.FULL,
            "guidance page(s) changed: index.md",
        ),
    ],
)
def test_the_builder_runs_as_the_table_says(case: Decision, mode: Mode, reason: str) -> None:
    assert (case.mode, case.reason) == (mode, reason)
    assert case.runs_builder == (mode in (Mode.PARTIAL, Mode.FULL))


def test_too_many_outdated_pages_build_the_whole_edition() -> None:
    before = {f"cases/{n}.md": "old" for n in range(PARTIAL_LIMIT + 1)}
    just = dict(before, **{f"cases/{n}.md": "new" for n in range(PARTIAL_LIMIT)})
    every = {path: "new" for path in before}
    assert decided(generated=just, built=before).mode == Mode.PARTIAL
    assert decided(generated=every, built=before) == Decision(
        Mode.FULL, f"{PARTIAL_LIMIT + 1} page(s) outdated"
    )


# The journalled swap ---------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_a_failed_swap_puts_the_site_back_as_it_was(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "cases" / "a").mkdir(parents=True)
    (site / "index.html").write_bytes(b"old home")
    (site / "cases" / "a" / "index.html").write_bytes(b"old case")
    (site / "gone.pdf").write_bytes(b"old pdf")
    before = snapshot(site)
    new = tmp_path / "new"
    (new / "cases").mkdir(parents=True)
    (new / "index.html").write_bytes(b"new home")
    (new / "cases" / "b.html").write_bytes(b"new case")
    journal = Journal(tmp_path / "replaced")
    journal.put(site / "index.html", new / "index.html")  # replaces a file
    journal.put(site / "cases" / "b" / "index.html", new / "cases" / "b.html")  # a new one
    journal.put(site / "cases" / "a", new / "cases")  # replaces a folder
    journal.remove(site / "gone.pdf")
    assert snapshot(site) == {"index.html": b"new home", "cases/b/index.html": b"new case"}
    journal.rollback()
    assert snapshot(site) == before
    assert not journal.folder.exists()


def test_a_finished_swap_keeps_the_new_files(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_bytes(b"old")
    (tmp_path / "new.html").write_bytes(b"new")
    journal = Journal(tmp_path / "replaced")
    journal.put(site / "index.html", tmp_path / "new.html")
    journal.discard()
    assert snapshot(site) == {"index.html": b"new"}


# What each family of pages depends on ---------------------------------------------------------


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Library]:
    project = Project(make_project(tmp_path_factory.mktemp("families") / "project"))
    result = check_project(project)
    assert not result.errors
    return project, result.library


def keys(
    project: Project,
    library: Library,
    language: str,
    changed: Case | None = None,
    env: str = "e",
    offline_files: bool = False,
) -> dict[str, str]:
    """Every output's key in one edition, with one case replaced by `changed`."""
    locale = library.languages.locales[language]
    notes, _ = load_facilitator_notes(project, language)
    renderer = Renderer(library, locale, SiteSettings(offline_files=offline_files), notes)
    if changed is not None:
        renderer.cases = [changed if c.id == changed.id else c for c in renderer.cases]
    return {path: out.key for path, out in plan(PlanContext(project, renderer, env, {})).items()}


def changed_paths(before: dict[str, str], after: dict[str, str]) -> set[str]:
    assert before.keys() == after.keys()
    return {path for path in before if before[path] != after[path]}


def one_case(library: Library, case_id: str) -> Case:
    return next(c for c in library.cases if c.id == case_id)


def test_a_body_edit_changes_only_its_own_case_worksheets_and_composer_file(
    library: tuple[Project, Library],
) -> None:
    project, lib = library
    case = one_case(lib, "mx-residential-care")
    edited = dataclasses.replace(case, intro=case.intro + "\n\nOne more sentence.")
    before = keys(project, lib, "en")
    after = keys(project, lib, "en", edited)
    # The pages at the audiences' old addresses show no content: they follow the front matter.
    moved = {
        p for p in before if p.startswith("worksheets/mx-residential-care/") and p.endswith(".html")
    }
    assert moved == {"worksheets/mx-residential-care/lawyers-advocates-policy/index.html"}
    assert changed_paths(before, after) == {
        "cases/mx-residential-care.md",
        "worksheets/compose/cases/mx-residential-care.json",
        "worksheets/mx-residential-care/index.md",
    }


def test_a_title_edit_changes_the_listings_and_the_pages_that_show_its_card(
    library: tuple[Project, Library],
) -> None:
    project, lib = library
    case = one_case(lib, "mx-residential-care")
    edited = dataclasses.replace(case, meta=case.meta.model_copy(update={"title": "A new title"}))
    before = keys(project, lib, "en")
    after = keys(project, lib, "en", edited)
    changed = changed_paths(before, after)
    listings = {"browse/index.md", "support.md", "catalogue.json", "worksheets/index.md"}
    assert listings <= changed
    assert "worksheets/compose/index.md" in changed
    locale = lib.languages.default
    # The pages that show its card before the edit or after it: a new title can move the
    # case into, or out of, a list of related cases where cases tie.
    showing: set[str] = set()
    for replaced in (None, edited):
        renderer = Renderer(lib, locale, SiteSettings())
        if replaced is not None:
            renderer.cases = [replaced if c.id == replaced.id else c for c in renderer.cases]
        showing |= {
            f"cases/{other}.md"
            for other, related in renderer.related_cases().items()
            if "mx-residential-care" in {r.case.id for r in related}
        }
    assert showing, "the fixture's cases share facets: some page shows the edited case's card"
    case_pages = {p for p in changed if p.startswith("cases/") and p.count("/") == 1}
    case_pages = {p for p in case_pages if p.endswith(".md")}
    assert case_pages - {"cases/index.md"} == showing | {"cases/mx-residential-care.md"}
    # Its citation files and the feed (which lists it) say the title; no other case's files.
    files = {p for p in changed if p.startswith("cases/") and not p.endswith(".md")}
    assert files == {
        "cases/feed.xml",
        *(f"cases/mx-residential-care/mx-residential-care.{e}" for e in ("ris", "bib", "csl.json")),
    }
    assert not {p for p in changed if p.endswith(".md") and p.startswith(("guidance/", "about"))}


def test_a_link_page_follows_its_case_front_matter_only(library: tuple[Project, Library]) -> None:
    project, lib = library
    case = one_case(lib, "mx-residential-care")  # no French translation: a link page there
    edited = dataclasses.replace(case, intro=case.intro + "\n\nOne more sentence.")
    changed = changed_paths(keys(project, lib, "fr"), keys(project, lib, "fr", edited))
    assert "cases/mx-residential-care.md" not in changed
    assert not any(p.startswith("worksheets/mx-residential-care/") for p in changed)


def test_writing_the_offline_files_changes_only_the_page_that_offers_them(
    library: tuple[Project, Library],
) -> None:
    project, lib = library
    for code in ("en", "es"):
        before = keys(project, lib, code)
        assert changed_paths(before, keys(project, lib, code, offline_files=True)) == {
            "offline/index.md"
        }


def test_the_environment_changes_every_generated_key_but_guidance(
    library: tuple[Project, Library],
) -> None:
    project, lib = library
    changed = changed_paths(keys(project, lib, "en"), keys(project, lib, "en", env="other"))
    unchanged = set(keys(project, lib, "en")) - changed
    assert unchanged == {
        str(p.relative_to(project.docs_dir)) for p in project.docs_dir.rglob("*") if p.is_file()
    }


def test_a_guidance_page_cannot_replace_a_generated_one(library: tuple[Project, Library]) -> None:
    project, lib = library
    clash = project.docs_dir / "support.md"
    clash.write_text("# Mine\n", encoding="utf-8")
    try:
        with pytest.raises(BuildError, match=r"docs/support.md: this page would be overwritten"):
            keys(project, lib, "en")
    finally:
        clash.unlink()


# A partial build's warnings ---------------------------------------------------------------


def _partial_job(tmp_path: Path, strict: bool, links: str) -> BuilderJob:
    """An edition of two pages, rebuilt from a partial folder that holds only page a."""
    (tmp_path / "full").mkdir()
    (tmp_path / "partial").mkdir()
    for folder in ("full", "partial"):
        (tmp_path / folder / "a.md").write_text(f"# A\n\n{links}\n", encoding="utf-8")
    (tmp_path / "full" / "b.md").write_text("# B\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: T\ndocs_dir: full\ntheme:\n  name: mkdocs\n", encoding="utf-8")
    return BuilderJob(
        "en", tmp_path, config, tmp_path / "out", strict,
        docs=tmp_path / "partial", pages=["a/index.html"], source=tmp_path / "full",
    )  # fmt: skip


def test_a_partial_build_ignores_links_to_pages_it_does_not_hold(tmp_path: Path) -> None:
    # As written, and as MkDocs names it from the docs folder when that differs.
    assert build_edition(_partial_job(tmp_path, True, "See [b](b.md), [b](./b.md#top).")) == []
    assert (tmp_path / "out" / "a" / "index.html").is_file()


def test_a_partial_build_keeps_its_real_warnings_and_strict_mode_stops_on_them(
    tmp_path: Path,
) -> None:
    job = _partial_job(tmp_path, False, "See [b](b.md) and [c](c.md).")
    warnings = build_edition(job)
    assert len(warnings) == 1 and "'c.md'" in warnings[0]
    with pytest.raises(BuildError, match="1 warning"):
        build_edition(dataclasses.replace(job, strict=True))


# The code digest ------------------------------------------------------------------------------


def test_a_change_to_any_module_changes_the_code_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every output's key holds the code digest: it must cover every module of the package,
    in every subpackage, and its templates, or a cache would outlive a change of code."""
    import shutil

    import casebook
    from casebook.sources import digests

    package = Path(casebook.__file__).resolve().parent
    assert package == digests.PACKAGE
    copy = tmp_path / "casebook"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(digests, "PACKAGE", copy)
    before = digests.code_digest()
    changed = [p for p in sorted(copy.rglob("*")) if p.suffix in {".py", ".j2", ".css"}]
    assert {p.parent.name for p in changed} >= {"sources", "check", "pages", "outputs", "pipeline"}
    for path in changed:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert digests.code_digest() != before, path.relative_to(copy)
        path.write_bytes(original)
    assert digests.code_digest() == before


# One build sequence ---------------------------------------------------------------------------


def test_build_and_serve_run_the_same_sequence_of_phases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`casebook build` and the preview's rebuild both go through `sequence.run`, which owns
    the lock and the order of the phases; they differ only in their options and target."""
    from casebook.commands.serve import PREVIEW_MANIFEST, Preview
    from casebook.pipeline import sequence

    ran: list[tuple[sequence.Target, sequence.Options, bool]] = []

    def phases(
        project: Project,
        target: sequence.Target,
        options: sequence.Options,
        progress: object,
        check: object,
    ) -> sequence.Outcome:
        ran.append((target, options, check is not None))
        return sequence.Outcome(0)

    monkeypatch.setattr(sequence, "_phases", phases)
    project = Project(tmp_path)
    assert sequence.build_site(project, pdf=False, quiet=True) == 0
    assert Preview(project, quiet=True).rebuild(None)
    (build_target, build_options, build_check), (view_target, view_options, view_check) = ran
    assert build_target == sequence.Target(project.site_dir)
    assert build_options == sequence.Options(pdf=False)
    assert not build_check  # the whole project is checked
    assert view_target.manifest == PREVIEW_MANIFEST and view_target.site != project.site_dir
    assert view_options == sequence.Options.preview(pdf=False)
    assert view_check  # the preview checks what changed
    assert not view_options.publishing and not view_options.shortcut and view_options.wait
