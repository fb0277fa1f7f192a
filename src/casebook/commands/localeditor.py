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

decap-server writes whatever file a request names, so it listens on a Unix socket in a
private folder, reached only through the preview's gate (editorgate.py), and `--merge`
brings in a branch only when every file it changes is the entry's own (foreign_files).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from casebook.commands.editorgate import CASES_FOLDER, QUESTIONS_FOLDER, UPLOADS_FOLDER, forward
from casebook.sources.problems import display_path
from casebook.sources.project import Project
from casebook.sources.uploads import UPLOAD_SUFFIXES

EDITOR_BRANCH = "casebook-editor"
WORKTREE = "editor"  # under the project's cache folder (.cache/casebook/)
DECAP_SERVER = Path("node_modules") / ".bin" / "decap-server"
COLLECTIONS = ("cases", "questions")  # the editor's collections, as its branches name them
LOCK_NAME = "editor.lock"  # in .cache/casebook/, held while `casebook edit` runs


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

# Loaded into decap-server before its own code: its `listen(PORT, BIND_HOST)` goes to a Unix
# socket instead, so it has no TCP port that a browser page could reach. Only the preview's
# gate (editorgate.py) talks to it.
UNIX_SOCKET_PRELOAD = """\
"use strict";
// casebook edit: decap-server listens on the Unix socket CASEBOOK_DECAP_SOCKET, never on TCP.
const http = require("http");
const socketPath = process.env.CASEBOOK_DECAP_SOCKET;
if (!socketPath) throw new Error("CASEBOOK_DECAP_SOCKET is not set");
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  const done = args.find((arg) => typeof arg === "function");
  return listen.call(this, { path: socketPath }, done);
};
"""
SOCKET_NAME = "decap-server.sock"


@dataclass
class Backend:
    """decap-server running, and the socket it listens on, in a folder only we can open."""

    process: subprocess.Popen[bytes]
    socket_path: Path

    @property
    def folder(self) -> Path:
        return self.socket_path.parent


def start_backend(project: Project, space: Workspace) -> Backend:
    """decap-server in Git mode on the editor's worktree, on a Unix socket of its own."""
    program = project.root / DECAP_SERVER
    if not program.exists():
        raise EditorError(
            f"the editor's local backend is not installed ({DECAP_SERVER} is missing); run "
            "bash scripts/setup.sh --test once, then casebook edit again"
        )
    node = shutil.which("node")
    if node is None:
        raise EditorError("Node.js is not installed; run bash scripts/setup.sh --test")
    # mkdtemp makes the folder readable by this user only (0700): no other user of the
    # computer can connect to the socket in it. /tmp keeps its path under the 108 bytes
    # a socket's path may have.
    folder = Path(tempfile.mkdtemp(prefix="casebook-edit-", dir=_short_tmp()))
    sock = folder / SOCKET_NAME
    preload = folder / "unix-socket.js"
    preload.write_text(UNIX_SOCKET_PRELOAD, encoding="utf-8")
    env = {
        **os.environ,
        "MODE": "git",
        "CASEBOOK_DECAP_SOCKET": str(sock),
        # Should the preload ever not apply, it listens on a free port of this computer only.
        "PORT": "0",
        "BIND_HOST": "127.0.0.1",
        "GIT_REPO_DIRECTORY": str(space.worktree),
        "LOG_LEVEL": "warn",
    }
    # Its working folder is the worktree too: it reads a .env file from there, none from ours.
    server = subprocess.Popen(
        [node, "--require", str(preload), str(program.resolve())],
        cwd=space.worktree,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    backend = Backend(server, sock)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            shutil.rmtree(folder, ignore_errors=True)
            raise EditorError(f"decap-server stopped at once (exit code {server.returncode})")
        if sock.exists() and _answers(sock):
            return backend
        time.sleep(0.1)
    stop_backend(backend)
    raise EditorError("decap-server did not start listening within 30 s")


def _answers(sock: Path) -> bool:
    """True once the API answers: in Git mode decap-server listens before its routes are
    registered, and a save sent in between gets a 404."""
    with socket.socket(socket.AF_UNIX) as probe:
        if probe.connect_ex(str(sock)) != 0:
            return False
    try:
        status, _, _ = forward(sock, b'{"action": "info", "params": {}}', timeout=5)
    except OSError:
        return False
    return status != 404


def _short_tmp() -> str | None:
    default = tempfile.gettempdir()
    return "/tmp" if len(default) > 60 and os.path.isdir("/tmp") else None


def stop_backend(backend: Backend) -> None:
    server = backend.process
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    shutil.rmtree(backend.folder, ignore_errors=True)


@contextlib.contextmanager
def editor_lock(project: Project) -> Iterator[None]:
    """One `casebook edit` at a time in a project: two would share the editor's worktree."""
    import fcntl  # not on Windows, where Casebook is not supported

    path = project.cache_dir / LOCK_NAME
    try:
        project.cache_dir.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise EditorError(f"cannot open {path} ({exc.strerror}); make it writable") from exc
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(handle, 200, 0).decode("utf-8", "replace").strip()
            raise EditorError(
                f"another 'casebook edit' is running in this project ({other or 'pid unknown'}); "
                "stop it (Ctrl+C in its terminal), then run casebook edit again"
            ) from None
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"pid {os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(handle)  # closing the file releases the lock


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
    # Every branch is looked at before any is merged: one foreign file, and nothing is.
    foreign = {b: foreign_files(root, base, b, case_id) for b in branches}
    if any(foreign.values()):
        raise EditorError(_foreign_message(base, case_id, foreign))
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


# A translation's language code, as in i18n/languages.yml: es, fr, pt-BR.
_LANGUAGE = r"(?:\.[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)?"
_REGULAR = ("100644", "100755", "000000")  # a file (or none, when deleted): no link, no submodule


def entry_patterns(case_id: str) -> tuple[re.Pattern[str], ...]:
    """The entry's own files: its case file, its questions, each with their translations."""
    name = re.escape(case_id)
    return (
        re.compile(rf"{CASES_FOLDER}/{name}{_LANGUAGE}\.md"),
        re.compile(rf"{QUESTIONS_FOLDER}/{name}{_LANGUAGE}\.yml"),
    )


def changed_files(root: Path, base: str, branch: str) -> dict[str, str]:
    """What merging `branch` into `base` can change: each path, with its mode on `branch`.

    Taken from every merge base, as a merge may start from any of them."""
    bases = git(root, "merge-base", "--all", base, branch).stdout.split()
    changed: dict[str, str] = {}
    for start in bases:
        raw = git(root, "diff", "--raw", "--no-renames", "-z", start, branch).stdout
        fields = raw.split("\0")
        for meta, path in zip(fields[0::2], fields[1::2], strict=False):
            if meta.startswith(":"):
                changed[path] = meta[1:].split()[1]
    return changed


def foreign_files(root: Path, base: str, branch: str, case_id: str) -> list[str]:
    """The files `branch` would bring in that are not the entry's (sorted).

    The entry's are its case file and questions (translations included), as plain files,
    and the uploads in docs/assets/uploads/ that one of those files names."""
    changed = changed_files(root, base, branch)
    own = entry_patterns(case_id)
    entry = [p for p in changed if any(pattern.fullmatch(p) for pattern in own)]
    texts = []
    for path in entry:
        shown = git(root, "show", f"{branch}:{path}", check=False)
        texts.append(shown.stdout if shown.returncode == 0 else "")
    named = "\n".join(texts)
    foreign = []
    for path, mode in changed.items():
        if mode not in _REGULAR:
            foreign.append(path)  # a symbolic link or a submodule, even in the entry's folder
        elif path in entry or (_is_upload(path) and _names(named, _public(path))):
            continue
        else:
            foreign.append(path)
    return sorted(foreign)


def _is_upload(path: str) -> bool:
    folder, _, name = path.rpartition("/")
    suffix = PurePosixPath(name).suffix.lower()
    return folder == UPLOADS_FOLDER and not name.startswith(".") and suffix in UPLOAD_SUFFIXES


def _names(text: str, address: str) -> bool:
    """Whether `text` names `address` itself (not a longer name that starts with it)."""
    return re.search(re.escape(address) + r"(?![\w.-])", text) is not None


def _public(upload: str) -> str:
    """An upload as a case names it: /assets/uploads/<name> (the config's public_folder)."""
    return "/" + upload.removeprefix("docs/")


def _foreign_message(base: str, case_id: str, foreign: dict[str, list[str]]) -> str:
    lines = [
        f"nothing was merged into {base}: the web editor saves only the entry's own files "
        f"({CASES_FOLDER}/{case_id}.md and its translations, {QUESTIONS_FOLDER}/{case_id}.yml, "
        f"and the uploads in {UPLOADS_FOLDER}/ that they name), and these branches also "
        "change other files:"
    ]
    for branch, files in foreign.items():
        if files:
            lines.append(f"  {branch}: {', '.join(files)}")
    lines.append(
        "They are left on their branches. Look at them with git diff "
        f"{base}...<branch>; if you did not make them, delete the branch with "
        "git branch -D <branch>"
    )
    return "\n".join(lines)


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
    from casebook.editor.cms import bundle_tarball

    if bundle_tarball(project) is None:
        say("the web editor's files are not fetched; run bash scripts/setup.sh --test first")
        return 1
    with contextlib.ExitStack() as running:
        try:
            running.enter_context(editor_lock(project))  # before the worktree is touched
            space = prepare(project)
            backend = start_backend(project, space)
        except EditorError as exc:
            say(str(exc))
            return 1
        running.callback(stop_backend, backend)
        for notice in space.notices:
            say(notice)
        say(
            f"the form saves into {display_path(space.worktree)}, never into your folder; each "
            "saved entry is a branch cms/cases/<id> (or cms/questions/<id>), holding only its "
            f"case, questions and uploads. The preview shows your branch as last committed. "
            f"Open http://127.0.0.1:{port}/admin/ and choose Login. To bring a saved case into "
            "your folder: casebook edit --merge <id>"
        )
        # Stopped by a signal rather than Ctrl+C, it still stops decap-server on its way out.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        here = Path.cwd()
        try:
            # The preview is of the worktree: your uncommitted files can neither break it nor
            # be touched by it, and a case merged with --merge appears in it (see _follow).
            # From there, problems name files as in your folder (case_studies/x.md).
            os.chdir(space.worktree)
            worktree = Project(space.worktree)
            return serve(worktree, port=port, cms_branch=EDITOR_BRANCH, backend=backend.socket_path)
        except KeyboardInterrupt:
            return 130
        finally:
            os.chdir(here)
            signal.signal(signal.SIGTERM, previous)
    return 1  # not reached: mypy cannot tell that the ExitStack does not swallow exceptions


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
