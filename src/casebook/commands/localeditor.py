"""`casebook edit`: the web editor on this computer, in a Git worktree of its own.

decap-server (the editor's local backend) commits with `git add .` in the folder it is
given, so run in the project's own folder it commits whatever an editor has not committed
yet onto the form's branch, where it disappears from their branch. Here it is given a
separate worktree of the repository, under .cache/casebook/editor/, on a branch of its own
(EDITOR_BRANCH, since Git lets a branch be checked out in one worktree only). Nothing but
decap-server writes there, so a save commits exactly the entry saved. The branches it makes
(cms/cases/<id>, cms/questions/<id>) are the repository's own, so `casebook edit --merge`
merges them into the editor's branch in their folder, where Git refuses any merge that would
overwrite their uncommitted work.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from casebook.sources.problems import display_path
from casebook.sources.project import Project

EDITOR_BRANCH = "casebook-editor"
WORKTREE = "editor"  # under the project's cache folder (.cache/casebook/)
DECAP_SERVER = Path("node_modules") / ".bin" / "decap-server"
COLLECTIONS = ("cases", "questions")  # the editor's collections, as its branches name them


class EditorError(Exception):
    """What stops the local editor, said so that the editor knows what to do."""


@dataclass
class Workspace:
    """The repository, the editor's worktree and what happened while preparing it."""

    root: Path  # the repository's top folder: the project's
    worktree: Path
    base: str  # the branch checked out in the project's folder, e.g. main
    notices: list[str] = field(default_factory=list)


def git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run git in `folder`; with `check`, a failure raises EditorError with git's words."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=folder, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as exc:
        raise EditorError("Git is not installed; install it (sudo apt install git)") from exc
    if check and done.returncode != 0:
        said = (done.stderr or done.stdout).strip()
        raise EditorError(f"'git {' '.join(args)}' failed in {folder}: {said}")
    return done


def _is_ancestor(root: Path, older: str, newer: str) -> bool:
    return git(root, "merge-base", "--is-ancestor", older, newer, check=False).returncode == 0


def _branch_exists(root: Path, branch: str) -> bool:
    ref = f"refs/heads/{branch}"
    return git(root, "show-ref", "--verify", "--quiet", ref, check=False).returncode == 0


def repository(project: Project) -> tuple[Path, str]:
    """The repository's top folder and its checked-out branch, or why the editor cannot run."""
    top = git(project.root, "rev-parse", "--show-toplevel", check=False)
    if top.returncode != 0:
        raise EditorError(
            f"{project.root} is not a Git repository; the local editor saves each entry on a "
            "Git branch. Work in a clone of the repository (git clone ...)"
        )
    root = Path(top.stdout.strip()).resolve()
    if root != project.root.resolve():
        raise EditorError(
            f"the project ({project.root}) must be the repository's top folder ({root}): the "
            "editor writes case_studies/ and reflective_questions/ from there"
        )
    branch = git(root, "symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
    if not branch:
        raise EditorError(
            "no branch is checked out (a 'detached HEAD'); check out your branch first, "
            "e.g. git switch main"
        )
    if git(root, "rev-parse", "--verify", "-q", "HEAD", check=False).returncode != 0:
        raise EditorError(f"the branch {branch} has no commit yet; commit the project first")
    if branch == EDITOR_BRANCH or branch.startswith("cms/"):
        raise EditorError(
            f"the branch {branch} belongs to the web editor; switch back to yours, e.g. "
            "git switch main"
        )
    return root, branch


def prepare(project: Project) -> Workspace:
    """The editor's worktree, created or repaired, with its branch brought up to date."""
    root, base = repository(project)
    worktree = project.cache_dir / WORKTREE
    space = Workspace(root, worktree, base)
    git(root, "worktree", "prune")  # forget a worktree whose folder was deleted
    if worktree.exists() and not _is_our_worktree(root, worktree):
        aside = worktree.with_name(f"{WORKTREE}.stale-{int(time.time())}")
        worktree.rename(aside)
        space.notices.append(f"an old editor folder that Git did not know was moved to {aside}")
        git(root, "worktree", "prune")
    if not worktree.exists():
        worktree.parent.mkdir(parents=True, exist_ok=True)
        if _branch_exists(root, EDITOR_BRANCH):
            git(root, "worktree", "add", "--quiet", str(worktree), EDITOR_BRANCH)
        else:
            git(root, "worktree", "add", "--quiet", "-b", EDITOR_BRANCH, str(worktree), base)
    _tidy(space)
    _catch_up(space)
    _share_bundle(project, worktree)
    return space


def _share_bundle(project: Project, worktree: Path) -> None:
    """The web editor's files, for the preview built in the worktree (.cache/ is ignored)."""
    bundle = project.root / ".cache" / "decap-cms"
    link = worktree / ".cache" / "decap-cms"
    if bundle.is_dir() and not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(bundle.resolve(), target_is_directory=True)


def _is_our_worktree(root: Path, worktree: Path) -> bool:
    """True when `worktree` is a worktree of this repository (and not, say, of a copy)."""
    listed = git(root, "worktree", "list", "--porcelain").stdout.splitlines()
    folders = {
        Path(line[len("worktree ") :]).resolve() for line in listed if line.startswith("worktree ")
    }
    return worktree.resolve() in folders and (worktree / ".git").is_file()


def _tidy(space: Workspace) -> None:
    """Leave the worktree clean on its branch, keeping anything an interrupted save left."""
    left = git(space.worktree, "status", "--porcelain").stdout.strip()
    if left:
        # Only decap-server writes here: this is a save that was interrupted. Keep it.
        git(space.worktree, "stash", "push", "--include-untracked", "-m", "casebook edit")
        space.notices.append(
            "files an interrupted save left in the editor's folder were kept with "
            f"'git stash' (see: git -C {space.worktree} stash list)"
        )
    current = git(space.worktree, "symbolic-ref", "--short", "-q", "HEAD", check=False)
    if current.stdout.strip() != EDITOR_BRANCH:
        git(space.worktree, "checkout", "--quiet", EDITOR_BRANCH)


def _catch_up(space: Workspace) -> None:
    """Bring the editor's branch up to the project's branch, so the form lists its cases."""
    root, base = space.root, space.base
    if _is_ancestor(root, EDITOR_BRANCH, base):
        git(space.worktree, "merge", "--quiet", "--ff-only", base)
        return
    # Entries published with the board's Publish button were merged into the editor's
    # branch, not into the project's: say how to bring them in, and keep them.
    space.notices.append(
        f"entries published in the editor's Workflow board are on the branch {EDITOR_BRANCH}, "
        f"not yet on {base}; bring them in with: git merge {EDITOR_BRANCH}"
    )
    if _is_ancestor(root, base, EDITOR_BRANCH):
        return
    merged = git(space.worktree, "merge", "--quiet", "--no-edit", base, check=False)
    if merged.returncode != 0:
        git(space.worktree, "merge", "--abort", check=False)
        space.notices.append(
            f"{base} could not be merged into {EDITOR_BRANCH} ({merged.stderr.strip()}); the "
            f"form shows the cases as they were on {EDITOR_BRANCH}"
        )


# --- decap-server ---------------------------------------------------------------------------


def backend_port(local_backend: str) -> int:
    """The port of the local backend's address in the editor's configuration."""
    parts = urlsplit(local_backend)
    return parts.port or (443 if parts.scheme == "https" else 80)


def start_backend(project: Project, space: Workspace, port: int) -> subprocess.Popen[bytes]:
    """decap-server in Git mode on the editor's worktree, listening on this computer only."""
    program = project.root / DECAP_SERVER
    if not program.exists():
        raise EditorError(
            f"the editor's local backend is not installed ({DECAP_SERVER} is missing); run "
            "bash scripts/setup.sh --test once, then casebook edit again"
        )
    if shutil.which("node") is None:
        raise EditorError("Node.js is not installed; run bash scripts/setup.sh --test")
    ensure_free(port)
    env = {
        **os.environ,
        "MODE": "git",
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "GIT_REPO_DIRECTORY": str(space.worktree),
        "LOG_LEVEL": "warn",
    }
    # Its working folder is the worktree too: it reads a .env file from there, none from ours.
    server = subprocess.Popen(
        [str(program)], cwd=space.worktree, env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise EditorError(f"decap-server stopped at once (exit code {server.returncode})")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    stop_backend(server)
    raise EditorError(f"decap-server did not start listening on port {port} within 30 s")


def ensure_free(port: int) -> None:
    with socket.socket() as sock:
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            raise EditorError(
                f"port {port} is already in use (is another 'casebook edit' or decap-server "
                "running?); stop it, then run casebook edit again"
            )


def stop_backend(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- bringing a saved entry into the project's branch ---------------------------------------


def saved_entries(root: Path) -> list[str]:
    """The web editor's branches not merged yet: cms/cases/<id>, cms/questions/<id>."""
    listed = git(root, "branch", "--list", "--format=%(refname:short)", "cms/*").stdout
    return sorted(line.strip() for line in listed.splitlines() if line.strip())


def merge_entry(project: Project, case_id: str) -> list[str]:
    """Merge the case's saved entries into the checked-out branch and delete their branches.

    Deleting the branch is what keeps the editor's Workflow board working: a branch that is
    merged but left makes the board fail to load that entry ("API_ERROR")."""
    root, base = repository(project)
    wanted = [f"cms/{collection}/{case_id}" for collection in COLLECTIONS]
    branches = [b for b in wanted if _branch_exists(root, b)]
    if not branches:
        saved = ", ".join(saved_entries(root)) or "none"
        raise EditorError(
            f"nothing saved in the web editor for '{case_id}' (no branch {' or '.join(wanted)}); "
            f"entries saved and not merged yet: {saved}"
        )
    done: list[str] = []
    for branch in branches:
        message = f"Merge {branch}: saved in the web editor"
        merged = git(root, "merge", "--no-edit", "-m", message, branch, check=False)
        if merged.returncode != 0:
            if (Path(git(root, "rev-parse", "--git-dir").stdout.strip()) / "MERGE_HEAD").exists():
                git(root, "merge", "--abort", check=False)
            said = (merged.stderr or merged.stdout).strip()
            raise EditorError(
                f"{branch} could not be merged into {base}, so nothing of it was changed: "
                f"{said}\nCommit or move aside the files Git names, then run it again"
            )
        git(root, "branch", "-d", branch)
        done.append(branch)
    _follow(project, root, base)
    return done


def _follow(project: Project, root: Path, base: str) -> None:
    """Move the editor's branch on to the merge, so the form lists the case as merged.

    Only when its worktree is idle on its branch: otherwise the next `casebook edit` does."""
    worktree = project.cache_dir / WORKTREE
    if not worktree.is_dir() or not _is_ancestor(root, EDITOR_BRANCH, base):
        return
    current = git(worktree, "symbolic-ref", "--short", "-q", "HEAD", check=False).stdout.strip()
    if current == EDITOR_BRANCH and not git(worktree, "status", "--porcelain").stdout.strip():
        git(worktree, "merge", "--quiet", "--ff-only", base, check=False)


def say(message: str) -> None:
    print(f"casebook edit: {message}", file=sys.stderr, flush=True)


# --- the command ----------------------------------------------------------------------------


def edit(project: Project, port: int) -> int:
    """`casebook edit`: decap-server on the editor's worktree, and the preview with /admin/."""
    from casebook.commands.serve import serve
    from casebook.editor.cms import CmsSettings, bundle_dir
    from casebook.pipeline.builder import read_config

    if bundle_dir(project) is None:
        say("the web editor's files are not fetched; run bash scripts/setup.sh --test first")
        return 1
    settings = CmsSettings.from_config(read_config(project))
    port_of_backend = backend_port(settings.local_backend)
    try:
        ensure_free(port_of_backend)  # before the worktree: another editor may be using it
        space = prepare(project)
        server = start_backend(project, space, port_of_backend)
    except EditorError as exc:
        say(str(exc))
        return 1
    for notice in space.notices:
        say(notice)
    say(
        f"the form saves into {display_path(space.worktree)}, never into your folder; each "
        "saved entry is a branch cms/cases/<id> (or cms/questions/<id>). The preview shows "
        f"your branch as last committed. Open http://127.0.0.1:{port}/admin/ and choose Login. "
        "To bring a saved case into your folder: casebook edit --merge <id>"
    )
    # Stopped by a signal rather than Ctrl+C, it still stops decap-server on its way out.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    here = Path.cwd()
    try:
        # The preview is of the worktree: your uncommitted files can neither break it nor be
        # touched by it, and a case merged with --merge appears in it (see _follow). From
        # there, problems name files as in your folder (case_studies/x.md).
        os.chdir(space.worktree)
        return serve(Project(space.worktree), port=port, cms_branch=EDITOR_BRANCH)
    except KeyboardInterrupt:
        return 130
    finally:
        os.chdir(here)
        stop_backend(server)
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def merge(project: Project, case_id: str) -> int:
    """`casebook edit --merge ID`."""
    try:
        merged = merge_entry(project, case_id)
    except EditorError as exc:
        say(str(exc))
        return 1
    for branch in merged:
        say(f"merged {branch} into your branch and deleted it")
    return 0
