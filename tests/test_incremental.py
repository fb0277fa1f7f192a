"""The incremental build: outputs are regenerated, and pages rebuilt, only when their inputs
changed; the builder does not run when nothing did; every case stays reachable."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from casebook.check.validate import check_project
from casebook.cli import main
from casebook.pipeline.context import BuildError
from casebook.pipeline.publish import verify_reachable
from casebook.sources.project import Project
from sitebuild import builds_site, copy_project, serve

pytestmark = pytest.mark.slow
CASE = "case_studies/odi-mexico.md"
CASE_TITLE = "Uncovering organised sexual abuse of children in schools in Mexico"


def inodes(site: Path) -> dict[str, int]:
    """Each file's inode: a rebuild replaces the files it changes and links the rest."""
    return {
        p.relative_to(site).as_posix(): p.stat().st_ino
        for p in site.rglob("*")
        if p.is_file() and not p.relative_to(site).parts[0].startswith("pagefind")
    }


def manifest(root: Path) -> dict[str, object]:
    text = (root / ".cache/casebook/manifest.json").read_text(encoding="utf-8")
    data = json.loads(text.partition("\n")[2])  # after the seal's line
    assert isinstance(data, dict)
    return data


def edit_body(root: Path, old: str, new: str) -> None:
    path = root / CASE
    text = path.read_text(encoding="utf-8")
    body = text.index("\n## ")  # the first section, after the front matter
    assert old in text[body:]
    path.write_text(text[:body] + text[body:].replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
@builds_site
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("incremental") / "project")
    # The French edition holds no translation of the case: it shows the link page.
    (root / "case_studies/odi-mexico.fr.md").unlink()
    (root / "reflective_questions/cases/odi-mexico.fr.yml").unlink()
    assert main(["--project", str(root), "build", "--no-pdf", "--quiet"]) == 0
    return root


def test_nothing_changed_runs_neither_check_nor_builder(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = inodes(built / "site")
    capsys.readouterr()
    assert main(["--project", str(built), "build", "--no-pdf"]) == 0
    err = capsys.readouterr().err
    assert "Nothing changed since the last build: site/ is up to date" in err
    assert "Checking cases" not in err and "built" not in err
    assert inodes(built / "site") == before


def test_a_change_that_changes_no_page_does_not_run_the_builder(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = built / CASE
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    before = inodes(built / "site")
    capsys.readouterr()
    assert main(["--project", str(built), "build", "--no-pdf"]) == 0
    err = capsys.readouterr().err
    assert "Checking cases" in err  # the sources changed, so they were checked
    for code in ("en", "es", "fr"):
        assert f"[{code}]" in err and "builder: skip (nothing changed)" in err
    assert "] built " not in err
    assert "Nothing changed since the last build" in err
    assert inodes(built / "site") == before


def test_editing_one_case_rebuilds_only_its_page(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = built / "site"
    before = inodes(site)
    built_before = manifest(built)["editions"]
    entries = {p: p.stat().st_ino for p in site.glob("pagefind*/**/pagefind-entry.json")}
    edit_body(built, "frontline organisation", "front-line organisation")
    capsys.readouterr()
    assert main(["--project", str(built), "build", "--no-pdf"]) == 0
    err = capsys.readouterr().err
    assert "[en]" in err and "builder: partial (1 page(s) outdated)" in err
    assert "[en] built 1 page(s)" in err
    after = inodes(site)
    changed = sorted(path for path in after if after[path] != before.get(path))
    # Only the English page of the case: the Spanish translation and the French link page
    # do not show the edited sentence, and nothing else changed.
    assert changed == ["cases/odi-mexico/index.html"]
    page = (site / "cases/odi-mexico/index.html").read_text(encoding="utf-8")
    assert "front-line organisation" in page and "Content-Security-Policy" in page
    # The manifest says the same: one page's content changed in the English edition.
    editions = manifest(built)["editions"]
    assert isinstance(editions, dict) and isinstance(built_before, dict)
    differ = {
        code: sorted(
            path
            for path, content in editions[code]["site"].items()
            if built_before[code]["site"].get(path) != content
        )
        for code in editions
    }
    assert differ == {"en": ["cases/odi-mexico.md"], "es": [], "fr": []}
    # Search indexes only the changed page, into a delta beside the whole index, which
    # is kept; the delta names the whole index's result for the page, which it replaces.
    assert "Search index: 1 page(s) changed since the last whole index" in err
    assert {p for p in entries if p.stat().st_ino != entries[p]} == set()
    delta = json.loads((site / "pagefind-delta/delta.json").read_text(encoding="utf-8"))
    assert delta["pages"] == ["cases/odi-mexico/index.html"]
    replaced = [
        f.stem
        for f in (site / "pagefind/fragment").glob("*.pf_fragment")
        if b'"url":"/cases/odi-mexico/"' in gzip.decompress(f.read_bytes())
    ]
    assert delta["replaced"] == replaced and len(replaced) == 1
    fragments = list((site / "pagefind-delta/fragment").glob("*.pf_fragment"))
    assert len(fragments) == 1
    assert b"front-line organisation" in gzip.decompress(fragments[0].read_bytes())
    # The unused theme assets stay out of the site.
    assert (site / "pagefind/pagefind.js").is_file()
    assert not list(site.rglob("*.map")) and not list(site.rglob("lunr"))


@pytest.mark.browser
def test_search_shows_an_edited_page_once_and_not_its_old_text(
    built: Path, browser: Browser
) -> None:
    edit_body(built, "similar disguises", "similar camouflage")
    assert main(["--project", str(built), "build", "--no-pdf", "--quiet"]) == 0
    # The whole index still holds the old text; the delta holds the new.
    assert (built / "site/pagefind-delta/delta.json").is_file()
    with serve(built / "site") as base:
        page = browser.new_page()
        page.goto(base + "guidance/reading-a-case/")
        found = {}
        for query in ("camouflage", "disguises"):
            page.fill("#cb-search-input", query)
            page.locator("#cb-search-status").filter(has_text=query).wait_for(timeout=10_000)
            found[query] = page.locator(".cb-search__title").all_text_contents()
        # The delta holds English pages only: a Spanish search leaves it out, rather than
        # let Pagefind search its English index instead.
        page.goto(base + "es/guidance/reading-a-case/")
        page.fill("#cb-search-input", "camouflage")
        page.locator("#cb-search-status").filter(has_text="camouflage").wait_for(timeout=10_000)
        spanish = page.locator(".cb-search__title").all_text_contents()
        page.close()
    assert found["camouflage"].count(CASE_TITLE) == 1
    assert CASE_TITLE not in found["disguises"]
    assert CASE_TITLE not in spanish


def test_a_failed_rebuild_leaves_the_site_and_the_next_build_catches_up(
    built: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = built / "site"
    before = inodes(site)
    edit_body(built, "front-line organisation", "organisation on the front line")

    def broken(*args: object, **kwargs: object) -> None:
        raise BuildError("search: Pagefind stopped (simulated)")

    monkeypatch.setattr("casebook.pipeline.indexing.run_index", broken)
    assert main(["--project", str(built), "build", "--no-pdf"]) == 1
    assert "build failed: search: Pagefind stopped (simulated)" in capsys.readouterr().err
    assert inodes(site) == before
    assert (
        "organisation on the front line" not in (site / "cases/odi-mexico/index.html").read_text()
    )
    monkeypatch.undo()
    # The docs folder already holds the new page; the build still knows the site does not.
    assert main(["--project", str(built), "build", "--no-pdf"]) == 0
    assert "organisation on the front line" in (site / "cases/odi-mexico/index.html").read_text()


def test_untranslated_cases_link_to_their_original_and_the_build_verifies_it(
    built: Path,
) -> None:
    site = built / "site"
    library = check_project(Project(built)).library
    verify_reachable(site, library)  # the built site passes
    page = site / "fr/cases/odi-mexico/index.html"
    html = page.read_text(encoding="utf-8")
    page.unlink()  # never write through a link into the built files
    page.write_text(html.replace('href="../../../cases/odi-mexico/"', 'href="#"'))
    with pytest.raises(BuildError, match="does not link to its original"):
        verify_reachable(site, library)
    page.unlink()
    with pytest.raises(BuildError, match="no page was built for case"):
        verify_reachable(site, library)
    page.write_text(html)


def test_a_new_edition_config_rebuilds_every_edition(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    override = built / "overrides/main.html"
    override.write_text(override.read_text() + "\n{#- changed -#}\n")
    capsys.readouterr()
    assert main(["--project", str(built), "build", "--no-pdf"]) == 0
    err = capsys.readouterr().err
    assert err.count("builder: full (configuration, theme or options changed)") == 3
    assert os.path.isfile(built / "site/fr/index.html")
