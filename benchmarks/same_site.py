"""Does this working tree build the same site, byte for byte, as another revision?

For a restructuring that must not change output: it builds the site twice, once with the
code and inputs of REV (from `git archive`) and once with the working tree's, on the same
projects, and compares every file of the two sites.

Projects: the ODI case alone and the repository's whole library, both with their PDFs, and
the library plus N synthetic cases (benchmarks/synth.py, fixed seed) without PDFs. Each build runs with its own
revision's `src/` first on PYTHONPATH, in its own copy, with its own cache.

    .venv/bin/python benchmarks/same_site.py --against main~3 [--cases 40] [--code-only] [--keep]

Exit 0 when every site is the same; 1 with the differing files listed.

Pagefind's search index (`pagefind/`) is left out: Pagefind writes different bytes and file
names on every run, even twice from the same revision and the same pages.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import Synth, Vocab  # noqa: E402

# What a build does not read: copying it would only slow the comparison.
SKIP = {".git", ".venv", ".cache", "build", "site", "node_modules", "test-artifacts", "tests"}
SEED = 20
NONDETERMINISTIC = "pagefind"  # see the module's note
ONLY_ODI = "odi-mexico"


def copy_tree(source: Path, dest: Path) -> None:
    shutil.copytree(
        source,
        dest,
        ignore=lambda folder, names: [
            n for n in names if (Path(folder) == source and n in SKIP) or n == "__pycache__"
        ],
    )
    # The web editor's files are fetched into the cache, not committed: share them.
    decap = ROOT / ".cache" / "decap-cms"
    if decap.is_dir():
        shutil.copytree(decap, dest / ".cache" / "decap-cms")


def archive(revision: str, dest: Path) -> None:
    dest.mkdir(parents=True)
    tar = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision],
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)


def keep_only(project: Path, case_id: str) -> None:
    """The project with one case: its file, its translations and its questions."""
    for path in (project / "case_studies").glob("*.md"):
        if path.name.split(".")[0] != case_id:
            path.unlink()
    for path in (project / "reflective_questions" / "cases").glob("*.yml"):
        if path.stem != case_id:
            path.unlink()


def build(project: Path, pdf: bool) -> None:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    env.pop("CASEBOOK_SITE_URL", None)
    command = [sys.executable, "-c", "import sys; from casebook.cli import main; sys.exit(main())"]
    command.append("build")
    if not pdf:
        command.append("--no-pdf")
    run = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"{project}: the build failed:\n{run.stderr[-3000:]}")


def differences(left: Path, right: Path) -> list[str]:
    found: list[str] = []

    def walk(compare: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(f"only in {left.parent.name}: {prefix}{n}" for n in compare.left_only)
        found.extend(f"only in {right.parent.name}: {prefix}{n}" for n in compare.right_only)
        _, mismatch, errors = filecmp.cmpfiles(
            compare.left, compare.right, compare.common_files, shallow=False
        )
        found.extend(f"differs: {prefix}{n}" for n in mismatch + errors)
        for name, sub in compare.subdirs.items():
            if not prefix and name == NONDETERMINISTIC:
                continue
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, help="the revision to compare with")
    parser.add_argument("--cases", type=int, default=40, help="synthetic cases (default 40)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--code-only",
        action="store_true",
        help="both sides build the working tree's sources, each with its own revision's src/: "
        "a change to a guidance page or an asset is then no difference",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="same-site-"))
    failed = False
    try:
        sources = {"before": work / "src-before", "after": work / "src-after"}
        copy_tree(ROOT, sources["after"])
        if args.code_only:
            archive(args.against, work / "rev")
            copy_tree(ROOT, sources["before"])
            shutil.rmtree(sources["before"] / "src")
            shutil.copytree(work / "rev" / "src", sources["before"] / "src")
        else:
            archive(args.against, sources["before"])
        projects = (
            ("odi", True, 0, ONLY_ODI),
            ("library", True, 0, None),
            ("synthetic", False, args.cases, None),
        )
        for name, pdf, cases, only in projects:
            sites = {}
            for side, source in sources.items():
                project = work / name / side
                copy_tree(source, project)
                if only:
                    keep_only(project, only)
                if cases:
                    Synth(Vocab.load(project), SEED).write(project, cases)
                build(project, pdf)
                sites[side] = project / "site"
            found = differences(sites["before"], sites["after"])
            files = sum(1 for p in sites["after"].rglob("*") if p.is_file())
            if found:
                failed = True
                print(f"{name}: {len(found)} difference(s) in {files} files:")
                print("\n".join(f"  {line}" for line in found[:50]))
            else:
                print(f"{name}: the same, byte for byte ({files} files)")
    finally:
        if args.keep:
            print(f"kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
