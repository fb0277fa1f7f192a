"""Translations of cases: each one checked against its original, then linked to it.

A translation sits beside its original as `<case-id>.<language>.md`. It keeps every fact of
the original and translates only the text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from casebook.sources.loader import Document, read_front_matter
from casebook.sources.model import Case, CaseFrontMatter
from casebook.sources.problems import Problem, Severity
from casebook.sources.project import Project

# What a translation must keep from its original: every fact, in the same order.
_FACT_FIELDS = [
    "countries", "period", "settings", "forms_of_violence", "themes", "knowledge_type",
    "practice_sources", "audiences", "inspire", "reach",
]  # fmt: skip


def _facts(meta: CaseFrontMatter) -> dict[tuple[str | int, ...], Any]:
    facts: dict[tuple[str | int, ...], Any] = {(f,): getattr(meta, f) for f in _FACT_FIELDS}
    facts[("organisation", "country")] = meta.organisation.country
    facts[("organisation", "kind")] = meta.organisation.kind
    facts[("organisation", "website")] = meta.organisation.website
    facts[("milestones",)] = [(m.id, m.kind, m.year) for m in meta.milestones]
    facts[("outcomes",)] = [(o.chain, o.evidence) for o in meta.outcomes]
    facts[("evidence_timeline",)] = [p.year for p in meta.evidence_timeline]
    facts[("sources",)] = [(s.kind, s.date, s.url) for s in meta.sources]
    facts[("section_notes",)] = [n.section for n in meta.section_notes]
    return facts


def check_translation(
    case: Case,
    original: Case | None,
    path: Path,
    project: Project,
    language: str,
    document: Document | None = None,
) -> Iterator[Problem]:
    """A translation names its original, is in its file's language, and keeps every fact.

    `document` is the translation's file as the case check read it (read again without it).
    The check changes nothing: `link_translations` links a translation to its original.
    """
    if document is None:
        document = read_front_matter(path, case.path)
    meta = case.meta
    if original is None:
        if (project.cases_dir / f"{case.id}.md").is_file():
            return  # the original's own problems are reported; this one waits for them
        yield Problem(
            case.path,
            1,
            "",
            f"there is no published or valid original case_studies/{case.id}.md for this translation; "
            "check the file name or fix the original first",
        )
        return
    if meta.translation_of != case.id:
        yield Problem(
            case.path,
            document.lines.line(("translation_of",)),
            "translation_of",
            f"a translation must say which case it translates; write 'translation_of: {case.id}'",
        )
    if meta.language != language:
        yield Problem(
            case.path,
            document.lines.line(("language",)),
            "language",
            f"the file name says '{language}' but the case says '{meta.language}'; write 'language: {language}'",
        )
    if meta.translated_version is None:
        yield Problem(
            case.path,
            document.lines.line(("translation_of",)),
            "translated_version",
            "a translation must say which version of the original it translates; write "
            f"'translated_version: {original.meta.last_reviewed.isoformat()}' (the original's last_reviewed)",
        )
    mine, theirs = _facts(meta), _facts(original.meta)
    for loc, value in theirs.items():
        if mine[loc] != value:
            field = ".".join(map(str, loc))
            yield Problem(
                case.path,
                document.lines.line(loc),
                field,
                f"differs from the original in case_studies/{case.id}.md; a translation keeps the "
                f"original's facts and translates only the text, so copy '{field}' from the original",
            )
    if replace(case, original=original).outdated:  # as it will be once linked
        yield Problem(
            case.path,
            document.lines.line(("translated_version",)),
            "translated_version",
            f"this translation is of the version reviewed on {meta.translated_version}, but the "
            f"original was revised on {original.meta.last_reviewed}; update the translation, then "
            "its translated_version",
            Severity.WARNING,
        )


def link_translations(
    translations: Mapping[str, Mapping[str, Case]], originals: Mapping[str, Case]
) -> None:
    """Point each translation (language -> case id -> case) at its original, where it has one.

    A translation whose original did not pass the check is left unlinked.
    """
    for by_id in translations.values():
        for case_id, case in by_id.items():
            original = originals.get(case_id)
            if original is not None:
                case.original = original
