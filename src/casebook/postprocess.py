"""After the builder: a Content-Security-Policy and safe outbound links on every page.

This runs on the built HTML, so it works whichever builder produced it. The policy allows
scripts only from the site itself and from inline scripts whose exact hash we computed,
so an injected `<script>` or event handler cannot run even if it got past sanitising.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</script>", re.S | re.I)
_NOT_JS_TYPE = re.compile(r"""\stype\s*=\s*["']?(?!(?:text/javascript|module)["'\s>])""", re.I)
_CHARSET = re.compile(r"<meta\s+charset=[\"']?utf-8[\"']?\s*/?>", re.I)
_EXTERNAL_A = re.compile(r"<a\s(?P<attrs>[^>]*?href=\"https?://[^\"]*\"[^>]*)>", re.I)

POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'wasm-unsafe-eval' {hashes}; "  # Pagefind's search runs as WebAssembly
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "font-src 'self' data:; "
    "connect-src 'self'; "
    "worker-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-src 'none'"
)


def script_hashes(html: str) -> list[str]:
    hashes = []
    for match in _INLINE_SCRIPT.finditer(html):
        attrs = match.group("attrs") or ""
        if "src=" in attrs.lower() or _NOT_JS_TYPE.search(attrs):
            continue  # external scripts are covered by 'self'; JSON data never executes
        digest = hashlib.sha256(match.group("body").encode("utf-8")).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode()}'")
    return sorted(set(hashes))


def _safe_links(html: str) -> str:
    def fix(match: re.Match[str]) -> str:
        attrs = match.group("attrs")
        if re.search(r"\srel=", " " + attrs, re.I):
            return match.group(0)
        return f'<a {attrs} rel="noopener noreferrer">'

    return _EXTERNAL_A.sub(fix, html)


_PRESERVE = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2>)", re.S | re.I)
_INDENT = re.compile(r"\n[ \t]+|[ \t]+\n|\n{2,}")


def collapse_whitespace(html: str) -> str:
    """Drop the templates' indentation, a sixth of a page, keeping one newline where
    there was whitespace (so inline spacing is unchanged) and leaving <pre> and scripts."""
    parts = _PRESERVE.split(html)
    out: list[str] = []
    index = 0
    while index < len(parts):
        out.append(_INDENT.sub("\n", parts[index]))
        if index + 1 < len(parts):
            out.append(parts[index + 1])  # the preserved element, untouched
        index += 3
    return "".join(out)


def harden(html: str) -> str:
    html = collapse_whitespace(html)
    policy = POLICY.format(hashes=" ".join(script_hashes(html))).replace("  ", " ")
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    html, found = _CHARSET.subn(lambda m: m.group(0) + meta, html, count=1)
    if not found:
        html = html.replace("<head>", "<head>" + meta, 1)
    return _safe_links(html)


@dataclass
class Hardened:
    pages: int


def _harden_file(path: Path) -> None:
    path.write_text(harden(path.read_text(encoding="utf-8")), encoding="utf-8")


def harden_site(site: Path) -> Hardened:
    """Harden every page, on every core when there are many."""
    pages = sorted(site.rglob("*.html"))
    workers = os.cpu_count() or 1
    if len(pages) < 200 or workers < 2:
        for path in pages:
            _harden_file(path)
    else:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_harden_file, pages, chunksize=64))
    return Hardened(len(pages))


def harden_files(paths: list[str]) -> int:
    """Harden the given pages (a worker's share); returns how many."""
    for path in paths:
        _harden_file(Path(path))
    return len(paths)


# Material ships a client-side search (lunr, its languages and a web worker) and source
# maps. Casebook searches with Pagefind and no page refers to them: 2.6 MB per edition.
UNUSED_ASSETS = ("assets/javascripts/lunr", "assets/javascripts/workers")


def prune_unused_assets(site: Path) -> int:
    """Remove the theme's files that no page uses; returns the bytes saved."""
    import shutil

    saved = 0
    for relative in UNUSED_ASSETS:
        folder = site / relative
        if folder.is_dir():
            saved += sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            shutil.rmtree(folder)
    assets = site / "assets"
    for path in assets.rglob("*.map") if assets.is_dir() else []:
        saved += path.stat().st_size
        path.unlink()
    return saved
