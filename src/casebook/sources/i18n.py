"""Languages: interface strings, vocabulary labels and country names for each edition.

English is the original. Each other language reads `i18n/<code>/strings.yml` (same keys as
English; a missing key falls back to English) and `i18n/<code>/vocabularies.yml` (labels of
vocabulary terms), and names countries through pycountry's translations.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pycountry
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field

from casebook.sources.loader import Document, LoadError, read_yaml_file
from casebook.sources.plaintext import markup_problems
from casebook.sources.problems import Problem, Severity, display_path
from casebook.sources.yamlmodel import read_model


class LanguageEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z]{2}$")
    name: str = Field(min_length=1)


class LanguagesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    languages: list[LanguageEntry] = Field(min_length=1)


@dataclass
class Locale:
    """Everything a renderer needs to speak one language."""

    code: str
    name: str
    strings: dict[str, Any]
    vocabulary_labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # language code -> its own name
    original: str = "en"  # the language the cases are first written in
    _catalogues: dict[str, gettext.NullTranslations] = field(default_factory=dict)

    def _catalogue(self, domain: str) -> gettext.NullTranslations:
        """pycountry's translations for this language (names as they are, where it has none)."""
        if domain not in self._catalogues:
            try:
                found: gettext.NullTranslations = gettext.translation(
                    domain, pycountry.LOCALES_DIR, languages=[self.code]
                )
            except OSError:
                found = gettext.NullTranslations()
            self._catalogues[domain] = found
        return self._catalogues[domain]

    def t(self, key: str, **values: Any) -> str:
        text = str(self.strings.get(key, key))
        return text.format(**values) if values else text

    def tn(self, key: str, n: int, **values: Any) -> str:
        return self.t(f"{key}_{'one' if n == 1 else 'other'}", n=n, **values)

    def th(self, key: str, **parts: Any) -> Markup:
        """A string with HTML parts (links) put in; the string itself is escaped."""
        return Markup(escape(self.strings.get(key, key))).format(**parts)

    def month_year(self, year: int, month: int) -> str:
        """A month and year in words, e.g. 'July 2024', 'julio de 2024'."""
        months = self.strings.get("months") or []
        name = months[month - 1] if len(months) == 12 else dt.date(year, month, 1).strftime("%B")
        return self.t("month_year", month=name, year=year)

    def date(self, value: dt.date) -> str:
        months = self.strings.get("months") or []
        month = months[value.month - 1] if len(months) == 12 else value.strftime("%B")
        return self.t("date", day=value.day, month=month, year=value.year)

    def country(self, code: str) -> str:
        country = pycountry.countries.get(alpha_2=code)
        if country is None:
            return code
        name = str(getattr(country, "common_name", None) or country.name)
        return self._catalogue("iso3166-1").gettext(name)

    def term(self, vocabulary: str, term: str, default: str) -> str:
        labels = self.vocabulary_labels.get(vocabulary) or {}
        return str((labels.get("terms") or {}).get(term, default))

    def vocabulary_label(self, vocabulary: str, default: str) -> str:
        return str((self.vocabulary_labels.get(vocabulary) or {}).get("label", default))

    def nav_title(self, english: str) -> str:
        return str((self.strings.get("nav") or {}).get(english, english))

    def language_name(self, code: str) -> str:
        """A language's name in this locale's language, e.g. 'anglais' in French."""
        language = pycountry.languages.get(alpha_2=code)
        if language is None:
            return self.names.get(code, code)
        name = self._catalogue("iso639-3").gettext(str(language.name))
        # Spanish and French write language names in lower case mid-sentence.
        return name.lower() if self.strings.get("lowercase_language_names") else name


@dataclass
class Languages:
    locales: dict[str, Locale]

    @property
    def default(self) -> Locale:
        return next(iter(self.locales.values()))

    @property
    def codes(self) -> list[str]:
        return list(self.locales)


def english_only() -> Languages:
    """A stand-in until the project's languages are loaded: English, with keys as text."""
    return Languages({"en": Locale("en", "English", {}, names={"en": "English"})})


def i18n_dir(root: Path) -> Path:
    return root / "i18n"


def load_languages(root: Path) -> tuple[Languages, list[Problem]]:
    """The site's languages and their texts; problems are reported, never raised."""
    problems: list[Problem] = []
    folder = i18n_dir(root)
    path = folder / "languages.yml"
    name = display_path(path, root)
    entries = [LanguageEntry(code="en", name="English")]
    if path.is_file():
        loaded, found = read_model(path, name, LanguagesFile)
        problems += found
        if loaded is not None:
            entries = loaded.value.languages
            problems += markup_problems(loaded.document)
    names = {entry.code: entry.name for entry in entries}
    base = _read_mapping(folder / entries[0].code / "strings.yml", root, problems, original={})
    locales: dict[str, Locale] = {}
    for entry in entries:
        strings = dict(base)
        if entry.code != entries[0].code:
            own_path = folder / entry.code / "strings.yml"
            own = _read_mapping(own_path, root, problems, original=base)
            missing = sorted(set(base) - set(own))
            if own and missing:
                problems.append(
                    Problem(
                        display_path(own_path, root),
                        1,
                        "",
                        f"{len(missing)} string(s) are not translated yet and show in English: "
                        + ", ".join(missing[:8])
                        + ("…" if len(missing) > 8 else ""),
                        Severity.WARNING,
                    )
                )
            strings.update(own)
            if isinstance(base.get("nav"), dict):
                strings["nav"] = {**base["nav"], **(own.get("nav") or {})}
        labels = _read_mapping(
            folder / entry.code / "vocabularies.yml", root, problems, required=False
        )
        locales[entry.code] = Locale(
            entry.code, entry.name, strings, labels, names, original=entries[0].code
        )
    return Languages(locales), problems


def _read_mapping(
    path: Path,
    root: Path,
    problems: list[Problem],
    required: bool = True,
    original: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A file of texts by key; with `original` (the English strings, or {} for English
    itself), a file of interface strings, whose placeholders are checked too."""
    name = display_path(path, root)
    if not path.is_file():
        if required:
            problems.append(
                Problem(
                    name, 1, "", "this translation file is missing; copy i18n/en/ and translate it"
                )
            )
        return {}
    try:
        document = read_yaml_file(path, name)
    except LoadError as exc:
        problems.append(exc.problem)
        return {}
    problems += markup_problems(document)
    data = document.data
    if not isinstance(data, dict):
        problems.append(Problem(name, 1, "", "write 'key: text' lines"))
        return {}
    if original is not None:
        problems += placeholder_problems(document, original)
    return data


_PLACEHOLDER = re.compile(r"[a-z_][a-z0-9_]*")


def placeholders(text: str) -> set[str] | str:
    """The {names} a string is filled in with, or what is wrong with its braces."""
    names: set[str] = set()
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return "a '{' or '}' is not closed; write '{{' or '}}' for a brace itself"
    for _, field_name, spec, conversion in fields:
        if field_name is None:
            continue
        if not _PLACEHOLDER.fullmatch(field_name) or spec or conversion:
            shown = "{" + field_name + (f"!{conversion}" if conversion else "")
            shown += (f":{spec}" if spec else "") + "}"
            return (
                f"'{shown}' is not a placeholder Casebook fills in; write a name in braces, "
                "such as {n}, as the English text does"
            )
        names.add(field_name)
    return names


def placeholder_problems(document: Document, original: dict[str, Any]) -> list[Problem]:
    """Each interface string whose placeholders Casebook could not fill in: braces that do
    not close, a field, index or format ('{n.x}', '{n[0]}', '{n!r}'), or (in a translation)
    a name the English text does not have, which would stop every build."""
    problems: list[Problem] = []
    for key, text in document.data.items():
        if not isinstance(text, str):
            continue
        line = document.lines.line((str(key),))
        found = placeholders(text)
        if isinstance(found, str):
            problems.append(Problem(document.name, line, str(key), found))
            continue
        english = original.get(key)
        if not original or not isinstance(english, str):
            continue
        wanted = placeholders(english)
        if isinstance(wanted, str):
            continue  # reported on the English file
        unknown = sorted(found - wanted)
        if unknown:
            have = ", ".join("{" + n + "}" for n in sorted(wanted)) or "none"
            problems.append(
                Problem(
                    document.name,
                    line,
                    str(key),
                    f"'{{{unknown[0]}}}' is not filled in for this text (the English text's "
                    f"placeholders: {have}); use those names, in any order, or none",
                )
            )
    return problems
