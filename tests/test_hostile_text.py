"""Text that cannot hurt the check or the build: each hostile family ends in a `path:line`
problem, promptly, with no traceback (issue 25, item 4).

The "within seconds" families run the check as a command with a generous timeout: without
the limits they take minutes (or crash the process), so the timeout is what fails them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.check.validate import check_project
from casebook.cli import main
from casebook.sources.limits import (
    MAX_LINE_CHARS,
    MAX_MARKDOWN_BYTES,
    MAX_MARKDOWN_NESTING,
    MAX_TEXT_CHARS,
    MAX_YAML_DEPTH,
)
from casebook.sources.problems import Problem
from casebook.sources.project import Project
from sitebuild import REPO, odi_alone

ODI = "case_studies/odi-mexico.md"
QUESTIONS = "reflective_questions/cases/odi-mexico.yml"
ANCHOR = "what its lawyers saw in the courtroom,"  # a phrase in the ODI case's body
SECONDS = 20  # minutes without the limits; a few seconds with them
ENV = {**os.environ, "PYTHONPATH": os.environ.get("PYTHONPATH") or str(REPO / "src")}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project with the ODI case alone (and its translations)."""
    root = odi_alone(tmp_path / "project")
    monkeypatch.chdir(root)
    return root


def edit(root: Path, path: str, old: str, new: str) -> None:
    file = root / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def paragraph_of(root: Path, path: str, needle: str) -> int:
    """The first line of the paragraph that holds `needle`."""
    lines = (root / path).read_text(encoding="utf-8").split("\n")
    line = line_of(root, path, needle)
    while line > 1 and lines[line - 2].strip():
        line -= 1
    return line


def line_of(root: Path, path: str, needle: str) -> int:
    lines = (root / path).read_text(encoding="utf-8").split("\n")
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def errors(root: Path) -> list[Problem]:
    return [p for p in check_project(Project(root), cache=False).problems if p.is_error]


def run_check(root: Path) -> subprocess.CompletedProcess[str]:
    """`casebook check` as a command: a crash or a hang cannot take the test run with it."""
    return subprocess.run(
        [sys.executable, "-m", "casebook.cli", "--project", str(root), "check", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        env=ENV,
        cwd=root,
    )


def refused(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert expected in result.stdout, result.stdout


# --- YAML ----------------------------------------------------------------------------


def test_one_long_text_aliased_many_times_is_refused_at_its_alias(project: Path) -> None:
    # 4,000 characters, 20,000 times: 80 MB in every text the check joins, more in the build.
    bomb = "partners:\n  - &long " + "x" * 4000 + "\n" + "  - *long\n" * 20_000
    edit(project, ODI, "reach: national\n", "reach: national\n" + bomb)
    line = line_of(project, ODI, "partners:") + 2
    refused(
        run_check(project),
        f"{ODI}:{line}: partners.1: a YAML alias ('*name') is not supported here; write the "
        "value out in full",
    )


def test_an_alias_of_a_text_in_a_vocabulary_is_refused_at_its_line(project: Path) -> None:
    vocabulary = project / "vocabularies/reach.yml"
    vocabulary.write_text(
        vocabulary.read_text(encoding="utf-8") + "extra: &x one text\nmore: *x\n", encoding="utf-8"
    )
    line = len(vocabulary.read_text(encoding="utf-8").split("\n")) - 1
    shown = [p.format() for p in errors(project)]
    assert (
        f"vocabularies/reach.yml:{line}: more: a YAML alias ('*name') is not supported here; "
        "write the value out in full"
    ) in shown


@pytest.mark.parametrize("where", ["front matter", "questions"])
def test_yaml_nested_a_thousand_deep_is_refused_with_its_line(project: Path, where: str) -> None:
    nested = "".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  " * 1000 + "x"
    if where == "questions":
        path = QUESTIONS
        file = project / path
        start = len(file.read_text(encoding="utf-8").rstrip("\n").split("\n")) + 1
        file.write_text(
            file.read_text(encoding="utf-8").rstrip("\n") + "\n" + nested + "\n", encoding="utf-8"
        )
        # The file is a group (one level): the first too deep opens on the line of its key.
        line, field = start + MAX_YAML_DEPTH, ".".join(f"k{i}" for i in range(MAX_YAML_DEPTH))
    else:
        path = ODI
        # A list of lists of lists ..., on one line (a thousand levels nest in 2,000 bytes).
        edit(project, ODI, "reach: national", "reach: national\ndeep:\n  " + "- " * 1000 + "x")
        line, field = line_of(project, ODI, "- - -"), "deep" + ".0" * (MAX_YAML_DEPTH - 1)
    refused(
        run_check(project),
        f"{path}:{line}: {field}: the YAML nests lists and fields more than {MAX_YAML_DEPTH} "
        "levels deep, the limit; flatten it",
    )


def test_flow_yaml_a_hundred_thousand_deep_does_not_crash_the_check(project: Path) -> None:
    # libyaml's composer recurses in C: this used to end the process with a segfault.
    (project / "vocabularies/reach.yml").write_text(
        "terms: " + "[\n  " * 100_000 + "]\n  " * 100_000, encoding="utf-8"
    )
    result = run_check(project)
    refused(result, f"vocabularies/reach.yml:{MAX_YAML_DEPTH}: terms" + ".0" * (MAX_YAML_DEPTH - 1))
    assert "the YAML nests lists and fields more than" in result.stdout


def test_a_long_text_folded_over_many_lines_is_refused(project: Path) -> None:
    folded = "subnational_scope: >-\n" + "".join("  " + "word " * 14 + "\n" for _ in range(100))
    edit(project, ODI, "subnational_scope: 12 states\n", folded)
    line = line_of(project, ODI, "subnational_scope:")
    shown = [p.format() for p in errors(project)]
    assert any(
        s.startswith(f"{ODI}:{line}: subnational_scope: the text has ")
        and f"more than the limit of {MAX_TEXT_CHARS:,}" in s
        for s in shown
    ), shown


# --- size and long lines -------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_without_reading_it_whole(project: Path) -> None:
    case = project / ODI
    padding = ("A sentence of prose for the body.\n" * (MAX_MARKDOWN_BYTES // 30)).encode()
    case.write_bytes(case.read_bytes() + padding)
    refused(run_check(project), f"{ODI}:1: the file is larger than 256 KB")


@pytest.mark.parametrize("unit", ["{", "[", "<a ", "![", "a", "tell "])
def test_a_100_kb_line_is_refused_promptly(project: Path, unit: str) -> None:
    line = line_of(project, ODI, ANCHOR)
    edit(project, ODI, ANCHOR, (unit * 100_000)[:100_000] + " " + ANCHOR)
    result = run_check(project)
    refused(result, f"{ODI}:{line}: the line has 100,")
    assert f"characters, more than the limit of {MAX_LINE_CHARS:,}" in result.stdout


_PATTERNS_SCRIPT = """
import re, sys, yaml
from pathlib import Path
from casebook.check import bodyrules
from casebook.sources import privacy
from casebook.sources.privacy import load_identifying_patterns
root = Path(sys.argv[1])
patterns = [p for p, _ in bodyrules._CONTENT_RULES]
patterns += [bodyrules._ATTRS, bodyrules._LINK, privacy._EMAIL, privacy._PHONE]
patterns += [c for _, c in load_identifying_patterns(root)[0].patterns]
safeguarding = yaml.safe_load((root / "data/question_safeguarding.yml").read_text())
for language in safeguarding["languages"].values():
    patterns += [re.compile(p, re.I) for p in language["patterns"]]
for unit in ["{", "{#", "[", "<a ", "![", "a", "a@", " ", "calle ", "tell ", "cuente "]:
    text = (unit * 40_000)[:40_000]
    for pattern in patterns:
        pattern.search(text)
print("done")
"""


def test_the_content_rules_and_patterns_are_not_quadratic_in_a_line(repo_root: Path) -> None:
    # 40,000 characters of each: seconds in all when linear, minutes when quadratic.
    result = subprocess.run(
        [sys.executable, "-c", _PATTERNS_SCRIPT, str(repo_root)],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        env=ENV,
    )
    assert result.stdout.strip() == "done", result.stderr


def test_unclosed_link_brackets_under_the_line_limit_are_refused(project: Path) -> None:
    # Python-Markdown scans from every '[' to its ']': 4,000 unclosed take it a minute.
    line = paragraph_of(project, ODI, ANCHOR)
    edit(project, ODI, ANCHOR, "[" * 4000 + " " + ANCHOR)
    refused(run_check(project), f"{ODI}:{line}: body: this paragraph has '[' (or a link's '(')")


def test_unclosed_tags_under_the_line_limit_are_refused_as_raw_html(project: Path) -> None:
    line = line_of(project, ODI, ANCHOR)
    edit(project, ODI, ANCHOR, "<a " * 1600 + ANCHOR)
    refused(run_check(project), f"{ODI}:{line}: body: raw HTML is not allowed")


def test_links_and_autolinks_of_a_real_case_pass(project: Path) -> None:
    edit(
        project,
        ODI,
        ANCHOR,
        "see [the report](https://example.org/a_(b)), [its summary](https://example.org/s "
        '"Summary") and <https://example.org/> ' + ANCHOR,
    )
    assert errors(project) == []


# --- Markdown nesting ------------------------------------------------------------------


def deep_list(levels: int, indent: str = "\t") -> str:
    # A tab is four columns of indentation to Python-Markdown: one more level each.
    return "\n".join(indent * i + f"- level {i}" for i in range(levels))


@pytest.mark.slow
def test_a_list_nested_hundreds_deep_is_refused_and_the_site_kept(project: Path) -> None:
    assert main(["--project", str(project), "build", "--no-pdf", "--quiet"]) == 0
    page = project / "site/cases/odi-mexico/index.html"
    before = page.read_bytes()
    line = line_of(project, ODI, ANCHOR)
    edit(project, ODI, ANCHOR, ANCHOR + "\n\n" + deep_list(400) + "\n")
    # Line i of the list is i tabs and a marker: i + 1 levels.
    first_too_deep = line + 2 + MAX_MARKDOWN_NESTING
    result = subprocess.run(
        [sys.executable, "-m", "casebook.cli", "--project", str(project), "build", "--no-pdf"],
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
        cwd=project,
    )
    refused(result, f"{ODI}:{first_too_deep}: body: the line nests lists or block quotes")
    assert page.read_bytes() == before


def test_block_quotes_nested_deeper_than_the_limit_are_refused(project: Path) -> None:
    line = line_of(project, ODI, ANCHOR)
    edit(project, ODI, ANCHOR, ANCHOR + "\n\n" + "> " * 300 + "quoted\n")
    shown = [p.format() for p in errors(project)]
    assert any(s.startswith(f"{ODI}:{line + 2}: body: the line nests") for s in shown), shown


def test_a_list_nested_within_the_limit_passes(project: Path) -> None:
    edit(project, ODI, ANCHOR, ANCHOR + "\n\n" + deep_list(MAX_MARKDOWN_NESTING) + "\n")
    assert errors(project) == []


# --- what the web editor writes ----------------------------------------------------------


def test_optional_fields_cleared_in_the_web_editor_are_absent(project: Path) -> None:
    edit(project, ODI, "  english_name: Office", '  english_name: ""\n  # Office')
    edit(project, ODI, "subnational_scope: 12 states", 'subnational_scope: "  "')
    edit(project, ODI, "  short_name: ODI\n", '  short_name: ""\n')
    assert errors(project) == []


def test_a_required_field_left_empty_is_still_refused(project: Path) -> None:
    edit(project, ODI, "status: published", 'status: published\nid: ""')
    text = (project / ODI).read_text(encoding="utf-8")
    start = text.index("summary: >-")
    end = text.index("status: published")
    (project / ODI).write_text(text[:start] + 'summary: ""\n' + text[end:], encoding="utf-8")
    shown = [p.format() for p in errors(project)]
    line = line_of(project, ODI, 'summary: ""')
    assert f"{ODI}:{line}: summary: is empty; write some text or delete the line" in shown


# --- translations no edition publishes -----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "there is no 'de' edition (the editions are en, es, fr"),
        ("en", "'en' is the site's original language"),
    ],
)
def test_a_translation_no_edition_publishes_is_reported(
    project: Path, language: str, expected: str
) -> None:
    source = (project / "case_studies/odi-mexico.es.md").read_text(encoding="utf-8")
    target = f"case_studies/odi-mexico.{language}.md"
    (project / target).write_text(source, encoding="utf-8")
    shown = [p.format() for p in errors(project)]
    assert any(s.startswith(f"{target}:1: {expected}") for s in shown), shown


def test_translated_questions_no_edition_reads_are_reported(project: Path) -> None:
    source = (project / "reflective_questions/cases/odi-mexico.es.yml").read_text(encoding="utf-8")
    (project / "reflective_questions/cases/odi-mexico.de.yml").write_text(source, encoding="utf-8")
    shown = [p.format() for p in errors(project)]
    assert (
        "reflective_questions/cases/odi-mexico.de.yml:1: no edition reads questions in 'de' (the "
        "editions are en, es, fr, and en is the original's language); rename the file to "
        "odi-mexico.<code>.yml for one of the others, or delete it"
    ) in shown


# --- guidance pages: read by the builder as they are ------------------------------------

GUIDANCE = "docs/guidance/safeguarding.md"
SPANISH_GUIDANCE = "i18n/es/docs/guidance/index.md"


def append(root: Path, path: str, text: str) -> int:
    """Append `text` to a page; the line it starts on."""
    file = root / path
    old = file.read_text(encoding="utf-8").rstrip("\n")
    file.write_text(old + "\n\n" + text + "\n", encoding="utf-8")
    return old.count("\n") + 3


def test_a_guidance_page_nested_hundreds_deep_is_refused_before_the_builder_crashes(
    project: Path,
) -> None:
    first = append(project, GUIDANCE, deep_list(400))
    refused(
        run_check(project),
        f"{GUIDANCE}:{first + MAX_MARKDOWN_NESTING}: body: the line nests lists or block quotes",
    )


def test_unclosed_brackets_in_a_translated_guidance_page_are_refused(project: Path) -> None:
    first = append(project, SPANISH_GUIDANCE, "[" * 4000 + " corchetes")
    refused(run_check(project), f"{SPANISH_GUIDANCE}:{first}: body: this paragraph has '['")


def test_a_long_line_and_an_alias_in_a_guidance_page_are_refused(project: Path) -> None:
    first = append(project, GUIDANCE, "x" * (MAX_LINE_CHARS + 1))
    refused(run_check(project), f"{GUIDANCE}:{first}: the line has {MAX_LINE_CHARS + 1:,}")
    page = project / GUIDANCE
    page.write_text("---\na: &x text\nb: *x\n---\n# Safeguarding\n", encoding="utf-8")
    refused(run_check(project), f"{GUIDANCE}:3:")
    assert "alias" in run_check(project).stdout
