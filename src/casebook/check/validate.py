"""`casebook check`: every problem in every source file, found in one run.

The flow is: load vocabularies and audiences, then each case file (front matter against
the model and the vocabularies, body against the section rules and the content rules,
see casebook.check.casefile), then each case's questions, then each translation against its
original (casebook.check.translations). Only cases with no errors become `Case` objects.
"""

from __future__ import annotations

import gc
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from casebook.check.cachecodec import encode
from casebook.check.casefile import case_id_of, check_case_file
from casebook.check.checkcache import CheckCache, Entry, Links
from casebook.check.confined import links_out
from casebook.check.context import CheckContext
from casebook.check.guidancecheck import check_guidance
from casebook.check.imagecheck import check_images
from casebook.check.sitepaths import clashing_docs
from casebook.check.translations import check_translation, link_translations
from casebook.check.uploadcheck import check_uploads
from casebook.lifeline import start_worker
from casebook.sources.facilitation import load_facilitator_notes, notes_path
from casebook.sources.i18n import Languages, load_languages
from casebook.sources.links import GENERATED_SECTIONS
from casebook.sources.loader import Document
from casebook.sources.model import Case, Library

# Re-exported: build.py still imports the library from here.
from casebook.sources.privacy import load_identifying_patterns
from casebook.sources.problems import Problem, display_path, sort_problems
from casebook.sources.project import Project
from casebook.sources.questions import QuestionBank, load_questions, split_language
from casebook.sources.reserved import load_reserved, refusal
from casebook.sources.siteconfig import read_site_config
from casebook.sources.support import load_support
from casebook.sources.vocabularies import Vocabularies, load_vocabularies


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

    @property
    def drafts(self) -> set[str]:
        return draft_ids(self.library, self.problems)


def draft_ids(library: Library, problems: list[Problem]) -> set[str]:
    """Every draft's id: a draft with problems (its warnings) is no case of the library,
    but it is still a draft."""
    drafts = {case.id for case in library.cases if not case.published}
    for problem in problems:
        stem = Path(problem.path).stem
        if problem.is_draft and problem.path.endswith(".md") and "." not in stem:
            drafts.add(stem)
    return drafts


def check_project(
    project: Project, paths: list[Path] | None = None, cache: bool = True
) -> CheckResult:
    """Check the whole project, or only the case files (and their questions) in `paths`.

    With `cache`, each case file's results are kept in, and read back from, the check cache
    (see casebook.check.checkcache); the problems found are the same either way.
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
    outside = links_out(project.root)
    if outside:  # nothing is read while a source leads outside the project
        return CheckResult(Library([], Vocabularies(), QuestionBank()), sort_problems(outside))
    # mkdocs.yml first: the build reads it before anything else, and MkDocs runs what it names.
    problems: list[Problem] = []
    if project.mkdocs_yml.is_file():
        problems += read_site_config(
            project.mkdocs_yml, display_path(project.mkdocs_yml, project.root)
        )[1]
    pages = _page_names(project)
    cache.prepare(pages)  # before anything it hashes is read
    all_paths = project.case_files()
    originals_paths = [p for p in all_paths if not _is_translation(p)]
    translation_paths = [p for p in all_paths if _is_translation(p)]
    ids = {case_id_of(p) for p in originals_paths}
    context, languages = _load_context(project, pages, cache, ids, problems)

    chosen = _select(originals_paths, paths, project)
    selected = [p for p in chosen if not _is_translation(p)]
    if paths:  # a translation is checked with its original, or when chosen itself
        wanted = {p.resolve() for p in chosen}
        translation_paths = [p for p in translation_paths if _is_wanted(p, wanted, project)]

    reserved, found = load_reserved(project.root, list(languages.locales))
    problems += found + _reserved_ids(project, selected, reserved)
    others = [code for code in languages.locales if code != languages.default.code]
    problems += clashing_docs(project.root, project.docs_dir, others)
    guidance: list[Path] = []
    if paths is None:
        found, guidance = check_guidance(project, others, cache)
        problems += found
        problems += check_images(project, others)
        problems += check_uploads(project, others)
    cases: list[Case] = []
    for checked_file in _check_all(selected, context):
        problems += checked_file.problems
        if checked_file.case is not None and checked_file.case.id not in reserved:
            cases.append(checked_file.case)
    originals = {case.id: case for case in cases}
    translation_paths = _in_editions(translation_paths, project, languages, problems)
    problems += _questions_in_no_edition(context.bank, languages)
    translations = _check_translations(translation_paths, context, originals, problems)
    link_translations(translations, originals)
    if paths is None:
        problems += _orphan_questions(context.bank, context.ids)
        cache.prune([*all_paths, *guidance])
    cache.save()
    library = Library(
        cases, context.vocabularies, context.bank, context.support, translations, languages
    )
    checked = len(selected) + len(translation_paths)
    return CheckResult(library, sort_problems(problems), checked, cache.hits)


def _load_context(
    project: Project,
    pages: frozenset[str],
    cache: CheckCache,
    ids: set[str],
    problems: list[Problem],
) -> tuple[CheckContext, Languages]:
    """Vocabularies, audiences, support services, patterns and languages; their problems
    are added to `problems`."""
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
    problems += _facilitator_notes(project, languages)
    context = CheckContext(project, vocabularies, bank, ids, pages, details, support, cache)
    return context, languages


def _facilitator_notes(project: Project, languages: Languages) -> list[Problem]:
    """The facilitator notes of each edition that has its own (the others use the original's)."""
    problems: list[Problem] = []
    for code in languages.locales:
        if code == languages.default.code or notes_path(project, code) != notes_path(project):
            problems += load_facilitator_notes(project, code)[1]
    return problems


def _reserved_ids(project: Project, paths: list[Path], reserved: dict[str, str]) -> list[Problem]:
    """Case files whose id is an address the site's own pages use."""
    return [
        Problem(
            display_path(path, project.root),
            1,
            "id",
            f"{refusal(case_id_of(path), reserved)}; rename the file (and its questions "
            f"file), e.g. '{case_id_of(path)}-<country>.md'",
        )
        for path in paths
        if case_id_of(path) in reserved
    ]


def _is_translation(path: Path) -> bool:
    return split_language(case_id_of(path))[1] is not None


def _is_wanted(translation: Path, wanted: set[Path], project: Project) -> bool:
    base = split_language(case_id_of(translation))[0]
    return bool(wanted & {translation.resolve(), (project.cases_dir / f"{base}.md").resolve()})


def _in_editions(
    paths: list[Path],
    project: Project,
    languages: Languages,
    problems: list[Problem],
) -> list[Path]:
    """The translations that an edition publishes; a problem for each of the others, which
    would otherwise never be published and never be said to be."""
    editions = ", ".join(languages.locales)
    kept: list[Path] = []
    for path in paths:
        base, language = split_language(case_id_of(path))
        name = display_path(path, project.root)
        if language not in languages.locales:
            message = (
                f"there is no '{language}' edition (the editions are {editions}, listed in "
                f"i18n/languages.yml), so this translation would never be published; rename "
                f"it to {base}.<code>.md for one of them, or add the language to "
                "i18n/languages.yml"
            )
        elif language == languages.default.code:
            message = (
                f"'{language}' is the site's original language, whose edition publishes "
                f"case_studies/{base}.md itself, so this file would never be published; merge "
                "what it changes into the original and delete it"
            )
        else:
            kept.append(path)
            continue
        problems.append(Problem(name, 1, "", message))
    return kept


def _questions_in_no_edition(bank: QuestionBank, languages: Languages) -> list[Problem]:
    """Translated questions files that no edition reads (the case files' own are above)."""
    return [
        Problem(
            document.name,
            1,
            "",
            f"no edition reads questions in '{language}' (the editions are "
            f"{', '.join(languages.locales)}, and {languages.default.code} is the original's "
            f"language); rename the file to {case_id}.<code>.yml for one of the others, or "
            "delete it",
        )
        for language, files in sorted(bank.translated_case_files.items())
        if language not in languages.locales or language == languages.default.code
        for case_id, document in sorted(files.items())
    ]


def _check_translations(
    paths: list[Path], context: CheckContext, originals: dict[str, Case], problems: list[Problem]
) -> dict[str, dict[str, Case]]:
    """Translations that pass, by language and case id; every problem is added to `problems`."""
    translations: dict[str, dict[str, Case]] = {}
    for path in paths:
        base, language = split_language(case_id_of(path))
        if base not in context.ids:
            problems.append(
                Problem(
                    display_path(path, context.project.root),
                    1,
                    "",
                    f"there is no published or valid original case_studies/{base}.md for this "
                    "translation; check the file name or fix the original first",
                )
            )
            continue
        assert language is not None
        entry = _translation_entry(path, base, language, context)
        problems += entry.problems
        case = entry.case
        if case is None:
            continue
        found = list(
            check_translation(
                case, originals.get(base), path, context.project, language, entry.document
            )
        )
        problems += found
        if not any(p.is_error for p in found):
            translations.setdefault(language, {})[base] = case
    return translations


def _translation_entry(path: Path, base: str, language: str, context: CheckContext) -> Entry:
    """A translation's own check, from the cache or done now (and then kept in the cache)."""
    cache = context.cache
    # The translation's own questions file, or else the original's, is checked with it.
    key = cache.key(path, [f"{base}.yml", f"{base}.{language}.yml"])
    entry = cache.load(path, key, context.ids)
    if entry is None:
        entry = _entry(path, context, (base, language))
        if key is not None:  # stored before the translation is linked to its original
            cache.store(path, key, encode(entry))
    return entry


def _orphan_questions(bank: QuestionBank, ids: set[str]) -> list[Problem]:
    """Questions files whose case does not exist."""
    return [
        Problem(
            document.name,
            1,
            "",
            f"there is no case '{case_id}' in case_studies/; rename this file to "
            "match a case's file name, or delete it",
        )
        for case_id, document in bank.case_files.items()
        if case_id not in ids
    ]


# Below this many files, starting worker processes costs more than it saves.
PARALLEL_FROM = 64
# The context of the worker processes: set before they fork, so they inherit it unpickled.
_WORKER_CONTEXT: CheckContext | None = None


def _entry(path: Path, context: CheckContext, translation: tuple[str, str] | None = None) -> Entry:
    """Check one case file; `translation` is (original id, language) for a translation,
    whose entry keeps its document for the translation check."""
    links = Links(context.ids)
    read: dict[Path, Document] | None = {} if translation else None
    case, found = check_case_file(path, context, links, translation=translation, read=read)
    return Entry(case, found, links.asked, read.get(path) if read is not None else None)


def _check_one(job: tuple[Path, str | None], context: CheckContext) -> Entry:
    """Check one case file, and keep what it found in the cache."""
    path, key = job
    entry = _entry(path, context)
    if key is not None:
        context.cache.store(path, key, encode(entry))
    return entry


def _check_pickled(path: Path) -> bytes:
    """`_check_one` in a worker: the entry goes back to the parent process pickled (a pipe
    between our own processes, never a file), with its JSON for the cache made here."""
    assert _WORKER_CONTEXT is not None  # set by `_run` before the workers fork
    entry = _entry(path, _WORKER_CONTEXT)
    return pickle.dumps((entry, encode(entry)), protocol=pickle.HIGHEST_PROTOCOL)


def _check_all(paths: list[Path], context: CheckContext) -> list[Entry]:
    """Check case files not in the cache, on every idle core when there are many (workers
    inherit `context`); entries come back in the order of `paths`."""
    cache = context.cache
    entries: list[Entry | None] = []
    jobs: list[tuple[Path, str | None]] = []
    for path in paths:
        key = cache.key(path, [f"{case_id_of(path)}.yml"])
        entry = cache.load(path, key, context.ids)
        entries.append(entry)
        if entry is None:
            jobs.append((path, key))
    checked = iter(_run(jobs, context))
    return [entry if entry is not None else next(checked) for entry in entries]


def _run(jobs: list[tuple[Path, str | None]], context: CheckContext) -> list[Entry]:
    global _WORKER_CONTEXT
    workers = _idle_cores()
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [_check_one(job, context) for job in jobs]
    # Imported here: a fortieth of a second that a check in one process does not need.
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in mp.get_all_start_methods():
        return [_check_one(job, context) for job in jobs]
    _WORKER_CONTEXT = context
    with ProcessPoolExecutor(
        workers,
        mp_context=mp.get_context("fork"),
        initializer=start_worker,
        initargs=(os.getpid(),),
    ) as pool:
        chunks = max(1, len(jobs) // (workers * 4))
        payloads = pool.map(_check_pickled, [path for path, _ in jobs], chunksize=chunks)
        entries = []
        for (path, key), payload in zip(jobs, payloads, strict=True):
            entry, text = pickle.loads(payload)
            context.cache.store(path, key, text)
            entries.append(entry)
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


# Top-level pages and folders of the site that the renderer generates (not in docs/).
def _page_names(project: Project) -> frozenset[str]:
    """The site's pages and folders from its root ('support', 'guidance',
    'guidance/safeguarding'), which a case may link to as '../guidance/safeguarding.md'."""
    docs = project.docs_dir
    if not docs.is_dir():
        return GENERATED_SECTIONS
    names = {p.relative_to(docs).with_suffix("").as_posix() for p in docs.rglob("*.md")}
    names |= {p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_dir()}
    names = {n.removesuffix("/index") for n in names if n != "index"}
    return frozenset(names) | GENERATED_SECTIONS


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
