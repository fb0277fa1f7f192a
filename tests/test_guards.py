"""One guard for every file the site reads (issue #34, items 3 to 6): guidance pages and
interface strings, mkdocs.yml, symbolic links, and the invisible characters a word processor
pastes. Each test runs `casebook check` (or the one build step concerned) on a copy of the
project with one file made hostile, and reads the message, the exit status or the bytes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import markdown
import pytest

from casebook.check.validate import check_project
from casebook.cli import main
from casebook.pages import feed
from casebook.pages.render import Renderer
from casebook.pipeline.context import BuildError
from casebook.pipeline.guidance import _with_notice, guidance_pages
from casebook.sources.i18n import load_languages
from casebook.sources.model import Case
from casebook.sources.project import Project
from sitebuild import REPO

CASE = "case_studies/odi-mexico.md"
GUIDANCE = "docs/guidance/browsing-safely.md"
SPANISH_GUIDANCE = "i18n/es/docs/guidance/browsing-safely.md"
REFRESH = '<meta http-equiv="refresh" content="0; url=https://evil.example/">'


def run(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--project", str(root), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def append(path: Path, text: str) -> int:
    """Add `text` at the end of `path`; returns the file line it starts on."""
    old = path.read_text(encoding="utf-8")
    old = old if old.endswith("\n") else old + "\n"
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def replace(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in `path` with `new`; returns the line it was on."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


# --- 3. Guidance pages and interface strings ---------------------------------------------

HOSTILE_PAGES = {
    "meta refresh": f"\n{REFRESH}\n",
    "style hiding the exit": "\n<style>.cb-exit{display:none}</style>\n",
    "inline in a paragraph": f"\nRead more {REFRESH} here.\n",
    # Backticks and fences that a pattern would take for code, and Markdown does not.
    "escaped backticks": f"\n\\`{REFRESH}\\`\n",
    "code span closed on the next line": f"\n`one\ntwo` {REFRESH} `three`\n",
    "fence never closed": f"\n~~~~\n{REFRESH}\n~~~\n",
    "comment": "\n<!-- a note -->\n",
}


@pytest.mark.parametrize("page", [GUIDANCE, SPANISH_GUIDANCE], ids=["docs", "translation"])
@pytest.mark.parametrize("html", HOSTILE_PAGES.values(), ids=HOSTILE_PAGES.keys())
def test_raw_html_in_a_guidance_page_fails_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str], page: str, html: str
) -> None:
    start = append(project_copy / page, html)
    code, out = run(project_copy, capsys, "check")
    assert code == 1, out
    line = start + next(i for i, text in enumerate(html.split("\n")) if "<" in text)
    assert f"{page}:{line}: body: raw HTML ('<" in out
    assert "is not allowed in a guidance page" in out
    assert "Traceback" not in out


def test_tags_shown_as_code_in_a_guidance_page_pass(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    append(
        project_copy / GUIDANCE,
        f"\nA tag such as `{REFRESH}` is refused, and so is ``<style>``.\n\n"
        f"```html\n{REFRESH}\n<style>body{{}}</style>\n```\n\nSee <https://example.org>.\n",
    )
    code, out = run(project_copy, capsys, "check")
    assert code == 0, out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('## Help {: style="position:fixed;inset:0" }', "an attribute list that sets a style"),
        ('[Help](#){: onclick="go()" }', "an attribute list that adds an event handler"),
        ("[Help](javascript:go())", "a 'javascript:' link is not allowed"),
    ],
)
def test_attribute_lists_and_script_links_in_a_guidance_page_fail_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    line = append(project_copy / GUIDANCE, f"\n{text}\n") + 1
    code, out = run(project_copy, capsys, "check")
    assert code == 1
    assert f"{GUIDANCE}:{line}: body: {message}" in out


def test_the_not_translated_notice_is_text() -> None:
    """A translator's string cannot add a heading, a link or HTML to every untranslated page."""
    languages, _ = load_languages(REPO)
    spanish = languages.locales["es"]
    spanish.strings = {
        **spanish.strings,
        "page_not_translated": "Sin traducir.\n\n# Owned\n\n[Call us](https://evil.example) "
        "<b>now</b>",
    }
    page = _with_notice("# Página\n\nTexto.\n", spanish)
    html = markdown.Markdown(extensions=["admonition"]).convert(page)
    assert "<h1>Owned" not in html and "href" not in html and "<b>" not in html
    assert "[Call us](https://evil.example)" in html  # shown as the text it is
    assert html.count("<h1>") == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{language.__class__} {original}", "'{language.__class__}' is not a placeholder"),
        ("{language!r} {original}", "'{language!r}' is not a placeholder"),
        ("{language} {original} {secret}", "'{secret}' is not filled in for this text"),
        ("{language {original}", "a '{' or '}' is not closed"),
    ],
)
def test_a_placeholder_casebook_cannot_fill_in_fails_the_check(
    project_copy: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    strings = project_copy / "i18n/es/strings.yml"
    old = strings.read_text(encoding="utf-8")
    line = old[: old.index("page_not_translated:")].count("\n") + 1
    replace(
        strings,
        old[old.index("page_not_translated:") :].split("\n")[0],
        f'page_not_translated: "{value}"',
    )
    code, out = run(project_copy, capsys, "check")
    assert code == 1
    assert f"i18n/es/strings.yml:{line}: page_not_translated: {message}" in out
    assert "Traceback" not in out


# --- 4. mkdocs.yml --------------------------------------------------------------------------


def _bomb() -> str:
    """A few KB of aliases that expand to billions of values."""
    lines = ['    a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for n in range(1, 10):
        previous = f"*a{n - 1}"
        lines.append(f"    a{n}: &a{n} [{', '.join([previous] * 10)}]")
    return "\n".join(lines)


CONFIGS = {
    "alias bomb": (
        "extra:\n  generator: false\n",
        "extra:\n  generator: false\n  bomb:\n" + _bomb() + "\n",
        "a YAML alias ('*name') is not supported here",
    ),
    "deep brackets": (
        "extra:\n  generator: false\n",
        "extra:\n  generator: false\n  deep: " + "[" * 2000 + "]" * 2000 + "\n",
        "nests lists and fields more than 32 levels deep",
    ),
    "object tag": (
        "site_name: Casebook\n",
        'site_name: !!python/object/apply:os.system ["touch pwned"]\n',
        "the tag '!!python/object/apply:os.system' is not allowed",
    ),
    "name tag of another module": (
        "site_name: Casebook\n",
        "site_name: !!python/name:os.system\n",
        "the tag '!!python/name:os.system' is not allowed",
    ),
    "environment": (
        "site_name: Casebook\n",
        "site_name: !ENV GITHUB_TOKEN\n",
        "the tag '!ENV' is not allowed",
    ),
    "hooks": ("plugins: []\n", "plugins: []\nhooks:\n  - scripts/hook.py\n", "hooks: hooks run"),
    "plugin": ("plugins: []\n", "plugins:\n  - search\n", "plugins: the plugin 'search'"),
    "inherit": (
        "site_name: Casebook\n",
        "INHERIT: ../other.yml\nsite_name: Casebook\n",
        "INHERIT:",
    ),
    "snippets": (
        "  - casebook.rawhtml\n",
        "  - casebook.rawhtml\n  - pymdownx.snippets:\n      base_path: [/]\n",
        "markdown_extensions: the Markdown extension 'pymdownx.snippets' is not allowed",
    ),
    "unknown extension": (
        "  - casebook.rawhtml\n",
        "  - casebook.rawhtml\n  - scripts.evil\n",
        "markdown_extensions: the Markdown extension 'scripts.evil' is not allowed",
    ),
    "markup in the copyright": (
        "site_name: Casebook\n",
        'site_name: Casebook\ncopyright: <meta http-equiv="refresh" content="0; url=x">\n',
        "is markup, which MkDocs' theme would put into pages as it is",
    ),
    "quote in the name": (
        "site_name: Casebook\n",
        "site_name: 'Casebook\" style=\"display:none'\n",
        "site_name: the theme puts this text into attributes as it is",
    ),
    "b64": (
        "  - casebook.rawhtml\n",
        "  - casebook.rawhtml\n  - pymdownx.b64:\n      base_path: /\n",
        "markdown_extensions: the Markdown extension 'pymdownx.b64' is not allowed",
    ),
    "exit address": (
        "exit_url: https://www.bbc.co.uk/weather",
        "exit_url: javascript:history.back()",
        "extra.casebook.exit_url: 'javascript:history.back()' is not a web address",
    ),
}


@pytest.mark.parametrize(("old", "new", "message"), CONFIGS.values(), ids=CONFIGS.keys())
def test_a_hostile_mkdocs_yml_fails_the_check_and_the_build(
    project_copy: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    replace(project_copy / "mkdocs.yml", old, new)
    code, out = run(project_copy, capsys, "check")
    assert code == 1
    assert "mkdocs.yml:" in out and message in out, out
    assert "Traceback" not in out
    code, out = run(project_copy, capsys, "build", "--no-pdf", "--quiet")
    assert code == 1 and message in out and "Traceback" not in out
    assert not (project_copy / "pwned").exists()
    assert not (project_copy / "site").exists()


def test_materials_own_python_names_are_allowed(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As Material's documentation configures emoji."""
    append(
        project_copy / "mkdocs.yml",
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "      emoji_generator: !!python/name:material.extensions.emoji.to_svg\n",
    )
    code, out = run(project_copy, capsys, "check")
    assert code == 0, out


# --- 5. Symbolic links ---------------------------------------------------------------------

SECRET = "extraheader = AUTHORIZATION: basic c2VjcmV0LXRva2Vu"


@pytest.mark.parametrize(
    "link", ["docs/guidance/config.md", "docs/assets/config.txt", "overrides/config.html"]
)
def test_a_link_to_another_file_of_the_project_is_refused(
    project_copy: Path, capsys: pytest.CaptureFixture[str], link: str
) -> None:
    git = project_copy / ".git"
    git.mkdir()
    (git / "config").write_text(f'[http "https://github.com/"]\n\t{SECRET}\n', encoding="utf-8")
    (project_copy / link).symlink_to(git / "config")
    code, out = run(project_copy, capsys, "check")
    assert code == 1
    assert f"{link}:1: this is a link to a file or folder elsewhere" in out
    assert SECRET not in out
    code, out = run(project_copy, capsys, "build", "--no-pdf", "--quiet")
    assert code == 1 and SECRET not in out and "Traceback" not in out
    assert not (project_copy / "site").exists()


def test_the_build_never_copies_a_link(project_copy: Path) -> None:
    """Even if the check were skipped: the step that copies docs/ refuses a link."""
    (project_copy / "docs/guidance/folder").symlink_to(project_copy / "case_studies")
    languages, _ = load_languages(project_copy)
    with pytest.raises(BuildError, match="docs/guidance/folder: a symbolic link"):
        list(guidance_pages(Project(project_copy), languages.locales["en"]))


# --- 6. Invisible characters ---------------------------------------------------------------

FILES = {
    "case body": (CASE, "what its lawyers saw in the courtroom,"),
    "case title": (CASE, "Uncovering organised"),
    "questions": ("reflective_questions/cases/odi-mexico.yml", "ODI recognised patterns"),
    "guidance": (GUIDANCE, "# "),
    "translated guidance": (SPANISH_GUIDANCE, "# "),
    "interface strings": ("i18n/es/strings.yml", "Esta página"),
    "vocabulary": ("vocabularies/themes.yml", "Holding schools"),
    "data": ("data/support_services.yml", "name:"),
    "mkdocs.yml": ("mkdocs.yml", "Practice-based knowledge case"),
}
CHARACTERS = {
    "\x0b": "U+000B LINE TABULATION",
    "\x85": "U+0085 NEXT LINE",
    "\x9d": "U+009D C1 CONTROL CODE",
    "\x00": "U+0000 NULL",
    "\u200b": "U+200B ZERO WIDTH SPACE",
    "\u202e": "U+202E RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "U+2066 LEFT-TO-RIGHT ISOLATE",
    "\u2028": "U+2028 LINE SEPARATOR",
    "\ufeff": "U+FEFF ZERO WIDTH NO-BREAK SPACE",
    "\uffff": "U+FFFF NONCHARACTER",
}


@pytest.mark.parametrize(("path", "anchor"), FILES.values(), ids=FILES.keys())
def test_a_pasted_control_character_fails_the_check_in_every_file(
    project_copy: Path, capsys: pytest.CaptureFixture[str], path: str, anchor: str
) -> None:
    line = replace(project_copy / path, anchor, anchor[:3] + "\x0b" + anchor[3:])
    code, out = run(project_copy, capsys, "check")
    assert code == 1
    assert f"{path}:{line}: the line holds the invisible character U+000B LINE TABULATION" in out
    assert "Traceback" not in out


@pytest.mark.parametrize("char", CHARACTERS, ids=CHARACTERS.values())
def test_each_invisible_character_is_named(
    project_copy: Path, capsys: pytest.CaptureFixture[str], char: str
) -> None:
    anchor = "what its lawyers saw in the courtroom,"
    line = replace(project_copy / CASE, anchor, f"what its lawyers{char} saw in the courtroom,")
    later = append(project_copy / CASE, f"\nMore{char}text.\n") + 1
    code, out = run(project_copy, capsys, "check")
    assert code == 1
    assert f"{CASE}:{line}: the line holds the invisible character {CHARACTERS[char]}," in out
    assert f"(line(s) {later} hold such characters too)" in out


def test_text_that_needs_its_format_characters_passes(
    project_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A byte-order mark at the start; joiners in emoji and Indic text; bidi marks."""
    path = project_copy / CASE
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    replace(
        path,
        "what its lawyers saw in the courtroom,",
        "what its lawyers saw in the courtroom (👩\u200d⚖️, क्\u200dष, \u200fعربي\u200e),",
    )
    code, out = run(project_copy, capsys, "check")
    assert code == 0, out


def test_the_feed_is_well_formed_xml_whatever_the_text() -> None:
    library = check_project(Project(REPO)).library
    odi = next(case for case in library.published if case.id == "odi-mexico")
    title = "A\x0btitle\x85with\x00controls\ufffe"
    meta = odi.meta.model_copy(update={"title": title, "summary": "Sum\x1bmary"})
    case = Case(odi.id, odi.path, meta, odi.intro, odi.sections)
    library.cases = [case]
    written = feed.atom(Renderer(library, library.languages.default), [case])
    root = ET.fromstring(written)  # raises on a feed that is not XML
    entry = root.find("{http://www.w3.org/2005/Atom}entry")
    assert entry is not None
    assert entry.findtext("{http://www.w3.org/2005/Atom}title") == "Atitlewithcontrols"
    assert not feedparser.parse(written).bozo
