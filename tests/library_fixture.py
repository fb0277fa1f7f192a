"""A small, varied library for the finder's tests: the real project's ODI case plus four.

The new cases reuse the ODI case's body and questions and change the front matter that the
finder filters by. One of them is a draft, which must appear nowhere. The real library's
other cases are left out, so that the counts these tests know stay what they are; the
real library is tested as it is in test_library.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from casebook.cli import main
from sitebuild import built_once, copy_project

# Front-matter changes per new case, on top of case_studies/odi-mexico.md.
FIXTURE_CASES: dict[str, dict[str, Any]] = {
    "mx-residential-care": {
        "title": "Court monitoring of residential care homes in Mexico",
        "summary": "A legal clinic used court orders to open children's homes to independent visits.",
        "organisation": {
            "name": "Clínica Jurídica Infantil",
            "short_name": "CJI",
            "country": "MX",
            "kind": "legal-organisation",
        },
        "countries": ["MX"],
        "period": {"start": 2010, "end": 2014},
        "settings": ["residential-care", "justice-system"],
        "forms_of_violence": ["physical-violence", "neglect"],
        "themes": ["strategic-litigation", "institutional-accountability"],
        "knowledge_type": "practice-based",
        "practice_sources": ["court-experience", "case-files"],
        "audiences": ["lawyers-advocates-policy"],
    },
    "uk-online-safety": {
        "title": "Teaching online safety in schools in the United Kingdom",
        "summary": "Teachers and a charity turned what pupils reported into lessons about grooming online.",
        "organisation": {"name": "Safer Screens Trust", "country": "GB", "kind": "ngo"},
        "countries": ["GB"],
        "period": {"start": 2019, "end": None},
        "settings": ["online", "schools"],
        "forms_of_violence": ["sexual-exploitation", "abuse-material"],
        "themes": ["prevention-education", "reporting-and-disclosure"],
        "knowledge_type": "research",
        "practice_sources": ["practitioner-observation", "monitoring-data"],
        "audiences": ["practitioners", "overall"],
    },
    "east-africa-community": {
        "title": "Community reporting networks in Kenya and Uganda",
        "summary": "Village volunteers built safe routes for children and families to raise concerns.",
        "organisation": {
            "name": "Watoto Salama Network",
            "country": "KE",
            "kind": "community-group",
        },
        "countries": ["KE", "UG"],
        "period": {"start": 2015, "end": 2020},
        "settings": ["community", "family-and-home"],
        "forms_of_violence": ["emotional-violence", "physical-violence"],
        "themes": ["reporting-and-disclosure", "advocacy-and-policy-reform"],
        "knowledge_type": "lived-experience",
        "practice_sources": ["childrens-testimony", "family-reports"],
        "audiences": ["practitioners", "overall"],
    },
    "fr-draft": {
        "title": "An unpublished draft about sports clubs in France",
        "summary": "Still being written.",
        "status": "draft",
        "organisation": {"name": "Brouillon", "country": "FR", "kind": "ngo"},
        "countries": ["FR"],
        "settings": ["community"],
    },
}
DRAFTS = [k for k, v in FIXTURE_CASES.items() if v.get("status") == "draft"]


def _split(text: str) -> tuple[dict[str, Any], str]:
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def published_in(folder: Path) -> list[str]:
    """The ids of the published original cases (not translations) in a case folder."""
    ids = []
    for path in sorted(folder.glob("*.md")):
        if "." in path.stem:
            continue
        front, _ = _split(path.read_text(encoding="utf-8"))
        if front.get("status") == "published":
            ids.append(path.stem)
    return ids


PUBLISHED = ["odi-mexico", *(k for k, v in FIXTURE_CASES.items() if v.get("status") != "draft")]


def make_project(root: Path) -> Path:
    """Copy the real project into `root` and add the fixture cases and their questions."""
    copy_project(root)
    for path in (root / "case_studies").glob("*.md"):
        if path.name.split(".")[0] != "odi-mexico":
            path.unlink()
            (root / "reflective_questions" / "cases" / f"{path.stem}.yml").unlink(missing_ok=True)
    front, body = _split((root / "case_studies" / "odi-mexico.md").read_text(encoding="utf-8"))
    questions = yaml.safe_load(
        (root / "reflective_questions" / "cases" / "odi-mexico.yml").read_text(encoding="utf-8")
    )
    for case_id, changes in FIXTURE_CASES.items():
        meta = {**front, **changes}
        dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
        (root / "case_studies" / f"{case_id}.md").write_text(
            f"---\n{dumped}---\n{body}", encoding="utf-8"
        )
        own = {audience: questions[audience] for audience in meta["audiences"]}
        (root / "reflective_questions" / "cases" / f"{case_id}.yml").write_text(
            yaml.safe_dump(own, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return root


def build_project(root: Path) -> Path:
    """Make and build the fixture project; returns its site folder."""
    make_project(root)
    assert main(["--project", str(root), "build", "--no-pdf", "--quiet"]) == 0
    return root / "site"


def built_project(factory: pytest.TempPathFactory) -> Path:
    """The fixture project, built once per test run (shared by the xdist workers)."""
    return built_once(factory, "library", build_project)
