"""The raw-HTML extension changes nothing the builder produces: the same HTML and the same
element ids as Python-Markdown and MkDocs find on their own, for generated pages and for
everything it must leave to them."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from mkdocs.structure.pages import _RawHTMLPreprocessor

from casebook.check.validate import check_project
from casebook.pipeline.builder import read_config
from casebook.pipeline.generate import generate
from casebook.sources.project import Project
from sitebuild import REPO, build_context, builds_site, copy_project


def _extensions() -> tuple[list[str | object], dict[str, object]]:
    """The site's Markdown extensions from mkdocs.yml, without ours."""
    names: list[str | object] = []
    configs: dict[str, object] = {}
    for entry in read_config(Project(REPO))["markdown_extensions"]:
        name, config = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        if name != "casebook.rawhtml":
            names.append(name)
            configs[name] = config or {}
    return names, configs


def convert(text: str, ours: bool) -> tuple[str, set[str | None], int]:
    """HTML, MkDocs' anchor ids and the number of blocks our extension stashed."""
    names, configs = _extensions()
    md = markdown.Markdown(
        extensions=[*names, "casebook.rawhtml"] if ours else names, extension_configs=configs
    )
    ids = _RawHTMLPreprocessor()
    ids._register(md)
    html = md.convert(text)
    stashed = md.preprocessors["casebook_raw_html"].stashed if ours else 0
    return html, ids.present_anchor_ids, stashed


def same(text: str) -> int:
    plain, plain_ids, _ = convert(text, ours=False)
    fast, fast_ids, stashed = convert(text, ours=True)
    assert fast == plain
    assert fast_ids == plain_ids
    return stashed


TRICKY = {
    "blocks": '<p class="a" id="x">One &amp; <a href="y" name="n">two</a></p>\n\n## H {#h}\n\n'
    "<div>\n<p>a<br>b</p>\n\n<p>c</p>\n</div>\n\ntext\n",
    "next line": "<p>one</p>\n<p>two</p>\ntext after\n<div>x</div>\n",
    "tail": "<div>a</div> tail *em*\n\n<p>b</p>\n",
    "trailing spaces": "<div>a</div>   \n<p>b</p>\n\n<p>c</p>\n",
    "inline first": "<span>a</span>\n\n<div>b</div>\n",
    "closing first": "</div>\n\n<div>b</div>\n",
    "comment": "<div>a<!-- x --></div>\n\n<!-- y -->\n\n<p>b</p>\n",
    "script": '<div><script>var a = "<p>";</script></div>\n\n<p id="z">b</p>\n',
    "hr": "<hr>\n\n<p>a</p>\n\n<div><hr></div>\n\n<hr/>\n",
    "self-closing": "<div/>\n\n<p>a</p>\n",
    "nested": "<div><div><p>a</p></div>\n\n<div>b</div></div>\n\n<p>c</p>\n",
    "unbalanced": "<div><p>a</div>\n\n<p>b</p>\n\n<div>\n<p>c\n\ntext\n",
    "unclosed": "<div>\n\n# Title\n\nmore\n",
    "entities": "<p>&#39; &#x27; &#39x &amp &copy; &nbsp;</p>\n\n<p>&#39x</p>\n",
    "upper case": '<DIV ID="Q">a</Div>\n\n<P>b</p>\n',
    "quotes": '<p title=\'a\'>x</p>\n\n<p title="a > b">y</p>\n\n<p data-x="`">z</p>\n',
    "indented": "   <div>a</div>\n\n <p>b</p>\n",
    "fenced": "```html\n<div>\n\n<p>a</p>\n\n</div>\n```\n\n<p>after</p>\n",
    "code span": "Use `<div>` here.\n\n<p>b</p>\n",
    "autolink": "<https://example.org>\n\n<p>b</p>\n",
    "custom element": "<my-el>a</my-el>\n\n<p>b</p>\n",
    "empty id": '<p id="">a</p>\n\n<p id>b</p>\n\n<a name="n">c</a>\n',
    "list": "- item\n\n<ul><li>a</li></ul>\n\n1. one\n",
    "end of text": "<p>a</p>",
    "blank lines inside": '<details class="c">\n<summary>s</summary>\n\n<p>a</p>\n\n</details>\n\n# T\n',
    "markdown after": "<p>a</p>\n\n*b* and <em>c</em>\n\n<p>d</p>\n",
}


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_markdown_converts_the_same(name: str) -> None:
    same(TRICKY[name])


def test_plain_blocks_are_stashed_and_doubtful_ones_left_alone() -> None:
    assert same(TRICKY["blocks"]) == 2
    assert same(TRICKY["next line"]) == 3
    assert same(TRICKY["script"]) == 0
    assert same(TRICKY["inline first"]) == 0


@pytest.fixture(scope="module")
@builds_site
def generated_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = Project(copy_project(tmp_path_factory.mktemp("rawhtml") / "project"))
    checked = check_project(project)
    assert checked.library is not None
    ctx = build_context(project, checked.library)
    for locale in checked.library.languages.locales.values():
        generate(ctx, locale)
    return project.root / "build"


@pytest.mark.slow
def test_every_generated_page_converts_the_same(generated_docs: Path) -> None:
    pages = sorted(generated_docs.rglob("*.md"))
    assert len(pages) > 20
    stashed = 0
    for path in pages:
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            text = text.split("\n---\n", 1)[1]
        stashed += same(text)
    assert stashed > len(pages)  # the generated pages' blocks are set aside, not left
