"""The session composer at /worksheets/compose/: its page and the small data files it reads.

A trainer picks cases (and, for each, the audience whose questions to use), reorders, drops
and adds questions, and prints a combined worksheet and matching facilitator notes from the
browser. Everything runs in docs/assets/composer.js on a static host; this module publishes
what it needs, per edition:

- `worksheets/compose/session.json`: audiences and their general questions, the facilitator
  notes and their timing steps, support services by country, and the interface text;
- `worksheets/compose/cases/<id>.json`: one case's facts and questions, fetched only when
  the case is in the session, so the page's weight does not grow with the library;
- `worksheets/compose/print.css`: the print stylesheet of the PDFs, for printing from the
  browser.

The composer also makes the workshop pack in the browser (the web half of `casebook session
--pack`): one .zip with the worksheet and the facilitator notes as self-contained HTML files,
each case's PDF fetched from the site and the support services as text, built with fflate
(docs/assets/fflate.min.js, vendored).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from casebook.pages.templating import LISTING, front_matter
from casebook.pages.worksheets import (
    PAGE_SIZES,
    WRITING_LINES,
    SheetRenderer,
    declared_audiences,
    print_css,
)
from casebook.sources.facilitation import FacilitatorNotes
from casebook.sources.i18n import Locale
from casebook.sources.model import Case
from casebook.sources.questions import Question
from casebook.sources.support import INTERNATIONAL, Service, SupportDirectory

COMPOSE_URL = "worksheets/compose/"

# Interface text the composer needs, from i18n/<language>/strings.yml.
STRINGS = (
    "date", "months", "content_note", "stop_any_time", "facilitator_share_note",
    "about_the_case", "about_the_cases", "questions", "where_support", "sheet_support",
    "facilitator_support", "support_listed_at", "support_listed_on", "phone_colon",
    "reflection_worksheet", "session_worksheet", "facilitator_kicker", "session_date",
    "session_cases", "session_length", "plan_minutes_for", "question_count_one",
    "question_count_other", "footer_reviewed", "footer_reviewed_of", "read_case_online",
    "aims", "timing", "minutes", "activity", "timing_total", "ground_rules", "looking_after",
    "if_discloses", "outcomes_reported", "questions_prompts", "prompts_intro", "prompt",
    "own_question", "question_from", "plan_too_short", "session_default_title", "pdf_page",
    "pdf_of", "audience", "compose_cases", "compose_no_cases", "compose_audience_for",
    "compose_remove_case", "compose_add_case", "compose_add", "compose_add_from_library",
    "compose_questions", "compose_questions_hint", "compose_move_up", "compose_move_down",
    "compose_drop", "compose_dropped", "compose_restore", "compose_own", "compose_own_label",
    "compose_own_add", "compose_details", "compose_title_label", "compose_date_label",
    "compose_minutes_label", "compose_minutes_hint", "compose_paper", "size_a4", "size_letter",
    "compose_print", "compose_print_sheet", "compose_print_notes", "compose_link",
    "compose_link_copied", "compose_clear", "compose_cleared", "compose_preview",
    "compose_plan", "compose_moved", "compose_dropped_one", "compose_restored",
    "compose_added", "compose_case_missing", "compose_general", "compose_loading",
    "compose_error", "compose_pack", "compose_pack_hint", "compose_pack_making",
    "compose_pack_done", "compose_pack_error", "pack_worksheet", "pack_facilitator", "pack_case",
    "pack_support", "pack_checked", "pack_missing_pdf",
)  # fmt: skip


def _question(question: Question) -> dict[str, str]:
    item = {"text": str(question)}
    if question.prompt:
        item["prompt"] = question.prompt
    return item


def _service(service: Service, t: Locale) -> dict[str, Any]:
    return {
        "name": service.name,
        "phone": service.phone or "",
        "url": str(service.url) if service.url else "",
        "hours": service.hours,
        "for": service.audience,
        "translated": sorted(service.translated),
        "checked": t.date(service.last_checked),  # for the workshop pack's support text
    }


def session_data(
    edition: SheetRenderer, support: SupportDirectory, notes: FacilitatorNotes
) -> dict[str, Any]:
    """Everything the composer needs that is the same for every case."""
    t = edition.locale
    countries: dict[str, dict[str, Any]] = {}
    for service in support.services:
        label = (
            t.t("international") if service.country == INTERNATIONAL else t.country(service.country)
        )
        group = countries.setdefault(service.country, {"label": label, "services": []})
        group["services"].append(_service(service.in_language(edition.language), t))
    prefix = "" if edition.is_original else f"{edition.language}/"
    return {
        "site": edition.settings.name,
        "site_url": edition.settings.address(prefix) if edition.settings.site_url else "",
        "language": edition.language,
        "sizes": {
            key: {"css": css, "label": t.t(label)} for key, (css, label) in PAGE_SIZES.items()
        },
        "lines": WRITING_LINES,
        "audiences": [
            {
                "id": audience.id,
                "name": audience.name,
                "short_name": audience.short_name,
                "format": audience.format,
                "questions": [_question(q) for q in audience.questions],
            }
            for audience in edition.audiences.values()
        ],
        "notes": notes.model_dump(mode="json"),
        "support": {"international": INTERNATIONAL, "countries": countries},
        "strings": {key: t.strings.get(key, key) for key in STRINGS},
    }


def case_data(edition: SheetRenderer, case: Case) -> dict[str, Any]:
    meta = case.meta
    t = edition.locale
    return {
        "id": case.id,
        "url": case.url,
        "title": meta.title,
        "summary": meta.summary,
        "content_note": meta.content_note,
        "language": meta.language,
        "organisation": meta.organisation.display_name,
        "short_name": meta.organisation.short_name or meta.organisation.name,
        "countries": list(meta.countries),
        "country_names": [t.country(c) for c in meta.countries],
        "period": edition.period(case),
        "last_reviewed": t.date(meta.last_reviewed),
        "outcomes": [outcome.text for outcome in meta.outcomes],
        "audiences": {
            audience.id: [_question(q) for q in case.questions.get(audience.id, [])]
            for audience in declared_audiences(case, edition.audiences)
        },
    }


def case_path(case: Case) -> str:
    """Where the composer finds one case's questions and summary."""
    return f"{COMPOSE_URL}cases/{case.id}.json"


def case_json(edition: SheetRenderer, case: Case) -> str:
    return _json(case_data(edition, case))


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def pages(
    edition: SheetRenderer, link_from: Callable[[str], Callable[[str], str]]
) -> Iterator[tuple[str, str]]:
    """(docs path, text) for the composer's page, its data files and its print stylesheet."""
    notes = edition.notes
    if notes is None:
        return
    t = edition.locale
    text = edition.env.get_template("compose.md.j2").render(link=link_from(COMPOSE_URL))
    yield (
        f"{COMPOSE_URL}index.md",
        front_matter(t.t("compose_page_title"), t.t("compose_description"), **LISTING) + text,
    )
    yield f"{COMPOSE_URL}session.json", _json(session_data(edition, edition.support, notes))
    for case in edition.cases:
        yield case_path(case), case_json(edition, case)
    yield f"{COMPOSE_URL}print.css", print_css(edition.env)
