"""Reading source files (text, front matter, the line of every key) and the case model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from casebook.sources.loader import (
    Document,
    LineMap,
    LoadError,
    parse_yaml,
    read_front_matter,
    read_text,
    read_yaml_file,
)
from casebook.sources.model import CaseFrontMatter, Organisation, Period, Source
from casebook.sources.problems import Problem
from casebook.sources.vocabularies import Term, Vocabulary, load_vocabularies

REPO = Path(__file__).resolve().parents[1]
ODI = REPO / "case_studies" / "odi-mexico.md"
ODI_LINES = ODI.read_text(encoding="utf-8").split("\n")


def line_starting(text: str, after: int = 0) -> int:
    """The 1-based number of the first line of the ODI case, after line `after`, starting with `text`."""
    for number, line in enumerate(ODI_LINES, start=1):
        if number > after and line.startswith(text):
            return number
    raise AssertionError(f"no line starts with {text!r}")


# --- the line of every key ------------------------------------------------------------


@pytest.fixture(scope="module")
def odi() -> Document:
    return read_front_matter(ODI, "case_studies/odi-mexico.md")


def test_top_level_keys_have_their_own_lines(odi: Document) -> None:
    for key in ("title", "summary", "status", "organisation", "themes", "last_reviewed"):
        assert odi.lines.line((key,)) == line_starting(f"{key}:"), key


def test_nested_keys_and_list_items_have_their_own_lines(odi: Document) -> None:
    organisation = line_starting("organisation:")
    assert odi.lines.line(("organisation", "country")) == line_starting("  country:", organisation)
    themes = line_starting("themes:")
    assert odi.lines.line(("themes", 1)) == themes + 2  # one item per line under 'themes:'
    # Items of a flow list ([a, b]) are on the line of their key.
    assert odi.lines.line(("settings", 1)) == line_starting("settings:")
    sources = line_starting("sources:")
    third = line_starting("  - title: Legal case", sources)
    assert odi.lines.line(("sources", 2)) == third
    assert odi.lines.line(("sources", 2, "kind")) == line_starting("    kind: court-case", third)
    notes = line_starting("section_notes:")
    assert odi.lines.line(("section_notes", 0, "section")) == notes + 1
    outcomes = line_starting("outcomes:")
    second_chain = line_starting("    chain:", line_starting("    chain:", outcomes))
    assert odi.lines.line(("outcomes", 1, "chain", 2)) == second_chain


def test_absent_keys_fall_back_to_the_nearest_ancestor(odi: Document) -> None:
    assert odi.lines.line(("organisation", "website")) == line_starting("organisation:")
    assert odi.lines.line(("sources", 2, "url")) == odi.lines.line(("sources", 2))
    # Nothing at all: the front matter's first field, not the comment above it.
    assert odi.lines.line(("no_such_key",)) == line_starting("title:")  # the first field
    assert odi.lines.line(()) == line_starting("title:")
    assert LineMap(start=7).line(("a", 0, "b")) == 7


def test_body_starts_after_the_front_matter(odi: Document) -> None:
    closing = ODI_LINES.index("---", 1) + 1
    assert odi.body_line == closing + 1
    assert odi.body.split("\n") == ODI_LINES[closing:]
    assert odi.data["period"] == {"start": 2017, "end": 2024}
    assert odi.data["last_reviewed"] == dt.date(2026, 12, 2)
    assert odi.problems == []


# --- text -----------------------------------------------------------------------------


def test_byte_order_mark_and_line_endings_are_normalised(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"\xef\xbb\xbf---\r\ntitle: A\r\n---\rbody\r\n")
    assert read_text(path, "x.md") == "---\ntitle: A\n---\nbody\n"


def test_not_utf8_is_reported_on_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_bytes(b"---\r\ntitle: A\r\nsummary: caf\xe9\r\n---\r\n")
    with pytest.raises(LoadError) as caught:
        read_text(path, "x.md")
    assert (caught.value.problem.line, caught.value.problem.path) == (3, "x.md")
    assert "not valid UTF-8 (byte 0xe9)" in caught.value.problem.message


def test_unreadable_path_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        read_text(tmp_path / "missing.md", "missing.md")
    assert "cannot read the file" in caught.value.problem.message


# --- YAML -----------------------------------------------------------------------------


def problem_of(text: str, first_line: int = 1) -> tuple[int, str, str]:
    with pytest.raises(LoadError) as caught:
        parse_yaml(text, "f.yml", first_line)
    problem = caught.value.problem
    return problem.line, problem.field, problem.message


def test_syntax_errors_are_reported_on_file_lines() -> None:
    line, field, message = problem_of("a: 1\nb: c: d\n", first_line=10)
    assert (line, field) == (11, "")
    assert message.startswith("the YAML cannot be read (mapping values are not allowed")
    assert "wrapped in double quotes" in message


@pytest.mark.parametrize(
    "text, line",
    [
        ("a: 1\nb:\n\tc: 2\n", 3),  # a tab alone
        ("a:\n  b: 1\n\tc: 2\n", 3),  # a tab where spaces were expected
        ("a:\n  b: 1\n  \tc: 2\n", 3),  # spaces, then a tab
        ("- a\n-\tb\n", 2),  # a tab after a list dash
    ],
)
def test_tabs_get_their_own_message(text: str, line: int) -> None:
    assert problem_of(text) == (
        line,
        "",
        "a tab character is used for indentation; YAML needs spaces, so replace each tab "
        "with two spaces",
    )


def test_a_tab_inside_a_value_is_fine() -> None:
    assert parse_yaml("a:\tb\n", "f.yml")[0] == {"a": "b"}


@pytest.mark.parametrize(
    "text, line, field, quote",
    [
        ('title: "A title\nsummary: text\n', 1, "title", '"'),
        ("title: 'It''s a title\nsummary: text\n", 1, "title", "'"),
        ('a: 1\nitems:\n  - "one\n  - "two"\n  - "three"\n', 3, "", '"'),
        ('list:\n  - label: "x\n    kind: y\n', 2, "label", '"'),
        ('a: 1\nb: "never closed\n', 2, "b", '"'),
    ],
)
def test_unclosed_quote_is_reported_where_it_opens(
    text: str, line: int, field: str, quote: str
) -> None:
    assert problem_of(text) == (
        line,
        field,
        f"the value starts with {quote} but the closing {quote} is missing; "
        f"add {quote} at the end of the value",
    )


def test_quoted_value_over_several_lines_is_not_blamed_for_a_later_error() -> None:
    text = 'title: "A title\n  over two lines"\nsummary: x: y\n'
    line, field, message = problem_of(text)
    assert (line, field) == (3, "")
    assert "mapping values are not allowed" in message


def test_escaped_quotes_do_not_close_a_value() -> None:
    data, _ = parse_yaml("a: \"say \\\"hi\\\"\"\nb: 'it''s'\n", "f.yml")
    assert data == {"a": 'say "hi"', "b": "it's"}
    assert problem_of('a: "say \\"hi\\"\nb: 1\n')[:2] == (1, "a")


def test_duplicate_keys_raise_by_default() -> None:
    assert problem_of("a: 1\nb: 2\na: 3\n") == (
        3,
        "a",
        "'a' is written twice; keep one and delete the other",
    )


def test_duplicate_keys_can_be_collected_so_checking_goes_on() -> None:
    found: list[Problem] = []
    data, lines = parse_yaml("a: 1\nm:\n  x: 1\n  x: 2\na: 3\n", "f.yml", 5, found)
    assert data == {"a": 3, "m": {"x": 2}}  # the last value is kept
    assert [(p.line, p.field) for p in found] == [(8, "m.x"), (9, "a")]
    assert lines.line(("a",)) == 9


def test_recursive_alias_is_refused_without_recursing_forever() -> None:
    line, field, message = problem_of("a: 1\nb: &x [*x]\n")
    assert (line, field) == (2, "b.0")
    assert message == "a YAML alias ('*name') is not supported here; write the value out in full"


def test_alias_to_a_group_is_refused_but_an_unused_anchor_is_fine() -> None:
    assert problem_of("a: &x {k: 1}\nb: *x\n")[:2] == (2, "b")
    assert parse_yaml("a: &x {k: 1}\n", "f.yml")[0] == {"a": {"k": 1}}


@pytest.mark.parametrize(
    "written, read",
    [
        ("2026-02-30", "2026-02-30"),  # no such day: kept as text for the model to report
        ("2026-13-01", "2026-13-01"),
        ("!!int abc", "abc"),
        ("!!float x", "x"),
        ("2026-02-28", dt.date(2026, 2, 28)),
        ("2021", 2021),
    ],
)
def test_values_yaml_cannot_build_are_kept_as_text(written: str, read: object) -> None:
    assert parse_yaml(f"d: {written}\n", "f.yml")[0] == {"d": read}


def test_unknown_tags_are_reported_on_their_line() -> None:
    line, field, message = problem_of("a: 1\nb: !secret x\n", first_line=2)
    assert (line, field) == (3, "")
    assert "could not determine a constructor for the tag '!secret'" in message
    assert "<unicode string>" not in message  # no YAML-internal positions


def test_empty_yaml_is_none() -> None:
    assert parse_yaml("# only a comment\n", "f.yml")[0] is None


def test_read_yaml_file(tmp_path: Path) -> None:
    path = tmp_path / "v.yml"
    path.write_bytes(b"\xef\xbb\xbfid: x\r\nterms:\r\n  - id: a\r\n")
    document = read_yaml_file(path, "v.yml")
    assert document.data == {"id": "x", "terms": [{"id": "a"}]}
    assert document.lines.line(("terms", 0, "id")) == 3


# --- front matter ---------------------------------------------------------------------


def front_matter_problem(text: str, tmp_path: Path) -> tuple[int, str]:
    path = tmp_path / "case.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        read_front_matter(path, "case.md")
    return caught.value.problem.line, caught.value.problem.message


def test_front_matter_may_close_with_dots(tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text("---\ntitle: A\n...\n\n## Context\n", encoding="utf-8")
    document = read_front_matter(path, "case.md")
    assert document.data == {"title": "A"}
    assert document.body_line == 4


def test_empty_front_matter_is_an_empty_mapping(tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text("---\n---\nbody\n", encoding="utf-8")
    assert read_front_matter(path, "case.md").data == {}


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("", 1, "the file is empty"),
        ("title: A\n", 1, "the file has no front matter"),
        ("\n---\ntitle: A\n---\n", 1, "the file has no front matter"),
        ("---\ntitle: A\n", 1, "the front matter is never closed"),
        ("---\n- a\n---\n", 2, "but it is a list"),
        ("---\n42\n---\n", 2, "but it is a single value"),
        ("---\ntitle: A\n  b: c\n---\n", 3, "the YAML cannot be read"),
    ],
)
def test_front_matter_problems(text: str, line: int, fragment: str, tmp_path: Path) -> None:
    found_line, message = front_matter_problem(text, tmp_path)
    assert found_line == line
    assert fragment in message


def test_duplicate_keys_in_front_matter_do_not_stop_checking(tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_text("---\ntitle: A\ntitle: B\nstatus: x\n---\n", encoding="utf-8")
    document = read_front_matter(path, "case.md")
    assert document.data == {"title": "B", "status": "x"}
    assert [(p.line, p.field) for p in document.problems] == [(3, "title")]


# --- the model ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, end, shown",
    [(2017, 2024, "2017–2024"), (2017, None, "2017–present"), (2021, 2021, "2021")],
)
def test_period_is_shown_as_a_range(start: int, end: int | None, shown: str) -> None:
    assert str(Period(start=start, end=end)) == shown


def test_period_end_before_start_is_reported_on_end() -> None:
    with pytest.raises(ValidationError) as caught:
        Period.model_validate({"start": 2020, "end": 2019})
    (error,) = caught.value.errors()
    assert error["loc"] == ("end",)
    assert "the end year 2019 is before the start year 2020; swap them" in error["msg"]


def test_period_with_a_bad_start_reports_only_the_start() -> None:
    with pytest.raises(ValidationError) as caught:
        Period.model_validate({"start": "soon", "end": 2019})
    assert [e["loc"] for e in caught.value.errors()] == [("start",)]


def organisation(**changes: object) -> Organisation:
    fields: dict[str, object] = {
        "name": "Oficina de Defensoría de los Derechos de la Infancia",
        "short_name": "ODI",
        "country": "mx",
        "kind": "legal-organisation",
    }
    fields.update(changes)
    return Organisation.model_validate(fields)


def test_organisation_display_name() -> None:
    assert (
        organisation().display_name == "Oficina de Defensoría de los Derechos de la Infancia (ODI)"
    )
    assert organisation(short_name=None).display_name == (
        "Oficina de Defensoría de los Derechos de la Infancia"
    )


def test_codes_are_normalised() -> None:
    assert organisation().country == "MX"
    meta = CaseFrontMatter.model_validate(
        {**read_front_matter(ODI, "odi").data, "language": "EN", "translations": ["ES"]}
    )
    assert (meta.language, meta.translations) == ("en", ["es"])


def test_source_date_is_kept_as_written() -> None:
    source = Source.model_validate(
        {"title": "T", "kind": "report", "citation": "C", "date": dt.date(2021, 5, 31)}
    )
    assert source.date == "2021-05-31"
    assert (
        Source.model_validate(
            {"title": "T", "kind": "report", "url": "https://x.org/", "date": 2021}
        ).date
        == "2021"
    )


# --- vocabularies ---------------------------------------------------------------------


def vocabulary() -> Vocabulary:
    terms = [
        Term(id="news", label="News article", aliases=["article", "press"]),
        Term(id="research", label="Research", aliases=["paper", "study"]),
        Term(id="sexual-abuse", label="Sexual abuse"),
        Term(id="sexual-exploitation", label="Sexual exploitation"),
    ]
    return Vocabulary.from_terms("kinds", "Kind", "kind", terms)


@pytest.mark.parametrize(
    "value, meant",
    [
        ("news", "news"),
        ("Press", "news"),  # an alias, any case
        ("News Article", "news"),  # the label
        ("newspaper", "news"),  # extends a term: not 'research' through the alias 'paper'
        ("reserch", "research"),  # a misspelling
        ("sexual-abuze", "sexual-abuse"),
        ("cooking", None),
    ],
)
def test_vocabulary_suggestions(value: str, meant: str | None) -> None:
    assert vocabulary().suggest(value) == meant


def test_ambiguous_prefix_falls_back_to_the_closest_spelling() -> None:
    # 'sexual' begins both sexual-abuse and sexual-exploitation: the closer spelling wins,
    # whatever the order of the terms in the file.
    terms = list(vocabulary().terms.values())
    for order in (terms, terms[::-1]):
        assert Vocabulary.from_terms("k", "Kind", "k", order).suggest("sexual") == "sexual-abuse"


def test_project_vocabularies_load_cleanly() -> None:
    vocabularies, problems = load_vocabularies(REPO / "vocabularies", REPO)
    assert problems == []
    assert "schools" in vocabularies["settings"]
    assert [v.field for v in vocabularies.controlling()][:3] == [
        "settings",
        "forms_of_violence",
        "themes",
    ]


def test_bad_vocabulary_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "settings.yml").write_text("- schools\n", encoding="utf-8")
    (tmp_path / "themes.yml").write_text(
        "id: themes\nlabel: Theme\nterms:\n  - id: Bad Id\n    label: x\n", encoding="utf-8"
    )
    _, problems = load_vocabularies(tmp_path, tmp_path)
    shown = sorted((p.path, p.line, p.field) for p in problems)
    assert shown == [("settings.yml", 1, ""), ("themes.yml", 4, "terms.0.id")]
    by_path = {p.path: p.message for p in problems}
    assert (
        by_path["settings.yml"]
        == "the file must be 'field: value' lines, one per line, but it is a list"
    )
    assert (
        "'Bad Id' is not a valid id; use lowercase letters, digits and hyphens, e.g. 'bad-id'"
        in by_path["themes.yml"]
    )


# Documents for both routes of parse_yaml: the quick one-walk builder and PyYAML's constructor.
BOTH_ROUTES = [
    "a: 1\nb: [x, 2.5, .inf, 0x1f, 017, 1_000, 1:30, true, No, ~, '', null]\n",
    "a: 1\nm:\n  x: 1\n  x: 2\na: 3\n",
    "1: a\n'1': b\nyes: c\n2026-01-05: d\n",
    "d: 2026-13-45\ne: !!int abc\nf: !!str 12\ng: !!timestamp 2001-12-14t21:59:43.10-05:00\n",
    "a: &x foo\nb: *x\n",
    "a: &x {k: 1}\nb: *x\n",
    "a: &a [*a]\n",
    "<<: {a: 1}\nb: 2\n",
    "a: &m {b: 1}\nc:\n  <<: *m\n",
    "? [a, b]\n: 1\n",
    "x: !!set {a, b}\n",
    "x: !!omap [a: 1]\n",
    "x: !!binary aGVsbG8=\n",
    "x: !secret y\nx: 2\n",
    "- a\n- b: c\n  b: [e]\n",
    "just text\n",
]


@pytest.mark.parametrize("text", BOTH_ROUTES)
@pytest.mark.parametrize("collect", [True, False])
def test_the_quick_route_reads_yaml_as_pyyaml_does(
    text: str, collect: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casebook.sources import loader

    def read() -> object:
        found: list[Problem] | None = [] if collect else None
        try:
            data, lines = parse_yaml(text, "f.yml", 3, found)
        except LoadError as exc:
            return exc.problem
        return repr(data), lines.lines, lines.start, found

    quick = read()

    def unusual(*args: object) -> None:
        raise loader._Unusual

    monkeypatch.setattr(loader._Builder, "build", unusual)
    assert quick == read()


def test_a_yaml_file_read_twice_is_parsed_once_and_each_reader_gets_its_own_copy(
    tmp_path: Path,
) -> None:
    from casebook.sources import loader

    path = tmp_path / "data.yml"
    path.write_text("services:\n  - name: A\n    phone: '116'\n", encoding="utf-8")
    loader._parsed.cache_clear()
    first = loader.read_yaml_file(path, "data.yml")
    first.data["services"][0]["phone"] = "changed"
    first.lines.lines.clear()
    second = loader.read_yaml_file(path, "data.yml")
    assert second.data == {"services": [{"name": "A", "phone": "116"}]}
    assert second.lines.line(("services", 0, "phone")) == 3
    assert loader._parsed.cache_info().hits == 1
    path.write_text("services: []\n", encoding="utf-8")
    assert loader.read_yaml_file(path, "data.yml").data == {"services": []}
