"""`casebook serve`: every edition previewed, a saved case shown, a broken edit explained."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import urllib.request
from collections.abc import Iterator

import pytest

from casebook.commands.serve import LIVE_URL, PREVIEW_MANIFEST, Preview, PreviewHandler
from casebook.pipeline.manifest import Manifest
from casebook.sources.project import Project
from sitebuild import copy_project

pytestmark = pytest.mark.slow
CASE = "case_studies/odi-mexico.md"


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Preview, str]]:
    root = copy_project(tmp_path_factory.mktemp("serve") / "project")
    # The French edition holds no translation of the case: it shows the link page.
    (root / "case_studies/odi-mexico.fr.md").unlink()
    (root / "reflective_questions/cases/odi-mexico.fr.yml").unlink()
    state = Preview(Project(root), quiet=True)
    assert state.rebuild(None)
    PreviewHandler.preview = state
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(PreviewHandler, directory=str(state.site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        state._stop_search()


def get(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.headers["Content-Type"], response.read()


def test_every_edition_is_previewed_with_live_reload(preview: tuple[Preview, str]) -> None:
    state, base = preview
    for prefix, title in (("", "Uncovering organised"), ("es/", "Sacar a la luz")):
        kind, body = get(f"{base}{prefix}cases/odi-mexico/")
        page = body.decode()
        assert kind.startswith("text/html") and title in page
        assert f'<script src="{LIVE_URL}"></script></body>' in page
        assert "Content-Security-Policy" in page  # the live script is same-origin: allowed
    _, body = get(base + "fr/cases/odi-mexico/")
    assert "Lire le cas en anglais" in body.decode()
    # Search works in the preview: the index is built after the pages, in the background.
    while not state.search_finished():
        threading.Event().wait(0.2)
    _, script = get(base + "pagefind/pagefind.js")
    assert script


def test_a_saved_case_is_rebuilt_alone(preview: tuple[Preview, str]) -> None:
    state, base = preview
    path = state.project.root / CASE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("frontline organisation", "front-line organisation"))
    generation = json.loads(get(base + "__casebook/state")[1])["generation"]
    assert state.rebuild({path})
    assert json.loads(get(base + "__casebook/state")[1]) == {
        "generation": generation + 1,
        "ok": True,
        "error": "",
    }
    assert "front-line organisation" in get(base + "cases/odi-mexico/")[1].decode()
    english = Manifest.load(state.project, PREVIEW_MANIFEST).edition("en")
    assert english.site["cases/odi-mexico.md"] == english.docs["cases/odi-mexico.md"][1]


def test_a_broken_edit_keeps_the_last_good_preview_and_says_why(
    preview: tuple[Preview, str], capsys: pytest.CaptureFixture[str]
) -> None:
    state, base = preview
    path = state.project.root / CASE
    good = path.read_text(encoding="utf-8")
    path.write_text(
        good.replace("status: published", "status: publishd").replace(
            "front-line organisation", "broken organisation"
        )
    )
    assert not state.rebuild({path})
    assert "status: 'publishd' is not allowed" in capsys.readouterr().err  # the terminal
    page = get(base + "cases/odi-mexico/")[1].decode()
    assert "front-line organisation" in page and "broken organisation" not in page
    assert '<div role="alert" class="cb-preview-error"' in page  # the page
    assert "the preview shows the last good version" in page
    assert "status: &#x27;publishd&#x27; is not allowed" in page
    assert json.loads(get(base + "__casebook/state")[1])["ok"] is False
    path.write_text(good)
    assert state.rebuild({path})
    page = get(base + "cases/odi-mexico/")[1].decode()
    assert 'role="alert"' not in page


def test_a_worksheet_pdf_is_rendered_when_asked_for(preview: tuple[Preview, str]) -> None:
    state, base = preview
    pdf = "worksheets/odi-mexico/odi-mexico-practitioners-a4.pdf"
    assert not (state.site / pdf).exists()  # the preview is built without PDFs
    kind, body = get(base + pdf)
    assert kind == "application/pdf" and body.startswith(b"%PDF")
    kind, body = get(base + "es/" + pdf)
    assert kind == "application/pdf" and body.startswith(b"%PDF")
    assert list((state.project.cache_dir / "pdf").glob("*.pdf"))  # cached for next time
