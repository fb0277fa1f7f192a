"""A new case lists the allowed ids of reach, inspire and an outcome's evidence, and the
check turns a label written for an id into the id (issue #33, item 16: an editor wrote
"one-country" from the label "One country")."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from casebook.check.validate import check_project
from casebook.commands.scaffold import new_case
from casebook.sources.project import Project

REPO = Path(__file__).resolve().parents[1]


def vocabulary(name: str) -> dict[str, str]:
    """id -> label, read from the vocabulary's YAML file itself."""
    data = yaml.safe_load((REPO / "vocabularies" / f"{name}.yml").read_text(encoding="utf-8"))
    return {term["id"]: term["label"] for term in data["terms"]}


def comments_above(lines: list[str], field: str) -> str:
    """The comment lines just above the (commented-out) `field:` line."""
    at = next(i for i, line in enumerate(lines) if line.lstrip("# ").startswith(f"{field}:"))
    above = []
    for line in reversed(lines[:at]):
        if not line.lstrip().startswith("#") or line.lstrip("# ").split(":")[0] in (
            "chain",
            "text",
            "- text",
        ):
            break
        above.append(line)
    return "\n".join(reversed(above))


@pytest.mark.parametrize(
    ("field", "name"),
    [("reach", "reach"), ("inspire", "inspire"), ("evidence", "outcome_evidence")],
)
def test_the_new_case_lists_every_allowed_id_beside_the_field(
    project_copy: Path, field: str, name: str
) -> None:
    made = new_case(Project(project_copy), "new-case", "A new case", ["KE"])
    lines = made.case.read_text(encoding="utf-8").splitlines()
    comment = comments_above(lines, field)
    terms = vocabulary(name)
    assert terms
    for term_id, label in terms.items():
        assert f"{term_id} ({label})" in comment, (field, term_id)
    assert "write the id" in comment or "write ids" in comment


@pytest.mark.parametrize(
    ("written", "field", "said"),
    [
        (
            "reach: One country",
            "reach",
            "'One country' is the label readers see for the reach "
            "'national'; write its id: national",
        ),
        (
            "reach: one-country",
            "reach",
            "'one-country' is the label readers see for the reach "
            "'national'; write its id: national",
        ),
    ],
)
def test_a_label_written_for_an_id_gets_the_id(
    project_copy: Path, written: str, field: str, said: str
) -> None:
    case = project_copy / "case_studies" / "odi-mexico.md"
    text = case.read_text(encoding="utf-8")
    assert "reach: national\n" in text
    case.write_text(text.replace("reach: national\n", written + "\n"), encoding="utf-8")
    line = text.splitlines().index("reach: national") + 1
    result = check_project(Project(project_copy), [case])
    [problem] = [p for p in result.errors if p.field == field]
    assert problem.line == line
    assert said in problem.message


def test_a_label_for_an_outcomes_evidence_gets_the_id(project_copy: Path) -> None:
    case = project_copy / "case_studies" / "odi-mexico.md"
    text = case.read_text(encoding="utf-8")
    evidence = next(line for line in text.splitlines() if line.strip().startswith("evidence:"))
    label = vocabulary("outcome_evidence")["external-evaluation"]
    text = text.replace(evidence, evidence.split("evidence:")[0] + f'evidence: "{label}"', 1)
    case.write_text(text, encoding="utf-8")
    result = check_project(Project(project_copy), [case])
    messages = [p.message for p in result.errors if p.field.endswith(".evidence")]
    assert any("write its id: external-evaluation" in m for m in messages), messages
