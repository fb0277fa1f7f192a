"""`casebook serve`: a live preview that regenerates pages when a source file changes.

Our watcher regenerates build/docs/ from the sources; MkDocs' own server watches
build/docs/ and reloads the browser. Only changed pages are rewritten, so a rebuild
touches little.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from casebook.build import (
    BuildError,
    Progress,
    generate,
    read_config,
    render_worksheet_pdfs,
    write_config,
)
from casebook.i18n import load_languages
from casebook.problems import count, print_problems
from casebook.project import Project
from casebook.render import SiteSettings
from casebook.validate import check_project

CHANGES = {"created", "deleted", "modified", "moved"}


def regenerate(project: Project, pdf: bool = False) -> bool:
    """Check and regenerate; on errors, keep the last good pages and say what is wrong."""
    result = check_project(project)
    print_problems(result.problems)
    errors, warnings = count(result.problems)
    if errors:
        print(
            f"casebook: {errors} error(s); the preview shows the last good version", file=sys.stderr
        )
        return False
    settings = SiteSettings.from_config(read_config(project))
    try:
        pdfs = render_worksheet_pdfs(project, result.library, settings, Progress()) if pdf else None
        original = result.library.languages.default
        generated = generate(project, result.library, settings, (pdfs or {}).get(original.code))
        write_config(project, original, result.library.languages)
    except BuildError as exc:
        print(f"casebook: {exc}", file=sys.stderr)
        return False
    print(
        f"casebook: regenerated ({generated.written} page(s) changed, {warnings} warning(s))",
        file=sys.stderr,
    )
    return True


def serve(project: Project, port: int = 8000, pdf: bool = False) -> int:
    from mkdocs.commands.serve import serve as mkdocs_serve
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    if not regenerate(project, pdf):
        print("casebook serve: fix the errors above, then run it again", file=sys.stderr)
        return 1

    sources = [project.cases_dir, project.questions_dir, project.vocabularies_dir, project.docs_dir]
    pending = threading.Event()

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            # Reading a file raises "opened" events too; only changes may trigger a rebuild.
            if event.event_type in CHANGES and not event.is_directory:
                pending.set()

    def worker() -> None:
        while True:
            pending.wait()
            time.sleep(0.3)  # let an editor finish saving several files
            pending.clear()
            regenerate(project, pdf)

    observer = Observer()
    for folder in sources:
        if folder.is_dir():
            observer.schedule(Handler(), str(folder), recursive=True)
    observer.start()
    threading.Thread(target=worker, daemon=True).start()
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s - %(message)s")
    print(f"casebook: serving on http://127.0.0.1:{port}/ (Ctrl+C to stop)", file=sys.stderr)
    try:
        original = load_languages(project.root)[0].default.code
        mkdocs_serve(
            config_file=str(project.root / "build" / original / "mkdocs.yml"),
            dev_addr=f"127.0.0.1:{port}",
            livereload=True,
        )
    finally:
        observer.stop()
    return 0
