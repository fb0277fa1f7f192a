"""The support services in Spanish and French: every entry translated, warnings kept, and the
Spanish and French support pages showing the translated text instead of the English."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitebuild import REPO

LANGUAGES = ("es", "fr")
# French sets a space before a colon; Spanish, like English, does not.
PHONE_LABEL = {"es": ("Teléfono: ", "Teléfono : "), "fr": ("Téléphone : ", "Téléphone:")}
# How each language says what a service is NOT; an English warning must keep its negation.
NEGATION = {"es": re.compile(r"\bno\b", re.IGNORECASE), "fr": re.compile(r"\bpas\b", re.IGNORECASE)}


def services() -> list[dict[str, Any]]:
    data = yaml.safe_load((REPO / "data/support_services.yml").read_text(encoding="utf-8"))
    return list(data["services"])


def words(text: str) -> str:
    return " ".join(text.split())


def page_text(path: Path) -> str:
    """A built page's visible text, tags removed and white space collapsed."""
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return words(html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_service_says_its_hours_and_who_it_is_for_in_the_language(language: str) -> None:
    for entry in services():
        text = entry.get("translations", {}).get(language)
        assert text, f"{entry['name']} ({entry['country']}) has no '{language}' translation"
        assert set(text) <= {"name", "hours", "for"}, entry["name"]
        for field in ("hours", "for"):
            assert str(text.get(field, "")).strip(), f"{entry['name']}: {language} {field}"
            assert words(text[field]) != words(entry[field]), (
                f"{entry['name']}: {field} untranslated"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_service_that_says_what_it_is_not_says_it_in_the_language(language: str) -> None:
    warned = [e for e in services() if re.search(r"\bnot\b", e["for"], re.IGNORECASE)]
    assert len(warned) >= 5  # Childhelp, 1195, SADAG, 1099, 1121 ...
    for entry in warned:
        assert NEGATION[language].search(entry["translations"][language]["for"]), entry["name"]


def test_childhelp_warns_in_capitals_in_every_language() -> None:
    childhelp = next(e for e in services() if e["name"].startswith("Childhelp"))
    assert "NO es una línea para denunciar" in words(childhelp["translations"]["es"]["for"])
    assert "Ce n'est PAS une ligne pour signaler" in words(childhelp["translations"]["fr"]["for"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_support_page_shows_the_translated_text_not_the_english(
    built_site: Path, language: str
) -> None:
    text = page_text(built_site / language / "support" / "index.html")
    kenyan = next(e for e in services() if e["country"] == "KE")
    assert words(kenyan["translations"][language]["for"]) in text
    for entry in services():
        translated = entry["translations"][language]
        assert words(translated["for"]) in text, entry["name"]
        assert words(entry["for"]) not in text, f"English text of {entry['name']} on the page"
        if "name" in translated:
            assert words(translated["name"]) in text, entry["name"]
    label, wrong = PHONE_LABEL[language]
    assert f"{label}116" in text and wrong not in text
