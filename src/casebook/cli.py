"""The `casebook` command: check, build, serve, schema."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from casebook import __version__
from casebook.problems import count, print_problems
from casebook.project import Project

EPILOG = """examples:
  casebook check                      check every case, question and vocabulary file
  casebook check case_studies/x.md    check one case (and its questions)
  casebook build                      check, generate pages and PDFs, and build site/
  casebook build --no-pdf             a quicker build without worksheet PDFs
  casebook serve                      preview on http://127.0.0.1:8000, rebuilding on change
  casebook schema > schemas/case.schema.json
"""


def main(argv: Sequence[str] | None = None) -> int:
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

    check = commands.add_parser("check", help="validate cases, questions and vocabularies")
    check.add_argument("paths", nargs="*", type=Path, help="case files or folders (default: all)")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument(
        "--format",
        choices=["text", "github"],
        default="text",
        help="'github' prints ::error annotations for pull requests",
    )

    build = commands.add_parser("build", help="check, generate pages and build site/")
    build.add_argument("--no-pdf", action="store_true", help="skip worksheet PDFs (quicker)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument(
        "--quiet", "-q", action="store_true", help="print only problems and the summary"
    )
    build.add_argument(
        "--prune-cache",
        action="store_true",
        help="remove cached worksheet PDFs that no page uses any more (for CI caches)",
    )

    serve_cmd = commands.add_parser(
        "serve", help="preview the site, rebuilding when sources change"
    )
    serve_cmd.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)"
    )
    serve_cmd.add_argument("--pdf", action="store_true", help="also render worksheet PDFs (slower)")

    new = commands.add_parser(
        "new",
        help="start a new case from the template",
        description="Write case_studies/<id>.md and reflective_questions/cases/<id>.yml from "
        "templates, as a draft. Never overwrites an existing file.",
    )
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

    commands.add_parser("schema", help="print the JSON Schema of a case's front matter")

    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    project = Project(args.project.resolve()) if args.project else Project.find()
    try:
        if args.command == "check":
            return _check(project, args.paths or None, args.strict, args.format)
        if args.command == "build":
            from casebook.build import build_site

            return build_site(
                project,
                pdf=not args.no_pdf,
                strict=args.strict,
                quiet=args.quiet,
                prune_cache=args.prune_cache,
            )
        if args.command == "serve":
            from casebook.serve import serve

            return serve(project, port=args.port, pdf=args.pdf)
        if args.command == "new":
            from casebook.scaffold import ScaffoldError, new_case

            try:
                made = new_case(project, args.id, args.title, args.country)
            except ScaffoldError as exc:
                print(f"casebook new: {exc}", file=sys.stderr)
                return 1
            print(
                f"Created {made.case.relative_to(project.root)} and {made.questions.relative_to(project.root)}."
            )
            print(
                f"Replace each TODO, then run: casebook check {made.case.relative_to(project.root)}"
            )
            return 0
        if args.command == "schema":
            from casebook.schema import case_schema, dumps
            from casebook.validate import check_project

            result = check_project(project, paths=[])
            sys.stdout.write(dumps(case_schema(result.library.vocabularies)))
            return 0
    except KeyboardInterrupt:
        return 130
    return 2


def _check(project: Project, paths: list[Path] | None, strict: bool, style: str) -> int:
    from casebook.validate import check_project

    result = check_project(project, paths)
    print_problems(result.problems, style, strict)
    errors, warnings = count(result.problems)
    if strict:
        errors, warnings = errors + warnings, 0
    if style == "text":
        status = "failed" if errors else "passed"
        print(
            f"check {status}: {result.files_checked} case file(s), {errors} error(s), "
            f"{warnings} warning(s)",
            file=sys.stderr,
        )
    return 1 if errors else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
