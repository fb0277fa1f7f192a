"""`casebook check` against a corpus of bad case files.

Every bad case is the real ODI case (or its questions) with one thing changed, so each test
proves one message: its file, its line, its field and its fix-it hint, and that nothing
else is reported.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from casebook.check.validate import CheckResult, check_project
from casebook.sources.problems import Problem
from casebook.sources.project import Project
from sitebuild import SharedCopy, copy_project, odi_alone

REPO = Path(__file__).resolve().parents[1]
ODI = "case_studies/odi-mexico.md"
QUESTIONS = "reflective_questions/cases/odi-mexico.yml"
ODI_ES = "case_studies/odi-mexico.es.md"
ODI_FR = "case_studies/odi-mexico.fr.md"
ODI_TEXT = (REPO / ODI).read_text(encoding="utf-8")
# The body starts on the line after the front matter's closing '---'.
BODY_LINE = ODI_TEXT.split("\n").index("---", 1) + 2
BODY_ANCHOR = "what its lawyers saw in the courtroom,"  # a phrase in the ODI case's body

Edit = Callable[[Path], None]


# Each test changes a few files of a copy shared by the module and restored after it:
# copying the project for each of 500 tests was most of this module's time.


@pytest.fixture(scope="module")
def _whole(tmp_path_factory: pytest.TempPathFactory) -> SharedCopy:
    return SharedCopy(copy_project(tmp_path_factory.mktemp("whole") / "project"))


@pytest.fixture(scope="module")
def _odi_alone(tmp_path_factory: pytest.TempPathFactory) -> SharedCopy:
    return SharedCopy(odi_alone(tmp_path_factory.mktemp("odi") / "project"))


@pytest.fixture
def project_copy(_whole: SharedCopy) -> Iterator[Path]:
    """The whole project (this module's shared copy, as it was before the test)."""
    yield _whole.root
    _whole.restore()


@pytest.fixture
def project(_odi_alone: SharedCopy, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The project with the ODI case alone (and its translations): each test breaks it in
    one way and counts what the check finds."""
    # Problems show paths relative to the working folder; run from the project's root.
    monkeypatch.chdir(_odi_alone.root)
    yield _odi_alone.root
    _odi_alone.restore()


def check(root: Path) -> CheckResult:
    return check_project(Project(root))


def shown(problems: list[Problem]) -> str:
    return "\n".join(p.format() for p in problems) or "(no problems)"


# --- edits ----------------------------------------------------------------------------


def replace(old: str, new: str, path: str = ODI) -> Edit:
    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} must occur exactly once in {path}"
        file.write_text(text.replace(old, new), encoding="utf-8")

    return edit


def in_body(new: str) -> Edit:
    return replace(BODY_ANCHOR, new)


def drop_field(key: str, path: str = ODI) -> Edit:
    """Delete a top-level key with everything indented under it."""

    def edit(root: Path) -> None:
        file = root / path
        lines = file.read_text(encoding="utf-8").split("\n")
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
        end = start + 1
        while end < len(lines) and lines[end].startswith(" "):
            end += 1
        file.write_text("\n".join(lines[:start] + lines[end:]), encoding="utf-8")

    return edit


def append(text: str, path: str) -> Edit:
    def edit(root: Path) -> None:
        with (root / path).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return edit


def write(path: str, content: bytes) -> Edit:
    def edit(root: Path) -> None:
        (root / path).write_bytes(content)

    return edit


def rename(path: str, to: str) -> Edit:
    def edit(root: Path) -> None:
        (root / path).rename(root / to)

    return edit


def copy(path: str, to: str) -> Edit:
    def edit(root: Path) -> None:
        shutil.copy2(root / path, root / to)

    return edit


def delete(path: str) -> Edit:
    def edit(root: Path) -> None:
        (root / path).unlink()

    return edit


def both(*edits: Edit) -> Edit:
    def edit(root: Path) -> None:
        for step in edits:
            step(root)

    return edit


# --- the corpus -----------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    id: str
    edit: Edit
    line: int | str  # a line number, or text found on that line only (after the edit)
    field: str
    message: str  # a fragment of the message, with its fix-it hint
    path: str = ODI
    errors: int = 1  # every error the edit causes


def line_of(root: Path, path: str, line: int | str) -> int:
    if isinstance(line, int):
        return line
    text = (root / path).read_bytes().decode("utf-8", errors="replace")
    found = [n for n, content in enumerate(text.split("\n"), start=1) if line in content]
    assert len(found) == 1, f"{line!r} must be on exactly one line of {path}, found {found}"
    return found[0]


TITLE = 'title: "Uncovering organised sexual abuse of children in schools in Mexico"'

VOCABULARY = [
    Bad(
        "vocab-settings",
        replace("settings: [schools,", "settings: [skools,"),
        "skools",
        "settings.0",
        "'skools' is not a known setting; did you mean 'schools'?",
    ),
    Bad(
        "vocab-forms-of-violence",
        replace("[sexual-abuse, organised-abuse", "[sexual-abuze, organised-abuse"),
        "sexual-abuze",
        "forms_of_violence.0",
        "'sexual-abuze' is not a known form of violence; did you mean 'sexual-abuse'?",
    ),
    Bad(
        "vocab-themes",
        replace("  - strategic-litigation", "  - strategic-litigaton"),
        "strategic-litigaton",
        "themes.1",
        "'strategic-litigaton' is not a known theme; did you mean 'strategic-litigation'?",
    ),
    Bad(
        "vocab-knowledge-type",
        replace("knowledge_type: practice-based", "knowledge_type: practise-based"),
        "knowledge_type:",
        "knowledge_type",
        "'practise-based' is not a known knowledge type; did you mean 'practice-based'?",
    ),
    Bad(
        "vocab-practice-sources",
        replace("practice_sources: [case-files,", "practice_sources: [case-file,"),
        "practice_sources:",
        "practice_sources.0",
        "'case-file' is not a known evidence type; did you mean 'case-files'?",
    ),
    Bad(
        "vocab-audiences",
        replace("audiences: [practitioners,", "audiences: [practitioner,"),
        "audiences:",
        "audiences.0",
        "'practitioner' is not a known audience; did you mean 'practitioners'?",
    ),
    Bad(
        "vocab-organisation-kind",
        replace("  kind: legal-organisation", "  kind: legal-organization"),
        "legal-organization",
        "organisation.kind",
        "'legal-organization' is not a known kind of organisation; "
        "did you mean 'legal-organisation'?",
    ),
    Bad(
        "vocab-source-kind",
        replace(
            "    date: 2021-06-01\n    kind: news\n", "    date: 2021-06-01\n    kind: newspaper\n"
        ),
        "newspaper",
        "sources.1.kind",
        "'newspaper' is not a known kind of source; did you mean 'news'?",
    ),
    Bad(
        "vocab-milestone-kind",
        replace("    kind: litigation", "    kind: litigations"),
        "litigations",
        "milestones.1.kind",
        "'litigations' is not a known kind of step; did you mean 'litigation'?",
    ),
    Bad(
        "vocab-section-notes",
        replace("  - section: what-was-learned", "  - section: what-was-lernt"),
        "what-was-lernt",
        "section_notes.0.section",
        "'what-was-lernt' is not a known section; did you mean 'what-was-learned'?",
    ),
    Bad(
        "vocab-no-close-match-lists-allowed",
        replace("  kind: legal-organisation", "  kind: bakery"),
        "bakery",
        "organisation.kind",
        "'bakery' is not a known kind of organisation; write one of: legal-organisation, ngo,",
    ),
]

KEYS = [
    Bad(
        "unknown-top-level-key",
        replace("subnational_scope: 12 states", "subnational_scop: 12 states"),
        "subnational_scop",
        "subnational_scop",
        "unknown field 'subnational_scop'; did you mean 'subnational_scope'?",
    ),
    Bad(
        "unknown-top-level-key-no-match",
        replace("subnational_scope: 12 states", "budget: unknown"),
        "budget",
        "budget",
        "unknown field 'budget'; the fields allowed here are: id, title, summary, status,",
    ),
    Bad(
        "unknown-nested-key",
        replace("  short_name: ODI", "  shortname: ODI"),
        "shortname",
        "organisation.shortname",
        "unknown field 'shortname'; did you mean 'short_name'?",
    ),
    Bad(
        "unknown-key-in-list-item",
        replace("    kind: court-case\n", "    kind: court-case\n    pubisher: A court\n"),
        "pubisher",
        "sources.2.pubisher",
        "unknown field 'pubisher'; did you mean 'publisher'?",
    ),
    Bad(
        # `kind:` at column 0 after the organisation's fields: one problem, named as a slip
        # (not "unknown field 'kind'" and "organisation.kind is missing").
        "indentation-slip",
        replace("  kind: legal-organisation", "kind: legal-organisation"),
        "kind: legal-organisation",
        "kind",
        "did you mean to indent `kind:` under `organisation:`? It is an indentation slip: start "
        "the line with the same spaces as the other fields under 'organisation:'",
    ),
    Bad(
        "indentation-slip-out-of-a-list-item",
        replace("    citation: >-\n      SinEmbargo,", "citation: >-\n      SinEmbargo,"),
        # the last source's citation: the key then sits just before the next top-level field
        ODI_TEXT[: ODI_TEXT.index("    citation: >-\n      SinEmbargo,")].count("\n") + 1,
        "citation",
        "did you mean to indent `citation:` under `sources:`?",
        # one error only: the source has a url, so it needs no citation once that slipped out
    ),
    Bad(
        "duplicate-key",
        replace("language: en\n", "language: en\nstatus: draft\n"),
        "status: draft",
        "status",
        "'status' is written twice; keep one and delete the other",
    ),
    Bad(
        "duplicate-list-value",
        replace(
            "settings: [schools, early-childhood]", "settings: [schools, early-childhood, schools]"
        ),
        "settings:",
        "settings.2",
        "'schools' is listed twice; delete one",
    ),
]

REQUIRED = [
    "title",
    "summary",
    "status",
    "organisation",
    "countries",
    "period",
    "settings",
    "forms_of_violence",
    "themes",
    "knowledge_type",
    "practice_sources",
    "audiences",
    "content_note",
    "sources",
    "last_reviewed",
]
MISSING = [
    # A missing key has no line of its own: it is reported on the front matter's first field
    # (not on line 2, the '# yaml-language-server' comment).
    Bad(
        f"missing-{key}",
        drop_field(key),
        "summary: >-" if key == "title" else TITLE,
        key,
        f"is required but missing; add '{key}:'",
    )
    for key in REQUIRED
] + [
    Bad(
        "missing-nested-field",
        replace("  country: MX\n", ""),
        "organisation:",
        "organisation.country",
        "is required but missing; add 'country:' (Where it is based, as an ISO 3166 code",
    ),
    Bad(
        "missing-group-says-what-goes-under-it",
        drop_field("organisation"),
        TITLE,
        "organisation",
        "is required but missing; add 'organisation:', then 'name:', 'country:', 'kind:' "
        "indented under it",
    ),
    Bad(
        "missing-list-of-groups-says-what-goes-in-each",
        drop_field("sources"),
        TITLE,
        "sources",
        "add 'sources:', then a list of items ('- ' lines), each with 'title:', 'kind:' indented",
    ),
]

VALUES = [
    Bad(
        "string-where-list",
        replace("settings: [schools, early-childhood]", "settings: schools"),
        "settings:",
        "settings",
        "expected a list, got 'schools'; write [a, b] or one item per line starting with '- '",
    ),
    Bad(
        "list-where-string",
        replace(TITLE, "title: [Uncovering abuse, in schools]"),
        "title: [",
        "title",
        "expected text, got a list; write plain text",
    ),
    Bad(
        "number-where-string",
        replace("  short_name: ODI", "  short_name: 42"),
        "short_name",
        "organisation.short_name",
        "expected text, got '42'",
    ),
    Bad(
        "text-where-year",
        replace("  start: 2017", "  start: twenty seventeen"),
        "start:",
        "period.start",
        "expected a whole number such as a year, got 'twenty seventeen'; write e.g. 2021",
    ),
    Bad(
        "text-where-group",
        replace("period:\n  start: 2017\n  end: 2024\n", "period: 2017-2024\n"),
        "period:",
        "period",
        "expected a group of 'field: value' lines, got '2017-2024'; "
        "indent the fields under 'period:'",
    ),
    Bad(
        "empty-text",
        replace(TITLE, 'title: ""'),
        'title: ""',
        "title",
        "is empty; write some text or delete the line",
    ),
    Bad(
        "empty-list",
        replace("countries: [MX]", "countries: []"),
        "countries:",
        "countries",
        "is empty; list at least one item",
    ),
    Bad(
        "year-range-reversed",
        replace("  end: 2024", "  end: 2010"),
        "end: 2010",
        "period.end",
        "the end year 2010 is before the start year 2017; swap them",
    ),
    Bad(
        "reviewed-before-first-published",
        replace("first_published: 2026-11-22", "first_published: 2026-12-20"),
        "last_reviewed:",
        "last_reviewed",
        "is before first_published (2026-12-20); a case is reviewed on or after the day it "
        "was first published: correct one of the two dates",
    ),
    Bad(
        "year-out-of-range",
        replace("  start: 2017", "  start: 1850"),
        "start: 1850",
        "period.start",
        "'1850' is out of range; write a year between 1900 and 2100",
    ),
    Bad(
        "milestone-year-out-of-range",
        replace("    year: 2021\n  - id: court-case", "    year: 21\n  - id: court-case"),
        "year: 21",
        "milestones.0.year",
        "'21' is out of range; write a year between 1900 and 2100",
    ),
    Bad(
        "country-name-not-code",
        replace("  country: MX", "  country: Mexico"),
        "country: Mexico",
        "organisation.country",
        "'Mexico' is not an ISO 3166 country code; write 'MX' for Mexico",
    ),
    Bad(
        "country-three-letter-code",
        replace("countries: [MX]", "countries: [MEX]"),
        "countries:",
        "countries.0",
        "'MEX' is not an ISO 3166 country code; write 'MX' for Mexico",
    ),
    Bad(
        "country-unknown",
        replace("countries: [MX]", "countries: [ZZ]"),
        "countries:",
        "countries.0",
        "'ZZ' is not an ISO 3166 country code; write a two-letter ISO 3166 code such as 'MX'",
    ),
    Bad(
        "language-name-not-code",
        replace("language: en", "language: English"),
        "language:",
        "language",
        "'English' is not an ISO 639-1 language code; write 'en' for English",
    ),
    Bad(
        "language-unknown",
        replace("language: en", "language: en-GB"),
        "language:",
        "language",
        "'en-GB' is not an ISO 639-1 language code; write e.g. 'en', 'es' or 'fr'",
    ),
    Bad(
        "bad-url",
        replace("  country: MX\n", "  country: MX\n  website: www.odi.org.mx\n"),
        "website:",
        "organisation.website",
        "'www.odi.org.mx' is not a web address; write a full URL starting with https://",
    ),
    Bad(
        "bad-date-format",
        replace("last_reviewed: 2026-12-02", "last_reviewed: 22/11/2026"),
        "last_reviewed:",
        "last_reviewed",
        "'22/11/2026' is not written as YYYY-MM-DD; write 2026-11-22 (22 November 2026)",
    ),
    Bad(
        "impossible-date",
        replace("last_reviewed: 2026-12-02", "last_reviewed: 2026-13-45"),
        "last_reviewed:",
        "last_reviewed",
        "'2026-13-45' has no month 13; the month is 01 to 12",
    ),
    Bad(
        "impossible-day",
        replace("last_reviewed: 2026-12-02", "last_reviewed: 2026-11-31"),
        "last_reviewed:",
        "last_reviewed",
        "'2026-11-31' has no day 31 in November: November has 30 days",
    ),
    Bad(
        "date-without-leading-zero",
        replace("last_reviewed: 2026-12-02", "last_reviewed: 2026-12-7"),
        "last_reviewed:",
        "last_reviewed",
        "'2026-12-7' is not written as YYYY-MM-DD; write 2026-12-07",
    ),
    Bad(
        "ambiguous-date",
        replace("last_reviewed: 2026-12-02", "last_reviewed: 07/12/2026"),
        "last_reviewed:",
        "last_reviewed",
        "'07/12/2026' is ambiguous: it may be 7 December 2026 (2026-12-07) or "
        "12 July 2026 (2026-07-12); write the one you mean as YYYY-MM-DD",
    ),
    Bad(
        "status-not-allowed",
        replace("status: published", "status: final"),
        "status:",
        "status",
        "'final' is not allowed; write one of 'draft' or 'published'",
    ),
    Bad(
        "outcome-chain-undefined-milestone",
        replace("    chain: [report]\n", "    chain: [reprot]\n"),
        "chain: [reprot]",
        "outcomes.0.chain.0",
        "'reprot' is not a milestone id; define it under 'milestones:' or use one of: "
        "court-case, court-decision, report",
    ),
    Bad(
        "source-without-url-or-citation",
        replace(
            "    kind: case-study\n    citation: >-\n"
            "      Safe Futures Hub. “ODI, Mexico”, a practice-based knowledge case study in its "
            "Solutions\n      collection.\n",
            "    kind: case-study\n",
        ),
        "ODI, Mexico: practice-based knowledge case study",
        "sources.3",
        "a source needs a 'url' or a full 'citation'",
    ),
]

YAML = [
    Bad(
        "yaml-unclosed-double-quote",
        replace(TITLE, TITLE.rstrip('"')),
        'title: "Uncovering',
        "title",
        'the value starts with " but the closing " is missing; add " at the end of the value',
    ),
    Bad(
        "yaml-unclosed-single-quote",
        replace(TITLE, TITLE.replace('"', "'").rstrip("'")),
        "title: '",
        "title",
        "the value starts with ' but the closing ' is missing",
    ),
    Bad(
        "yaml-unclosed-quote-in-list",
        replace('titled “#YaNoEsUnSecreto”"\n', "titled “#YaNoEsUnSecreto”\n"),
        'label: "ODI publishes an update',
        "label",
        'the closing " is missing',
    ),
    Bad(
        "yaml-bad-indentation",
        replace("  short_name: ODI", " short_name: ODI"),
        " short_name: ODI",
        "",
        # libyaml's own wording varies between versions; the hint is ours.
        "); check the indentation and that a value containing ': ' or starting with a quote",
    ),
    Bad(
        "yaml-colon-in-value",
        replace(TITLE, "title: Uncovering abuse: schools in Mexico"),
        "title: Uncovering",
        "",
        "is wrapped in double quotes",
    ),
    Bad(
        "yaml-tab-indentation",
        replace("period:\n  start: 2017", "period:\n\tstart: 2017"),
        "\tstart",
        "",
        "a tab character is used for indentation; YAML needs spaces, so replace each tab",
    ),
    Bad(
        "yaml-tab-after-spaces",
        replace("  short_name: ODI", "  \tshort_name: ODI"),
        "short_name",
        "",
        "a tab character is used for indentation",
    ),
    Bad(
        "yaml-alias",
        replace("countries: [MX]\n", "countries: &here [MX]\ntranslations: *here\n"),
        "translations:",
        "translations",
        "a YAML alias ('*name') is not supported here; write the value out in full",
    ),
    Bad(
        "yaml-unknown-tag",
        replace("status: published", "status: !secret published"),
        "status:",
        "",
        "the YAML cannot be read (could not determine a constructor for the tag '!secret'); "
        "write plain 'field: value' lines",
    ),
]

FILES = [
    Bad(
        "no-front-matter",
        replace("---\n# yaml-language-server", "# yaml-language-server"),
        1,
        "",
        "the file has no front matter; its first line must be '---'",
    ),
    Bad(
        "unclosed-front-matter",
        replace("last_reviewed: 2026-12-02\n---\n", "last_reviewed: 2026-12-02\n"),
        1,
        "",
        "the front matter is never closed; add a line '---' after the last field",
    ),
    Bad("empty-file", write(ODI, b""), 1, "", "the file is empty; start it with a front matter"),
    Bad(
        "blank-file",
        write(ODI, b"\n  \n\n"),
        1,
        "",
        "the file is empty",
    ),
    Bad(
        "not-utf8",
        write(ODI, ODI_TEXT.encode("utf-8").replace(b"12 states", b"12 \xe9tats")),
        "subnational_scope",
        "",
        "the file is not valid UTF-8 (byte 0xe9); save it with UTF-8 encoding",
    ),
    Bad(
        "front-matter-is-a-list",
        write(ODI, b"---\n- title: A case\n- status: draft\n---\n\n## Context\n\nText.\n"),
        2,
        "",
        "the front matter must be 'field: value' lines, one per line, but it is a list",
    ),
    Bad(
        "front-matter-is-text",
        write(ODI, b"---\nA case about schools\n---\n\n## Context\n\nText.\n"),
        2,
        "",
        "the front matter must be 'field: value' lines, one per line, but it is a single value",
    ),
    Bad(
        "invalid-file-name",
        both(
            rename(ODI, "case_studies/Safe Schools.md"),
            rename(QUESTIONS, "reflective_questions/cases/Safe Schools.yml"),
            delete(ODI_ES),  # a translation of a renamed case is a mistake of its own, below
            delete(ODI_FR),
        ),
        1,
        "id",
        "the file name 'Safe Schools.md' is not a valid case id; rename it to lowercase "
        "letters, digits and hyphens, e.g. 'safe-schools.md'",
        path="case_studies/Safe Schools.md",
    ),
]

BODY = [
    Bad(
        "missing-required-section",
        replace("## Reflection\n", ""),
        BODY_LINE,
        "body",
        "the required section 'Reflection' is missing; add a line '## Reflection' and write",
    ),
    Bad(
        "level-1-heading",
        replace("\n## Context\n", "\n# Uncovering abuse\n\n## Context\n"),
        "# Uncovering abuse",
        "body",
        "a level-1 heading ('# ') is not allowed; the page title comes from 'title:'",
    ),
    Bad(
        "duplicate-section",
        append("\n## context\n\nMore context.\n", ODI),
        "## context",
        "body",
        "the section 'context' appears twice; merge the two",
    ),
    Bad(
        "raw-html",
        in_body("what its <strong>lawyers</strong> saw in the courtroom,"),
        "<strong>",
        "body",
        "raw HTML is not allowed; write Markdown instead, e.g. **bold**",
    ),
    Bad(
        "script-tag",
        in_body("what its <script>alert(1)</script> lawyers saw,"),
        "<script>",
        "body",
        "a <script> tag is not allowed; delete it",
    ),
    Bad(
        "iframe",
        in_body('<iframe src="https://example.org/"></iframe>'),
        "<iframe",
        "body",
        "an <iframe> (embedded page) is not allowed; link to the page instead",
    ),
    Bad(
        "event-handler-attribute",
        in_body('what its <span onmouseover="steal()">lawyers</span> saw,'),
        "onmouseover",
        "body",
        "an event-handler attribute (on...=) is not allowed; delete it",
    ),
    Bad(
        "attribute-list-handler",
        in_body('what its lawyers saw in the courtroom,\n{: onclick="x"}'),
        "{: onclick",
        "body",
        "an attribute list that adds an event handler (on...=) is not allowed; delete it",
    ),
    Bad(
        "javascript-link",
        in_body("what its [lawyers](javascript:alert(1)) saw in the courtroom,"),
        "javascript:",
        "body",
        "a 'javascript:' link is not allowed; link to a web page (https://...) instead",
    ),
    Bad(
        "remote-image",
        in_body("![ODI's logo](https://example.org/logo.png)"),
        "example.org/logo.png",
        "body",
        "images from other sites are not allowed (they leak readers' visits)",
    ),
    Bad(
        "link-to-missing-case-file",
        in_body("what its lawyers saw (see [another case](../other-case.md)),"),
        "other-case",
        "body",
        "the link to case 'other-case' does not resolve; there is no case_studies/other-case.md",
    ),
    Bad(
        "link-to-missing-guidance-page",
        in_body("what its lawyers saw (see [the guidance](../guidance/nowhere.md)),"),
        "guidance/nowhere.md",
        "body",
        "the link '../guidance/nowhere.md' leads to no page of the site; link to another case "
        "as (other-case.md), to a guidance page as (../guidance/safeguarding.md), or to a web "
        "page with its full address (https://...)",
    ),
    Bad(
        "link-out-of-the-site",
        in_body("what its lawyers saw (see [above](../../../etc/passwd/)),"),
        "etc/passwd",
        "body",
        "the link '../../../etc/passwd/' leads to no page of the site; link to another case "
        "as (other-case.md), to a guidance page as (../guidance/safeguarding.md), or to a web "
        "page with its full address (https://...)",
    ),
    Bad(
        "link-to-missing-case-page",
        in_body("what its lawyers saw (see [another case](cases/nope/)),"),
        "cases/nope/",
        "body",
        "the link to case 'nope' does not resolve; there is no case_studies/nope.md",
    ),
]

QUESTION_FILES = [
    Bad(
        "no-questions-file",
        delete(QUESTIONS),
        "audiences:",
        "audiences",
        "there are no reflective questions for this case; create "
        "reflective_questions/cases/odi-mexico.yml",
    ),
    Bad(
        "audience-without-questions",
        drop_field("overall", QUESTIONS),
        1,
        "overall",
        "the case is for 'overall' but has no questions for it; add 'overall:'",
        path=QUESTIONS,
    ),
    Bad(
        "unknown-audience-key",
        append('practitoners:\n  - "What would you do first?"\n', QUESTIONS),
        "practitoners:",
        "practitoners",
        "'practitoners' is not a known audience; did you mean 'practitioners'?",
        path=QUESTIONS,
    ),
    Bad(
        "questions-not-a-list",
        both(drop_field("overall", QUESTIONS), append("overall: Discuss the case.\n", QUESTIONS)),
        "overall:",
        "overall",
        "write the questions as a list, one per line starting with '- '",
        path=QUESTIONS,
    ),
    Bad(
        "questions-unclosed-quote",
        replace(
            'so that a pattern could be noticed?"\n',
            "so that a pattern could be noticed?\n",
            QUESTIONS,
        ),
        "ODI recognised patterns",
        "question",
        'the value starts with " but the closing " is missing',
        path=QUESTIONS,
    ),
    Bad(
        "questions-without-case",
        copy(QUESTIONS, "reflective_questions/cases/odi-mexco.yml"),
        1,
        "",
        "there is no case 'odi-mexco' in case_studies/; rename this file to match a case's "
        "file name, or delete it",
        path="reflective_questions/cases/odi-mexco.yml",
    ),
]

CORPUS = VOCABULARY + KEYS + MISSING + VALUES + YAML + FILES + BODY + QUESTION_FILES


def test_corpus_ids_are_unique() -> None:
    ids = [bad.id for bad in CORPUS]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 30


@pytest.mark.parametrize("bad", CORPUS, ids=lambda bad: bad.id)
def test_bad_case(project: Path, bad: Bad) -> None:
    bad.edit(project)
    result = check(project)
    line = line_of(project, bad.path, bad.line)
    report = shown(result.problems)
    at = [p for p in result.errors if (p.path, p.line, p.field) == (bad.path, line, bad.field)]
    assert at, f"expected an error at {bad.path}:{line}: {bad.field}, got:\n{report}"
    assert any(bad.message in p.message for p in at), f"expected {bad.message!r} in:\n{report}"
    assert len(result.errors) == bad.errors, report
    if bad.path == ODI:
        assert result.library.cases == [], "a case with errors must not be built"


# --- clean input ----------------------------------------------------------------------


def test_real_project_checks_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = check(REPO)
    assert result.problems == [], shown(result.problems)
    originals = sorted(p.stem for p in (REPO / "case_studies").glob("*.md") if "." not in p.stem)
    assert sorted(case.id for case in result.library.cases) == originals
    assert "odi-mexico" in originals and len(originals) >= 10
    assert result.files_checked == len(list((REPO / "case_studies").glob("*.md")))


def test_odi_case_checks_clean_and_loads(project: Path) -> None:
    result = check(project)
    assert result.problems == [], shown(result.problems)
    (case,) = result.library.cases
    assert case.id == "odi-mexico"
    assert case.published
    assert case.meta.organisation.display_name.endswith("(ODI)")
    assert [s.id for s in case.sections] == ["context", "what-was-learned", "action", "reflection"]
    assert set(case.questions) == {"practitioners", "lawyers-advocates-policy", "overall"}
    assert case.sections[0].line == ODI_TEXT.split("\n").index("## Context") + 1


def test_crlf_and_byte_order_mark_check_clean(project: Path) -> None:
    raw = b"\xef\xbb\xbf" + ODI_TEXT.replace("\n", "\r\n").encode("utf-8")
    (project / ODI).write_bytes(raw)
    questions = project / QUESTIONS
    questions.write_bytes(b"\xef\xbb\xbf" + questions.read_bytes().replace(b"\n", b"\r\n"))
    result = check(project)
    assert result.problems == [], shown(result.problems)
    (case,) = result.library.cases
    assert case.meta.title == "Uncovering organised sexual abuse of children in schools in Mexico"
    assert "\r" not in case.sections[-1].markdown


def test_crlf_keeps_line_numbers(project: Path) -> None:
    text = ODI_TEXT.replace("status: published", "status: final").replace("\n", "\r\n")
    (project / ODI).write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (problem,) = check(project).problems
    assert (problem.line, problem.field) == (
        ODI_TEXT.split("\n").index("status: published") + 1,
        "status",
    )


def test_draft_case_is_checked_but_not_published(project: Path) -> None:
    replace("status: published", "status: draft")(project)
    result = check(project)
    assert result.problems == []
    assert [c.id for c in result.library.cases] == ["odi-mexico"]
    assert result.library.published == []


# --- several problems, one run --------------------------------------------------------


def test_every_problem_in_every_file_is_reported_in_one_run(project: Path) -> None:
    second = "case_studies/second-case.md"
    copy(ODI, second)(project)
    copy(QUESTIONS, "reflective_questions/cases/second-case.yml")(project)
    # Three problems in the ODI case, one of them a duplicate key, which must not hide the rest.
    replace("status: published", "status: final")(project)
    replace("language: en\n", "language: en\nlanguage: es\n")(project)
    in_body("what its <b>lawyers</b> saw,")(project)
    # One in the second case, one in its questions, and an empty third case.
    replace("countries: [MX]", "countries: [Mexico]", second)(project)
    append("teachers:\n  - A question?\n", "reflective_questions/cases/second-case.yml")(project)
    write("case_studies/third.md", b"")(project)

    result = check(project)
    found = {(p.path, p.line, p.field) for p in result.errors}
    second_questions = "reflective_questions/cases/second-case.yml"
    assert found == {
        (ODI, line_of(project, ODI, "status: final"), "status"),
        (ODI, line_of(project, ODI, "language: es"), "language"),
        (ODI, line_of(project, ODI, "<b>lawyers</b>"), "body"),
        (second, line_of(project, second, "countries:"), "countries.0"),
        (second_questions, line_of(project, second_questions, "teachers:"), "teachers"),
        ("case_studies/third.md", 1, ""),
    }, shown(result.problems)
    assert result.files_checked == 5  # three cases and the ODI case's two translations
    assert result.library.cases == []
    # Sorted by file, then line, so an editor can work down the list.
    assert result.problems == sorted(result.problems, key=lambda p: (p.path, p.line))


def test_checking_some_paths_reports_only_those_cases(project: Path) -> None:
    copy(ODI, "case_studies/second-case.md")(project)
    copy(QUESTIONS, "reflective_questions/cases/second-case.yml")(project)
    replace("status: published", "status: final", "case_studies/second-case.md")(project)
    result = check_project(Project(project), [project / ODI])
    assert result.problems == [], shown(result.problems)
    assert result.files_checked == 3  # the case and its two translations
    result = check_project(
        Project(project), [project / "reflective_questions/cases/second-case.yml"]
    )
    assert [(p.path, p.field) for p in result.problems] == [
        ("case_studies/second-case.md", "status")
    ]


# --- warnings -------------------------------------------------------------------------


def test_non_standard_section_is_a_warning(project: Path) -> None:
    append("\n## Public attention\n\nThe report was widely covered.\n", ODI)(project)
    result = check(project)
    assert result.errors == []
    (warning,) = result.warnings
    assert (warning.path, warning.line, warning.field) == (
        ODI,
        line_of(project, ODI, "## Public attention"),
        "body",
    )
    assert warning.message.startswith("'Public attention' is not a standard section")
    assert "Standard sections: Context, What was learned, Action, Reflection" in warning.message
    # A warning does not stop the case being built.
    assert [c.id for c in result.library.cases] == ["odi-mexico"]


def test_misspelt_section_warns_with_suggestion(project: Path) -> None:
    append("\n## Reflections\n\nMore.\n", ODI)(project)
    (warning,) = check(project).warnings
    assert "did you mean 'Reflection'?" in warning.message


# --- content rules: what must not be flagged ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "see [the about page](../about.md), [support](../support.md), [guidance](../guidance/)",
        "see [this case's context](odi-mexico.md#context) and [the library](../cases/)",
        "see [safeguarding](../guidance/safeguarding.md#notes) and [the home page](../index.md)",
        "a `<script>` tag in a code span is text, as is 5 < 6 > 4",
        "an [ordinary link](https://example.org/page) and a local ![map](map.png)",
        "a phrase such as 'turned on = off' is not an attribute",
    ],
)
def test_safe_markdown_is_not_flagged(project: Path, text: str) -> None:
    (project / "docs" / "about.md").write_text("# About\n", encoding="utf-8")
    in_body(text)(project)
    result = check(project)
    assert result.problems == [], shown(result.problems)


def test_code_fences_are_not_checked_as_prose(project: Path) -> None:
    in_body("lawyers saw:\n\n```html\n<script>alert(1)</script>\n# not a heading\n```\n")(project)
    result = check(project)
    assert result.problems == [], shown(result.problems)


# --- no traceback, whatever the damage ------------------------------------------------

ODI_LINES = ODI_TEXT.split("\n")


@pytest.mark.parametrize("cut", range(1, len(ODI_LINES), 3))
def test_truncated_case_never_raises(project: Path, cut: int) -> None:
    (project / ODI).write_text("\n".join(ODI_LINES[:cut]), encoding="utf-8")
    result = check(project)
    if cut <= ODI_LINES.index("## Reflection"):  # cut before the last required section
        assert result.errors, f"a case cut after line {cut} must not pass"
    for problem in result.problems:
        assert 1 <= problem.line <= max(cut, 1), problem.format()


@pytest.mark.parametrize("index", range(1, ODI_LINES.index("---", 1)))
def test_damaged_front_matter_line_never_raises(project: Path, index: int) -> None:
    lines = list(ODI_LINES)
    # Damage one line several ways at once: a tab, a stray quote and a stray colon.
    lines[index] = "\t" + lines[index].replace(":", ": '", 1) + ": {"
    (project / ODI).write_text("\n".join(lines), encoding="utf-8")
    result = check(project)
    assert result.errors
    for problem in result.problems:
        assert 1 <= problem.line <= len(lines), problem.format()


# Scaffold, placeholders and identifying details -----------------------------------------


def test_a_fresh_scaffold_fails_only_on_its_placeholders(project_copy: Path) -> None:
    from casebook.commands.scaffold import new_case

    made = new_case(Project(project_copy), "new-case", "A new case", ["MX"])
    result = check_project(Project(project_copy), [made.case])
    # A draft's problems are its warnings (it never stops a build); checked by name, as
    # `casebook check case_studies/new-case.md` shows them, they are errors.
    assert result.errors == []
    errors = [p for p in (q.as_checked_alone() for q in result.problems) if p.is_error]
    assert errors, "a fresh scaffold must not pass"
    for problem in errors:
        assert "still holds the placeholder" in problem.message, problem.format()
        line = (project_copy / problem.path).read_text().split("\n")[problem.line - 1]
        assert "TODO" in line, problem.format()
    fields = {p.field for p in errors}
    assert {"summary", "organisation.name", "settings.0", "content_note", "body"} <= fields
    assert any(p.path.endswith("reflective_questions/cases/new-case.yml") for p in errors)


def test_scaffold_round_trip_publishes_once_filled(project_copy: Path) -> None:
    from casebook.commands.scaffold import new_case

    before = check_project(Project(project_copy)).library.cases
    made = new_case(Project(project_copy), "odi-copy", "A copy of ODI", ["MX"])
    odi = (project_copy / "case_studies/odi-mexico.md").read_text()
    made.case.write_text(odi.replace("status: published", "status: draft"))
    questions = (project_copy / "reflective_questions/cases/odi-mexico.yml").read_text()
    made.questions.write_text(questions)
    result = check_project(Project(project_copy))
    assert result.errors == []
    drafts = {c.id for c in result.library.cases if not c.published}
    assert drafts - {c.id for c in before if not c.published} == {"odi-copy"}


def test_scaffold_never_overwrites_and_rejects_bad_ids(project_copy: Path) -> None:
    from casebook.commands.scaffold import ScaffoldError, new_case

    before = (project_copy / "case_studies/odi-mexico.md").read_text()
    with pytest.raises(ScaffoldError, match=r"case_studies/odi-mexico\.md already exists"):
        new_case(Project(project_copy), "odi-mexico", "Overwrite?", [])
    assert (project_copy / "case_studies/odi-mexico.md").read_text() == before
    with pytest.raises(ScaffoldError, match="'Bad_Id' is not a valid case id"):
        new_case(Project(project_copy), "Bad_Id", "x", [])
    with pytest.raises(ScaffoldError, match="'Mexico' is not an ISO 3166 country code; write 'MX'"):
        new_case(Project(project_copy), "ok-id", "x", ["Mexico"])


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Write to someone.name@example.org for details.", "an e-mail address"),
        ("Call +52 55 1234 5678 today.", "a phone number"),
        ("A 7-year-old pupil told a teacher.", "a child's age in years"),
        ("The school called Example Primary.", "a named school or nursery"),
        ("It happened on 3 March in the hall.", "an exact day of an incident"),
        ("A girl named Ana spoke up.", "a child's name or initials"),
    ],
)
def test_identifying_details_are_warned_about(project_copy: Path, text: str, kind: str) -> None:
    case = project_copy / "case_studies/odi-mexico.md"
    case.write_text(case.read_text() + f"\n{text}\n")
    line = case.read_text().split("\n").index(text) + 1
    result = check_project(Project(project_copy))
    assert result.errors == []
    assert [(w.line, w.field) for w in result.warnings] == [(line, "body")]
    assert f"looks like {kind}, which could identify a person" in result.warnings[0].message


def test_year_ranges_are_not_phone_numbers(project_copy: Path) -> None:
    case = project_copy / "case_studies/odi-mexico.md"
    case.write_text(case.read_text() + "\nThe work ran from 2017-2024 and 2017 – 2024.\n")
    assert check_project(Project(project_copy)).warnings == []


# Translations ----------------------------------------------------------------------------


def _edit_translation(root: Path, old: str, new: str) -> int:
    path = root / ODI_ES
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text.split("\n").index(new.split("\n")[0]) + 1


def test_the_spanish_translation_checks_clean_and_loads(project_copy: Path) -> None:
    result = check_project(Project(project_copy))
    assert result.problems == []
    spanish = result.library.translations["es"]["odi-mexico"]
    assert spanish.meta.language == "es"
    assert spanish.original is not None and spanish.original.id == "odi-mexico"
    assert [s.id for s in spanish.sections] == [
        "context",
        "what-was-learned",
        "action",
        "reflection",
    ]
    assert not spanish.outdated


@pytest.mark.parametrize(
    ("old", "new", "field", "offset"),
    [
        ("settings: [schools, early-childhood]", "settings: [schools]", "settings", 0),
        ("  start: 2017", "  start: 2018", "period", -1),  # reported on the 'period:' line
        ("countries: [MX]", "countries: [MX, GT]", "countries", 0),
        ("    kind: court-case", "    kind: report", "sources", None),
    ],
)
def test_a_translation_with_different_facts_is_caught(
    project_copy: Path, old: str, new: str, field: str, offset: int | None
) -> None:
    line = _edit_translation(project_copy, old, new)
    result = check_project(Project(project_copy))
    assert [(p.path, p.field) for p in result.errors] == [(ODI_ES, field)], shown(result.problems)
    problem = result.errors[0]
    assert "differs from the original in case_studies/odi-mexico.md" in problem.message
    assert f"copy '{field}' from the original" in problem.message
    if offset is not None:
        assert problem.line == line + offset
    assert "es" not in result.library.translations


def test_a_translation_must_name_its_original_and_version(project_copy: Path) -> None:
    _edit_translation(project_copy, "translation_of: odi-mexico\n", "")
    _edit_translation(project_copy, "translated_version: 2026-12-02\n", "")
    result = check_project(Project(project_copy))
    messages = [p.message for p in result.errors]
    assert any("write 'translation_of: odi-mexico'" in m for m in messages), messages
    assert any("write 'translated_version: 2026-12-02'" in m for m in messages), messages


def test_an_older_translation_is_warned_about_and_still_published(project_copy: Path) -> None:
    line = _edit_translation(
        project_copy, "translated_version: 2026-12-02", "translated_version: 2026-01-10"
    )
    result = check_project(Project(project_copy))
    assert result.errors == []
    assert [(w.path, w.line, w.field) for w in result.warnings] == [
        (ODI_ES, line, "translated_version")
    ]
    assert result.library.translations["es"]["odi-mexico"].outdated


def test_a_translation_without_an_original_is_an_error(project_copy: Path) -> None:
    (project_copy / ODI_ES).rename(project_copy / "case_studies/missing-case.es.md")
    result = check_project(Project(project_copy))
    assert [(p.path, p.line) for p in result.errors] == [("case_studies/missing-case.es.md", 1)]
    assert (
        "there is no published or valid original case_studies/missing-case.md"
        in result.errors[0].message
    )


def test_a_support_service_not_checked_for_a_year_is_warned_about(project_copy: Path) -> None:
    services = project_copy / "data/support_services.yml"
    text = services.read_text(encoding="utf-8")
    services.write_text(text.replace("last_checked: 2026-11-22", "last_checked: 2020-01-15", 1))
    line = (
        services.read_text(encoding="utf-8").split("\n").index("    last_checked: 2020-01-15") + 1
    )
    result = check_project(Project(project_copy))
    assert result.errors == []
    assert [(w.path, w.line) for w in result.warnings] == [("data/support_services.yml", line)]
    assert "over 12 months ago; confirm its details with the service" in result.warnings[0].message


def test_a_support_service_needs_a_phone_or_url(project_copy: Path) -> None:
    services = project_copy / "data/support_services.yml"
    text = services.read_text(encoding="utf-8")
    services.write_text(text.replace('    phone: "911"\n', "", 1))
    result = check_project(Project(project_copy))
    assert any("needs a 'phone' number or a 'url'" in p.message for p in result.errors)


# --- sharper checks: complete hints, too few questions, no national support ------------


def test_every_placeholder_hint_says_what_to_write(project_copy: Path) -> None:
    """A fresh scaffold fails only on its TODOs, and no hint stops at 'replace it'."""
    from casebook.commands.scaffold import new_case

    new_case(Project(project_copy), "kenya-schools", "Schools in Kenya", ["KE"])
    result = check_project(Project(project_copy))
    # A draft (the scaffold's status): its placeholders are its warnings.
    placeholders = [p for p in result.problems if p.is_draft and "placeholder" in p.message]
    assert len(placeholders) >= 15, shown(result.problems)
    for problem in placeholders:
        hint = problem.message.split("; ", 1)[1]
        assert hint.startswith("replace it with "), problem.format()
        assert len(hint.removeprefix("replace it with ").split()) >= 4, problem.format()
    body = [p.message for p in placeholders if p.field == "body"]
    assert any(
        "replace it with the Context section's text: who the organisation is" in m for m in body
    )
    questions = [p for p in placeholders if p.path.endswith("kenya-schools.yml")]
    assert questions and all("an open question for '" in p.message for p in questions)


def keep_questions(project: Path, audience: str, count: int) -> int:
    """Keep an audience's first `count` questions (each with its prompt); its key's index."""
    path = project / QUESTIONS
    lines = path.read_text(encoding="utf-8").split("\n")
    start = lines.index(f"{audience}:")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(" ")),
        len(lines),
    )
    items = [i for i in range(start + 1, end) if lines[i].startswith("  - ")]
    cut = items[count] if count < len(items) else end
    path.write_text("\n".join(lines[:cut] + lines[end:]), encoding="utf-8")
    return start


@pytest.mark.parametrize("count", [1, 2])
def test_an_audience_with_fewer_than_3_questions_is_warned_about(project: Path, count: int) -> None:
    start = keep_questions(project, "practitioners", count)
    result = check(project)
    assert result.errors == [], shown(result.problems)
    assert [(w.path, w.line, w.field) for w in result.warnings] == [
        (QUESTIONS, start + 1, "practitioners")
    ]
    message = result.warnings[0].message
    assert message.startswith(f"only {count} question(s) for 'Practitioners'")
    assert f"add {3 - count} or more open questions" in message
    # --strict (as on a pull request) fails on it.
    from casebook.cli import main

    assert main(["check", "--strict"]) == 1


def test_three_questions_per_audience_pass(project: Path) -> None:
    keep_questions(project, "practitioners", 3)
    assert check(project).problems == []


def test_a_country_without_a_national_support_service_is_warned_about(project: Path) -> None:
    replace("countries: [MX]", "countries: [MX, AR]")(project)
    replace("countries: [MX]", "countries: [MX, AR]", ODI_ES)(project)
    replace("countries: [MX]", "countries: [MX, AR]", ODI_FR)(project)
    result = check(project)
    assert result.errors == [], shown(result.problems)
    line = line_of(project, ODI, "countries: [MX, AR]")
    # Once, on the original: a translation keeps its facts, and is not warned twice.
    assert [(w.path, w.line, w.field) for w in result.warnings] == [(ODI, line, "countries.1")]
    message = result.warnings[0].message
    assert message.startswith(
        "data/support_services.yml lists no national support service for AR, only "
        "international ones"
    )
    assert "add a service for AR there" in message and "'country: AR'" in message
    assert "accept the gap knowingly" in message


def test_a_published_case_without_its_first_publication_date_is_warned_about(
    project: Path,
) -> None:
    replace("first_published: 2026-11-22\n", "")(project)
    result = check(project)
    assert result.errors == [], shown(result.problems)
    line = line_of(project, ODI, "status: published")
    assert [(w.path, w.line, w.field) for w in result.warnings] == [(ODI, line, "first_published")]
    assert "add 'first_published: YYYY-MM-DD'" in result.warnings[0].message
    # A draft has not been published: nothing to say.
    replace("status: published", "status: draft")(project)
    assert check(project).warnings == []


def test_a_national_service_for_the_country_clears_the_warning(project: Path) -> None:
    replace("countries: [MX]", "countries: [MX, AR]")(project)
    replace("countries: [MX]", "countries: [MX, AR]", ODI_ES)(project)
    replace("countries: [MX]", "countries: [MX, AR]", ODI_FR)(project)
    append(
        '  - name: Emergency (911)\n    country: AR\n    phone: "911"\n'
        "    hours: 24 hours a day\n    for: Anyone in Argentina.\n    last_checked: 2026-11-22\n"
        "    source: https://example.org/argentina-911\n",
        "data/support_services.yml",
    )(project)
    assert check(project).problems == []


@pytest.mark.parametrize(
    "text",
    ["plain prose", "a = b", "<b>", "{: .x}", "[t](u)", "] (", "JavaScript", "JAVASCRİPT",
     "javaſcript", "javascrıpt", "jav\nascript", "Café javascript", "Café", ""],
)  # fmt: skip
def test_the_quick_content_test_answers_as_its_regex_does(text: str) -> None:
    from casebook.check.bodyrules import _SUSPECT, _suspect

    assert _suspect(text) == (_SUSPECT.search(text) is not None)


# --- the model's growth: INSPIRE strategy, reach, evidence of outcomes, service sources --


def test_a_support_service_needs_its_source(project_copy: Path) -> None:
    services = project_copy / "data/support_services.yml"
    lines = services.read_text(encoding="utf-8").split("\n")
    cut = next(i for i, line in enumerate(lines) if line.startswith("    source: "))
    services.write_text("\n".join(lines[:cut] + lines[cut + 1 :]), encoding="utf-8")
    result = check_project(Project(project_copy))
    assert [p.path for p in result.errors] == ["data/support_services.yml"], shown(result.errors)
    assert "source" in result.errors[0].field


@pytest.mark.parametrize(
    ("old", "new", "field", "meant"),
    [
        (
            "inspire:\n  - implementation-and-enforcement-of-laws",
            "inspire:\n  - law-enforcement",
            "inspire.0",
            "implementation-and-enforcement-of-laws",
        ),
        ("reach: national", "reach: nationwide", "reach", "national"),
        (
            "chain: [report]\n    evidence: organisation-account",
            "chain: [report]\n    evidence: self-report",
            "outcomes.0.evidence",
            "organisation-account",
        ),
    ],
)
def test_new_vocabularies_are_checked_with_a_suggestion(
    project: Path, old: str, new: str, field: str, meant: str
) -> None:
    replace(old, new)(project)
    result = check(project)
    errors = [p for p in result.errors if p.path == ODI]
    assert [(p.field, p.line) for p in errors] == [
        (field, line_of(project, ODI, new.split("\n")[-1].strip()))
    ], shown(result.problems)
    assert f"did you mean '{meant}'?" in errors[0].message


def test_the_shared_copy_is_restored_exactly(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "project")
    shared = SharedCopy(root)
    before = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    replace("status: published", "status: draft")(root)
    delete(QUESTIONS)(root)
    (root / "docs/new/deeper").mkdir(parents=True)
    (root / "docs/new/deeper/page.md").write_text("# New\n")
    (root / "docs/link.md").symlink_to(root / ODI)
    (root / ODI_ES).chmod(0o000)
    shared.restore()
    after = {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    assert after == before
    assert not (root / "docs/new").exists()
