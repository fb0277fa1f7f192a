"""A newcomer's path: every command the README, CONTRIBUTING.md and the CLI tell the reader
to run works exactly as written, and every command's --help says what it does."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from casebook.cli import main

REPO = Path(__file__).resolve().parents[1]
CASEBOOK = REPO / ".venv" / "bin" / "casebook"
DOCS = ["README.md", "CONTRIBUTING.md"]
COMMANDS = ["check", "build", "serve", "edit", "new", "schema"]

_FENCE = re.compile(r"^```(?:bash|sh|console)?\n(.*?)^```", re.S | re.M)
_TABLE_COMMAND = re.compile(r"^\| `([^`]+)` \|", re.M)
_RUN_SPAN = re.compile(r"\b[Rr]un:?\s+`([^`]+)`")


def told_to_run(doc: str) -> list[str]:
    """Commands in code blocks, in the first column of tables, and after 'run'."""
    text = (REPO / doc).read_text(encoding="utf-8")
    commands = []
    for block in _FENCE.findall(text):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line and not line.startswith("#") and re.match(r"[.\w/$-]", line):
                commands.append(line)
    commands += _TABLE_COMMAND.findall(text)
    commands += _RUN_SPAN.findall(text)
    return commands


def shell_env() -> dict[str, str]:
    """A terminal where the environment was never activated: .venv/bin is not on the PATH."""
    env = dict(os.environ)
    path = [p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p]
    env["PATH"] = os.pathsep.join(path)
    env.pop("VIRTUAL_ENV", None)
    return env


@pytest.mark.parametrize("doc", DOCS)
def test_casebook_is_written_the_way_it_runs_after_the_first_command(doc: str) -> None:
    commands = told_to_run(doc)
    assert any(".venv/bin/casebook" in c for c in commands), commands
    bare = [c for c in commands if re.match(r"(casebook|python) ", c)]
    assert bare == [], f"{doc}: these fail with 'command not found' after scripts/build.sh"


@pytest.mark.parametrize("doc", DOCS)
def test_every_casebook_command_in_the_docs_is_accepted_as_typed(doc: str) -> None:
    """Each documented casebook command parses (run with --help, so nothing is built)."""
    commands = [c for c in told_to_run(doc) if c.startswith(".venv/bin/casebook")]
    assert commands
    for command in commands:
        words = shlex.split(re.sub(r"\[[^\]]*\]", "", command.replace("ID", "some-id")))
        result = subprocess.run(
            [*words, "--help"], cwd=REPO, env=shell_env(), capture_output=True, text=True
        )
        assert result.returncode == 0, f"{doc}: {command}: {result.stderr}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_says_what_it_does_with_an_example(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    usage, description, *_ = out.split("\n\n")
    assert usage.startswith(f"usage: casebook {command}")
    assert len(description.split()) >= 12, f"casebook {command} --help describes nothing"
    assert re.search(rf"^examples?:\n  casebook {command}\b", out, re.M), out


def test_the_top_level_help_says_how_to_run_casebook(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert ".venv/bin/casebook" in out and "source .venv/bin/activate" in out


@pytest.mark.parametrize("where", ["root", "subfolder", "elsewhere"])
def test_the_command_new_prints_works_as_typed(
    project_copy: Path, tmp_path: Path, where: str
) -> None:
    """`casebook new` ends with a command to run; typed in the same terminal, it runs."""
    cwd = {"root": project_copy, "subfolder": project_copy / "case_studies", "elsewhere": tmp_path}
    env = shell_env()
    args = [str(CASEBOOK), "new", "kenya-schools", "--title", "Schools in Kenya", "--country", "KE"]
    if where == "elsewhere":
        args[1:1] = ["--project", str(project_copy)]
    made = subprocess.run(args, cwd=cwd[where], env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    last = made.stdout.strip().splitlines()[-1]
    assert last.startswith("Replace each TODO, then run: ")
    command = last.removeprefix("Replace each TODO, then run: ")
    checked = subprocess.run(
        ["bash", "-c", command], cwd=cwd[where], env=env, capture_output=True, text=True
    )
    # It runs, and checks the new case: the placeholders are reported, not 'not found'.
    assert checked.returncode == 1, checked.stderr
    assert "command not found" not in checked.stderr
    assert "kenya-schools.md:" in checked.stdout and "TODO" in checked.stdout
    assert "check failed: 1 case file(s)" in checked.stderr


def test_the_new_case_template_names_a_command_that_works(project_copy: Path) -> None:
    from casebook.commands.scaffold import new_case
    from casebook.sources.project import Project

    made = new_case(Project(project_copy), "kenya-schools", "Schools in Kenya", ["KE"])
    comment = next(line for line in made.case.read_text().splitlines() if "check" in line)
    command = comment.split("run from the project folder:")[1].strip()
    assert command == ".venv/bin/casebook check case_studies/kenya-schools.md"
    assert (REPO / command.split()[0]).exists()


def test_activated_environment_prints_plain_casebook(project_copy: Path) -> None:
    env = shell_env()
    env["PATH"] = f"{CASEBOOK.parent}{os.pathsep}{env['PATH']}"
    made = subprocess.run(
        ["casebook", "new", "kenya-schools", "--title", "T"],
        cwd=project_copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().endswith("then run: casebook check case_studies/kenya-schools.md")


def test_python_is_the_one_the_scripts_use() -> None:
    # The README promises Debian 12's python3 (3.11.2) is enough; CI covers newer ones.
    assert sys.version_info >= (3, 11)


@pytest.mark.slow
def test_the_readme_way_to_view_the_built_site_follows_folder_links(built_project: Path) -> None:
    """Opening site/index.html from disk breaks on folder links; the README says to serve it."""
    import socket
    import time
    import urllib.request

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "opening\n`site/index.html` from disk shows the home page only" in readme
    (command,) = [c for c in told_to_run("README.md") if "http.server" in c]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert command.endswith(" 8000")
    command = command.removesuffix(" 8000") + f" --bind 127.0.0.1 {port}"
    server = subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=built_project,
        env=shell_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/cases/odi-mexico/") as page:
                    html = page.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail(f"{command} did not serve the site")
        assert "Uncovering organised sexual abuse of children in schools in Mexico" in html
    finally:
        server.terminate()
        server.wait(timeout=10)
