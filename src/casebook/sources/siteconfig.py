"""mkdocs.yml, read through the same guard as every other YAML file, and held to what runs.

MkDocs reads this file with PyYAML's full loader, which builds Python objects from `!!python/`
tags, and it imports and runs what the file names: hooks, plugins, Markdown extensions. A
pull request that changes it must not run code in the build, read a file from elsewhere
(`INHERIT`, `pymdownx.snippets`), read the build's environment into a page (`!ENV`), or
exhaust its memory (an alias bomb). So before MkDocs sees it, the file is held to the limits
of casebook.sources.limits (size, lines, characters, depth, no alias), and to:

- tags: only `!!python/name:` of Material's and PyMdown Extensions' own modules (the emoji
  index and generator, a fence's format), as their documentation writes them;
- no `hooks:` and no `INHERIT:`; `plugins:` only those in ALLOWED_PLUGINS (none: search is
  Pagefind's);
- Markdown extensions: Python-Markdown's own, PyMdown Extensions' but `snippets` (it puts any
  file of the machine into a page), Material's, and `casebook.rawhtml`;
- `extra.casebook.exit_url`: a web address;
- text: no markup in any value (the theme prints several into every page unescaped: the
  site's name, description, author and copyright), and no '"' in those four, which the
  theme also puts into attributes unescaped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from casebook.sources.loader import LoadError, read_text
from casebook.sources.plaintext import markup_in
from casebook.sources.problems import Problem
from casebook.sources.textguard import aliases_or_depth
from casebook.sources.yamlerrors import yaml_problem

try:  # libyaml's parser keeps its own stack and never recurses
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader

_YAML = "tag:yaml.org,2002:"
_PLAIN_TAGS = {f"{_YAML}{kind}" for kind in ("str", "int", "float", "bool", "null", "seq", "map")}
_PYTHON_NAME = f"{_YAML}python/name:"
# Whose `!!python/name:` a configuration may name: importing them runs only their own code.
TAG_MODULES = ("material.", "pymdownx.")

# The plugins Casebook's own mkdocs.yml uses: none (Pagefind indexes the built site).
ALLOWED_PLUGINS: frozenset[str] = frozenset()

MARKDOWN_BUILTINS = frozenset(
    {
        "abbr", "admonition", "attr_list", "codehilite", "def_list", "extra", "fenced_code",
        "footnotes", "legacy_attrs", "legacy_em", "md_in_html", "meta", "nl2br", "sane_lists",
        "smarty", "tables", "toc", "wikilinks",
    }
)  # fmt: skip
REFUSED_EXTENSIONS = {
    "pymdownx.snippets": "it puts the text of any file of the machine into a page",
    "pymdownx.b64": "it puts image files from anywhere on the machine into a page",
}
# Settings the theme prints into every page as they are, in text and in attributes.
TEXT_SETTINGS = ("site_name", "site_description", "site_author", "copyright")


class ConfigRefused(Exception):
    """mkdocs.yml is not safe to build: its problems (the check reports the same)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.format() for problem in problems))
        self.problems = problems


def _name_as_text(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> str:
    return str(getattr(node, "value", ""))


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader; a `!!python/name:` (the guard allowed it) is kept as its text."""


_Loader.add_multi_constructor(_PYTHON_NAME, _name_as_text)


def read_site_config(path: Path, name: str = "mkdocs.yml") -> tuple[dict[str, Any], list[Problem]]:
    """mkdocs.yml as plain data, and every problem that stops it being built; ({}, problems)
    when the file cannot be read safely at all."""
    try:
        text = read_text(path, name)
    except LoadError as exc:
        return {}, [exc.problem]
    refused = aliases_or_depth(text, name, 1)
    if refused is not None:
        return {}, [refused]
    problems = _tags(text, name)
    if problems:
        return {}, problems
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return {}, [yaml_problem(exc, text, name, 1)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return {}, [Problem(name, 1, "", f"the YAML cannot be read: {exc}")]
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        return {}, [Problem(name, 1, "", "the configuration must be 'setting: value' lines")]
    return data, _rules(data, _Lines(node), name) + _markup(node, data, name)


def _tags(text: str, name: str) -> list[Problem]:
    """A problem for every YAML tag but plain ones and the allowed `!!python/name:`."""
    problems: list[Problem] = []
    try:
        for event in yaml.parse(text, Loader=_Base):
            tag = getattr(event, "tag", None)
            if tag is None or tag == "!" or tag in _PLAIN_TAGS:
                continue
            if tag.startswith(_PYTHON_NAME) and tag[len(_PYTHON_NAME) :].startswith(TAG_MODULES):
                continue
            line = 1 + (event.start_mark.line if event.start_mark is not None else 0)
            shown = tag.replace(_YAML, "!!")
            problems.append(
                Problem(
                    name,
                    line,
                    "",
                    f"the tag '{shown}' is not allowed: MkDocs would run or read what it names "
                    "in the build; only '!!python/name:' of a material. or pymdownx. module "
                    "is, as their documentation writes it, and no '!ENV' or '!relative'",
                )
            )
    except yaml.YAMLError:
        return problems  # a syntax error: the loader reports it with its line
    return problems


class _Lines:
    """The line of each top-level setting and of each item of a top-level list."""

    def __init__(self, node: yaml.MappingNode) -> None:
        self.keys: dict[str, int] = {}
        self.items: dict[str, list[int]] = {}
        for key, value in node.value:
            self.keys[str(key.value)] = key.start_mark.line + 1
            if isinstance(value, yaml.SequenceNode):
                self.items[str(key.value)] = [item.start_mark.line + 1 for item in value.value]

    def item(self, key: str, index: int) -> int:
        lines = self.items.get(key, [])
        return lines[index] if index < len(lines) else self.keys.get(key, 1)


def _rules(data: dict[str, Any], lines: _Lines, name: str) -> list[Problem]:
    problems: list[Problem] = []

    def refuse(line: int, field: str, message: str) -> None:
        problems.append(Problem(name, line, field, message))

    if "INHERIT" in data:
        refuse(
            lines.keys["INHERIT"],
            "INHERIT",
            "another configuration file is not read (it would be built unchecked); write its "
            "settings in this file and delete 'INHERIT'",
        )
    if "hooks" in data:
        refuse(
            lines.keys["hooks"],
            "hooks",
            "hooks run Python code in every build, so Casebook does not allow them; delete "
            "'hooks' (what the build does is in Casebook's own code, reviewed there)",
        )
    for index, plugin in enumerate(_names(data.get("plugins"))):
        if plugin not in ALLOWED_PLUGINS:
            refuse(
                lines.item("plugins", index),
                "plugins",
                f"the plugin '{plugin}' is not allowed: plugins run code in the build, and "
                "Casebook's build needs none (its search is Pagefind's); write 'plugins: []'",
            )
    for index, extension in enumerate(_names(data.get("markdown_extensions"))):
        why = _extension_problem(extension)
        if why:
            refuse(lines.item("markdown_extensions", index), "markdown_extensions", why)
    extra = data.get("extra")
    casebook = extra.get("casebook") if isinstance(extra, dict) else None
    exit_url = casebook.get("exit_url") if isinstance(casebook, dict) else None
    if exit_url is not None and not str(exit_url).startswith(("https://", "http://")):
        refuse(
            lines.keys.get("extra", 1),
            "extra.casebook.exit_url",
            f"'{exit_url}' is not a web address; 'Exit this page' needs one, such as "
            "https://www.bbc.co.uk/weather",
        )
    return problems


def _markup(node: yaml.Node, data: dict[str, Any], name: str) -> list[Problem]:
    """Markup in any text of the file, and a quote in the texts the theme prints."""
    problems: list[Problem] = []
    stack = [node]  # no recursion: the depth is bounded, but a walk needs none
    while stack:
        here = stack.pop()
        if isinstance(here, yaml.ScalarNode):
            found = markup_in(str(here.value))
            if found is not None:
                problems.append(
                    Problem(
                        name,
                        here.start_mark.line + 1,
                        "",
                        f"'{' '.join(found.split())}' is markup, which MkDocs' theme would put "
                        "into pages as it is; write plain text, without HTML tags, event "
                        "handlers or javascript: links",
                    )
                )
        elif isinstance(here, yaml.MappingNode):
            stack += [part for pair in reversed(here.value) for part in reversed(pair)]
        elif isinstance(here, yaml.SequenceNode):
            stack += reversed(here.value)
    if problems:
        return problems
    for key in TEXT_SETTINGS:
        value = data.get(key)
        if isinstance(value, str) and '"' in value:
            problems.append(
                Problem(
                    name,
                    _line_of_key(node, key),
                    key,
                    "the theme puts this text into attributes as it is, so it may not hold a "
                    "'\"'; write typographic quotes (“ ”) instead",
                )
            )
    return problems


def _line_of_key(node: yaml.Node, key: str) -> int:
    for key_node, _ in node.value:
        if key_node.value == key:
            return int(key_node.start_mark.line) + 1
    return 1


def _names(value: Any) -> list[str]:
    """The names of a list of plugins or extensions (each a name, or a name with options)."""
    if isinstance(value, dict):
        return [str(key) for key in value]
    if not isinstance(value, list):
        return [] if value is None else [str(value)]
    names = []
    for item in value:
        names += [str(key) for key in item] if isinstance(item, dict) else [str(item)]
    return names


def _extension_problem(extension: str) -> str:
    module = extension.split(":")[0]
    short = module.removeprefix("markdown.extensions.")
    if module in REFUSED_EXTENSIONS:
        return f"the Markdown extension '{extension}' is not allowed: {REFUSED_EXTENSIONS[module]}"
    if short in MARKDOWN_BUILTINS or module == "casebook.rawhtml":
        return ""
    if module.startswith(("pymdownx.", "material.")):
        return ""
    return (
        f"the Markdown extension '{extension}' is not allowed: the build would import and run "
        "it; use Python-Markdown's own, PyMdown Extensions' (pymdownx.) or Material's"
    )
