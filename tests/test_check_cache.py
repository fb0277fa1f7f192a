"""The check cache: a check reads back what an unchanged file's check found, and finds the
same problems, in the same order, as a check without the cache."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest

from casebook.check import guidancecheck as validate_guidance
from casebook.check import validate
from casebook.check.cachecodec import decode, encode
from casebook.check.checkcache import Entry
from casebook.check.validate import CheckResult, check_project
from casebook.cli import main
from casebook.sources.cachekey import Seal
from casebook.sources.problems import Problem
from casebook.sources.project import Project
from library_fixture import make_project
from sitebuild import REPO

ODI = "case_studies/odi-mexico.md"
ODI_ES = "case_studies/odi-mexico.es.md"
QUESTIONS = "reflective_questions/cases/odi-mexico.yml"
# Every case file: the ODI case with its Spanish and French translations, and the others.
CASE_FILES = len(list((REPO / "case_studies").glob("*.md")))
ODI_FILES = 3  # the ODI case and its two translations


@pytest.fixture(autouse=True)
def cache_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The seal's key in a folder of the test's own, outside the project."""
    monkeypatch.delenv("CASEBOOK_CACHE_KEY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    return tmp_path / "home-cache" / "casebook" / "key"


@pytest.fixture
def project(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(project_copy)  # problems name files relative to the working folder
    return project_copy


def check(root: Path, cache: bool = True) -> CheckResult:
    return check_project(Project(root), cache=cache)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def cache_file(root: Path) -> Path:
    return root / ".cache" / "casebook" / "check" / "entries.jsonl"


def cached_files(root: Path) -> list[str]:
    """The case files that have an entry in the cache."""
    if not cache_file(root).is_file():
        return []
    return sorted(name for name in read_entries(root) if "/case_studies/" in name)


def read_entries(root: Path) -> dict[str, list[str]]:
    """{path: [key, the entry's JSON, its seal]} from the cache file."""
    lines = cache_file(root).read_text(encoding="utf-8").splitlines()[1:]
    return {json.loads(h)[0]: [*json.loads(h)[1:], t] for h, t in (x.split("\t", 1) for x in lines)}


def write_entries(root: Path, entries: dict[str, list[str]], reseal: bool = False) -> None:
    """Write entries back with the seals they have, or (`reseal`) sealed afresh, as only a
    check on this machine could: to show what the decoder alone refuses."""
    seal = Seal.of(root)
    lines = [json.dumps({"format": 3})]
    for name, (key, mac, text) in entries.items():
        mac = seal.sign("check", name, key, text) if reseal else mac
        lines.append(f"{json.dumps([name, key, mac])}\t{text}")
    cache_file(root).write_text("\n".join(lines) + "\n", encoding="utf-8")


def same(result: CheckResult, other: CheckResult) -> None:
    """The same problems in the same order, and the same library."""
    assert result.problems == other.problems
    assert result.files_checked == other.files_checked
    ours, theirs = result.library, other.library
    assert ours.cases == theirs.cases
    assert [(c.id, c.path, c.questions, c.original) for c in ours.cases] == [
        (c.id, c.path, c.questions, c.original) for c in theirs.cases
    ]
    assert ours.translations.keys() == theirs.translations.keys()
    for language, cases in ours.translations.items():
        assert cases == theirs.translations[language]
        # A translation's original is set by the fresh translation check, never cached.
        assert [c.original for c in cases.values()] == [
            c.original for c in theirs.translations[language].values()
        ]


def test_a_second_check_reads_every_file_from_the_cache(project: Path) -> None:
    first = check(project)
    assert first.from_cache == 0
    assert len(cached_files(project)) == CASE_FILES
    second = check(project)
    assert second.from_cache == CASE_FILES
    same(second, first)
    same(second, check(project, cache=False))


def test_a_guidance_page_s_problems_come_back_from_the_cache_until_it_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = project / "docs/guidance/safeguarding.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n<style>a{}</style>\n")
    first = [p.format() for p in check(project).problems]
    assert len(first) == 1 and "raw HTML" in first[0]
    rendered: list[str] = []
    real = validate_guidance._check_page
    monkeypatch.setattr(
        validate_guidance, "_check_page", lambda *a: rendered.append(a[1]) or real(*a)
    )
    assert [p.format() for p in check(project).problems] == first
    assert rendered == []  # every page from the cache
    edit(page, "<style>a{}</style>", "Styled.")
    assert check(project).problems == []
    assert rendered == ["docs/guidance/safeguarding.md"]


def test_an_edited_case_is_checked_again_and_the_others_come_from_the_cache(
    project: Path,
) -> None:
    assert check(project).problems == []
    edit(project / ODI, "status: published", "status: finished")
    result = check(project)
    assert result.from_cache == CASE_FILES - 1
    assert [(p.path, p.field) for p in result.problems] == [(ODI, "status")]
    same(result, check(project, cache=False))
    edit(project / ODI, "status: finished", "status: published")
    assert check(project).problems == []


def test_an_edited_questions_file_rechecks_its_case_and_its_translations(
    project: Path,
) -> None:
    check(project)
    edit(project / QUESTIONS, "practitioners:", "practitioner:")
    result = check(project)
    # The translations too: each falls back on the original's file when its own is unusable.
    assert result.from_cache == CASE_FILES - ODI_FILES
    assert {(p.path, p.field) for p in result.problems if p.is_error} >= {
        (QUESTIONS, "practitioner"),
        (QUESTIONS, "practitioners"),
    }
    same(result, check(project, cache=False))
    # Without its own questions file, a translation is checked with the original's.
    (project / "reflective_questions/cases/odi-mexico.es.yml").unlink()
    result = check(project)
    assert result.from_cache == CASE_FILES - 1
    same(result, check(project, cache=False))


def test_a_changed_vocabulary_rechecks_every_file(project: Path) -> None:
    themes = project / "vocabularies" / "themes.yml"
    assert check(project).problems == []
    edit(themes, "- id: safe-environments", "- id: safer-environments")
    result = check(project)
    assert result.from_cache == 0
    assert ODI in {p.path for p in result.problems if p.field.startswith("themes.")}
    same(result, check(project, cache=False))
    edit(themes, "- id: safer-environments", "- id: safe-environments")
    result = check(project)
    assert result.from_cache == 0
    assert result.problems == []


def test_a_changed_identifying_pattern_rechecks_every_file(project: Path) -> None:
    patterns = project / "data" / "identifying_patterns.yml"
    check(project)
    patterns.write_text(
        "patterns:\n  - name: the word courtroom\n    regex: courtroom\n"
        "    advice: say which court\n",
        encoding="utf-8",
    )
    result = check(project)
    assert result.from_cache == 0
    assert any("the word courtroom" in p.message for p in result.problems)
    same(result, check(project, cache=False))


def test_a_link_is_checked_again_when_its_target_appears(project: Path) -> None:
    edit(project / ODI, "## Context", "See [the other case](../later-case.md).\n\n## Context")
    result = check(project)
    assert [p.message for p in result.problems if p.path == ODI] == [
        "the link to case 'later-case' does not resolve; there is no case_studies/later-case.md"
    ]
    # The linking file is unchanged, but the case it links to now exists.
    text = (project / ODI).read_text(encoding="utf-8")
    (project / "case_studies/later-case.md").write_text(text, encoding="utf-8")
    (project / "reflective_questions/cases/later-case.yml").write_bytes(
        (project / QUESTIONS).read_bytes()
    )
    result = check(project)
    assert not any(p.path == ODI and "later-case" in p.message for p in result.problems)
    same(result, check(project, cache=False))


def test_a_damaged_entry_is_checked_again_quietly(project: Path) -> None:
    first = check(project)
    entries = read_entries(project)
    name = str((project / ODI).resolve())
    entries[name][2] = entries[name][2][:100]
    write_entries(project, entries)
    result = check(project)
    assert result.from_cache == CASE_FILES - 1
    same(result, first)


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_cache_file_is_checked_again_quietly(
    project: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(project / ODI, "status: published", "status: finished")  # so there is a problem
    first = check(project)
    data = cache_file(project).read_bytes()
    cache_file(project).write_bytes(
        {"truncate": data[: len(data) // 2], "garbage": b"\x80\x05junk", "empty": b""}[damage]
    )
    capsys.readouterr()
    result = check(project)
    # A file cut short keeps the entries on its whole lines; the cut one is checked again.
    assert result.from_cache < CASE_FILES if damage == "truncate" else result.from_cache == 0
    same(result, first)
    assert capsys.readouterr() == ("", "")
    assert check(project).from_cache == CASE_FILES  # and stored again


def test_no_cache_neither_reads_nor_writes_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--no-cache"]) == 0
    assert cached_files(project) == []
    check(project)
    assert check(project, cache=False).from_cache == 0


def test_a_check_of_some_paths_uses_the_cache_too(project: Path) -> None:
    check(project)
    result = check_project(Project(project), [project / ODI])
    # The case and both its translations.
    assert (result.files_checked, result.from_cache) == (ODI_FILES, ODI_FILES)


def test_entries_of_deleted_files_are_pruned(project: Path) -> None:
    check(project)
    (project / "case_studies/odi-mexico.fr.md").unlink()
    check(project)
    assert len(cached_files(project)) == CASE_FILES - 1


def _defects(root: Path) -> None:
    """A few problems of different kinds, so that there is something to compare."""
    case = root / "case_studies" / "uk-online-safety.md"
    edit(case, "## Context", "Call 020 7946 0958 or see [x](../no-such-case.md).\n\n## Context")
    edit(root / "case_studies" / "mx-residential-care.md", "kind: legal-organisation", "kind: x")
    (root / "reflective_questions" / "cases" / "orphan.yml").write_text(
        "practitioners:\n  - Why?\n", encoding="utf-8"
    )


def _cli(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--project", str(root), "check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_library_checks_the_same_cold_warm_and_without_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path / "library")
    _defects(root)
    monkeypatch.chdir(root)
    # Worker processes for the cold check, as a large library gets them.
    monkeypatch.setattr(validate, "PARALLEL_FROM", 2)
    monkeypatch.setattr(validate, "_idle_cores", lambda: 2)
    uncached = _cli(root, capsys, "--no-cache")
    cold = _cli(root, capsys)
    warm = _cli(root, capsys)
    assert uncached[0] == 1
    assert "020 7946 0958" in uncached[1] and "no-such-case" in uncached[1]
    assert cold == uncached
    assert warm == uncached
    assert _cli(root, capsys, "--strict", "--format", "github") == _cli(
        root, capsys, "--strict", "--format", "github", "--no-cache"
    )
    result = check(root)
    assert result.from_cache == result.files_checked
    same(result, check(root, cache=False))


def test_problems_keep_their_order_and_severity(project: Path) -> None:
    edit(project / ODI, "## Context", "Write to someone@example.org.\n\n## Context")
    first = check(project)
    second = check(project)
    assert second.from_cache == CASE_FILES
    assert [(p, p.severity) for p in second.problems] == [(p, p.severity) for p in first.problems]
    assert any(isinstance(p, Problem) and not p.is_error for p in second.problems)


class _Payload:
    """Unpickling this runs `touch` on a file: what a crafted cache would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_crafted_cache_runs_no_code(project: Path, tmp_path: Path) -> None:
    """A pickle that runs a command when read, put where the cache was (the old pickle file)
    and inside the JSON file's entries: it is ignored, the files are checked again, and the
    command never runs."""
    first = check(project)
    marker = tmp_path / "ran"
    crafted = pickle.dumps(
        (1, {str((project / ODI).resolve()): ("key", pickle.dumps(_Payload(marker)))})
    )
    (cache_file(project).parent / "entries.pickle").write_bytes(crafted)
    entries = read_entries(project)
    for entry in entries.values():
        entry[2] = crafted.decode("latin-1").replace("\n", " ")
    write_entries(project, entries, reseal=True)
    result = check(project)
    assert not marker.exists()
    assert result.from_cache == 0
    same(result, first)
    cache_file(project).write_bytes(crafted)  # the whole file a pickle
    result = check(project)
    assert not marker.exists() and result.from_cache == 0


@pytest.mark.parametrize(
    "entry",
    [
        '{"$":"Entry","v":{"case":null,"problems":[],"links":{},"document":null,"extra":1}}',
        '{"$":"Entry","v":{"case":null,"problems":"no","links":{},"document":null}}',
        '{"$":"Problem","v":{"path":"x","line":"1","field":"","message":"m","severity":'
        '{"$":"Severity","v":"error"}}}',
        '{"$":"os.system","v":"touch /tmp/x"}',
        '{"$":"Entry","v":{"case":null,"problems":[{"$":"Problem","v":{"path":"x","line":1,'
        '"field":"","message":"m","severity":{"$":"Severity","v":"fatal"}}}],"links":{},'
        '"document":null}}',
        "[" * 100000,
    ],
    ids=["extra field", "wrong type", "wrong nested type", "unknown tag", "bad enum", "deep"],
)
def test_a_crafted_entry_of_the_wrong_shape_is_checked_again(project: Path, entry: str) -> None:
    """Entries that decode as JSON but are not what the check wrote are checked again."""
    first = check(project)
    entries = read_entries(project)
    name = str((project / ODI).resolve())
    entries[name][2] = entry
    write_entries(project, entries, reseal=True)
    result = check(project)
    assert result.from_cache == CASE_FILES - 1
    same(result, first)


def test_a_file_too_large_for_the_check_is_never_read_whole_to_key_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casebook.check import checkcache
    from casebook.sources.limits import MAX_YAML_BYTES

    big = tmp_path / "big.md"
    with big.open("wb") as out:
        out.truncate(MAX_YAML_BYTES + 1)
    small = tmp_path / "small.md"
    small.write_text("# A case\n", encoding="utf-8")
    read: list[Path] = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or original(self))
    assert checkcache._digest(big) is None
    assert checkcache._digest(small) is not None
    assert read == [small]


PLANTED = "Ring Jo Bloggs on 07700 900123 at 1 Fake Street"


def _forged(text: str) -> str:
    """An entry as a forger would write it: well-formed, a case with no problems and a
    sentence in no source file."""
    entry = decode(text, Entry)
    assert entry.case is not None
    entry.case.intro += f"\n\n{PLANTED}\n"
    entry.problems = []
    return encode(entry)


def test_a_forged_entry_under_the_right_key_is_checked_again(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The key of a slot is a hash of public inputs, so a forger can put an entry under the
    right one; without the seal of this machine's secret it is checked again: the error it
    hides is found, and its text reaches no case."""
    clean = check(project)
    good = read_entries(project)[str((project / ODI).resolve())][2]
    edit(project / ODI, "status: published", "status: finished")  # an error to hide
    assert main(["check", "--strict"]) == 1
    entries = read_entries(project)
    name = str((project / ODI).resolve())
    key = entries[name][0]
    guesses = [Seal(b"0" * 32).sign("check", name, key, _forged(good)), ""]
    for mac in guesses:
        entries[name] = [key, mac, _forged(good)]
        write_entries(project, entries)
        result = check(project)
        assert result.from_cache == CASE_FILES - 1
        assert any(p.path == ODI and p.is_error for p in result.problems)
        assert not any(PLANTED in case.intro for case in result.library.cases)
        write_entries(project, entries)
        capsys.readouterr()
        assert main(["check", "--strict"]) == 1
        assert "status" in capsys.readouterr().out
    assert clean.from_cache == 0


def test_a_sealed_entry_moved_to_another_file_is_checked_again(project: Path) -> None:
    """A seal covers the file's path and key: another case's genuine entry, put under this
    case's key, is no hit."""
    first = check(project)
    entries = read_entries(project)
    name = str((project / ODI).resolve())
    other = next(n for n in entries if n != name and "odi-mexico" not in n)
    entries[name] = [entries[name][0], *entries[other][1:]]
    write_entries(project, entries)
    result = check(project)
    assert result.from_cache == CASE_FILES - 1
    same(result, first)


def test_the_secret_is_created_outside_the_project_for_its_owner_only(
    project: Path, cache_secret: Path
) -> None:
    check(project)
    assert cache_secret.is_file() and not cache_secret.is_relative_to(project)
    assert cache_secret.stat().st_mode & 0o777 == 0o600
    assert check(project).from_cache == CASE_FILES
    # A key others may read is no secret: nothing sealed with anything else is trusted.
    cache_secret.chmod(0o644)
    assert check(project).from_cache == 0


def test_a_key_file_inside_the_project_is_not_used(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(project / ".cache"))
    from casebook.sources import cachekey

    check(project)
    assert not (project / ".cache" / "casebook" / "key").exists()
    # A secret of one process: the next check, in a process of its own, has no hit.
    monkeypatch.setattr(cachekey, "_EPHEMERAL", b"another process".ljust(32))
    assert check(project).from_cache == 0


def test_the_environment_key_seals_the_cache(
    project: Path, monkeypatch: pytest.MonkeyPatch, cache_secret: Path
) -> None:
    monkeypatch.setenv("CASEBOOK_CACHE_KEY", "a" * 64)
    check(project)
    assert check(project).from_cache == CASE_FILES
    assert not cache_secret.exists()
    monkeypatch.setenv("CASEBOOK_CACHE_KEY", "b" * 64)  # another deploy's secret
    assert check(project).from_cache == 0
