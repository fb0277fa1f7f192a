"""What built pages hold for readers and search engines: language alternates for the same
page, a language switch that works without JavaScript, the case page's audiences, outcome
chains and sources, year ranges kept whole, and a library every case of which is reachable
without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from casebook.cli import main
from casebook.outputs.postprocess import SiteEditions, keep_year_ranges, language_links
from casebook.pages import render, worksheets
from library_fixture import make_project

pytestmark = pytest.mark.slow

EDITIONS = {"en": "", "es": "es/", "fr": "fr/"}
SAMPLE = [
    "",
    "cases/",
    "cases/odi-mexico/",
    "guidance/reading-a-case/",
    "worksheets/odi-mexico/",
]


def html_of(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def resolve(page: str, href: str) -> str:
    """A relative link from a page's folder, as a path from the site's root."""
    parts = [p for p in page.split("/") if p]
    for piece in href.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts) + "/" if parts else ""


@pytest.mark.parametrize("inner", SAMPLE)
def test_every_edition_links_to_the_same_page_in_the_others(built_site: Path, inner: str) -> None:
    having = {
        c: p for c, p in EDITIONS.items() if (built_site / p / inner / "index.html").is_file()
    }
    assert "en" in having and "es" in having, having
    for prefix in having.values():
        page = prefix + inner
        html = html_of(built_site, page)
        # Built without site_url: search engines take alternates only as full addresses, so
        # there are none (tests/test_citation.py checks them with an address).
        assert 'rel="alternate" hreflang=' not in html, page
        assert "hreflang" not in html.split("</head>")[0], page
        # The language switch goes to the same page, with no script needed.
        switch = {
            lang: resolve(page, href)
            for href, lang in re.findall(
                r'<a href="([^"]*)" hreflang="([^"]+)" class="md-select__link">', html
            )
        }
        for other, other_prefix in having.items():
            assert switch[other] == other_prefix + inner, (page, other)


def test_alternates_are_absolute_when_the_address_is_known(tmp_path: Path) -> None:
    html = (
        '<html><head><link rel="alternate" href="../" hreflang="en"></head><body>'
        '<a href="../" hreflang="es" class="md-select__link">Español</a></body></html>'
    )
    editions = SiteEditions(["en", "es"], "https://example.org/casebook/")
    out = language_links(
        html, "cases/x/index.html", editions, {"cases/x/index.html", "es/cases/x/index.html"}
    )
    assert (
        '<link rel="alternate" hreflang="es" href="https://example.org/casebook/es/cases/x/">'
        in out
    )
    assert (
        '<link rel="alternate" hreflang="x-default" href="https://example.org/casebook/cases/x/">'
        in out
    )
    assert 'href="../../es/cases/x/" hreflang="es" class="md-select__link"' in out
    assert 'href="../" hreflang="en"' not in out  # the theme's edition-root alternate is gone
    # A page only one edition has gets no alternates.
    alone = language_links(html, "cases/y/index.html", editions, {"cases/y/index.html"})
    assert alone == html
    # Without the site's address: no alternates at all, rather than relative ones; the
    # language switch still goes to the same page.
    unknown = SiteEditions(["en", "es"])
    out = language_links(
        html, "cases/x/index.html", unknown, {"cases/x/index.html", "es/cases/x/index.html"}
    )
    assert "<link" not in out
    assert 'href="../../es/cases/x/" hreflang="es" class="md-select__link"' in out


def test_year_ranges_stay_on_one_line() -> None:
    html = '<head><title>2017–2024</title></head><body><p title="2010–2012">Over 2017–2024 and 2019–present.</p><pre>2001–2002</pre></body>'
    out = keep_year_ranges(html)
    assert (
        '<span class="cb-nowrap">2017–2024</span> and <span class="cb-nowrap">2019–present</span>'
        in out
    )
    assert (
        "<title>2017–2024</title>" in out
        and 'title="2010–2012"' in out
        and "<pre>2001–2002</pre>" in out
    )


def test_case_page_shows_each_chain_once_and_sources_once(built_site: Path) -> None:
    html = html_of(built_site, "cases/odi-mexico/")
    outcomes = html[html.index('id="outcomes"') : html.index('id="reflection"')]
    assert "cb-chain__step--outcome" not in outcomes  # no empty "→ Outcome" pill
    # ODI's chains are one line of events: one timeline, each milestone once.
    assert outcomes.count('class="cb-chain cb-chain--timeline"') == 1
    assert outcomes.count("ODI publishes the report") == 1
    assert outcomes.count("The court&#39;s decision in that case") == 1
    # Five outcomes of the court case, and ODI's own account of 2024 that the prevention
    # measures had not been carried out; each says what kind of evidence it rests on.
    assert outcomes.count('class="cb-outcome"') == 6
    assert outcomes.count('class="cb-outcome__evidence"') == 6
    sources = html[html.index('id="sources"') :]
    first = sources[: sources.index("</li>")]
    shown = re.sub(r"<details.*?</details>", "", first, flags=re.S)  # the folded citation
    assert shown.count("Oficina de Defensoría de los Derechos de la Infancia (ODI)") == 1
    assert "31 May 2021" in shown and "data-cb-copy" in first
    assert '<span class="cb-nowrap">2017–2024</span>' in html


def test_case_page_shows_only_declared_audiences_in_their_order(project_copy: Path) -> None:
    path = project_copy / "case_studies" / "odi-mexico.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "audiences: [practitioners, lawyers-advocates-policy, overall]",
        "audiences: [practitioners, overall]",
    )
    path.write_text(text, encoding="utf-8")
    questions = project_copy / "reflective_questions" / "cases" / "odi-mexico.yml"
    data = yaml.safe_load(questions.read_text(encoding="utf-8"))
    data.pop("lawyers-advocates-policy", None)
    questions.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    for translated in questions.parent.glob("odi-mexico.*.yml"):
        data = yaml.safe_load(translated.read_text(encoding="utf-8"))
        data.pop("lawyers-advocates-policy", None)
        translated.write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    for translated in path.parent.glob("odi-mexico.*.md"):
        translated.write_text(
            re.sub(
                r"audiences: \[[^\]]*\]",
                "audiences: [practitioners, overall]",
                translated.read_text(encoding="utf-8"),
            ),
            encoding="utf-8",
        )
    assert main(["--project", str(project_copy), "build", "--no-pdf", "--quiet"]) == 0
    html = html_of(project_copy / "site", "cases/odi-mexico/")
    assert 'id="questions-lawyers-advocates-policy"' not in html
    assert "odi-mexico-lawyers-advocates-policy-a4.pdf" not in html
    assert "worksheets/odi-mexico/#lawyers-advocates-policy" not in html
    assert html.index('id="questions-practitioners"') < html.index('id="questions-overall"')


def test_every_case_is_reachable_without_javascript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With more cases than fit on the library's first page, plain links lead on; the
    worksheet index is paged the same way, so neither grows with the library."""
    monkeypatch.setattr(render, "LIBRARY_PAGE_SIZE", 3)
    monkeypatch.setattr(worksheets, "INDEX_PAGE_SIZE", 3)
    root = make_project(tmp_path / "library")
    assert main(["--project", str(root), "build", "--no-pdf", "--quiet"]) == 0
    site = root / "site"
    every = {p.parent.name for p in (site / "cases").glob("*/index.html")} - {"page"}
    count = -(-len(every) // 3)  # pages of 3 cards
    assert count >= 2
    urls = ["", *(f"page/{n}/" for n in range(2, count + 1))]
    library = [html_of(site, f"cases/{url}") for url in urls]
    cards = re.compile(r'class="cb-case-card" data-case-id="([^"]+)"')
    listed_cards = [cards.findall(h) for h in library]
    assert [len(found) for found in listed_cards] == [3] * (count - 1) + [
        len(every) - 3 * (count - 1)
    ]
    assert set().union(*listed_cards) == every
    assert 'href="page/2/" rel="next"' in library[0]
    assert 'href="../../" rel="prev"' in library[1]
    assert f"Page {count} of {count}" in library[-1]
    sheets = [html_of(site, f"worksheets/{url}") for url in urls]
    title_link = re.compile(r'cb-case-card__title"><a href="(?:[./]*)(?:[^"]*/)?([^/"]+)/"')
    listed = [title_link.findall(h) for h in sheets]
    assert [len(found) for found in listed] == [len(found) for found in listed_cards]
    assert set().union(*listed) == every
    assert 'aria-label="Pages of the worksheet list"' in sheets[0]
    assert 'href="page/2/" rel="next"' in sheets[0] and 'href="../../" rel="prev"' in sheets[1]
    assert f"<title>Reflection worksheets, page {count} of {count}" in sheets[-1]
