"""The built site: the ODI page's content, the one-page-per-case invariant, refusals."""

from __future__ import annotations

import html as html_module
import re
import shutil
from pathlib import Path

import pytest
import yaml

from casebook.cli import main
from casebook.pipeline.context import BuildError
from casebook.pipeline.publish import verify
from library_fixture import published_in
from sitebuild import REPO, copy_project


def themes_of(case_id: str) -> list[str]:
    text = (REPO / "case_studies" / f"{case_id}.md").read_text(encoding="utf-8")
    return list(yaml.safe_load(text.split("---\n")[1])["themes"])


def drafts_in(folder: Path) -> list[str]:
    return [
        p.stem
        for p in sorted(folder.glob("*.md"))
        if "." not in p.stem and "\nstatus: draft\n" in p.read_text(encoding="utf-8")
    ]


pytestmark = pytest.mark.slow


def page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    """Visible text, roughly: tags dropped and whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_odi_page_holds_the_facts(built_site: Path) -> None:
    html = page(built_site, "cases/odi-mexico")
    text = text_of(html)
    for fact in (
        "45 cases",
        "12 states",
        "2017–2024",
        "Public Education Secretariat",
        "hidden spaces",
        "reasonable time",
        "jointly liable",
        "37 cases",
        "18 schools",
        "more than 50 media outlets",
        "Oficina de Defensoría de los Derechos de la Infancia (ODI)",
    ):
        assert fact in text, fact
    # Each chain of milestones is shown once, step by step, with the outcomes it led to.
    assert text.count("Court decision The court's decision in that case") == 1
    assert "Report ODI publishes the report" in text


def test_odi_page_sections_come_in_reading_order(built_site: Path) -> None:
    html = page(built_site, "cases/odi-mexico")
    order = [
        'id="content-note-title"',
        'id="quick-facts"',
        'id="context"',
        'id="evidence-timeline"',
        'id="what-was-learned"',
        'id="action"',
        'id="outcomes"',
        'id="reflection"',
        'id="reflective-questions"',
        'id="worksheets"',
        'id="support"',
        'id="sources"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_content_note_comes_before_the_sensitive_section(built_site: Path) -> None:
    html = page(built_site, "cases/odi-mexico")
    learned = html.index('id="what-was-learned"')
    note = html.index("cb-content-note--section", learned)
    detail = html.index("<details", learned)
    assert learned < note < detail
    assert 'href="#reflective-questions"' in html[learned:detail]


def test_questions_sources_and_review_date_are_shown(built_site: Path, repo_root: Path) -> None:
    import yaml

    text = text_of(page(built_site, "cases/odi-mexico"))
    questions = yaml.safe_load(
        (repo_root / "reflective_questions/cases/odi-mexico.yml").read_text()
    )
    for audience, items in questions.items():
        general = yaml.safe_load((repo_root / f"reflective_questions/{audience}.yml").read_text())
        assert general["name"] in text
        for question in items:  # text, or a mapping with a facilitator's prompt
            question = question if isinstance(question, str) else question["question"]
            assert " ".join(question.split()) in text
        # The general questions are on the worksheet, which the case page points to.
        assert f"The worksheet adds {len(general['questions'])} general questions" in text
        assert general["questions"][0] not in text
    assert "It's a Secret: Child Sexual Exploitation in Schools" in text
    assert "Suggested citation" in text
    assert "Last reviewed on 2 December 2026" in text


def test_every_published_case_is_one_page_and_cases_stay_out_of_the_nav(built_site: Path) -> None:
    pages = sorted(p.parent.name for p in (built_site / "cases").glob("*/index.html"))
    assert pages == published_in(REPO / "case_studies")
    assert "odi-mexico" in pages and "safer-adults" not in pages  # a draft has no page
    home = page(built_site, "")
    nav = home[home.index('<nav class="md-nav md-nav--primary"') :]
    nav = nav[: nav.index("md-sidebar--secondary")]
    assert "odi-mexico" not in nav
    assert "Case library" in nav


def test_library_and_browse_pages_list_the_case_with_counts(built_site: Path) -> None:
    library = text_of(page(built_site, "cases"))
    assert "Uncovering organised sexual abuse of children in schools in Mexico" in library
    country = text_of(page(built_site, "browse/countries/mx"))
    assert "Country: Mexico" in country and "1 case" in country
    themes = text_of(page(built_site, "browse/themes"))
    litigation = [
        c for c in published_in(REPO / "case_studies") if "strategic-litigation" in themes_of(c)
    ]
    assert len(litigation) > 1
    assert f"Strategic litigation ({len(litigation)} cases)" in themes
    for facet in ("settings/schools", "audiences/practitioners", "regions/latin-america-caribbean"):
        assert "odi-mexico" in page(built_site, f"browse/{facet}")


def test_verify_catches_a_missing_page_and_a_published_draft(tmp_path: Path) -> None:
    (tmp_path / "cases" / "a").mkdir(parents=True)
    (tmp_path / "cases" / "a" / "index.html").write_text("a")
    verify(tmp_path, ["a"], [])
    with pytest.raises(BuildError, match="no page was built for case\\(s\\) b"):
        verify(tmp_path, ["a", "b"], [])
    with pytest.raises(BuildError, match="unexpected case\\(s\\) a"):
        verify(tmp_path, [], ["a"])


def test_a_draft_is_checked_but_not_published(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path / "project")
    odi = (root / "case_studies/odi-mexico.md").read_text()
    (root / "case_studies/odi-draft.md").write_text(
        odi.replace("status: published", "status: draft")
    )
    shutil.copy(
        root / "reflective_questions/cases/odi-mexico.yml",
        root / "reflective_questions/cases/odi-draft.yml",
    )
    assert main(["--project", str(root), "build", "--no-pdf"]) == 0
    assert (root / "site/cases/odi-mexico/index.html").is_file()
    assert not (root / "site/cases/odi-draft").exists()
    published = len(published_in(root / "case_studies"))
    drafts = len(drafts_in(root / "case_studies"))
    assert "odi-draft" in drafts_in(root / "case_studies")
    assert f"{published} published case(s), {drafts} draft(s)" in capsys.readouterr().err


def test_build_refuses_when_check_fails_and_keeps_the_old_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path / "project")
    assert main(["--project", str(root), "build", "--no-pdf"]) == 0
    before = (root / "site/cases/odi-mexico/index.html").read_text()
    case = root / "case_studies/odi-mexico.md"
    case.write_text(case.read_text().replace("settings: [schools,", "settings: [scools,"))
    line = case.read_text().split("\n").index("settings: [scools, early-childhood]") + 1
    capsys.readouterr()
    assert main(["--project", str(root), "build", "--no-pdf"]) == 1
    captured = capsys.readouterr()
    expected = f"case_studies/odi-mexico.md:{line}: settings.0: 'scools' is not a known setting; did you mean 'schools'?"
    assert expected in captured.out
    assert "build stopped" in captured.err
    assert (root / "site/cases/odi-mexico/index.html").read_text() == before


def test_front_matter_is_escaped_on_the_page(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    case = root / "case_studies/odi-mexico.md"
    case.write_text(
        case.read_text().replace(
            'title: "Uncovering organised sexual abuse of children in schools in Mexico"',
            'title: "Schools <b>bold</b> & <img src=x onerror=alert(1)>"',
        )
    )
    assert main(["--project", str(root), "build", "--no-pdf"]) == 0
    html = (root / "site/cases/odi-mexico/index.html").read_text()
    assert "<img src=x" not in html and "<b>bold</b>" not in html
    assert "Schools &lt;b&gt;bold&lt;/b&gt; &amp;" in html
    title = re.search(r"<title>(.*?)</title>", html)
    assert title and "&lt;img" in title.group(1)


def test_every_internal_link_resolves(built_site: Path, repo_root: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(repo_root / "scripts/check_links.py"), str(built_site)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    assert "link check: 0 broken link(s)" in result.stderr


def test_link_check_reports_a_broken_link(tmp_path: Path, repo_root: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text(
        '<a href="../b/">b</a> <a href="#top">t</a> <p id="x"></p>'
    )
    result = subprocess.run(
        [sys.executable, str(repo_root / "scripts/check_links.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "a/index.html: ../b/: the target does not exist" in result.stdout
    assert "a/index.html: #top: there is no element with id 'top'" in result.stdout


def test_a_rebuild_with_nothing_changed_skips_the_builder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_project(tmp_path / "project")
    assert main(["--project", str(root), "build", "--no-pdf"]) == 0
    page = root / "site/cases/odi-mexico/index.html"
    built = page.stat().st_mtime_ns
    capsys.readouterr()
    assert main(["--project", str(root), "build", "--no-pdf"]) == 0
    assert "Nothing changed since the last build: site/ is up to date" in capsys.readouterr().err
    assert page.stat().st_mtime_ns == built
    # A change to the theme override is not in the generated pages, but still rebuilds.
    override = root / "overrides/main.html"
    override.write_text(override.read_text() + "\n{#- changed -#}\n")
    assert main(["--project", str(root), "build", "--no-pdf"]) == 0
    assert "Nothing changed" not in capsys.readouterr().err
    assert page.stat().st_mtime_ns != built
