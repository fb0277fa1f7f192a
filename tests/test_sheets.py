"""What a trainer prints: the session plan adds up, support details and footers are on every
sheet, prompts reach only the facilitator, and each case has sheets only for its audiences.

These tests render the print HTML (no PDF), so they are quick; tests/test_worksheets.py
checks the built PDFs themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markupsafe import escape

from casebook.check.validate import check_project
from casebook.pages.render import Renderer
from casebook.pages.templating import SiteSettings
from casebook.pages.worksheets import case_sheet, css_string, print_html, sheets_for
from casebook.sources.facilitation import FacilitatorNotes, load_facilitator_notes, session_plan
from casebook.sources.model import Library
from casebook.sources.project import Project
from sitebuild import REPO, css_unescape

SRC = REPO / "src" / "casebook"


def load(root: Path) -> Library:
    result = check_project(Project(root))
    assert not result.errors, [p.format() for p in result.errors]
    return result.library


@pytest.fixture(scope="module")
def library() -> Library:
    return load(REPO)


def notes_in(language: str) -> FacilitatorNotes:
    notes, problems = load_facilitator_notes(Project(REPO), language)
    assert notes is not None, problems
    return notes


def renderer(library: Library, language: str = "en", site_url: str = "") -> Renderer:
    locale = library.languages.locales[language]
    return Renderer(library, locale, SiteSettings(site_url=site_url), notes_in(language))


def text(html: str) -> str:
    body = re.sub(r"<style>.*?</style>", " ", html, flags=re.S)
    # Spans are inline: an address is cut into spans at its slashes, and reads as one word.
    body = re.sub(r"</?span\b[^>]*>", "", body)
    body = re.sub(r"<[^>]+>", " ", body)
    return " ".join(body.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&").split())


# The session plan -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es", "fr"])
@pytest.mark.parametrize("questions", [1, 3, 8, 9, 12, 20])
def test_the_plan_adds_up_and_gives_each_question_time(language: str, questions: int) -> None:
    notes = notes_in(language)
    plan = session_plan(notes, questions)
    assert plan.total == plan.needed == sum(step.minutes for step in plan.steps)
    assert plan.total % 5 == 0
    reflection = next(
        m for m, s in zip(plan.steps, notes.timing, strict=True) if s.minutes_per_question
    )
    assert reflection.minutes >= 2 * questions  # at least 2 minutes of writing per question


def test_a_longer_session_gives_the_extra_time_to_discussion() -> None:
    notes = notes_in("en")
    short, long = session_plan(notes, 9), session_plan(notes, 9, 90)
    assert long.total == 90 and not long.too_short
    changed = [i for i, (a, b) in enumerate(zip(short.steps, long.steps, strict=True)) if a != b]
    assert len(changed) == 1 and notes.timing[changed[0]].fills_session
    too_short = session_plan(notes, 9, 30)
    assert too_short.too_short and too_short.total == too_short.needed == 60


def test_a_step_needs_one_kind_of_time() -> None:
    data = notes_in("en").model_dump()
    data["timing"][0] = {"activity": "Welcome", "minutes": 5, "minutes_per_question": 1}
    with pytest.raises(ValueError, match="either 'minutes: 10' or 'minutes_per_question: 2'"):
        FacilitatorNotes.model_validate(data)


# Printed sheets ------------------------------------------------------------------------


def timing_of(html: str) -> tuple[list[int], int]:
    table = re.search(r'<table class="timing">.*?</table>', html, re.S)
    assert table
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S)
    foot = re.search(r"<tfoot>(.*?)</tfoot>", table.group(0), re.S)
    assert body and foot
    minutes = [int(m) for m in re.findall(r'<td class="minutes">(\d+)</td>', body.group(1))]
    total = re.findall(r'<td class="minutes">(\d+)</td>', foot.group(1))
    return minutes, int(total[0])


@pytest.mark.parametrize("language", ["en", "es"])
def test_odi_sheets_agree_on_one_session_plan(library: Library, language: str) -> None:
    edition = renderer(library, language)
    notes = notes_in(language)
    case = next(c for c in edition.cases if c.id == "odi-mexico")
    facilitator = print_html(
        edition, case_sheet(edition, library.support, notes, case, None), notes, "a4", True
    )
    minutes, total = timing_of(facilitator)
    assert sum(minutes) == total == 60
    length = edition.locale.t("minutes_n", n=total)
    assert length in text(facilitator)
    for audience in (a for a in edition.audiences.values() if a.id in case.meta.audiences):
        sheet = case_sheet(edition, library.support, notes, case, audience)
        n = len(sheet.questions)
        said = edition.locale.t(
            "plan_minutes_for", minutes=total, questions=edition.locale.tn("question_count", n)
        )
        participant = text(print_html(edition, sheet, notes, "letter", False))
        assert said in participant, said
        assert said in text(facilitator)


@pytest.mark.parametrize(
    ("language", "emergency", "reviewed"),
    [
        (
            "en",
            "Emergency services (911) · Phone: 911 · Free of charge.",
            "Last reviewed 2 December 2026",
        ),
        (
            "es",
            "Servicios de emergencia (911) · Teléfono: 911 · Gratis.",
            "Última revisión: 2 de diciembre de 2026",
        ),
    ],
)
def test_every_sheet_has_support_details_and_a_footer(
    library: Library, language: str, emergency: str, reviewed: str
) -> None:
    edition = renderer(library, language, site_url="https://casebook.example.org/")
    notes = notes_in(language)
    case = next(c for c in edition.cases if c.id == "odi-mexico")
    prefix = "" if language == "en" else f"{language}/"
    for audience in [*(a for a in edition.audiences.values() if a.id in case.meta.audiences), None]:
        sheet = case_sheet(edition, library.support, notes, case, audience)
        html = print_html(edition, sheet, notes, "a4", audience is None)
        shown = text(html)
        assert emergency in shown
        assert "Child Helpline International · https://childhelplineinternational.org/" in shown
        assert f"https://casebook.example.org/{prefix}support/" in shown
        footer = re.search(r'@bottom-left \{ content: "(.*?)"; \}', html)
        assert footer
        shown_footer = css_unescape(footer.group(1))
        assert reviewed in shown_footer
        assert f"https://casebook.example.org/{prefix}cases/odi-mexico/" in shown_footer
        assert 'class="qr" src="data:image/svg+xml' in html


def test_without_a_site_url_there_is_no_address_and_no_qr_code(library: Library) -> None:
    edition = renderer(library)
    notes = notes_in("en")
    case = edition.cases[0]
    html = print_html(
        edition, case_sheet(edition, library.support, notes, case, None), notes, "a4", True
    )
    assert 'class="qr"' not in html and "http://" not in text(html).replace(
        "https://childhelplineinternational.org/", ""
    )
    assert "Where to find support” page of the Casebook website" in text(html)


def test_prompts_print_only_on_the_facilitator_notes(library: Library) -> None:
    edition = renderer(library)
    notes = notes_in("en")
    case = next(c for c in edition.cases if c.id == "odi-mexico")
    prompts = [q.prompt for q in case.questions["practitioners"]]
    assert all(prompts), "every ODI question has a prompt"
    audience = edition.audiences["practitioners"]
    participant = text(
        print_html(
            edition, case_sheet(edition, library.support, notes, case, audience), notes, "a4", False
        )
    )
    facilitator = text(
        print_html(
            edition, case_sheet(edition, library.support, notes, case, None), notes, "a4", True
        )
    )
    for prompt in prompts:
        assert prompt and prompt not in participant and prompt in facilitator


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_every_odi_question_has_a_prompt_that_only_the_facilitator_gets(
    library: Library, language: str
) -> None:
    edition = renderer(library, language)
    notes = notes_in(language)
    case = next(c for c in edition.cases if c.id == "odi-mexico")
    assert case.meta.language == language, "the edition has its own ODI case and questions"
    facilitator = print_html(
        edition, case_sheet(edition, library.support, notes, case, None), notes, "a4", True
    )
    for audience_id, questions in case.questions.items():
        assert questions and all(q.prompt for q in questions), f"{language} {audience_id}"
        audience = edition.audiences[audience_id]
        participant = print_html(
            edition, case_sheet(edition, library.support, notes, case, audience), notes, "a4", False
        )
        for question in questions:
            # Compared as printed, escaped and with French no-break spaces kept.
            printed = str(escape(question.prompt))
            assert printed in facilitator and printed not in participant
            assert str(escape(question)) in participant
    if language == "fr":
        assert "\u00a0?" in facilitator and "relance" in text(facilitator).lower()


def test_footer_text_is_escaped_for_css() -> None:
    assert css_string('A "quoted" </style> \\ title\nline two') == (
        "A \\22 quoted\\22  \\3c \\2f style\\3e  \\5c  title\\a line two"
    )


def test_sheets_cover_only_the_declared_audiences_in_file_order(library: Library) -> None:
    case = next(c for c in library.published if c.id == "odi-mexico")
    order = list(library.questions.audiences)
    assert order == ["practitioners", "lawyers-advocates-policy", "overall"]
    narrowed = type(case)(
        case.id,
        case.path,
        case.meta.model_copy(update={"audiences": ["overall", "practitioners"]}),
        case.intro,
        case.sections,
        case.questions,
    )
    kinds = [sheet.kind for sheet in sheets_for(narrowed, library.questions.audiences)]
    assert kinds == [
        "practitioners",
        "practitioners",
        "overall",
        "overall",
        "facilitator",
        "facilitator",
    ]


# Questions files -------------------------------------------------------------------------


def test_a_prompt_must_be_text(project_copy: Path) -> None:
    path = project_copy / "reflective_questions/cases/odi-mexico.yml"
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  - question:"))
    lines[at + 1 : at + 1] = ["    prompts: a typo in the key"]
    path.write_text("\n".join(lines) + "\n")
    result = check_project(Project(project_copy))
    shown = [p.format() for p in result.errors]
    assert shown == [
        f"reflective_questions/cases/odi-mexico.yml:{at + 1}: practitioners[1]: 'prompts' is not a "
        "part of a question; write the question as text after '- ', or as 'question: ...' with "
        "an optional 'prompt: ...' for the facilitator on the next line"
    ]
