"""`casebook check`: every problem in every source file, found in one run.

The flow is: load vocabularies and audiences, then each case file (front matter against
the model and the vocabularies, body against the section rules and the content rules),
then each case's questions. Only cases with no errors become `Case` objects.
"""

from __future__ import annotations

import gc
import os
import pickle
import re
from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from casebook.checkcache import CheckCache, Entry, Links, dumps
from casebook.i18n import Languages, english_only, load_languages
from casebook.loader import Document, LoadError, read_front_matter
from casebook.messages import described, explain, indentation_slip
from casebook.model import Case, CaseFrontMatter, Section
from casebook.privacy import PLACEHOLDER, IdentifyingDetails, load_identifying_patterns
from casebook.problems import Problem, Severity, display_path, sort_problems
from casebook.project import Project
from casebook.questions import (
    Question,
    QuestionBank,
    check_case_questions,
    load_questions,
    split_language,
)
from casebook.support import SupportDirectory, load_support
from casebook.vocabularies import SLUG_PATTERN, Vocabularies, Vocabulary, load_vocabularies


@dataclass
class Library:
    """Everything the renderer needs, all of it already validated."""

    cases: list[Case]
    vocabularies: Vocabularies
    questions: QuestionBank
    support: SupportDirectory = field(default_factory=SupportDirectory)
    # language -> case id -> translated case (published or not)
    translations: dict[str, dict[str, Case]] = field(default_factory=dict)
    languages: Languages = field(default_factory=english_only)

    @property
    def published(self) -> list[Case]:
        return [case for case in self.cases if case.published]


@dataclass
class CheckResult:
    library: Library
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    from_cache: int = 0  # case files whose results were read from the cache

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]


def check_project(
    project: Project, paths: list[Path] | None = None, cache: bool = True
) -> CheckResult:
    """Check the whole project, or only the case files (and their questions) in `paths`.

    With `cache`, each case file's results are kept in, and read back from, the check cache
    (see casebook.checkcache); the problems found are the same either way.
    """
    # The check makes hundreds of thousands of small objects that live until it ends (data,
    # line maps, models) and next to no reference cycles. The cyclic collector would scan
    # them again and again as they pile up (a tenth of the time at 1,000 cases), so it waits.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check_project(project, paths, CheckCache(project, cache))
    finally:
        if collecting:
            gc.enable()


def _check_project(project: Project, paths: list[Path] | None, cache: CheckCache) -> CheckResult:
    problems: list[Problem] = []
    pages = _page_names(project)
    cache.prepare(pages)  # before anything it hashes is read
    vocabularies, found = load_vocabularies(project.vocabularies_dir, project.root)
    problems += found
    bank, found = load_questions(project.questions_dir, project.root)
    problems += found
    vocabularies.add(bank.vocabulary())
    support, found = load_support(project.root)
    problems += found
    details, found = load_identifying_patterns(project.root)
    problems += found
    languages, found = load_languages(project.root)
    problems += found

    all_paths = project.case_files()
    translation_paths = [p for p in all_paths if split_language(_case_id(p))[1]]
    originals_paths = [p for p in all_paths if not split_language(_case_id(p))[1]]
    chosen = _select(originals_paths, paths, project)
    selected = [p for p in chosen if not split_language(_case_id(p))[1]]
    wanted = {p.resolve() for p in chosen} if paths else set()  # only to pick translations
    all_ids = {_case_id(p) for p in originals_paths}
    cases: list[Case] = []
    shared = (project, vocabularies, bank, all_ids, pages, details, support, cache)
    for checked_file in _check_all(selected, shared):
        problems += checked_file.problems
        if checked_file.case is not None:
            cases.append(checked_file.case)
    originals = {case.id: case for case in cases}
    translations: dict[str, dict[str, Case]] = {}
    checked_translations = 0
    for path in translation_paths:
        base, language = split_language(_case_id(path))
        if paths and not wanted & {path.resolve(), (project.cases_dir / f"{base}.md").resolve()}:
            continue
        checked_translations += 1
        if base not in all_ids:
            problems.append(
                Problem(
                    display_path(path, project.root),
                    1,
                    "",
                    f"there is no published or valid original case_studies/{base}.md for this "
                    "translation; check the file name or fix the original first",
                )
            )
            continue
        assert language is not None
        # The translation's own questions file, or else the original's, is checked with it.
        key = cache.key(path, [f"{base}.yml", f"{base}.{language}.yml"])
        entry = cache.load(path, key, all_ids)
        if entry is None:
            read: dict[Path, Document] = {}
            links = Links(all_ids)
            case, found = check_case_file(
                path,
                project,
                vocabularies,
                bank,
                links,
                pages,
                details,
                translation=(base, language),
                read=read,
            )
            entry = Entry(case, found, links.asked, read.get(path))
            if key is not None:  # stored now: the translation check sets the case's original
                cache.store(path, key, dumps(entry))
        problems += entry.problems
        case = entry.case
        if case is None:
            continue
        found = list(
            check_translation(case, originals.get(base), path, project, language, entry.document)
        )
        problems += found
        if any(p.is_error for p in found):
            continue
        translations.setdefault(language, {})[base] = case
    checked = len(selected) + checked_translations
    if paths is None:
        for case_id, document in bank.case_files.items():
            if case_id not in all_ids:
                problems.append(
                    Problem(
                        document.name,
                        1,
                        "",
                        f"there is no case '{case_id}' in case_studies/; rename this file to "
                        "match a case's file name, or delete it",
                    )
                )
        cache.prune(all_paths)
    cache.save()
    result = CheckResult(
        Library(cases, vocabularies, bank, support, translations, languages),
        sort_problems(problems),
        checked,
        cache.hits,
    )
    return result


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 64
_SHARED: tuple[Any, ...] = ()


def _entry(path: Path) -> Entry:
    project, vocabularies, bank, ids, pages, details, support, _ = _SHARED
    links = Links(ids)
    case, found = check_case_file(
        path, project, vocabularies, bank, links, pages, details, support=support
    )
    return Entry(case, found, links.asked)


def _check_one(job: tuple[Path, str | None]) -> Entry:
    """Check one case file, and keep what it found in the cache."""
    path, key = job
    entry = _entry(path)
    if key is not None:
        _SHARED[-1].store(path, key, dumps(entry))
    return entry


def _check_pickled(path: Path) -> bytes:
    """`_check_one` in a worker: the entry goes back pickled as it is stored (pickled once)."""
    return dumps(_entry(path))


def _check_all(paths: list[Path], shared: tuple[Any, ...]) -> list[Entry]:
    """Check case files not in the cache, on every idle core when there are many (workers
    inherit `shared`); entries come back in the order of `paths`."""
    global _SHARED
    _SHARED = shared
    ids, cache = shared[3], shared[-1]
    entries: list[Entry | None] = []
    jobs: list[tuple[Path, str | None]] = []
    for path in paths:
        key = cache.key(path, [f"{_case_id(path)}.yml"])
        entry = cache.load(path, key, ids)
        entries.append(entry)
        if entry is None:
            jobs.append((path, key))
    checked = iter(_run(jobs))
    return [entry if entry is not None else next(checked) for entry in entries]


def _run(jobs: list[tuple[Path, str | None]]) -> list[Entry]:
    workers = _idle_cores()
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [_check_one(job) for job in jobs]
    # Imported here: a fortieth of a second that a check in one process does not need.
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in mp.get_all_start_methods():
        return [_check_one(job) for job in jobs]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        chunks = max(1, len(jobs) // (workers * 4))
        payloads = pool.map(_check_pickled, [path for path, _ in jobs], chunksize=chunks)
        entries = []
        for (path, key), payload in zip(jobs, payloads, strict=True):
            _SHARED[-1].store(path, key, payload)
            entries.append(pickle.loads(payload))
        return entries


def _idle_cores() -> int:
    """The cores that other work leaves idle, judged by the last minute's load average.

    Workers cost a fifth to a third more CPU time than one process at 1,000 cases (each sends
    its cases back pickled, and loads pycountry's tables again). On idle cores that buys a
    shorter wait; on cores busy with other work it only takes their time from that work.
    """
    cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every system
        return cores
    return max(1, min(cores, round(cores - busy)))


def _case_id(path: Path) -> str:
    return path.name.removesuffix(".md")


# Top-level pages and folders of the site that the renderer generates (not in docs/).
_GENERATED_SECTIONS = frozenset({"cases", "browse", "support"})


def _page_names(project: Project) -> frozenset[str]:
    """Top-level pages and folders of the site, which a case may link to as '../support.md'."""
    docs = project.docs_dir
    if not docs.is_dir():
        return _GENERATED_SECTIONS
    names = {p.stem for p in docs.glob("*.md")} | {p.name for p in docs.iterdir() if p.is_dir()}
    return frozenset(names) | _GENERATED_SECTIONS


def _select(case_paths: list[Path], paths: list[Path] | None, project: Project) -> list[Path]:
    if not paths:
        return case_paths
    chosen: list[Path] = []
    for path in paths:
        path = path.resolve()
        if path.is_dir():
            chosen += sorted(path.glob("*.md"))
        elif path.suffix == ".yml" and path.parent.name == "cases":
            chosen.append(project.cases_dir / f"{path.stem}.md")
        elif path.suffix == ".yml":
            continue  # vocabularies and audiences are checked in every run
        else:
            chosen.append(path)
    return list(dict.fromkeys(chosen))


def check_case_file(
    path: Path,
    project: Project,
    vocabularies: Vocabularies,
    bank: QuestionBank,
    all_ids: Container[str],
    pages: frozenset[str] = frozenset(),
    details: IdentifyingDetails | None = None,
    translation: tuple[str, str] | None = None,
    support: SupportDirectory | None = None,
    read: dict[Path, Document] | None = None,
) -> tuple[Case | None, list[Problem]]:
    """Check one case file; `translation` is (original id, language) for a translation.

    The document read from `path` is added to `read` when it is given.
    """
    name = display_path(path, project.root)
    case_id = translation[0] if translation else _case_id(path)
    problems: list[Problem] = []
    if not re.fullmatch(SLUG_PATTERN, case_id):
        problems.append(
            Problem(
                name,
                1,
                "id",
                f"the file name '{path.name}' is not a valid case id; rename it to lowercase "
                f"letters, digits and hyphens, e.g. '{_slug(case_id)}.md'",
            )
        )
    try:
        document = read_front_matter(path, name)
    except LoadError as exc:
        return None, [*problems, exc.problem]
    if read is not None:
        read[path] = document
    problems += document.problems

    # A placeholder left from `casebook new` is the one problem worth reporting on its line.
    # Each string in the front matter and each prose line of the body, found once for all rules.
    strings = _strings(document.data)
    prose = list(_prose_lines(document))
    placeholders = list(_placeholders(document, vocabularies, strings=strings, prose=prose))
    held = {p.line for p in placeholders}
    problems += placeholders
    problems += _identifying(document, details or IdentifyingDetails([]), held, strings, prose)
    vocab_problems = [p for p in _check_vocabularies(document, vocabularies) if p.line not in held]
    flagged = {(p.line, p.field) for p in vocab_problems} | {
        (p.line, p.field) for p in placeholders
    }
    problems += vocab_problems
    meta: CaseFrontMatter | None = None
    try:
        meta = CaseFrontMatter.model_validate(document.data)
    except ValidationError as exc:
        errors = exc.errors()
        # A key that slipped out of its block is one mistake: the block's "missing" field
        # is the same key, so only the slip is reported.
        slipped = {
            (block, str(error["loc"][0]))
            for error in errors
            if error["type"] == "extra_forbidden"
            and (block := indentation_slip(tuple(error["loc"]), document, CaseFrontMatter))
        }
        for error in errors:
            loc = tuple(error["loc"])
            if error["type"] == "missing" and (str(loc[0]), str(loc[-1])) in slipped:
                continue
            problem = explain(error, document, CaseFrontMatter)
            # A value outside the vocabulary is already reported with a suggestion.
            if (problem.line, problem.field) not in flagged and problem.line not in held:
                problems.append(problem)
    problems += _check_references(document)
    problems += _check_id(document, case_id)
    intro, sections, found = parse_body(document, vocabularies.get("sections"), prose)
    problems += found
    problems += check_markdown(document, all_ids, pages, prose)
    if meta is not None:
        problems += _check_section_notes(document, meta, sections, flagged)

    questions: dict[str, list[Question]] = {}
    question_file = bank.case_files.get(case_id)
    if translation:
        # A translation's questions may be translated too; otherwise the original's are used.
        question_file = bank.translated_case_files.get(translation[1], {}).get(
            case_id, question_file
        )
    audiences = document.data.get("audiences") if isinstance(document.data, dict) else None
    required = [a for a in audiences if isinstance(a, str)] if isinstance(audiences, list) else []
    if question_file is None and case_id not in bank.unreadable:
        problems.append(
            Problem(
                name,
                document.lines.line(("audiences",)),
                "audiences",
                f"there are no reflective questions for this case; create "
                f"reflective_questions/cases/{case_id}.yml with a list of questions per audience",
            )
        )
    elif question_file is not None:
        questions, found = check_case_questions(question_file, bank, required)
        problems += found
        problems += _few_questions(question_file, questions, bank)
        problems += _placeholders(question_file, bank=bank)

    if meta is not None and support is not None and not translation:
        problems += _no_national_support(document, meta, support)
    if meta is None or any(p.is_error for p in problems):
        return None, problems
    return Case(case_id, name, meta, intro, sections, questions), problems


# The guide asks for about five questions per audience; fewer than this is too few for a session.
MIN_QUESTIONS = 3


def _few_questions(
    document: Document, questions: Mapping[str, Sequence[str]], bank: QuestionBank
) -> Iterator[Problem]:
    for audience, listed in questions.items():
        if 0 < len(listed) < MIN_QUESTIONS:
            short = bank.audiences[audience].short_name if audience in bank.audiences else audience
            yield Problem(
                document.name,
                document.lines.line((audience,)),
                audience,
                f"only {len(listed)} question(s) for '{short}'; a worksheet needs at least "
                f"{MIN_QUESTIONS} and the guide asks for about five: add "
                f"{MIN_QUESTIONS - len(listed)} or more open questions about systems, practice "
                "or participants' own settings, one per line starting with '- '",
                Severity.WARNING,
            )


def _no_national_support(
    document: Document, meta: CaseFrontMatter, support: SupportDirectory
) -> Iterator[Problem]:
    """A safety gap: readers from a case's country would see only international services."""
    national = {s.country for s in support.services}
    for index, country in enumerate(meta.countries):
        if country in national:
            continue
        yield Problem(
            document.name,
            document.lines.line(("countries", index)),
            f"countries.{index}",
            f"data/support_services.yml lists no national support service for {country}, only "
            f"international ones, so readers in {country} are not shown where to get help near "
            f"them; add a service for {country} there (a child helpline or emergency number "
            "whose details you have confirmed, with 'country: " + country + "'), or accept "
            "the gap knowingly in the pull request",
            Severity.WARNING,
        )


Strings = list[tuple[tuple[str | int, ...], str]]


def _strings(data: Any) -> Strings:
    """Every text value in YAML data, with its location, in document order."""
    found: Strings = []
    _collect_strings(data, (), found)
    return found


def _collect_strings(data: Any, loc: tuple[str | int, ...], found: Strings) -> None:
    # Appending to one list, not nested generators: this runs for every value of every file.
    if isinstance(data, dict):
        for key, value in data.items():
            _collect_strings(value, (*loc, str(key)), found)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            _collect_strings(value, (*loc, index), found)
    elif isinstance(data, str):
        found.append((loc, data))


def _placeholders(
    document: Document,
    vocabularies: Vocabularies | None = None,
    bank: QuestionBank | None = None,
    strings: Strings | None = None,
    prose: list[tuple[int, str]] | None = None,
) -> Iterator[Problem]:
    """TODO markers left from the scaffold, in the front matter (or a YAML file) and the body.

    Each hint says what to write: the field's description, the audience a question is for,
    or what the section holds. `strings` and `prose` are the document's, when already found.
    """
    for loc, value in _strings(document.data) if strings is None else strings:
        if "TODO" in value and PLACEHOLDER.search(value):
            dotted = ".".join(str(part) for part in loc)
            hint = (
                _question_hint(loc, bank)
                if bank is not None
                else _vocabulary_hint(loc, vocabularies) or _field_hint(loc)
            )
            yield Problem(
                document.name,
                document.lines.line(loc),
                dotted,
                f"still holds the placeholder '{_short(value)}'; replace it{hint}",
            )
    heading = ""
    if "TODO" not in document.body:
        return
    for line, text in _prose_lines(document) if prose is None else prose:
        match = _H2.match(text)
        if match:
            heading = _ATTRS.sub("", match.group(1)).strip()
        elif PLACEHOLDER.search(text):
            yield Problem(
                document.name,
                line,
                "body",
                f"still holds the placeholder '{_short(text.strip())}'; "
                + _section_hint(heading, vocabularies.get("sections") if vocabularies else None),
            )


def _vocabulary_hint(loc: tuple[str | int, ...], vocabularies: Vocabularies | None) -> str:
    """For a field that takes vocabulary ids: the ids it allows, with their labels."""
    path = ".".join(str(part) for part in loc if not isinstance(part, int))
    for vocabulary in vocabularies.controlling() if vocabularies else []:
        if vocabulary.field == path:
            many = isinstance(loc[-1], int)
            terms = list(vocabulary.terms.values())
            shown = ", ".join(f"{t.id} ({t.label})" for t in terms[:8])
            more = f", … ({len(terms) - 8} more in {vocabulary.source})" if len(terms) > 8 else ""
            kind = "one or more of these ids" if many else ("one of these ids")
            return f" with {kind}: {shown}{more}"
    return ""


def _section_hint(heading: str, sections: Vocabulary | None) -> str:
    term = None
    if sections is not None:
        wanted = heading.lower()
        term = next((t for t in sections.terms.values() if wanted in (t.id, t.label.lower())), None)
    if term is not None and term.description:
        return f"replace it with the {term.label} section's text: {_lower_first(term.description)}"
    return (
        "replace it with this section's text, in your own words, from facts in the sources "
        "you list under 'sources:'"
    )


def _question_hint(loc: tuple[str | int, ...], bank: QuestionBank) -> str:
    audience = bank.audiences.get(str(loc[0])) if loc else None
    who = f" for '{audience.short_name}'" if audience is not None else ""
    return (
        f" with an open question{who} about systems, practice or their own setting, "
        "as a full sentence ending in '?'; never ask people to recount personal experiences "
        "of abuse"
    )


def _field_hint(loc: tuple[str | int, ...]) -> str:
    while loc and isinstance(loc[-1], int):
        loc = loc[:-1]  # a list item is described by its list
    hint = described(CaseFrontMatter, loc)
    if not hint:
        return " with this field's value; docs/reference/case-model.md says what each field holds"
    return f" with {hint.strip(' ()')[:1].lower()}{hint.strip(' ()')[1:]}"


def _short(text: str) -> str:
    return text if len(text) <= 50 else text[:49] + "…"


_NOT_PROSE = {"url", "website", "date"}


def _identifying(
    document: Document,
    details: IdentifyingDetails,
    held: set[int],
    strings: Strings | None = None,
    prose: list[tuple[int, str]] | None = None,
) -> Iterator[Problem]:
    """Warnings for text that may identify a person, so the safeguarding review looks again."""
    # Where each text is (line and field) is worked out only for a document with a suspect.
    fields = [
        (loc, value)
        for loc, value in (_strings(document.data) if strings is None else strings)
        if loc and str(loc[-1]) not in _NOT_PROSE
    ]
    prose = list(_prose_lines(document)) if prose is None else prose
    texts = [value for _, value in fields]
    texts += [text for _, text in prose]
    patterns = details.suspects("\n".join(texts))
    if patterns is None:
        return
    found = [(document.lines.line(loc), ".".join(map(str, loc)), value) for loc, value in fields]
    found += [(line, "body", text) for line, text in prose]
    for line, where, text in found:
        if line in held:
            continue
        for finding in details.find(text, patterns):
            yield Problem(
                document.name,
                line,
                where,
                f"'{_short(finding.text)}' looks like {finding.name}, which could identify a person; "
                f"{finding.advice}",
                Severity.WARNING,
            )


# What a translation must keep from its original: every fact, in the same order.
_FACT_FIELDS = [
    "countries", "period", "settings", "forms_of_violence", "themes", "knowledge_type",
    "practice_sources", "audiences",
]  # fmt: skip


def _facts(meta: CaseFrontMatter) -> dict[tuple[str | int, ...], Any]:
    facts: dict[tuple[str | int, ...], Any] = {(f,): getattr(meta, f) for f in _FACT_FIELDS}
    facts[("organisation", "country")] = meta.organisation.country
    facts[("organisation", "kind")] = meta.organisation.kind
    facts[("organisation", "website")] = meta.organisation.website
    facts[("milestones",)] = [(m.id, m.kind, m.year) for m in meta.milestones]
    facts[("outcomes",)] = [o.chain for o in meta.outcomes]
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
    case.original = original
    if case.outdated:
        yield Problem(
            case.path,
            document.lines.line(("translated_version",)),
            "translated_version",
            f"this translation is of the version reviewed on {meta.translated_version}, but the "
            f"original was revised on {original.meta.last_reviewed}; update the translation, then "
            "its translated_version",
            Severity.WARNING,
        )


def _values_at(
    data: Any, parts: list[str], loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value at a dotted field path, through lists, with its location."""
    if isinstance(data, list):
        for index, item in enumerate(data):
            yield from _values_at(item, parts, (*loc, index))
    elif not parts:
        yield loc, data
    elif isinstance(data, dict) and parts[0] in data:
        yield from _values_at(data[parts[0]], parts[1:], (*loc, parts[0]))


def _check_vocabularies(document: Document, vocabularies: Vocabularies) -> Iterator[Problem]:
    for vocabulary in vocabularies.controlling():
        assert vocabulary.field is not None
        seen: set[str] = set()
        for loc, value in _values_at(document.data, vocabulary.field.split(".")):
            if not isinstance(value, str):
                continue
            dotted = ".".join(str(part) for part in loc)
            line = document.lines.line(loc)
            if value not in vocabulary:
                yield Problem(document.name, line, dotted, vocabulary.unknown_message(value))
            elif value in seen and isinstance(loc[-1], int):
                yield Problem(document.name, line, dotted, f"'{value}' is listed twice; delete one")
            seen.add(value)


def _check_id(document: Document, case_id: str) -> Iterator[Problem]:
    """An `id:` (written by the web editor) must be the file's name."""
    data = document.data if isinstance(document.data, dict) else {}
    written = data.get("id")
    if isinstance(written, str) and written != case_id and re.fullmatch(SLUG_PATTERN, written):
        yield Problem(
            document.name,
            document.lines.line(("id",)),
            "id",
            f"'{written}' does not match the file name {document.path.name}; write "
            f"'id: {case_id}' (or rename the file to {written}.md)",
        )


def _check_references(document: Document) -> Iterator[Problem]:
    """Outcome chains must name milestones defined in the same file."""
    data = document.data if isinstance(document.data, dict) else {}
    milestones = data.get("milestones") or []
    known = (
        {m.get("id") for m in milestones if isinstance(m, dict)}
        if isinstance(milestones, list)
        else set()
    )
    for loc, step in _values_at(data, ["outcomes", "chain"]):
        if isinstance(step, str) and step not in known:
            names = ", ".join(sorted(str(k) for k in known if k)) or "none defined yet"
            yield Problem(
                document.name,
                document.lines.line(loc),
                ".".join(map(str, loc)),
                f"'{step}' is not a milestone id; define it under 'milestones:' or use one of: {names}",
            )


_FENCE = re.compile(r"^\s*(```|~~~)")
_H2 = re.compile(r"^##\s+(.+?)\s*#*\s*$")
_H1 = re.compile(r"^#\s+\S")
_ATTRS = re.compile(r"\s*\{[^}]*\}\s*$")
_HEADING_ID = re.compile(r"#([a-z0-9-]+)")


def _prose_lines(document: Document) -> Iterator[tuple[int, str]]:
    """Body lines outside fenced code, with their file line numbers."""
    fenced = False
    for offset, text in enumerate(document.body.split("\n")):
        if _FENCE.match(text):
            fenced = not fenced
            continue
        if not fenced:
            yield document.body_line + offset, text


def parse_body(
    document: Document,
    sections_vocab: Vocabulary | None,
    prose_lines: list[tuple[int, str]] | None = None,
) -> tuple[str, list[Section], list[Problem]]:
    problems: list[Problem] = []
    name = document.name
    by_label: dict[str, str] = {}
    if sections_vocab is not None:
        for term in sections_vocab.terms.values():
            by_label[term.label.lower()] = term.id
            by_label[term.id] = term.id
    prose = {line for line, _ in (_prose_lines(document) if prose_lines is None else prose_lines)}
    intro: list[str] = []
    heads: list[tuple[str, str, int]] = []
    bodies: list[list[str]] = []
    for offset, text in enumerate(document.body.split("\n")):
        line = document.body_line + offset
        in_prose = line in prose
        if in_prose and _H1.match(text):
            problems.append(
                Problem(
                    name,
                    line,
                    "body",
                    "a level-1 heading ('# ') is not allowed; the page title comes from 'title:', "
                    "so start sections with '## '",
                )
            )
        match = _H2.match(text) if in_prose else None
        if match:
            attrs = _ATTRS.search(match.group(1))
            explicit = _HEADING_ID.search(attrs.group(0)) if attrs else None
            heading = _ATTRS.sub("", match.group(1)).strip()
            # `## Contexto {#context}`: an explicit id names the section in any language.
            section_id = (
                explicit.group(1) if explicit else by_label.get(heading.lower()) or _slug(heading)
            )
            heads.append((section_id, heading, line))
            bodies.append([])
            continue
        (bodies[-1] if bodies else intro).append(text)
    built = [
        Section(section_id, heading, "\n".join(body).strip("\n"), line)
        for (section_id, heading, line), body in zip(heads, bodies, strict=True)
    ]
    found = {s.id for s in built}
    if sections_vocab is not None:
        for term in sections_vocab.terms.values():
            if term.required and term.id not in found:
                problems.append(
                    Problem(
                        name,
                        document.body_line,
                        "body",
                        f"the required section '{term.label}' is missing; add a line "
                        f"'## {term.label}' and write {_lower_first(term.description)}",
                    )
                )
        for section in built:
            if section.id not in sections_vocab:
                hint = sections_vocab.suggest(section.heading)
                message = f"'{section.heading}' is not a standard section"
                message += (
                    f"; did you mean '{sections_vocab.label_of(hint)}'?"
                    if hint
                    else (
                        "; it will be shown where it stands. Standard sections: "
                        + ", ".join(t.label for t in sections_vocab.terms.values())
                    )
                )
                problems.append(Problem(name, section.line, "body", message, Severity.WARNING))
    seen: set[str] = set()
    for section in built:
        if section.id in seen:
            problems.append(
                Problem(
                    name,
                    section.line,
                    "body",
                    f"the section '{section.heading}' appears twice; merge the two",
                )
            )
        seen.add(section.id)
    return "\n".join(intro).strip("\n"), built, problems


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(part for part in out.split("-") if part) or "section"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else "it"


def _check_section_notes(
    document: Document,
    meta: CaseFrontMatter,
    sections: list[Section],
    flagged: set[tuple[int, str]],
) -> Iterator[Problem]:
    present = {s.id for s in sections}
    for index, note in enumerate(meta.section_notes):
        loc = ("section_notes", index, "section")
        dotted = ".".join(map(str, loc))
        # An id outside the sections vocabulary is already reported, with a suggestion.
        if note.section not in present and (document.lines.line(loc), dotted) not in flagged:
            yield Problem(
                document.name,
                document.lines.line(loc),
                dotted,
                f"there is no section '{note.section}' in the body; use one of: "
                + ", ".join(sorted(present)),
            )


# Contributed Markdown is untrusted: these are refused at check time, and the renderer
# sanitises the HTML as a second line of defence.
# Every rule below needs one of these characters or words on the line.
_SUSPECT = re.compile(r"[<{=]|javascript|\]\(", re.I)

_CONTENT_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"<\s*script", re.I), "a <script> tag is not allowed; delete it"),
    (
        re.compile(r"<\s*iframe", re.I),
        "an <iframe> (embedded page) is not allowed; link to the page instead",
    ),
    (
        re.compile(r"\{[^}\n]*\bon[a-z]+\s*=", re.I),
        "an attribute list that adds an event handler (on...=) is not allowed; delete it",
    ),
    (
        re.compile(r"\bon[a-z]+\s*=\s*[\"']", re.I),
        "an event-handler attribute (on...=) is not allowed; delete it",
    ),
    (
        re.compile(r"javascript\s*:", re.I),
        "a 'javascript:' link is not allowed; link to a web page (https://...) instead",
    ),
    (
        re.compile(r"!\[[^\]]*\]\(\s*(https?:)?//", re.I),
        "images from other sites are not allowed (they leak readers' visits); save the image in the repository or delete it",
    ),
    (
        re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(\s[^>]*)?/?>"),
        "raw HTML is not allowed; write Markdown instead, e.g. **bold**, *italic*, [text](https://...)",
    ),
]
# A link to another case, e.g. (../other-case.md), (other-case.md) or (../cases/other-case/).
_CASE_LINK = re.compile(
    r"\]\((?:\.\./)*(?P<cases>cases/)?(?P<id>[a-z0-9-]+)(?:\.md|/)(?:index\.md)?(?:#[^)\s]*)?\)"
)
_CODE_SPAN = re.compile(r"`[^`]*`")


def _suspect(text: str) -> bool:
    """`_SUSPECT.search(text)`, answered with string searches, which are many times faster."""
    if "<" in text or "{" in text or "=" in text or "](" in text:
        return True
    # In ASCII text, case-insensitive matching is lower-casing; elsewhere the regex decides
    # (it also matches e.g. the long s 'ſ' for 's').
    if text.isascii():
        return "javascript" in text.lower()
    return _SUSPECT.search(text) is not None


def check_markdown(
    document: Document,
    case_ids: Container[str],
    pages: frozenset[str] = frozenset(),
    prose: list[tuple[int, str]] | None = None,
) -> Iterator[Problem]:
    """Content rules for a case body: one problem per line, the most specific rule first.

    `pages` are the site's top-level pages (support, guidance): links to them are not cases.
    """
    if not _suspect(document.body):
        return  # the rules look at lines, and none of them can match across lines
    for line, text in _prose_lines(document) if prose is None else prose:
        if not _suspect(text):
            continue  # plain prose: none of the rules below can match
        text = _CODE_SPAN.sub("", text)
        for pattern, message in _CONTENT_RULES:
            if pattern.search(text):
                yield Problem(document.name, line, "body", message)
                break
        for match in _CASE_LINK.finditer(text):
            target = match["id"]
            if target not in case_ids and (match["cases"] or target not in pages):
                yield Problem(
                    document.name,
                    line,
                    "body",
                    f"the link to case '{target}' does not resolve; there is no "
                    f"case_studies/{target}.md",
                )
