"""The ODI case in every edition: current (the report's updates and ODI's 2024 findings, with
their sources), the same facts in each translation, and a French edition that is French."""

from __future__ import annotations

import html as html_module
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pypdf
import pytest
import yaml

from sitebuild import REPO

EDITIONS = {"en": "", "es": "es/", "fr": "fr/"}
CASE_FILES = {
    "en": REPO / "case_studies/odi-mexico.md",
    "es": REPO / "case_studies/odi-mexico.es.md",
    "fr": REPO / "case_studies/odi-mexico.fr.md",
}
SPANISH_REPORT_TITLE = "Es un secreto: La explotación sexual infantil en escuelas"
ENGLISH_REPORT_TITLE = "It's a Secret: Child Sexual Exploitation in Schools"
FRENCH_TITLE = (
    "Mettre au jour les abus sexuels organisés sur des enfants dans des écoles au Mexique"
)
AUDIENCES = ("practitioners", "lawyers-advocates-policy", "overall")

# What ODI reported in 2024, in each edition's words: compliance with the court's orders and
# the Attorney General's investigation, attributed to ODI.
UPDATE_2024 = {
    "en": (
        "What ODI reported in 2024",
        "ODI reported that the Secretariat had not complied with them",
        "nothing useful, according to ODI",
        "27 schools, public and private, in 12 states",
    ),
    "es": (
        "Lo que informó la ODI en 2024",
        "La ODI informó que la Secretaría no las había cumplido",
        "Según la ODI, la investigación de la Fiscalía General",
        "27 escuelas, públicas y privadas, en 12 estados",
    ),
    "fr": (
        "Ce que l'ODI a indiqué en 2024",
        "L'ODI a indiqué que le Secrétariat ne les avait pas respectées",
        "Selon l'ODI, l'enquête du parquet général",
        "27 écoles, publiques et privées, dans 12 États",
    ),
}
# Outlets that report the 2024 update, the 2023 update and the 2021 figures (each fact in at
# least two of them; see the sources in the case files).
OUTLETS = ("La Jornada", "El Universal", "La Razón", "SinEmbargo", "AMEXI", "Excélsior", "MVS")
OUTLETS_2023 = ("Proceso", "IMER Noticias")


def front_matter(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
    assert isinstance(data, dict)
    return data


def words(text: str) -> str:
    """Whitespace (no-break spaces included) collapsed, so prose wrapped in YAML compares."""
    return " ".join(text.split())


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # Inline elements (a year range kept on one line, a link) do not separate words.
    html = re.sub(r"</?(?:span|a|em|strong|abbr|code|b|i)\b[^>]*>", "", html)
    return words(html_module.unescape(re.sub(r"<[^>]+>", " ", html)))


def pdf_text(path: Path) -> tuple[pypdf.PdfReader, str]:
    """A PDF and its text; a line that breaks after a hyphen ("peut-/elle") is joined again."""
    reader = pypdf.PdfReader(path)
    raw = "\n".join(page.extract_text() or "" for page in reader.pages)
    return reader, words(re.sub(r"-[ \t]*\n\s*", "-", raw))


def read(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def toc_entries(html: str) -> list[str]:
    """The entries of the page's table of contents (Material's secondary navigation)."""
    start = html.index('<nav class="md-nav md-nav--secondary"')
    depth, end = 0, start
    for tag in re.finditer(r"<(/?)nav\b", html[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = start + tag.end()
            break
    return [
        words(html_module.unescape(re.sub(r"<[^>]+>", "", entry)))
        for entry in re.findall(
            r'<span class="md-ellipsis">(.*?)</span>', html[start:end], flags=re.S
        )
    ]


def h2_headings(html: str) -> list[str]:
    return [
        words(html_module.unescape(re.sub(r"<[^>]+>", "", heading)))
        for heading in re.findall(r"<h2[^>]*>(.*?)</h2>", html, flags=re.S)
    ]


# --- the case files (no build needed) ---------------------------------------------------


def numbers(text: str) -> Counter[str]:
    return Counter(re.findall(r"\d+", text))


@pytest.mark.parametrize("language", ["es", "fr"])
def test_each_translation_states_the_same_figures(language: str) -> None:
    """Beyond `casebook check`'s facets: every figure in the text is the original's too."""
    original, translation = front_matter(CASE_FILES["en"]), front_matter(CASE_FILES[language])
    pairs = [
        ("summary", original["summary"], translation["summary"]),
        *(
            (f"headline_facts.{i}", a["text"], b["text"])
            for i, (a, b) in enumerate(
                zip(original["headline_facts"], translation["headline_facts"], strict=True)
            )
        ),
        *(
            (f"evidence_timeline.{i}", a["text"], b["text"])
            for i, (a, b) in enumerate(
                zip(original["evidence_timeline"], translation["evidence_timeline"], strict=True)
            )
        ),
        *(
            (f"outcomes.{i}", a["text"], b["text"])
            for i, (a, b) in enumerate(
                zip(original["outcomes"], translation["outcomes"], strict=True)
            )
        ),
        *(
            (f"sources.{i}", a.get("citation", ""), b.get("citation", ""))
            for i, (a, b) in enumerate(
                zip(original["sources"], translation["sources"], strict=True)
            )
        ),
    ]
    for field, mine, theirs in pairs:
        assert numbers(theirs) == numbers(mine), f"{language}: {field} states other figures"
    body = {
        name: path.read_text(encoding="utf-8").split("---\n", 2)[2]
        for name, path in CASE_FILES.items()
    }
    # Heading ids such as {#odi-2024-update} hold figures too; they are the same by design.
    assert numbers(body[language]) == numbers(body["en"])


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_report_is_named_by_its_spanish_title_and_sources_are_findable(
    language: str,
) -> None:
    meta = front_matter(CASE_FILES[language])
    report = meta["sources"][0]
    assert report["kind"] == "report" and report["title"] == SPANISH_REPORT_TITLE
    # Both titles are given in the source's citation.
    assert SPANISH_REPORT_TITLE in words(report["citation"])
    assert ENGLISH_REPORT_TITLE in words(report["citation"]).replace("’", "'")
    publishers = [s.get("publisher") for s in meta["sources"]]
    for outlet in OUTLETS + OUTLETS_2023:
        assert outlet in publishers, f"{language}: {outlet} is not a source"
    for source in meta["sources"]:
        assert source.get("citation"), f"{language}: {source['title']} has no citation"


QUESTION_FILES = sorted((REPO / "reflective_questions/cases").glob("odi-mexico*.yml"))


def question_file_language(path: Path) -> str:
    """'odi-mexico.fr.yml' -> 'fr'; the original, 'odi-mexico.yml', is English."""
    parts = path.name.split(".")
    return parts[1] if len(parts) == 3 else "en"


def case_questions(language: str) -> dict[str, list[Any]]:
    suffix = "" if language == "en" else f".{language}"
    path = REPO / f"reflective_questions/cases/odi-mexico{suffix}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_every_odi_question_in_every_language_carries_a_prompt() -> None:
    languages = [question_file_language(path) for path in QUESTION_FILES]
    # Every edition with a questions file; a new one is covered as soon as its file exists.
    assert {"en", "es", "fr"} <= set(languages)
    for language in languages:
        data = case_questions(language)
        assert list(data) == list(AUDIENCES), language
        for audience, items in data.items():
            for number, item in enumerate(items, 1):
                assert isinstance(item, dict), f"{language} {audience}[{number}] has no prompt"
                prompt = item.get("prompt")
                assert isinstance(prompt, str) and len(words(prompt)) > 80, (
                    f"{language} {audience}[{number}]: the prompt is missing or too short"
                )
                assert words(prompt) != words(item["question"])
    # A translation's prompts are its own words, not the original's left untranslated.
    english = {words(q["prompt"]) for items in case_questions("en").values() for q in items}
    for language in languages:
        if language != "en":
            for items in case_questions(language).values():
                assert not {words(q["prompt"]) for q in items} & english, language


def test_french_prompts_follow_french_typography() -> None:
    """A no-break space before ? : ; ! and inside « », as in the rest of the French edition."""
    for audience, items in case_questions("fr").items():
        for number, item in enumerate(items, 1):
            prompt = item["prompt"]
            assert not re.search(r"[ \t\n][?:;!»]|«[ \t\n]", prompt), (
                f"fr {audience}[{number}]: write a no-break space before ? : ; ! and inside « »"
            )
            assert not re.search(r"\w[?:;!]", prompt), f"fr {audience}[{number}]: {prompt[:50]}"


# --- the built site ---------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_every_edition_shows_the_2024_update_and_the_spanish_title_with_sources(
    built_site: Path, language: str
) -> None:
    html = read(built_site, f"{EDITIONS[language]}cases/odi-mexico")
    text = visible_text(html)
    assert SPANISH_REPORT_TITLE in text
    for phrase in UPDATE_2024[language]:
        assert words(phrase) in text, f"{language}: missing {phrase!r}"
    assert "#YaNoEsUnSecreto" in text
    # The evidence timeline shows each point of the report's growth.
    for point in front_matter(CASE_FILES[language])["evidence_timeline"]:
        assert words(point["text"]) in text
    # Every source is listed with its title and publisher, and linked where it has an address.
    sources = visible_text(html[html.index('id="sources"') :])
    for source in front_matter(CASE_FILES[language])["sources"]:
        assert words(source["title"]) in sources, f"{language}: {source['title']}"
        if source.get("publisher"):
            assert words(source["publisher"]) in sources
        if source.get("url"):
            assert f'href="{html_module.escape(source["url"])}"' in html


@pytest.mark.slow
def test_the_french_case_page_is_in_french(built_site: Path) -> None:
    html = read(built_site, "fr/cases/odi-mexico")
    assert re.search(r'<html lang="fr"', html)
    assert FRENCH_TITLE in html
    # A translated case: no "not yet translated" notice and no text marked as English.
    assert "cb-notice" not in html
    assert 'lang="en"' not in re.sub(r"<(link|a)\b[^>]*>", "", html)
    headings = h2_headings(html)
    for french in (
        "Informations clés",
        "Contexte",
        "Comment les données se sont enrichies",
        "Ce qui a été appris",
        "Actions menées",
        "Résultats",
        "Réflexion",
        "Questions de réflexion",
        "Fiches de travail",
        "Où trouver du soutien",
    ):
        assert french in headings, f"no heading {french!r} in {headings}"
    toc = toc_entries(html)
    english_toc = toc_entries(read(built_site, "cases/odi-mexico"))
    assert len(toc) == len(english_toc) >= 10
    # "Sources" is the French word too; every other entry must differ from the English one.
    same = [entry for entry in toc if entry in english_toc and entry != "Sources"]
    assert same == [], f"English headings in the French table of contents: {same}"
    assert "Contexte" in toc and "Actions menées" in toc


@pytest.mark.slow
def test_french_worksheet_pdfs_exist_and_are_in_french(built_site: Path) -> None:
    html = read(built_site, "fr/cases/odi-mexico")
    # The French page links to the French edition's own PDFs.
    assert 'href="../../worksheets/odi-mexico/odi-mexico-practitioners-a4.pdf"' in html
    questions = yaml.safe_load(
        (REPO / "reflective_questions/cases/odi-mexico.fr.yml").read_text(encoding="utf-8")
    )
    folder = built_site / "fr/worksheets/odi-mexico"
    for audience in AUDIENCES:
        for size in ("a4", "letter"):
            reader, text = pdf_text(folder / f"odi-mexico-{audience}-{size}.pdf")
            assert FRENCH_TITLE in text
            assert "Avertissement sur le contenu" in text
            for item in questions[audience]:
                question = item if isinstance(item, str) else item["question"]
                assert words(question) in text, f"{audience} {size}: {question[:40]}"
            assert reader.trailer["/Root"]["/Lang"] == "fr"
            assert f"Page {len(reader.pages)} sur {len(reader.pages)}" in text
    for size in ("a4", "letter"):
        reader, text = pdf_text(folder / f"odi-mexico-facilitator-{size}.pdf")
        assert reader.trailer["/Root"]["/Lang"] == "fr"
        assert FRENCH_TITLE in text and "Règles de base" in text


@pytest.mark.slow
def test_french_prompts_print_on_the_facilitator_notes_only(built_site: Path) -> None:
    prompts = [words(item["prompt"]) for items in case_questions("fr").values() for item in items]
    folder = built_site / "fr/worksheets/odi-mexico"
    for size in ("a4", "letter"):
        _, text = pdf_text(folder / f"odi-mexico-facilitator-{size}.pdf")
        assert "Questions et relances" in text and "Relance" in text
        for prompt in prompts:
            assert prompt in text, f"facilitator {size}: {prompt[:50]}"
        for audience in AUDIENCES:
            _, sheet = pdf_text(folder / f"odi-mexico-{audience}-{size}.pdf")
            assert "Relance" not in sheet
            for prompt in prompts:
                assert prompt not in sheet, f"{audience} {size}: {prompt[:50]}"


@pytest.mark.slow
def test_french_guidance_pages_are_in_french(built_site: Path) -> None:
    for page, title in {
        "": "Casebook",
        "guidance/practice-based-knowledge": "Ce que sont les études de cas",
        "guidance/reading-a-case": "Comment lire un cas",
        "guidance/worksheets": "Utiliser les fiches de travail",
        "guidance/safeguarding": "Protection de l'enfance et avertissements sur le contenu",
        "guidance/browsing-safely": "Naviguer en sécurité",
        "guidance/contributing": "Proposer un cas",
    }.items():
        html = read(built_site, f"fr/{page}".rstrip("/"))
        assert "pas encore disponible" not in html, page
        assert title in visible_text(html), page


@pytest.mark.slow
def test_the_french_exit_hint_is_all_french(built_site: Path) -> None:
    text = visible_text(read(built_site, "fr/cases/odi-mexico"))
    assert "ou appuyez sur Shift 3 fois" in text
    assert not re.search(r"\btimes\b", text)  # the English fallback of the hint
