"""The web editor's form: Decap CMS's collections and fields, from the case model.

Each field of `CaseFrontMatter` becomes a widget: a vocabulary's field a select of its
terms, a list with a minimum count a list with that `min`, a date a date, so the form
refuses what `casebook check` refuses, from the same model and vocabularies (no second
copy of the schema). Hints say what the editor sees in the form, not where files are.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from typing import Any

import pycountry
from pydantic import BaseModel, HttpUrl
from pydantic.fields import FieldInfo

from casebook.sources.dates import PARTIAL_DATE_PATTERN, partial_date
from casebook.sources.isocodes import country_code, language_code
from casebook.sources.model import CaseFrontMatter, Library
from casebook.sources.questions import CASE_KEY
from casebook.sources.vocabularies import SLUG_PATTERN, Vocabulary

# Fields a translation carries: translations are made from the original in Git, not here.
TRANSLATION_ONLY = frozenset({"translation_of", "translated_version"})
# Fields whose text runs to sentences get a multi-line box; the rest a one-line one.
LONG_TEXT = frozenset({"summary", "content_note", "note", "text", "citation"})
# Markdown the form may produce: what a case body allows (no images, no raw HTML).
BUTTONS = [
    "bold",
    "italic",
    "link",
    "heading-two",
    "heading-three",
    "quote",
    "bulleted-list",
    "numbered-list",
]
# Decap's list widget checks a minimum count only when the list has items or a maximum is
# given too (and its own "required" check is then overwritten), so an empty required list
# would be saved: a generous maximum makes it refuse an empty one.
LIST_CAP = 1000
# Where a field's description (written for the case file, and shown by VS Code) names files
# or YAML that the form's editor never sees, the form says it in its own terms.
MENTIONS_FILES = re.compile(r"[\w*/-]+\.(?:ya?ml|md)\b|\[")
FORM_HINTS = {
    "sources": "At least one: the reports, articles, court decisions or interviews that the "
    "case's facts come from.",
    "last_reviewed": "When an editor last checked the case.",
    "first_published": "When the case was first published on this site; leave it empty for "
    "a new case until it is published.",
    "sources.date": "When it was published: the year (2024), the year and month (2024-07) or "
    "the full date (2024-07-31), as far as the source says.",
    "outcomes.chain": "The Id of each milestone (under Milestones) that led to this outcome, "
    "one per item, first step first, e.g. report.",
}


@dataclass(frozen=True)
class Choices:
    """The allowed values of the form's selects, with their labels."""

    by_field: dict[str, list[dict[str, str]]]  # a vocabulary's field path -> its terms
    languages: list[dict[str, str]]


def case_collection(library: Library) -> dict[str, Any]:
    original = library.languages.default.code
    choices = Choices(
        by_field={
            v.field: [{"label": t.label, "value": t.id} for t in v.terms.values()]
            for v in library.vocabularies.controlling()
            if v.field
        },
        # The site's other editions: what a case can also be published in.
        languages=[
            {"label": f"{locale.name} ({code})", "value": code}
            for code, locale in library.languages.locales.items()
            if code != original
        ],
    )
    fields = [{"name": "id", **_id_field()}]
    for name, info in CaseFrontMatter.model_fields.items():
        if name in TRANSLATION_ONLY or name == "id":
            continue
        if name == "language":
            # New cases are written in the original language; translations are made in Git.
            fields.append(
                {"name": name, "label": "Language", "widget": "hidden", "default": original}
            )
            continue
        fields.append(_field(name, info, name, choices))
    fields.append(_body_field(library.vocabularies.get("sections")))
    return {
        "name": "cases",
        "label": "Cases",
        "label_singular": "Case",
        "description": (
            "One case study per entry. Every field is explained in the case model reference. "
            "A new case starts as a draft; the checks run on the pull request."
        ),
        "folder": "case_studies",
        "extension": "md",
        "format": "frontmatter",
        "create": True,
        "delete": False,
        "identifier_field": "title",
        # The file is named after the case id, as `casebook check` requires.
        "slug": "{{fields.id}}",
        "summary": "{{title}} ({{status}})",
        "sortable_fields": ["title", "status", "last_reviewed"],
        # Translations (<id>.es.md) sit in the same folder; they are edited in Git.
        "filter": {"field": "language", "value": original},
        "fields": fields,
    }


def questions_collection(library: Library) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [
        {
            "name": CASE_KEY,
            **_id_field(),
            "label": "Case id",
            "hint": "The Case id of the case these questions belong to, exactly as it is "
            "written in that case's Case id field, e.g. school-safety-kenya.",
        }
    ]
    for audience in library.questions.audiences.values():
        fields.append(
            {
                "name": audience.id,
                "label": audience.name,
                "label_singular": "question",
                "widget": "list",
                "required": False,
                "hint": f"{audience.description} Write about five open questions (at least "
                "3) about systems, practice and participants' own settings; never ask people "
                "to recount personal experiences of abuse.",
                "field": {"name": "question", "label": "Question", "widget": "text"},
            }
        )
    return {
        "name": "questions",
        "label": "Reflective questions",
        "label_singular": "Questions for a case",
        "description": "The reflective questions of each case, one list per audience. Create "
        "one entry for each new case, with the same id.",
        "folder": "reflective_questions/cases",
        "extension": "yml",
        "format": "yml",
        "create": True,
        "delete": False,
        "identifier_field": CASE_KEY,
        "slug": "{{fields." + CASE_KEY + "}}",
        "fields": fields,
    }


def _id_field() -> dict[str, Any]:
    return {
        "label": "Case id",
        "widget": "string",
        "required": True,
        "pattern": [
            SLUG_PATTERN,
            "lowercase letters, digits and hyphens, e.g. school-safety-kenya",
        ],
        "hint": "A short id in lowercase with hyphens, e.g. school-safety-kenya. It names the "
        "file and the page address (/cases/<id>/), so choose it once and do not change it.",
    }


def _body_field(sections: Vocabulary | None) -> dict[str, Any]:
    """The body starts with the required sections, each with what to write in it."""
    parts = []
    for term in sections.terms.values() if sections else []:
        if term.required:
            parts.append(f"## {term.label}\n\nTODO: {term.description}\n")
    return {
        "name": "body",
        "label": "Text of the case",
        "widget": "markdown",
        "modes": ["raw", "rich_text"],
        "buttons": BUTTONS,
        "editor_components": [],
        "default": "\n".join(parts),
        "hint": "Keep the '## ' section headings. Replace each TODO with your own words. No "
        "raw HTML and no images from other websites.",
    }


def _field(name: str, info: FieldInfo, path: str, choices: Choices) -> dict[str, Any]:
    widget = _widget(name, info.annotation, info.metadata, path, choices)
    field: dict[str, Any] = {
        "name": name,
        "label": name.replace("_", " ").capitalize(),
        **widget,
        "required": info.is_required(),
    }
    hint = form_hint(path, info.description or "", widget)
    if hint:
        field["hint"] = hint
    if info.default not in (None, []) and not info.is_required():
        default = info.default
        field["default"] = default.isoformat() if isinstance(default, dt.date) else default
    return field


def form_hint(path: str, description: str, widget: dict[str, Any]) -> str:
    """The field's description, in the form's terms: no file names, no YAML."""
    if path in FORM_HINTS:
        return FORM_HINTS[path]
    if widget.get("widget") != "select" or not MENTIONS_FILES.search(description):
        return description
    lead, _, _ = description.partition(":")
    choose = "choose one or more" if widget.get("multiple") else "choose one"
    if ":" in description and not MENTIONS_FILES.search(lead):
        hint = f"{lead}: {choose} from the list."
    else:
        hint = f"{choose.capitalize()} from the list."
    return hint + " If the one you need is not there, ask an editor to add it."


def _widget(
    name: str,
    annotation: Any,
    metadata: list[Any],
    path: str,
    choices: Choices,
) -> dict[str, Any]:
    annotation, metadata = _unwrap(annotation, metadata)
    origin = typing.get_origin(annotation)
    if origin is list:
        (item,) = typing.get_args(annotation)
        item, item_metadata = _unwrap(item, [])
        minimum = next((m.min_length for m in metadata if hasattr(m, "min_length")), None)
        limits = {"min": minimum} if minimum else {}
        bounded = {"min": minimum, "max": LIST_CAP} if minimum else {}
        if _is_model(item):
            return {
                "widget": "list",
                "label_singular": name.rstrip("s").replace("_", " "),
                **bounded,
                "fields": _model_fields(item, path, choices),
            }
        inner = _widget(name, item, item_metadata, path, choices)
        if inner.get("widget") == "select":
            return {**inner, "multiple": True, **limits}
        return {"widget": "list", **bounded, "field": {"name": "item", "label": name, **inner}}
    if _is_model(annotation):
        return {
            "widget": "object",
            "collapsed": False,
            "fields": _model_fields(annotation, path, choices),
        }
    if path in choices.by_field:
        return {"widget": "select", "options": choices.by_field[path]}
    if origin is typing.Literal:
        # The first value is the cautious one (status: draft), so a new entry starts there.
        options = [str(v) for v in typing.get_args(annotation)]
        return {"widget": "select", "options": options, "default": options[0]}
    validators = {getattr(m, "func", None) for m in metadata}
    if country_code in validators:
        return {"widget": "select", "options": _countries()}
    if language_code in validators:
        return {"widget": "select", "options": choices.languages}
    if annotation is int:
        lower = next((m.ge for m in metadata if hasattr(m, "ge")), None)
        upper = next((m.le for m in metadata if hasattr(m, "le")), None)
        bounds = {k: v for k, v in (("min", lower), ("max", upper)) if v is not None}
        return {"widget": "number", "value_type": "int", **bounds}
    if annotation is dt.date:
        return {
            "widget": "datetime",
            "format": "YYYY-MM-DD",
            "date_format": "YYYY-MM-DD",
            "time_format": False,
        }
    if partial_date in validators:
        return {
            "widget": "string",
            "pattern": [
                PARTIAL_DATE_PATTERN,
                "a real date: the year, the year and month, or the full date, e.g. 2024, "
                "2024-07 or 2024-07-31",
            ],
        }
    if annotation is HttpUrl:
        return {
            "widget": "string",
            "pattern": ["^https?://", "a full address starting with https://"],
        }
    if annotation is bool:
        return {"widget": "boolean"}
    return {"widget": "text" if name in LONG_TEXT else "string"}


def _model_fields(model: type[BaseModel], path: str, choices: Choices) -> list[dict[str, Any]]:
    return [
        _field(name, info, f"{path}.{name}", choices) for name, info in model.model_fields.items()
    ]


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """Strip Optional[...] and Annotated[...], keeping Annotated's constraints and validators."""
    metadata = list(metadata)
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            base, *extra = typing.get_args(annotation)
            annotation, metadata = base, metadata + _flatten(extra)
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation, metadata
            annotation = options[0]
        else:
            return annotation, metadata


def _flatten(extra: list[Any]) -> list[Any]:
    """Field(...) inside Annotated carries its constraints in its own metadata."""
    out: list[Any] = []
    for item in extra:
        out += list(item.metadata) if isinstance(item, FieldInfo) else [item]
    return out


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _countries() -> list[dict[str, str]]:
    countries = sorted(pycountry.countries, key=lambda c: c.name)
    return [{"label": f"{c.name} ({c.alpha_2})", "value": c.alpha_2} for c in countries]
