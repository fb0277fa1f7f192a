"""The gate between the browser and decap-server, for `casebook edit`.

decap-server (the web editor's local backend) answers any Host header, lets in every
http://localhost:* origin, and writes any file of its folder that a request names. So it
listens on a Unix socket in a private folder (see localeditor.start_backend), which no
browser can reach, and the preview forwards to it only the editor's own requests: the
Host must be the preview's address (a DNS-rebinding page names its own host), the request
must come from the preview's own origin (a page on another port of this computer is a
different origin), and a save may write only the editor's folders.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from casebook.sources.uploads import UPLOAD_SUFFIXES

API_PATH = "/api/v1"
# What the form may write (cmsform: the collections' folders; cms: the media folder).
CASES_FOLDER = "case_studies"
QUESTIONS_FOLDER = "reflective_questions/cases"
UPLOADS_FOLDER = "docs/assets/uploads"
WRITABLE = (CASES_FOLDER, QUESTIONS_FOLDER, UPLOADS_FOLDER)
MAX_REQUEST = 50 * 1024 * 1024  # decap-server's own limit on a request's body


def allowed_hosts(port: int) -> frozenset[str]:
    return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})


def refusal(method: str, path: str, header_lines: Iterable[tuple[str, str]], port: int) -> str:
    """Why the preview refuses this request ('' when it may pass)."""
    headers: dict[str, str] = {}
    for name, value in header_lines:
        key = name.lower()
        if key in headers and key in ("host", "origin", "sec-fetch-site"):
            return f"the request has two {name} headers"
        headers[key] = value.strip()
    host = headers.get("host", "")
    if host not in allowed_hosts(port):
        return f"the preview answers only http://127.0.0.1:{port}/ (Host was {host!r})"
    if path != API_PATH:
        return ""
    # The backend: from the preview's own pages only. Browsers send Origin with every POST
    # and Sec-Fetch-Site with every request; a program on this computer sends neither.
    origin = headers.get("origin")
    if origin is not None and origin != f"http://{host}":
        return f"the editor's backend answers only pages of http://{host} (Origin was {origin!r})"
    site = headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        return f"the editor's backend answers only its own pages (Sec-Fetch-Site was {site!r})"
    if method != "POST":
        return "the editor's backend takes POST requests only"
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        # A form or a plain-text POST needs no CORS preflight: never one the editor sends.
        return "the editor's backend takes JSON only (Content-Type: application/json)"
    return ""


def _paths(action: str, params: Mapping[str, Any]) -> Iterator[object]:
    """The files a write action names."""
    if action == "persistEntry":
        files = params.get("dataFiles") or [params.get("entry")]
        for item in [*files, *(params.get("assets") or [])]:
            if isinstance(item, Mapping):
                yield item.get("path")
                if "newPath" in item:
                    yield item.get("newPath")
            else:
                yield item
    elif action == "persistMedia":
        asset = params.get("asset")
        yield asset.get("path") if isinstance(asset, Mapping) else asset
    elif action == "deleteFile":
        yield params.get("path")
    elif action == "deleteFiles":
        yield from params.get("paths") or [None]


def writable(path: object) -> bool:
    """A path in one of the editor's folders, as Git names it: no '..', no '.git'."""
    if not isinstance(path, str) or "\\" in path or "\0" in path:
        return False
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or any(p in ("..", ".", "") for p in path.split("/")):
        return False
    if any(p.lower() == ".git" for p in parts):
        return False
    if path.startswith(UPLOADS_FOLDER + "/"):
        # An upload is an image that cannot run (an SVG or an HTML file would, on the site).
        return PurePosixPath(path).suffix.lower() in UPLOAD_SUFFIXES
    return any(path.startswith(folder + "/") for folder in WRITABLE)


def write_refusal(body: bytes) -> str:
    """Why a request's body is refused: it writes outside the editor's folders ('' if not)."""
    try:
        request = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "the request is not JSON"
    if not isinstance(request, dict):
        return "the request is not a JSON object"
    params = request.get("params")
    action = request.get("action")
    if not isinstance(params, dict):
        return ""  # decap-server refuses it itself (or it is 'info', which takes none)
    outside = [p for p in _paths(str(action), params) if not writable(p)]
    if outside:
        folders = ", ".join(f"{f}/" for f in WRITABLE)
        named = ", ".join(repr(p) for p in outside)
        kinds = ", ".join(sorted(UPLOAD_SUFFIXES))
        return (
            f"the web editor writes only in {folders} (uploads: {kinds} images only); "
            f"refused: {named}"
        )
    return ""


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(str(self.socket_path))
        self.sock = sock


def forward(backend: Path, body: bytes, timeout: float = 120) -> tuple[int, str, bytes]:
    """POST a request's body to decap-server's API on its socket: status, type, body.

    Only the body goes through, with a Host of decap-server's own: none of the browser's
    headers (Origin, cookies) reach it."""
    connection = _UnixConnection(backend, timeout)
    try:
        connection.request(
            "POST", API_PATH, body=body, headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        answer = response.read()
        kind = response.getheader("Content-Type") or "application/json"
        return response.status, kind, answer
    finally:
        connection.close()
