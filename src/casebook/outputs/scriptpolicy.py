"""Which inline scripts a page may run: only those that Casebook's theme override and the
theme's own templates define, known at build time from their source.

The Content-Security-Policy lists the hash of each inline script a page holds. Hashing
whatever a built page happens to contain would allow an injected script by design, so each
inline script must match one written in a template, where the template's own expressions
(`{{ base_url }}`, say) may only have printed a path. Any other inline script, or an inline
event handler, is refused: the build fails and names the page and what it found.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# The theme's templates whose inline scripts Casebook's pages include (Material's base.html
# includes them; the others, for features Casebook leaves off, are not trusted).
THEME_PARTIALS = (
    "partials/javascripts/base.html",
    "partials/javascripts/palette.html",
    "partials/javascripts/content.html",
)
# What a template expression may print inside a trusted script: a relative path or an
# address, never a quote, a bracket or a semicolon that could end the string it sits in.
PRINTED = r"[A-Za-z0-9._:/-]*"

_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
_NOT_JS_TYPE = re.compile(r"""\stype\s*=\s*["']?(?!(?:text/javascript|module)["'\s>])""", re.I)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
_JINJA_TAG = re.compile(r"\{[%#]")
# An inline event handler: an attribute whose name starts with "on", in a tag. Values are
# skipped whole (a description may quote `onerror=` as text). Text in scripts and styles is
# left out first, and a quick search spares the tag-by-tag reading of nearly every page.
_MAYBE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
_VALUE = r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?"""
_TAG = re.compile(rf"<[A-Za-z][^\s/>]*((?:\s+[^\s=>/\"']+{_VALUE})*)\s*/?>")
_ATTRIBUTE = re.compile(rf"\s+([^\s=>/\"']+){_VALUE}")
_CODE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


def inline_handler(html: str) -> tuple[str, str] | None:
    """(the handler's attribute name, its tag) of the first inline event handler, or None."""
    text = _CODE.sub("", html)
    if not _MAYBE_HANDLER.search(text):
        return None
    for tag in _TAG.finditer(text):
        for attribute in _ATTRIBUTE.finditer(tag.group(1)):
            if attribute.group(1).lower().startswith("on"):
                return attribute.group(1).lower(), tag.group(0)
    return None


class UnsafePage(Exception):
    """A built page holds script that no template of Casebook or the theme defines."""


def is_inline_js(attrs: str) -> bool:
    """External scripts are covered by 'self'; JSON data (and JSON-LD) never executes."""
    return "src=" not in attrs.lower() and not _NOT_JS_TYPE.search(attrs)


@dataclass(frozen=True)
class ScriptPolicy:
    patterns: tuple[str, ...]  # one regular expression per trusted inline script

    @functools.cached_property
    def _trusted(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.patterns) or r"(?!)", re.S)

    def hashes(self, html: str, where: str) -> list[str]:
        """The policy's hashes for a page's inline scripts; UnsafePage if one is unknown,
        or if the page has an inline event handler."""
        found: list[str] = []
        for match in _SCRIPT.finditer(html):
            if not is_inline_js(match.group("attrs") or ""):
                continue
            body = match.group("body")
            if not self._trusted.fullmatch(body):
                raise UnsafePage(
                    f"{where}: an inline script that no template of Casebook or the theme "
                    f"defines: {_excerpt(body)}; remove it (only the site's own scripts run)"
                )
            digest = hashlib.sha256(body.encode("utf-8")).digest()
            found.append(f"'sha256-{base64.b64encode(digest).decode()}'")
        handler = inline_handler(html)
        if handler is not None:
            raise UnsafePage(
                f"{where}: an inline event handler ({handler[0]}=) in {_excerpt(handler[1])}; "
                "handlers never run here: remove it"
            )
        return sorted(set(found))


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= 80 else flat[:77] + "...")


def template_patterns(text: str) -> Iterator[str]:
    """A regular expression for each inline script written in a template's source."""
    for match in _SCRIPT.finditer(text):
        body = match.group("body")
        if not is_inline_js(match.group("attrs") or "") or _JINJA_TAG.search(body):
            continue  # a script built by template logic is not known from its source
        literal = _EXPRESSION.split(body)
        yield PRINTED.join(re.escape(part) for part in literal)


def theme_templates() -> Path:
    """Material for MkDocs' templates folder, where it is installed."""
    spec = importlib.util.find_spec("material")
    if spec is None or not spec.submodule_search_locations:
        raise UnsafePage("the theme (mkdocs-material) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "templates"


def site_policy(overrides: Path, theme: Path | None = None) -> ScriptPolicy:
    """The inline scripts of Casebook's theme override and of the theme's partials."""
    theme = theme or theme_templates()
    sources: Iterable[Path] = [
        *sorted(p for p in overrides.rglob("*.html") if p.is_file()),
        *(theme / partial for partial in THEME_PARTIALS),
    ]
    patterns: list[str] = []
    for path in sources:
        if path.is_file():
            patterns += template_patterns(path.read_text(encoding="utf-8"))
    return ScriptPolicy(tuple(dict.fromkeys(patterns)))
