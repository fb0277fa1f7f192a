"""The Spanish and French editions: pages, PDFs, fallbacks and the language switch."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest
import yaml

from casebook.cli import main
from sitebuild import builds_site, copy_project, serve

pytestmark = pytest.mark.slow
SPANISH_TITLE = "Sacar a la luz el abuso sexual infantil organizado en escuelas de México"
ENGLISH_TITLE = "Uncovering organised sexual abuse of children in schools in Mexico"


def read(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match
    return match.group(1)


def test_spanish_case_page(built_site: Path) -> None:
    html = read(built_site, "es/cases/odi-mexico")
    assert html_lang(html) == "es"
    assert SPANISH_TITLE in html
    assert "Secretaría de Educación Pública" in html
    assert 'id="quick-facts"' in html and ">Datos básicos<" in html
    assert ">México</a>" in html  # the country name from pycountry's Spanish translation
    assert "Aviso de contenido" in html
    assert "no se ha traducido" not in html and "cb-notice" not in html
    # The interface around the case is Spanish too: navigation, quick exit and search.
    assert re.search(r">\s*Biblioteca de casos\s*<", html)
    assert "Salir de esta página" in html
    assert 'placeholder="Buscar' in html


def test_spanish_worksheets_link_to_spanish_pdfs(built_site: Path, repo_root: Path) -> None:
    html = read(built_site, "es/cases/odi-mexico")
    assert 'href="../../worksheets/odi-mexico/odi-mexico-practitioners-a4.pdf"' in html
    questions = yaml.safe_load(
        (repo_root / "reflective_questions/cases/odi-mexico.es.yml").read_text()
    )
    for size in ("a4", "letter"):
        path = built_site / f"es/worksheets/odi-mexico/odi-mexico-practitioners-{size}.pdf"
        reader = pypdf.PdfReader(path)
        text = " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())
        assert SPANISH_TITLE in text
        assert "Aviso de contenido" in text and "Dónde encontrar apoyo" in text
        first = questions["practitioners"][0]
        assert " ".join((first if isinstance(first, str) else first["question"]).split()) in text
        assert reader.trailer["/Root"]["/Lang"] == "es"
        assert f"Página {len(reader.pages)} de {len(reader.pages)}" in text
    facilitator = pypdf.PdfReader(
        built_site / "es/worksheets/odi-mexico/odi-mexico-facilitator-a4.pdf"
    )
    assert facilitator.trailer["/Root"]["/Lang"] == "es"


def test_english_edition_is_unchanged(built_site: Path) -> None:
    html = read(built_site, "cases/odi-mexico")
    assert html_lang(html) == "en"
    assert ENGLISH_TITLE in html
    assert "cb-notice" not in html
    assert ">Quick facts<" in html and "Exit this page" in html


@pytest.fixture(scope="module")
@builds_site
def site_without_french(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project built without the French case, its questions and one guidance page."""
    root = copy_project(tmp_path_factory.mktemp("without-french") / "project")
    (root / "case_studies/odi-mexico.fr.md").unlink()
    (root / "reflective_questions/cases/odi-mexico.fr.yml").unlink()
    (root / "i18n/fr/docs/guidance/browsing-safely.md").unlink()
    assert main(["--project", str(root), "build", "--no-pdf", "--quiet"]) == 0
    return root / "site"


def test_an_untranslated_case_links_to_its_original_with_a_notice_in_the_readers_language(
    site_without_french: Path,
) -> None:
    html = read(site_without_french, "fr/cases/odi-mexico")
    assert html_lang(html) == "fr"
    assert "Ce cas n&#39;est pas encore traduit en français. Il est publié en anglais." in html
    # The title and summary, marked as English, then a clearly marked link to the original.
    assert re.search(r'<h1 [^>]*lang="en"[^>]*>' + ENGLISH_TITLE, html)
    assert '<div class="cb-lede" lang="en">' in html
    assert (
        '<a href="../../../cases/odi-mexico/" hreflang="en" data-cb-original>'
        "Lire le cas en anglais</a>" in html
    )
    assert (site_without_french / "cases/odi-mexico/index.html").is_file()
    # The case is built once, in English: not again in French, nor its worksheets.
    assert "cb-prose" not in html
    assert not (site_without_french / "fr/worksheets/odi-mexico").exists()


def test_guidance_pages_are_translated_or_fall_back(
    built_site: Path, site_without_french: Path
) -> None:
    spanish = read(built_site, "es/guidance/browsing-safely")
    assert "Navegar de forma segura" in spanish
    french = read(built_site, "fr/guidance/browsing-safely")
    assert "Naviguer en sécurité" in french and "pas encore" not in french
    untranslated = read(site_without_french, "fr/guidance/browsing-safely")
    assert "pas encore disponible en français" in untranslated
    assert "Browsing safely" in untranslated


def test_every_edition_has_every_case_page(built_site: Path) -> None:
    for prefix in ("", "es/", "fr/"):
        assert (built_site / f"{prefix}cases/odi-mexico/index.html").is_file()
        assert (built_site / f"{prefix}catalogue.json").is_file()


@pytest.mark.browser
def test_the_language_switch_lands_on_the_same_case(built_site: Path, browser: object) -> None:
    with serve(built_site) as base:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(base + "cases/odi-mexico/")
        page.locator(".md-header__option .md-select button").hover()
        with page.expect_navigation():
            page.locator('.md-select__link[hreflang="es"]').click()
        assert page.url == base + "es/cases/odi-mexico/"
        assert page.locator("h1").first.inner_text() == SPANISH_TITLE
        page.locator(".md-header__option .md-select button").hover()
        with page.expect_navigation():
            page.locator('.md-select__link[hreflang="en"]').click()
        assert page.url == base + "cases/odi-mexico/"
        page.close()


@pytest.mark.browser
def test_spanish_search_finds_the_spanish_case(built_site: Path, browser: object) -> None:
    with serve(built_site) as base:
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(base + "es/")
        page.fill("#cb-search-input", "Secretaría")
        page.locator(".cb-search__title").first.wait_for(timeout=5000)
        titles = page.locator(".cb-search__title").all_text_contents()
        assert SPANISH_TITLE in titles
        assert ENGLISH_TITLE not in titles
        page.close()


def test_support_services_are_shown_in_the_readers_language(built_site: Path) -> None:
    spanish = read(built_site, "es/cases/odi-mexico")
    assert "Servicios de emergencia (911)" in spanish
    assert 'cb-service__hours">Gratis.<' in spanish
    french = read(built_site, "fr/support")
    assert "Services d&#39;urgence (911)" in french or "Services d'urgence (911)" in french
    english = read(built_site, "cases/odi-mexico")
    assert "Emergency services (911)" in english
