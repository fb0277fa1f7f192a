"""`casebook serve`: a live preview of every edition, rebuilt as sources change.

The preview is built the way `casebook build` builds `site/`, into `build/preview/site`
with its own manifest, so a change rebuilds only the pages it makes outdated. A saved case
file is checked on its own (the rest of the library is kept from the last check). The
page is served as soon as it is built; the search index is brought up to date after that,
in the background. A change that breaks `check` (or the build) keeps the last good
preview, and the reason is printed in the terminal and shown at the top of every page.
Worksheet PDFs come from the PDF cache, or are rendered when a page asks for one.
"""

from __future__ import annotations

import copy
import functools
import html
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from casebook.check.validate import check_project
from casebook.commands.editorgate import API_PATH, MAX_REQUEST, forward, refusal, write_refusal
from casebook.commands.gitcheckout import on_branch
from casebook.editor.cms import local_editor_config
from casebook.outputs.search import DELTA, PRIMARY, IndexJob, finish, no_delta
from casebook.outputs.search import command as search_command
from casebook.pages.render import Renderer, SiteSettings
from casebook.pipeline.builder import read_config
from casebook.pipeline.context import Progress
from casebook.pipeline.files import link_tree
from casebook.pipeline.sequence import Options, Target, run
from casebook.sources.digests import source_folders
from casebook.sources.model import Library
from casebook.sources.problems import Problem, count
from casebook.sources.project import Project

CHANGES = {"created", "deleted", "modified", "moved"}
PREVIEW = "preview"  # build/preview/: the preview's site, staging and builder folders
PREVIEW_MANIFEST = "preview-manifest.json"  # in .cache/casebook/, beside the build's
STATE_URL = "/__casebook/state"
LIVE_URL = "/__casebook/live.js"
EDITOR_CONFIG_URL = "/admin/config.yml"
# Reloads the page when the preview has been rebuilt (same-origin script: allowed by the
# pages' Content-Security-Policy).
LIVE_JS = """(function () {
  var seen = null;
  function poll() {
    fetch("STATE_URL", { cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (seen === null) { seen = state.generation; }
        else if (state.generation !== seen) { location.reload(); return; }
        setTimeout(poll, 400);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
""".replace("STATE_URL", STATE_URL)


@dataclass
class Preview:
    """The preview's state: the last good library, and what the last rebuild said."""

    project: Project
    pdf: bool = False
    quiet: bool = False
    port: int = 8000
    # The branch the web editor's form works from, when `casebook edit` serves it, and the
    # socket of its backend (decap-server), which the preview's /api/v1 forwards to.
    cms_branch: str = ""
    backend: Path | None = None
    library: Library | None = None
    generation: int = 0
    error: str = ""
    problems: list[Problem] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.work = self.project.root / "build" / PREVIEW
        self.site = self.work / "site"
        self._seed()
        # The search index being updated in the background. A rebuild stops it; the pages
        # it held are then indexed with the next rebuild's (the delta keeps them).
        self._search: subprocess.Popen[bytes] | None = None
        self._job: IndexJob | None = None

    def _seed(self) -> None:
        """Start from the last `casebook build` when there is no preview yet: the first
        rebuild then only updates what differs (hard links: nothing is copied)."""
        built = self.project.site_dir
        manifest = self.project.cache_dir / "manifest.json"
        if (self.site / "index.html").is_file() or not (built / "index.html").is_file():
            return
        if not manifest.is_file():
            return
        shutil.rmtree(self.site, ignore_errors=True)
        self.site.parent.mkdir(parents=True, exist_ok=True)
        link_tree(built, self.site)
        shutil.copyfile(manifest, self.project.cache_dir / PREVIEW_MANIFEST)

    # Rebuilding ------------------------------------------------------------------------

    def check(self, changed: set[Path] | None) -> tuple[Library | None, list[Problem]]:
        """Check what changed: only the saved case files when nothing else changed."""
        cases = self.project.cases_dir
        if (
            self.library is not None
            and changed
            and all(p.parent == cases and p.suffix == ".md" for p in changed)
        ):
            present = [p for p in changed if p.is_file()]
            result = check_project(self.project, present) if present else None
            problems = result.problems if result else []
            if any(p.is_error for p in problems) or (result is None and present):
                return None, problems
            return self._merge(result.library if result else None, changed), problems
        result = check_project(self.project)
        if result.errors:
            return None, result.problems
        return result.library, result.problems

    def _merge(self, fresh: Library | None, changed: set[Path]) -> Library:
        """The last good library with the changed case files replaced (or removed)."""
        assert self.library is not None
        stems = {p.stem for p in changed}
        cases = {c.id: c for c in self.library.cases}
        translations = {code: dict(found) for code, found in self.library.translations.items()}
        for stem in stems:
            base, _, language = stem.partition(".")
            if language:
                translations.get(language, {}).pop(base, None)
            else:
                cases.pop(stem, None)
        if fresh is not None:
            for case in fresh.cases:
                cases[case.id] = case
            for code, found in fresh.translations.items():
                translations.setdefault(code, {}).update(found)
            library = copy.copy(fresh)
        else:
            library = copy.copy(self.library)
        originals = cases
        for found in translations.values():
            for case in found.values():
                if case.original is not None and case.original.id in originals:
                    case.original = originals[case.original.id]
        library.cases = sorted(cases.values(), key=lambda c: c.id)
        library.translations = translations
        return library

    def rebuild(self, changed: set[Path] | None = None) -> bool:
        """Check and rebuild the preview, by the build's own sequence (what a preview leaves
        out is in `Options.preview`); on a problem, keep the last good one."""
        started = time.perf_counter()
        self._stop_search()
        # One build at a time in the project: a `casebook build` running now is waited for.
        outcome = run(
            self.project,
            Target(self.site, PREVIEW_MANIFEST, self.work),
            Options.preview(self.pdf),
            Progress(quiet=self.quiet),
            check=lambda: self.check(changed),
        )
        if outcome.stage == "check":
            errors = [p.format() for p in outcome.problems if p.is_error]
            self._failed(errors[:12], f"{len(errors)} error(s) found by check")
            return False
        if outcome.stage:
            self._failed([outcome.reason], "the build failed")
            return False
        with self.lock:  # the pages are in place: reload the browsers
            self.library = outcome.library
            self.problems = outcome.problems
            self.error = ""
            self.generation += 1
        built = outcome.built
        elapsed = time.perf_counter() - started
        what = "nothing to rebuild" if built is None else "preview updated"
        warnings = count(outcome.problems)[1]
        print(
            f"casebook: {what} in {elapsed:.1f} s ({warnings} warning(s)); "
            f"http://127.0.0.1:{self.port}/",
            file=sys.stderr,
            flush=True,
        )
        if built is not None and built.search is not None:
            self._start_search(built.search)
        return True

    def _failed(self, lines: list[str], summary: str) -> None:
        message = f"{summary}; the preview shows the last good version.\n" + "\n".join(lines)
        print(f"casebook: {message}", file=sys.stderr, flush=True)
        with self.lock:
            self.error = message
            self.generation += 1

    # Search, in the background -----------------------------------------------------------

    def _start_search(self, job: IndexJob) -> None:
        """Update the preview's search index with Pagefind into a new folder, swapped in
        when done."""
        stopped = self._job
        if stopped is not None and stopped.folder == PRIMARY:
            job = stopped  # the whole index was stopped: it is still to do
        elif stopped is not None and job.folder == DELTA:
            # The stopped run's pages are not in the delta yet: index them with these.
            job = IndexJob(DELTA, tuple(sorted({*stopped.pages, *job.pages})))
        output = self.work / "pagefind.tmp"
        shutil.rmtree(output, ignore_errors=True)
        self._job = job
        self._search = subprocess.Popen(
            search_command(self.site, job, output),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def search_finished(self) -> bool:
        """Swap a finished search index in; True when none is running any more."""
        process, job = self._search, self._job
        if process is None or job is None:
            return True
        if process.poll() is None:
            return False
        self._search = self._job = None
        output = self.work / "pagefind.tmp"
        if process.returncode != 0 or not output.is_dir():
            print("casebook: the search index could not be updated", file=sys.stderr)
            return True
        finish(self.site, job, output)
        old = self.work / "pagefind.old"
        shutil.rmtree(old, ignore_errors=True)
        old.mkdir(parents=True)
        target = self.site / job.folder
        if target.exists():
            target.rename(old / "bundle")
        if job.folder == PRIMARY and (self.site / DELTA).exists():
            (self.site / DELTA).rename(old / "delta")
        output.rename(target)
        if job.folder == PRIMARY:
            no_delta(self.site / DELTA)
        shutil.rmtree(old, ignore_errors=True)
        print("casebook: search index updated", file=sys.stderr, flush=True)
        return True

    def _stop_search(self) -> None:
        if self._search is not None and self._search.poll() is None:
            self._search.terminate()
            self._search.wait()
        self._search = None

    # PDFs on request ---------------------------------------------------------------------

    def pdf_for(self, url_path: str) -> Path | None:
        """A worksheet PDF the preview was built without: from the cache, or rendered."""
        from casebook.outputs.pdf import PdfError, render_pdfs
        from casebook.pages.worksheets import print_documents
        from casebook.sources.facilitation import load_facilitator_notes

        library = self.library
        if library is None:
            return None
        parts = url_path.strip("/").split("/")
        locales = library.languages.locales
        code = library.languages.default.code
        if parts and parts[0] in locales and parts[0] != code:
            code, parts = parts[0], parts[1:]
        if len(parts) != 3 or parts[0] != "worksheets":
            return None
        wanted = "/".join(parts)
        settings = SiteSettings.from_config(read_config(self.project))
        notes, _ = load_facilitator_notes(self.project, code)
        if notes is None:
            return None
        renderer = Renderer(library, locales[code], settings, notes)
        renderer.cases = [c for c in renderer.cases if c.id == parts[1]]
        if not renderer.cases:
            return None
        documents = [
            (p, h) for p, h in print_documents(renderer, library.support, notes) if p == wanted
        ]
        if not documents:
            return None
        try:
            result = render_pdfs(
                self.project, {code: documents}, Progress(quiet=True), workers=1, original=code
            )
        except PdfError as exc:
            print(f"casebook: {exc}", file=sys.stderr)
            return None
        return result.files[code][wanted]

    def state(self) -> dict[str, Any]:
        with self.lock:
            return {"generation": self.generation, "ok": not self.error, "error": self.error}


def banner(message: str) -> str:
    """The reason the preview is not up to date, at the top of every page."""
    lines = "".join(
        f"<li><code>{html.escape(line)}</code></li>" for line in message.splitlines()[1:]
    )
    return (
        '<div role="alert" class="cb-preview-error" style="background:#b00020;color:#fff;'
        'padding:1rem;font:1rem/1.4 system-ui,sans-serif;position:relative;z-index:10">'
        f'<p style="margin:0 0 .5rem"><strong>casebook serve:</strong> '
        f"{html.escape(message.splitlines()[0])}</p>"
        f'<ul style="margin:0;padding-left:1.2rem">{lines}</ul></div>'
    )


def inject(page: str, error: str) -> str:
    """Add the live-reload script, and the error banner when the last change failed."""
    script = f'<script src="{LIVE_URL}"></script>'
    page = page.replace("</body>", script + "</body>", 1) if "</body>" in page else page + script
    if error:
        at = page.find("<body")
        end = page.find(">", at) + 1 if at != -1 else 0
        page = page[:end] + banner(error) + page[end:]
    return page


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _admitted(self) -> bool:
        """Only requests for the preview's own address, and the editor's backend only from
        the preview's own pages (editorgate.py); a 403 with the reason otherwise."""
        path = unquote(urlsplit(self.path).path)
        # The port it listens on, as given or (port 0) as chosen.
        port = int(getattr(self.server, "server_port", self.preview.port))
        why = refusal(self.command, path, self.headers.items(), port)
        if why:
            self._refuse(HTTPStatus.FORBIDDEN, why)
        return not why

    def _refuse(self, status: HTTPStatus, why: str) -> None:
        self.send_error(status, explain=why)
        print(f"casebook: refused {self.command} {self.path}: {why}", file=sys.stderr)

    def do_HEAD(self) -> None:
        if self._admitted():
            super().do_HEAD()

    def do_POST(self) -> None:
        if not self._admitted():
            return
        path = unquote(urlsplit(self.path).path)
        backend = self.preview.backend
        if path != API_PATH or backend is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self.send_error(HTTPStatus.LENGTH_REQUIRED)
            return
        if not 0 <= length <= MAX_REQUEST:
            self.send_error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        body = self.rfile.read(length)
        why = write_refusal(body)
        if why:
            self._refuse(HTTPStatus.FORBIDDEN, why)
            return
        try:
            status, kind, answer = forward(backend, body)
        except OSError as exc:
            self._refuse(HTTPStatus.BAD_GATEWAY, f"decap-server did not answer ({exc})")
            return
        self._send(answer, kind, status)

    def do_GET(self) -> None:
        if not self._admitted():
            return
        path = unquote(urlsplit(self.path).path)
        if path == STATE_URL:
            self._send(json.dumps(self.preview.state()).encode(), "application/json")
            return
        if path == LIVE_URL:
            self._send(LIVE_JS.encode(), "text/javascript")
            return
        if path == EDITOR_CONFIG_URL and self.preview.cms_branch:
            config = Path(self.translate_path(self.path))
            if config.is_file():
                text = config.read_text(encoding="utf-8")
                # The backend is the preview itself, at the address the browser used
                # (_admitted has checked it): same origin, so the gate lets it through.
                backend = f"http://{self.headers['Host']}{API_PATH}"
                text = local_editor_config(text, self.preview.cms_branch, backend)
                self._send(text.encode("utf-8"), "text/yaml; charset=utf-8")
                return
        local = Path(self.translate_path(self.path))
        if local.is_dir() and (local / "index.html").is_file() and path.endswith("/"):
            local = local / "index.html"
        if local.suffix == ".pdf" and not local.is_file():
            found = self.preview.pdf_for(path)
            if found is not None:
                self._send(found.read_bytes(), "application/pdf")
                return
        # The web editor is never reloaded: it would lose what is typed in its form.
        if local.suffix == ".html" and local.is_file() and not path.startswith("/admin/"):
            page = inject(local.read_text(encoding="utf-8"), self.preview.state()["error"])
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")
            return
        super().do_GET()

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def watch(preview: Preview, stop: threading.Event) -> None:
    """Rebuild when a source changes; keep the search index up to date in between."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    project = preview.project
    folders = [f for f in source_folders(project) if f.is_dir()]
    pending: set[Path] = set()
    everything = threading.Event()  # a change outside the case files: check it all
    wake = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            # Reading a file raises "opened" events too; only changes may trigger a rebuild.
            if event.event_type not in CHANGES or event.is_directory:
                return
            paths = [event.src_path, getattr(event, "dest_path", "")]
            for raw in paths:
                if not raw:
                    continue
                path = Path(os.fsdecode(raw))
                if path.name.startswith(".") or path.name.endswith(("~", ".swp", ".tmp")):
                    continue
                if path == project.mkdocs_yml or any(f in path.parents for f in folders):
                    pending.add(path)
                    wake.set()

    observer = Observer()
    for folder in folders:
        observer.schedule(Handler(), str(folder), recursive=True)
    observer.schedule(Handler(), str(project.root), recursive=False)
    observer.start()
    try:
        while not stop.is_set():
            if not wake.wait(0.25):
                preview.search_finished()
                continue
            time.sleep(0.1)  # let an editor finish saving several files
            if preview.cms_branch and not on_branch(project.root, preview.cms_branch):
                continue  # decap-server is saving on an entry's branch: wait until it is back
            wake.clear()
            changed = set(pending)
            pending.clear()
            everything.clear()
            preview.rebuild(changed)
    finally:
        observer.stop()


def serve(
    project: Project,
    port: int = 8000,
    pdf: bool = False,
    cms_branch: str = "",
    backend: Path | None = None,
) -> int:
    # Imported once here, so the builder's worker processes (forked for every rebuild)
    # start with MkDocs and the theme already loaded.
    import importlib

    for module in ("mkdocs.commands.build", "mkdocs.config", "material", "pymdownx.superfences"):
        importlib.import_module(module)

    preview = Preview(project, pdf, port=port, cms_branch=cms_branch, backend=backend)
    print("casebook: building the preview of every edition…", file=sys.stderr, flush=True)
    if not preview.rebuild(None) and not (preview.site / "index.html").is_file():
        if cms_branch:
            print(
                "casebook edit: the preview is built from the last commit of your branch, "
                "which the check refuses: fix the errors above, commit, then run it again",
                file=sys.stderr,
            )
        else:
            print("casebook serve: fix the errors above, then run it again", file=sys.stderr)
        return 1
    handler = functools.partial(PreviewHandler, directory=str(preview.site))
    PreviewHandler.preview = preview
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        command = "casebook edit" if cms_branch else "casebook serve"
        print(f"{command}: cannot listen on port {port} ({exc}); try --port", file=sys.stderr)
        return 1
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(preview, stop), daemon=True)
    watcher.start()
    editions = ""
    if preview.library is not None:
        languages = preview.library.languages
        editions = ", ".join(
            "/" if code == languages.default.code else f"/{code}/" for code in languages.locales
        )
    print(
        f"casebook: serving every edition ({editions}) on http://127.0.0.1:{port}/ "
        "(Ctrl+C to stop)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        preview._stop_search()
    return 0
