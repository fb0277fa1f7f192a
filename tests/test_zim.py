"""The offline files (`casebook build --zim`), read back with libzim's own reader: the
metadata openZIM requires, the main page, the illustration, the full-text index, and pages
whose every link stays inside the file."""

from __future__ import annotations

import io
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from libzim.reader import Archive
from libzim.search import Query, Searcher
from PIL import Image

from casebook.check.validate import check_project
from casebook.cli import main
from casebook.outputs.zimpages import offline_link, offline_page
from casebook.pages.render import Renderer, SiteSettings
from casebook.pipeline.context import Progress
from casebook.pipeline.sequence import Options, offline
from casebook.pipeline.zim import OfflineError, write_offline
from casebook.sources.i18n import load_languages
from casebook.sources.project import Project

LANGUAGES = {"en": "eng", "es": "spa", "fr": "fra"}
_LINK = re.compile(r'(?<=\s)(?:href|src)="([^"]*)"')


def pages(archive: Archive) -> dict[str, str]:
    """Every HTML entry of the file, by path, as text."""
    found = {}
    for index in range(archive.entry_count):
        entry = archive._get_entry_by_id(index)
        if entry.is_redirect:
            continue
        item = entry.get_item()
        if item.mimetype == "text/html":
            found[entry.path] = bytes(item.content).decode("utf-8")
    return found


def search(archive: Archive, words: str) -> list[str]:
    return list(Searcher(archive).search(Query().set_query(words)).getResults(0, 20))


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_edition_has_the_metadata_openzim_requires(
    offline_files: dict[str, Path], built_project: Path, code: str
) -> None:
    archive = Archive(offline_files[code])
    keys = [key for key in archive.metadata_keys if not key.startswith("Illustration")]
    metadata = {key: archive.get_metadata(key).decode("utf-8") for key in keys}
    locale = load_languages(built_project)[0].locales[code]
    assert metadata["Name"] == f"casebook_{code}_all"
    assert metadata["Language"] == LANGUAGES[code]
    assert metadata["Title"] == locale.t("offline_title", site="Casebook")
    assert metadata["Description"] == locale.t("offline_description")
    assert len(metadata["Title"]) <= 30 and len(metadata["Description"]) <= 80
    assert metadata["Creator"] == metadata["Publisher"] == "Casebook"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", metadata["Date"])
    assert archive.main_entry.get_item().path == "index.html"
    assert archive.has_fulltext_index and archive.has_title_index
    assert archive.check()  # the file's checksum and structure, as libzim verifies them
    picture = Image.open(io.BytesIO(bytes(archive.get_illustration_item(48).content)))
    assert (picture.format, picture.size) == ("PNG", (48, 48))


def test_the_full_text_index_finds_a_case_in_its_edition(offline_files: dict[str, Path]) -> None:
    english = Archive(offline_files["en"])
    assert "cases/barnahus-iceland/" in search(english, "Barnahus")
    spanish = Archive(offline_files["es"])
    assert "cases/odi-mexico/" in search(spanish, "escuelas abuso")
    entry = english.get_entry_by_path("cases/barnahus-iceland/")
    assert entry.title.startswith("Barnahus")  # the page's <title>, less the site's name


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_link_of_every_page_stays_in_the_file(
    offline_files: dict[str, Path], code: str
) -> None:
    archive = Archive(offline_files[code])
    held = pages(archive)
    assert "cases/odi-mexico/" in held and "worksheets/odi-mexico/" in held
    # The page that offers the files is the site's, not the file's: no file holds the others.
    assert not [path for path in held if path.startswith("offline/")]
    broken = []
    for path, page in held.items():
        folder = path if path.endswith("/") else posixpath.dirname(path)
        assert "md-select" not in page and "data-cb-search" not in page, path
        assert 'hreflang="' not in page.split("</head>")[0], path
        for url in _LINK.findall(page):
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path:
                continue
            target = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
            if parts.path.endswith("/"):
                target += "/"
            if url.startswith("/") or not archive.has_entry_by_path(target.removeprefix("./")):
                broken.append(f"{path}: {url}")
    assert broken == []
    case = held["cases/odi-mexico/"]
    for pdf in re.findall(r'href="([^"]+\.pdf)"', case):
        item = archive.get_entry_by_path(posixpath.normpath(f"cases/odi-mexico/{pdf}")).get_item()
        assert item.mimetype == "application/pdf" and bytes(item.content[:5]) == b"%PDF-"


def test_an_untranslated_case_names_the_file_that_holds_it(
    offline_files: dict[str, Path],
) -> None:
    page = pages(Archive(offline_files["es"]))["cases/barnahus-iceland/"]
    assert "casebook_en_all.zim" in page
    assert "data-cb-original" not in page  # no link out of the file


def test_texts_too_long_for_readers_name_their_file_and_line(project_copy: Path) -> None:
    lines = {}
    for code, key, text in [
        ("fr", "offline_title", '"{site} : une bibliothèque de cas"'),
        ("es", "offline_description", "x" * 81),
    ]:
        strings = project_copy / "i18n" / code / "strings.yml"
        original = strings.read_text(encoding="utf-8")
        strings.write_text(re.sub(rf"(?m)^{key}: .*$", f"{key}: {text}", original), "utf-8")
        lines[code] = next(n for n, t in enumerate(original.splitlines(), 1) if t.startswith(key))
    with pytest.raises(OfflineError) as raised:
        write_offline(Project(project_copy), SiteSettings(), Progress(quiet=True))
    problems = str(raised.value).splitlines()
    assert len(problems) == 2  # both, in one run
    assert problems[0].startswith(f"i18n/es/strings.yml:{lines['es']}: offline_description: ")
    assert "at most 80" in problems[0]
    assert problems[1].startswith(f"i18n/fr/strings.yml:{lines['fr']}: offline_title: ")
    assert "at most 30" in problems[1]
    assert not (project_copy / "site").exists()  # nothing written


def test_a_zim_build_whose_texts_are_too_long_builds_no_site(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The pages offer the files, so a site is not published that the files cannot follow."""
    strings = project_copy / "i18n" / "fr" / "strings.yml"
    original = strings.read_text(encoding="utf-8")
    line = next(n for n, t in enumerate(original.splitlines(), 1) if t.startswith("offline_title"))
    too_long = '"{site} : une bibliothèque de cas"'
    strings.write_text(re.sub(r"(?m)^offline_title: .*$", f"offline_title: {too_long}", original))
    assert main(["--project", str(project_copy), "build", "--quiet", "--zim"]) == 1
    err = capsys.readouterr().err
    assert f"i18n/fr/strings.yml:{line}: offline_title: " in err
    assert "build stopped: the offline files could not be written" in err
    assert not (project_copy / "site").exists()


def test_a_changed_site_built_without_zim_loses_its_stale_offline_files(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = Project(project_copy)
    stale = project.offline_dir / "casebook_en_all.zim"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"ZIM")
    page = project.offline_dir / "index.html"
    page.write_text("<h1>Offline and on paper</h1>", encoding="utf-8")
    assert offline(project, SiteSettings(), Progress(quiet=True), Options(), changed=False) == 0
    assert stale.is_file()  # the site did not change: the files still match it
    assert offline(project, SiteSettings(), Progress(quiet=True), Options(), changed=True) == 0
    assert not stale.exists()
    assert page.is_file()  # the site's page about them is rebuilt with the site, not removed
    assert "build with --zim to write them again" in capsys.readouterr().err


SIZE = {"en": "{0}.{1} MB", "es": "{0},{1} MB", "fr": "{0},{1} Mo"}


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_edition_offers_every_offline_file_with_its_size(
    built_site: Path, offline_files: dict[str, Path], code: str
) -> None:
    folder = built_site / ("" if code == "en" else code) / "offline"
    page = (folder / "index.html").read_text(encoding="utf-8")
    offered = re.findall(r'<a href="([^"]+\.zim)" download hreflang="(\w+)"', page)
    assert offered[0][1] == code  # the reader's own edition first
    assert sorted(language for _, language in offered) == sorted(LANGUAGES)
    for href, language in offered:
        assert (folder / href).resolve() == offline_files[language].resolve()
        tenths = round(offline_files[language].stat().st_size / 1e5)
        size = SIZE[code].format(tenths // 10, tenths % 10)
        assert f'data-file="{offline_files[language].name}">, {size}</span>' in page


def test_a_site_built_without_the_offline_files_offers_none(built_site: Path) -> None:
    """The preview (and a build without --zim) says so, and links to no file."""
    project = Project(built_site.parent)
    library = check_project(project).library
    renderer = Renderer(library, library.languages.locales["fr"], SiteSettings())
    page = renderer.offline_page()
    assert ".zim" not in page
    assert "ne comprend pas les fichiers hors ligne" in page
    links = re.findall(r'href="([^"]+)"', page)
    assert links == ["../worksheets/", "../worksheets/compose/", "../support/"]


def test_zim_needs_the_pdfs(project_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(project_copy), "build", "--zim", "--no-pdf"]) == 2
    assert "--zim needs the PDFs" in capsys.readouterr().err
    assert not (project_copy / "site").exists()


@pytest.mark.parametrize(
    ("url", "folder", "prefix", "expected"),
    [
        ("../..", "cases/x", "", "../../index.html"),
        ("./", "", "", "index.html"),
        ("../../?a=b#top", "cases/x", "", "../../index.html?a=b#top"),
        ("../", "cases", "", "../index.html"),
        ("../y/", "cases/x", "", None),
        ("/es/cases/x/x.ris", "cases/x", "es/", "x.ris"),
        ("/es/cases/", "cases/x", "es/", "../"),
        ("/fr/cases/x/", "cases/x", "es/", None),
        ("https://example.org/", "cases/x", "", None),
        ("#quick-facts", "cases/x", "", None),
    ],
)
def test_offline_link(url: str, folder: str, prefix: str, expected: str | None) -> None:
    assert offline_link(url, folder, prefix) == expected


def test_offline_page_keeps_the_exit_and_drops_what_needs_the_web() -> None:
    page = (
        '<html><head><link rel="alternate" href="https://x.org/es/" hreflang="es">'
        '<link rel="alternate" hreflang="fr" href="https://x.org/fr/"></head><body>'
        '<a href="https://www.bbc.co.uk/weather" class="cb-exit__button">Exit</a>'
        '<div class="md-header__option">\n<div class="md-select"><div><a href="../es/">es</a>'
        "</div></div>\n</div>"
        '<div class="cb-search" data-cb-search hidden><div><form></form></div></div>'
        '<script src="../assets/search.js"></script>'
        '<p><a href="../../../cases/y/">Read it</a> <a href="../.." title="home">Home</a></p>'
        "</body></html>"
    )
    offline = offline_page(page, "cases/x/index.html", "es/")
    assert "hreflang" not in offline and "md-select" not in offline
    assert "cb-search" not in offline and "search.js" not in offline
    assert 'href="https://www.bbc.co.uk/weather"' in offline
    assert "<p>Read it " in offline  # the link out of the edition is its text
    assert '<a href="../../index.html" title="home">Home</a>' in offline
    assert '<link rel="stylesheet" href="../../assets/offline.css">\n</head>' in offline


def test_an_offline_page_carries_no_policy_and_no_entry_for_a_page_it_lacks() -> None:
    """kiwix-serve injects its toolbar's scripts into each page, which the site's policy
    blocked; and the navigation's entry for "Offline and on paper" (no file holds its page)
    kept its text without its link, and ran into the entry above."""
    page = (
        '<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'self'; script-src 'self'\"></head><body>"
        '<li class="md-nav__item">\n<a href="../../worksheets/" class="md-nav__link">\n'
        '<span class="md-ellipsis">\nWorksheets\n</span>\n</a>\n</li>\n'
        '<li class="md-nav__item">\n<a href="../../offline/" class="md-nav__link">\n'
        '<span class="md-ellipsis">\nOffline and on paper\n</span>\n</a>\n</li>\n'
        '<p>See <a href="../../offline/">the offline page</a>.</p>'
        '<script defer src="../../assets/search.js"></script>'
        "</body></html>"
    )
    offline = offline_page(page, "cases/x/index.html")
    assert "Content-Security-Policy" not in offline
    assert "Offline and on paper" not in offline
    assert '<a href="../../worksheets/" class="md-nav__link">' in offline
    assert "<p>See the offline page.</p>" in offline  # in text, the link goes, its words stay
    assert "search.js" not in offline  # however the theme orders the script's attributes


def test_the_full_text_index_holds_cases_not_listings(offline_files: dict[str, Path]) -> None:
    """A search for "police" gave 53 results, most of them browse pages ("Theme: …")."""
    archive = Archive(offline_files["en"])
    found = list(Searcher(archive).search(Query().set_query("police")).getResults(0, 200))
    listings = [p for p in found if p.split("/")[0] in ("browse", "map", "worksheets")]
    assert listings == [] and "cases/" not in found, found
    assert all(p.startswith(("cases/", "support/", "guidance/")) for p in found), found
    assert "cases/160-girls-kenya/" in found
    # Their titles are still suggested as the reader types.
    assert archive.has_entry_by_path("browse/themes/")
