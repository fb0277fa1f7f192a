"""The `casebook` command: check, build, serve, edit, new, session, schema."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeAlias

from casebook import __version__
from casebook.sources.problems import count, display_path, print_problems, strict_count
from casebook.sources.project import Project
from casebook.sources.siteconfig import ConfigRefused

EPILOG = """examples:
  casebook check                      check every case, question and vocabulary file
  casebook check case_studies/x.md    check one case (and its questions)
  casebook build                      check, generate pages and PDFs, and build site/
  casebook build --no-pdf             a quicker build without worksheet PDFs
  casebook build --zim                also each edition as a file for Kiwix, in site/offline/
  casebook serve                      preview on http://127.0.0.1:8000, rebuilding on change
  casebook edit                       the web editor on this computer, at /admin/ of the preview
  casebook new my-case --title "..."  start a case and its questions file
  casebook schema > schemas/case.schema.json
  casebook session --case odi-mexico --audience practitioners -o session.pdf

After `bash scripts/build.sh` the command is .venv/bin/casebook (or run
`source .venv/bin/activate` once per terminal, and then plain `casebook`).
Run `casebook COMMAND --help` for what a command does and its options.
"""

SESSION_EPILOG = """examples:
  casebook session --case odi-mexico --audience practitioners --paper letter -o s.pdf
  casebook session --case odi-mexico --audience overall --leave-out 2 --leave-out 7 \\
      --title "Staff training, spring term" --minutes 90 --facilitator -o notes.pdf
  casebook session --case odi-mexico --audience practitioners --pack -o workshop.zip

Repeat --case for a session of several cases. A case can have its own audience, as the
composer's sessions do (?case=odi-mexico&audience=overall&case=barnahus-iceland&...):
  casebook session --case odi-mexico:overall --case barnahus-iceland:practitioners -o s.pdf
--audience is then the audience of the cases given without one. An unknown case id is
reported with the list of published ones.
"""

HELP = argparse.RawDescriptionHelpFormatter


def command_name(project: Project | None = None) -> str:
    """How the reader can run casebook again, exactly as it will work when typed.

    'casebook' when that name on the PATH is this very program (an activated environment),
    otherwise the path of the program that is running, relative to the current folder.
    """
    running = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if running is None or running.name != "casebook":
        # Run as `python -m casebook` or from tests: the project's own environment.
        candidate = (project.root if project else Path.cwd()) / ".venv" / "bin" / "casebook"
        running = candidate if candidate.exists() else None
    if running is None:
        return "casebook"
    on_path = shutil.which("casebook")
    if on_path and os.path.realpath(on_path) == os.path.realpath(running):
        return "casebook"
    absolute = os.path.abspath(running)
    here = os.getcwd()
    if absolute.startswith(here.rstrip(os.sep) + os.sep):
        return os.path.relpath(absolute, here)
    return absolute


def check_command(project: Project, path: str) -> str:
    """The command that checks `path`, as it works when typed in the current folder."""
    command = command_name(project)
    here = Path.cwd().resolve()
    if here != project.root and project.root not in here.parents:
        command += f" --project {project.root}"  # the project is found from the folder
    return f"{command} check {path}"


# A string: argparse's class is generic only to the type checker.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler = Callable[[Project, argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casebook",
        description="Build the Casebook site from Markdown case studies.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"casebook {__version__}")
    parser.add_argument(
        "--project",
        type=Path,
        default=None,
        help="project folder (default: found from the current folder)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    # In this order in `casebook --help`.
    for add in (_add_check, _add_build, _add_serve, _add_edit, _add_new, _add_schema, _add_session):
        add(commands)
    return parser


# Each command's one-line help, its description and its examples, as `--help` shows them.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "check": (
        "validate cases, questions and vocabularies",
        "Validate case files, their questions files and the vocabularies, and print "
        "every problem\nas 'file:line: field: what is wrong, what to write instead'. Exits 1 "
        "when there is an error;\nwarnings (such as a possible phone number) do not fail the "
        "check unless --strict is given.\nA draft's problems are warnings (draft), even "
        "with --strict, unless the draft is checked\nby its path: a draft never stops the "
        "site from building.\n\nWhat each case file's check found is kept in "
        ".cache/casebook/check/ and read back\nwhile the file, its questions, the vocabularies, "
        "data and Casebook itself are unchanged;\nchecks across files always run again.",
        "examples:\n"
        "  casebook check                                  every case and questions file\n"
        "  casebook check case_studies/odi-mexico.md       one case (and its questions)\n"
        "  casebook check --strict --format github         as the pull-request check runs it",
    ),
    "build": (
        "check, generate pages and build site/",
        "Check every source file, generate the pages, data and worksheet PDFs, "
        "build every language\nedition with MkDocs into site/, add the search index, and "
        "verify that each published case\nbecame exactly one page. Refuses to build when the "
        "check finds an error, and never\nleaves a half-built site: site/ is replaced only "
        "when everything succeeded.\n\nSet site_url in mkdocs.yml (the address the site is "
        "published at) for a sitemap, full\naddresses in citations and addresses on the "
        "printed worksheets; the build warns without it.",
        "examples:\n"
        "  casebook build                 the whole site, with PDFs, into site/\n"
        "  casebook build --no-pdf        a quicker build without the worksheet PDFs\n"
        "  casebook build --strict        warnings stop the build, as before publishing\n"
        "  casebook build --zim           also write each edition as a ZIM file for Kiwix\n"
        "                                 readers, in site/offline/ (casebook_en_all.zim …)\n\n"
        "View the result: python3 -m http.server --directory site 8000, then open\n"
        "http://127.0.0.1:8000/ (links point to folders, so site/index.html alone is not enough).",
    ),
    "serve": (
        "preview the site, rebuilding when sources change",
        "Build a preview of every language edition, as casebook build builds site/, and "
        "serve it\non 127.0.0.1: the original language at /, each translation at /<code>/ "
        "(/es/, /fr/).\nSaving a case, questions, vocabulary or guidance file regenerates the "
        "pages it affects.\nDrafts are checked but not shown. Stop it with Ctrl+C.",
        "examples:\n"
        "  casebook serve                 http://127.0.0.1:8000/ (and /es/, /fr/)\n"
        "  casebook serve --port 8001     when port 8000 is taken\n"
        "  casebook serve --pdf           also render the worksheet PDFs (slower)",
    ),
    "edit": (
        "the web editor (/admin/) on this computer, saving into a Git worktree",
        "Start the web editor's local backend (decap-server) and the preview, with the editor "
        "at\n/admin/. The form saves each entry as a commit on a branch cms/cases/<id> (or\n"
        "cms/questions/<id>), made in a separate Git worktree (.cache/casebook/editor/): your "
        "own\nfolder, and anything in it not yet committed, is never touched. --merge ID brings "
        "a saved\ncase and its questions into your branch and deletes their cms/ branches, "
        "which keeps\nthe editor's Workflow board working; it brings only the entry's case, "
        "questions and\nuploads, and merges nothing if a branch changes any other file. Stop "
        "it with Ctrl+C.\n\ndecap-server takes no port: it listens on a Unix socket in a "
        "private folder, and the\nform reaches it through the preview's own /api/v1. The "
        "preview's --port is the only\nport to choose.",
        "examples:\n"
        "  casebook edit                  then open http://127.0.0.1:8000/admin/ and Login\n"
        "  casebook edit --merge school-safety-kenya\n"
        "                                 merge what the form saved for that case\n"
        "  casebook edit --port 8001      when port 8000 is taken (then open "
        "http://127.0.0.1:8001/admin/)",
    ),
    "new": (
        "start a new case from the template",
        "Write case_studies/<id>.md and reflective_questions/cases/<id>.yml from "
        "templates, as a\ndraft. Every field has a comment saying what to write, and every "
        "place to fill in says TODO.\nNever overwrites an existing file.",
        "example:\n"
        '  casebook new school-safety-kenya --title "How a network of schools ..." --country KE',
    ),
    "schema": (
        "print the JSON Schema of a case's front matter",
        "Print the JSON Schema of a case's front matter, built from the case model "
        "and the\nvocabularies. Editors' IDEs (VS Code with the YAML extension) use it to "
        "suggest allowed\nvalues; the committed copy is schemas/case.schema.json.",
        "example:\n  casebook schema > schemas/case.schema.json",
    ),
    "session": (
        "print a combined worksheet for a training session, as a PDF",
        "Write one worksheet for a training session from one or more cases: every "
        "case's content note first, then each case's summary, the questions for the audience "
        "with space to write, and support services for all the cases' countries. With "
        "--facilitator, write the matching facilitator notes, with a timing plan for the whole "
        "session and the prompts for each question. Works offline; the PDF is tagged (PDF/UA).",
        SESSION_EPILOG,
    ),
}


def _command(commands: Subcommands, name: str) -> argparse.ArgumentParser:
    """A subcommand, with its texts from COMMANDS; its help keeps their line breaks."""
    help, description, epilog = COMMANDS[name]
    return commands.add_parser(
        name, help=help, description=description, epilog=epilog or None, formatter_class=HELP
    )


def _switches(parser: argparse.ArgumentParser, *switches: tuple[str, ...]) -> None:
    """On/off options: (name, help) or (name, help, short name)."""
    for name, text, *short in switches:
        parser.add_argument(name, *short, action="store_true", help=text)


def _add_check(commands: Subcommands) -> None:
    check = _command(commands, "check")
    check.add_argument("paths", nargs="*", type=Path, help="case files or folders (default: all)")
    _switches(
        check,
        ("--strict", "treat warnings as errors"),
        ("--no-cache", "check every file again, without reading or writing the check cache"),
    )
    check.add_argument(
        "--format",
        choices=["text", "github"],
        default="text",
        help="'github' prints ::error annotations for pull requests",
    )


def _add_build(commands: Subcommands) -> None:
    build = _command(commands, "build")
    _switches(
        build,
        ("--no-pdf", "skip worksheet PDFs (quicker)"),
        ("--strict", "treat warnings as errors"),
        ("--quiet", "print only problems and the summary", "-q"),
        (
            "--prune-cache",
            "remove cached worksheet PDFs that no page uses any more (for CI caches)",
        ),
        (
            "--zim",
            "also write each edition as a ZIM file for Kiwix readers, with its own search "
            "index, into site/offline/",
        ),
    )


def _add_serve(commands: Subcommands) -> None:
    serve_cmd = _command(commands, "serve")
    serve_cmd.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)"
    )
    serve_cmd.add_argument("--pdf", action="store_true", help="also render worksheet PDFs (slower)")


def _add_edit(commands: Subcommands) -> None:
    edit = _command(commands, "edit")
    edit.add_argument(
        "--port", type=int, default=8000, help="the preview's port on 127.0.0.1 (default 8000)"
    )
    edit.add_argument(
        "--merge",
        metavar="ID",
        help="merge the case saved in the form (and its questions) into your branch, and "
        "delete its cms/ branches",
    )


def _add_new(commands: Subcommands) -> None:
    new = _command(commands, "new")
    new.add_argument(
        "id", help="the case id: lowercase letters, digits and hyphens, e.g. odi-mexico"
    )
    new.add_argument("--title", required=True, help="the case's title")
    new.add_argument(
        "--country",
        action="append",
        default=[],
        metavar="CODE",
        help="an ISO 3166 country code such as MX; repeat for several countries",
    )


def _add_schema(commands: Subcommands) -> None:
    _command(commands, "schema")


def _add_session(commands: Subcommands) -> None:
    session = _command(commands, "session")
    session.add_argument(
        "--case",
        action="append",
        required=True,
        metavar="ID[:AUDIENCE]",
        help="a published case's id, e.g. odi-mexico, or with its own audience, e.g. "
        "odi-mexico:practitioners (as the composer pairs them); repeat to add cases",
    )
    session.add_argument(
        "--audience",
        default="",
        metavar="ID",
        help="whose questions to use for every case given without its own, e.g. practitioners",
    )
    session.add_argument(
        "--paper", default="a4", metavar="a4|letter", help="paper size (default a4)"
    )
    session.add_argument(
        "--facilitator", action="store_true", help="write the facilitator notes instead"
    )
    session.add_argument(
        "--language", metavar="CODE", help="the edition's language, e.g. es (default: the original)"
    )
    session.add_argument("--title", default="", help="the session's title")
    session.add_argument("--date", default="", help="the session's date, printed as written")
    session.add_argument(
        "--minutes", type=int, metavar="N", help="the session's length; the plan fills it"
    )
    session.add_argument(
        "--leave-out",
        action="append",
        type=int,
        default=[],
        metavar="N",
        help="leave out question N, numbered as on the sheet; repeat for more",
    )
    session.add_argument(
        "--pack",
        action="store_true",
        help="write a workshop pack (FILE.zip) instead: the worksheet, the facilitator notes, "
        "each case's PDF and the support services, for the paper size",
    )
    session.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="FILE.pdf",
        help="where to write the PDF (with --pack, the .zip)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    project = Project(args.project.resolve()) if args.project else Project.find()
    try:
        return HANDLERS[args.command](project, args)
    except KeyboardInterrupt:
        return 130
    except ConfigRefused as exc:  # a command that reads mkdocs.yml without the check first
        print_problems(exc.problems)
        print(f"{args.command}: stopped: mkdocs.yml cannot be used as it is", file=sys.stderr)
        return 1


def _run_check(project: Project, args: argparse.Namespace) -> int:
    return _check(project, args.paths or None, args.strict, args.format, cache=not args.no_cache)


def _run_build(project: Project, args: argparse.Namespace) -> int:
    from casebook.pipeline.sequence import build_site

    return build_site(
        project,
        pdf=not args.no_pdf,
        strict=args.strict,
        quiet=args.quiet,
        prune_cache=args.prune_cache,
        zim=args.zim,
    )


def _run_serve(project: Project, args: argparse.Namespace) -> int:
    from casebook.commands.serve import serve

    return serve(project, port=args.port, pdf=args.pdf)


def _run_edit(project: Project, args: argparse.Namespace) -> int:
    from casebook.commands.localeditor import edit, merge

    if not args.merge:
        return edit(project, port=args.port)
    if merge(project, args.merge):
        return 1
    case = display_path(project.cases_dir / f"{args.merge}.md")
    print(f"Check it with: {check_command(project, case)}")
    return 0


def _run_new(project: Project, args: argparse.Namespace) -> int:
    from casebook.commands.scaffold import ScaffoldError, new_case

    try:
        made = new_case(project, args.id, args.title, args.country)
    except ScaffoldError as exc:
        print(f"casebook new: {exc}", file=sys.stderr)
        return 1
    case, questions = display_path(made.case), display_path(made.questions)
    print(f"Created {case} and {questions}.")
    print(f"Replace each TODO, then run: {check_command(project, case)}")
    return 0


def _run_schema(project: Project, args: argparse.Namespace) -> int:
    from casebook.check.validate import check_project
    from casebook.editor.schema import case_schema, dumps

    result = check_project(project, paths=[])
    sys.stdout.write(dumps(case_schema(result.library.vocabularies)))
    return 0


def _run_session(project: Project, args: argparse.Namespace) -> int:
    from casebook.commands.pack import make_pack
    from casebook.commands.session import (
        SessionError,
        SessionRequest,
        make_session,
        prepare_session,
    )

    request = SessionRequest(
        cases=args.case,
        audience=args.audience,
        output=args.output,
        paper=args.paper.lower(),
        facilitator=args.facilitator,
        language=args.language,
        title=args.title,
        date=args.date,
        minutes=args.minutes,
        leave_out=args.leave_out,
        pack=args.pack,
    )
    try:
        if request.pack:
            written = make_pack(request, prepare_session(project, request))
        else:
            written = make_session(project, request)
    except SessionError as exc:
        for line in str(exc).splitlines():
            print(f"casebook session: {line}", file=sys.stderr)
        return 1
    print(f"Wrote {written}")
    return 0


def _check(
    project: Project, paths: list[Path] | None, strict: bool, style: str, cache: bool = True
) -> int:
    from casebook.check.validate import check_project

    result = check_project(project, paths, cache=cache)
    problems = result.problems
    if paths:  # a draft checked by name: its problems are errors and warnings again
        problems = [problem.as_checked_alone() for problem in problems]
    print_problems(problems, style, strict)
    errors, warnings = count(problems)
    if strict:  # a draft's warnings stay warnings: a draft is never published
        promoted = strict_count(problems)
        errors, warnings = errors + promoted, warnings - promoted
    if style == "text":
        status = "failed" if errors else "passed"
        print(
            f"check {status}: {result.files_checked} case file(s), {errors} error(s), "
            f"{warnings} warning(s)",
            file=sys.stderr,
        )
    return 1 if errors else 0


# Every command build_parser adds; argparse accepts no other.
HANDLERS: dict[str, Handler] = {
    "check": _run_check,
    "build": _run_build,
    "serve": _run_serve,
    "edit": _run_edit,
    "new": _run_new,
    "session": _run_session,
    "schema": _run_schema,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
