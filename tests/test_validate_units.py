"""Unit tests for the parts of `casebook check` that stand on their own.

Reading a YAML file into a model, linking translations, the body's sections and the text
every scan looks at: each is tested here without checking a whole project.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, Field

from casebook.check.bodyrules import parse_body, prose_lines, section_heading, slug
from casebook.check.casefile import case_id_of
from casebook.check.translations import check_translation, link_translations
from casebook.sources.loader import Document, LineMap, read_front_matter, strings_in
from casebook.sources.model import Case, CaseFrontMatter
from casebook.sources.privacy import load_identifying_patterns
from casebook.sources.problems import Problem, Severity
from casebook.sources.project import Project
from casebook.sources.vocabularies import Term, Vocabulary, load_vocabularies
from casebook.sources.yamlmodel import read_model
from sitebuild import REPO

# The read_model helper ---------------------------------------------------------------------


class Team(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    members: list[str] = Field(min_length=1)


def read_team(tmp_path: Path, text: str) -> tuple[Team | None, list[Problem]]:
    path = tmp_path / "team.yml"
    path.write_text(text, encoding="utf-8")
    loaded, problems = read_model(path, "data/team.yml", Team)
    return (loaded.value if loaded else None), problems


def test_a_good_file_gives_its_value_and_the_lines_of_its_keys(tmp_path: Path) -> None:
    path = tmp_path / "team.yml"
    path.write_text("name: Safeguarding\nmembers:\n  - Ana\n  - Ben\n", encoding="utf-8")
    loaded, problems = read_model(path, "data/team.yml", Team)
    assert problems == []
    assert loaded is not None
    assert loaded.value == Team(name="Safeguarding", members=["Ana", "Ben"])
    assert loaded.document.name == "data/team.yml"
    assert loaded.document.lines.line(("members", 1)) == 4


def test_a_yaml_syntax_error_is_the_one_problem(tmp_path: Path) -> None:
    assert read_team(tmp_path, 'name: "Safeguarding\nmembers:\n  - Ana\n') == (
        None,
        [
            Problem(
                "data/team.yml",
                1,
                "name",
                'the value starts with " but the closing " is missing; add " at the end of the value',
            )
        ],
    )
    assert read_team(tmp_path, "name: Safeguarding\nmembers:\n\t- Ana\n") == (
        None,
        [
            Problem(
                "data/team.yml",
                3,
                "",
                "a tab character is used for indentation; YAML needs spaces, so replace each "
                "tab with two spaces",
            )
        ],
    )


def test_a_file_that_cannot_be_read_is_a_problem(tmp_path: Path) -> None:
    loaded, problems = read_model(tmp_path / "gone.yml", "data/gone.yml", Team)
    assert loaded is None
    assert problems == [
        Problem("data/gone.yml", 1, "", "cannot read the file: No such file or directory")
    ]


def test_each_schema_error_is_a_problem_on_its_line(tmp_path: Path) -> None:
    assert read_team(tmp_path, "name: ''\nmembers: Ana\nlead: Ben\n") == (
        None,
        [
            Problem("data/team.yml", 1, "name", "is empty; write some text or delete the line"),
            Problem(
                "data/team.yml",
                2,
                "members",
                "expected a list, got 'Ana'; write [a, b] or one item per line starting with '- '",
            ),
            Problem(
                "data/team.yml",
                3,
                "lead",
                "unknown field 'lead'; the fields allowed here are: name, members",
            ),
        ],
    )


def test_a_loader_reports_the_helpers_problems_and_keeps_going(tmp_path: Path) -> None:
    folder = tmp_path / "vocabularies"
    folder.mkdir()
    (folder / "a.yml").write_text("id: a\nlabel: A\nterms:\n  - id: x\n    label: X\n")
    (folder / "b.yml").write_text("id: b\nlabel: B\nterms: []\n")
    vocabularies, problems = load_vocabularies(folder, tmp_path)
    assert list(vocabularies.by_id) == ["a"]
    assert [(p.path, p.line, p.field) for p in problems] == [("vocabularies/b.yml", 3, "terms")]


def test_a_pattern_that_does_not_compile_is_reported_against_its_regex(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "identifying_patterns.yml").write_text(
        "patterns:\n  - name: a school\n    regex: '(school'\n    advice: name no school\n"
    )
    details, problems = load_identifying_patterns(tmp_path)
    assert details.patterns == []
    assert [(p.path, p.line, p.field) for p in problems] == [
        ("data/identifying_patterns.yml", 3, "patterns.0.regex")
    ]
    assert "the regex does not compile" in problems[0].message


# Translations ------------------------------------------------------------------------------


def case_from(path: Path, case_id: str, **changes: object) -> Case:
    document = read_front_matter(path, f"case_studies/{path.name}")
    meta = CaseFrontMatter.model_validate(document.data).model_copy(update=changes)
    return Case(case_id, document.name, meta, "", [])


@pytest.fixture
def original() -> Case:
    return case_from(REPO / "case_studies" / "odi-mexico.md", "odi-mexico")


def test_linking_points_each_translation_at_its_original(original: Case) -> None:
    spanish = case_from(REPO / "case_studies" / "odi-mexico.es.md", "odi-mexico")
    orphan = case_from(REPO / "case_studies" / "odi-mexico.fr.md", "elsewhere")
    link_translations(
        {"es": {"odi-mexico": spanish}, "fr": {"elsewhere": orphan}}, {"odi-mexico": original}
    )
    assert spanish.original is original
    assert orphan.original is None


def test_a_translation_is_outdated_only_once_linked(original: Case) -> None:
    older = original.meta.last_reviewed - dt.timedelta(days=1)
    spanish = case_from(
        REPO / "case_studies" / "odi-mexico.es.md", "odi-mexico", translated_version=older
    )
    assert not spanish.outdated
    link_translations({"es": {"odi-mexico": spanish}}, {"odi-mexico": original})
    assert spanish.outdated


def test_the_translation_check_warns_of_an_outdated_translation_without_linking_it(
    original: Case,
) -> None:
    path = REPO / "case_studies" / "odi-mexico.es.md"
    spanish = case_from(path, "odi-mexico", translated_version=dt.date(2020, 1, 1))
    found = list(check_translation(spanish, original, path, Project(REPO), "es"))
    assert [(p.field, p.severity) for p in found] == [("translated_version", Severity.WARNING)]
    assert found[0].message.startswith(
        "this translation is of the version reviewed on 2020-01-01, but the original was "
        f"revised on {original.meta.last_reviewed}"
    )
    assert spanish.original is None


def test_a_translation_without_an_original_file_is_an_error(tmp_path: Path) -> None:
    path = REPO / "case_studies" / "odi-mexico.es.md"
    spanish = case_from(path, "odi-mexico")
    found = list(check_translation(spanish, None, path, Project(tmp_path), "es"))
    assert [p.message for p in found] == [
        "there is no published or valid original case_studies/odi-mexico.md for this "
        "translation; check the file name or fix the original first"
    ]


# The body ----------------------------------------------------------------------------------

BODY = """Intro line.

## Context
Some text.

```md
## Not a heading in code
```

## Contexto {#context}
Again.

## Extra Bit
More.
# Title
"""

SECTIONS = Vocabulary.from_terms(
    "sections",
    "Section",
    None,
    [
        Term(id="context", label="Context", required=True),
        Term(
            id="what-happened", label="What happened", description="What was seen.", required=True
        ),
    ],
)


def body(text: str, first_line: int = 10) -> Document:
    return Document(Path("c.md"), "c.md", {}, LineMap(), text, first_line)


def test_prose_lines_leave_out_fenced_code_and_keep_file_lines() -> None:
    lines = dict(prose_lines(body(BODY)))
    assert lines[10] == "Intro line."
    assert 16 not in lines  # '## Not a heading in code', inside the fence
    assert lines[19] == "## Contexto {#context}"


def test_the_body_splits_into_intro_and_sections_with_their_problems() -> None:
    intro, sections, problems = parse_body(body(BODY), SECTIONS)
    assert intro == "Intro line."
    assert [(s.id, s.heading, s.line) for s in sections] == [
        ("context", "Context", 12),
        ("context", "Contexto", 19),
        ("extra-bit", "Extra Bit", 22),
    ]
    assert "## Not a heading in code" in sections[0].markdown
    assert [(p.line, p.severity, p.message) for p in problems] == [
        (
            24,
            Severity.ERROR,
            "a level-1 heading ('# ') is not allowed; the page title comes from 'title:', so "
            "start sections with '## '",
        ),
        (
            10,
            Severity.ERROR,
            "the required section 'What happened' is missing; add a line '## What happened' "
            "and write what was seen.",
        ),
        (
            22,
            Severity.WARNING,
            "'Extra Bit' is not a standard section; it will be shown where it stands. "
            "Standard sections: Context, What happened",
        ),
        (19, Severity.ERROR, "the section 'Contexto' appears twice; merge the two"),
    ]


def test_a_heading_is_read_without_its_attribute_list() -> None:
    assert section_heading("## Contexto {#context}") == "Contexto"
    assert section_heading("### Smaller") is None
    assert section_heading("plain text") is None
    assert slug("What we Learned!") == "what-we-learned"


# The texts every scan looks at -------------------------------------------------------------


def test_strings_are_found_with_their_locations_in_document_order() -> None:
    data = {"a": "x", "b": [1, "y", {"c": "z"}], 7: "n", "d": None}
    assert strings_in(data) == [
        (("a",), "x"),
        (("b", 1), "y"),
        (("b", 2, "c"), "z"),
        (("7",), "n"),
    ]


def test_a_case_id_is_its_file_name_with_any_language() -> None:
    assert case_id_of(Path("case_studies/odi-mexico.md")) == "odi-mexico"
    assert case_id_of(Path("case_studies/odi-mexico.es.md")) == "odi-mexico.es"
