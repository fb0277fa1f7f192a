"""Only the site's own scripts run: the policy hashes the inline scripts the templates
define, and nothing found in a built page; interface text cannot carry markup."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from casebook.check import guidancecheck
from casebook.cli import main
from casebook.outputs.scriptpolicy import ScriptPolicy, UnsafePage, site_policy, template_patterns
from casebook.pipeline.builder import write_config
from casebook.sources.i18n import load_languages
from sitebuild import REPO

# The policy, from the templates' source --------------------------------------------------------


def policy(template: str) -> ScriptPolicy:
    return ScriptPolicy(tuple(template_patterns(template)))


def test_a_template_expression_may_print_a_path_and_nothing_that_ends_the_string() -> None:
    scripts = policy('<script>s=new URL("{{ base_url }}",location)</script>')
    assert len(scripts.hashes('<script>s=new URL("../..",location)</script>', "a.html")) == 1
    with pytest.raises(UnsafePage, match=r"a\.html: an inline script that no template"):
        scripts.hashes('<script>s=new URL("");alert(1);//",location)</script>', "a.html")


def test_a_script_found_in_a_page_is_refused_and_named() -> None:
    scripts = site_policy(REPO / "overrides")
    page = '<head><script>document.documentElement.classList.add("cb-js")</script></head>'
    assert len(scripts.hashes(page, "index.html")) == 1
    with pytest.raises(UnsafePage, match=r"cases/x/index.html: .*'alert\(document.cookie\)'"):
        scripts.hashes(page + "<script>alert(document.cookie)</script>", "cases/x/index.html")


@pytest.mark.parametrize(
    "element",
    [
        '<img src="x" onerror="alert(1)">',
        "<a href='#' ONCLICK = 'steal()'>x</a>",
        '<body onload="go()">',
    ],
)
def test_an_inline_event_handler_is_refused(element: str) -> None:
    with pytest.raises(UnsafePage, match=r"p.html: an inline event handler \(on"):
        site_policy(REPO / "overrides").hashes(f"<p>{element}</p>", "p.html")


def test_data_in_script_elements_is_not_code() -> None:
    scripts = site_policy(REPO / "overrides")
    page = (
        '<script type="application/json">{"a": "<img onerror=x>"}</script>'
        '<script type="application/ld+json">{"@type": "Report"}</script>'
        '<script src="assets/casebook.js"></script>'
    )
    assert scripts.hashes(page, "index.html") == []


def test_the_theme_scripts_of_a_built_page_are_all_known(built_site: Path) -> None:
    scripts = site_policy(REPO / "overrides")
    for page in (
        "index.html",
        "cases/odi-mexico/index.html",
        "es/worksheets/odi-mexico/index.html",
    ):
        html = (built_site / page).read_text(encoding="utf-8")
        hashes = scripts.hashes(html, page)
        assert len(hashes) >= 3, page  # the theme's scope and palette scripts, and ours
        assert all(h in html for h in hashes), page  # the page's policy lists exactly these


# A build with a script of its own fails ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("added", "found"),
    [
        ("<script>alert(1)</script>", "an inline script that no template"),
        (
            '<button type="button" onclick="alert(1)">Go</button>',
            "an inline event handler (onclick=)",
        ),
    ],
)
def test_a_page_with_a_script_of_its_own_fails_the_build(
    project_copy: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    added: str,
    found: str,
) -> None:
    page = project_copy / "docs/guidance/safeguarding.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n\n{added}\n", encoding="utf-8")
    # The check refuses raw HTML in a guidance page first...
    assert main(["--project", str(project_copy), "build", "--no-pdf", "--quiet"]) == 1
    assert "docs/guidance/safeguarding.md:" in capsys.readouterr().out
    # ...and were it ever to miss one, the script policy on the built pages is the second line.
    monkeypatch.setattr(guidancecheck, "raw_html", lambda document: iter(()))
    shutil.rmtree(project_copy / ".cache/casebook/check")  # where the check kept what it found
    assert main(["--project", str(project_copy), "build", "--no-pdf", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "build failed: guidance/safeguarding/index.html: " + found in err
    assert not (project_copy / "site").exists()


# Interface text is plain text -------------------------------------------------------------------

HOSTILE = [
    (
        "i18n/en/strings.yml",
        "  Home: Home\n",
        '  Home: "Home<script>alert(1)</script>"\n',
        "nav.Home",
    ),
    (
        "i18n/languages.yml",
        "    name: Español\n",
        '    name: "Español <img src=x onerror=alert(1)>"\n',
        "languages.1.name",
    ),
    (
        "i18n/fr/strings.yml",
        "skip_to_content: ",
        'skip_to_content: "javascript:alert(1)"\nx_unused: ',
        "skip_to_content",
    ),
    (
        "i18n/es/strings.yml",
        "search_label: ",
        'search_label: "Buscar onmouseover=alert(1)"\nx_unused: ',
        "search_label",
    ),
]


@pytest.mark.parametrize(("path", "old", "new", "field"), HOSTILE, ids=[h[3] for h in HOSTILE])
def test_markup_in_interface_text_fails_the_check(
    project_copy: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
    old: str,
    new: str,
    field: str,
) -> None:
    target = project_copy / path
    text = target.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    target.write_text(text, encoding="utf-8")
    line = text[: text.index(new)].count("\n") + 1
    assert main(["--project", str(project_copy), "check"]) == 1
    out = capsys.readouterr().out
    assert f"{path}:{line}: {field}: " in out
    assert "is markup, but this text is shown as plain text" in out


def test_markup_in_a_vocabulary_label_fails_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = project_copy / "vocabularies/themes.yml"
    data = target.read_text(encoding="utf-8")
    label = next(line for line in data.splitlines() if line.strip().startswith("label:"))
    target.write_text(data.replace(label, label + " <b>bold</b>", 1), encoding="utf-8")
    assert main(["--project", str(project_copy), "check"]) == 1
    assert "vocabularies/themes.yml:" in capsys.readouterr().out


def test_the_theme_is_given_interface_text_it_cannot_run(project_copy: Path) -> None:
    """Material prints navigation titles and language names without escaping them."""
    strings = project_copy / "i18n/en/strings.yml"
    strings.write_text(
        strings.read_text(encoding="utf-8").replace(
            "  Home: Home\n", '  Home: "<script>alert(1)</script>"\n', 1
        ),
        encoding="utf-8",
    )
    names = project_copy / "i18n/languages.yml"
    names.write_text(
        names.read_text(encoding="utf-8").replace(
            "    name: Español\n", '    name: "<img src=x onerror=alert(1)>"\n'
        ),
        encoding="utf-8",
    )
    from casebook.sources.project import Project

    project = Project(project_copy)
    languages, _ = load_languages(project_copy)
    config = write_config(project, languages.default, languages, project.generated_dir)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    written = yaml.safe_dump(data)
    assert "<script" not in written and "<img" not in written
    assert {"&lt;script&gt;alert(1)&lt;/script&gt;": "index.md"} in data["nav"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in [a["name"] for a in data["extra"]["alternate"]]
