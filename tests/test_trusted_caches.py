"""What `.cache/` holds is a speed-up only: nothing there runs code when read, and nothing
there is published or believed unless this machine's secret sealed it
(`casebook.sources.cachekey`). A forged or swapped entry is a miss: made again."""

from __future__ import annotations

import ast
import json
import os
import pickle
from pathlib import Path

import pytest

from casebook.check.validate import check_project
from casebook.pages.catalogue import Related
from casebook.pages.render import Renderer, SiteSettings
from casebook.pipeline.builder import run_mkdocs
from casebook.pipeline.families.cases import related_cases
from casebook.pipeline.manifest import Manifest
from casebook.pipeline.plan import PlanContext
from casebook.sources.cachekey import Seal
from casebook.sources.facilitation import load_facilitator_notes
from casebook.sources.problems import Problem
from casebook.sources.project import Project
from library_fixture import make_project

SRC = Path(__file__).resolve().parent.parent / "src" / "casebook"


@pytest.fixture(autouse=True)
def cache_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CASEBOOK_CACHE_KEY", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    return tmp_path / "home-cache" / "casebook" / "key"


class _Payload:
    """Unpickling this runs `touch`: what a crafted cache file would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.slow  # runs the site builder in Material
def test_a_crafted_jinja_bytecode_file_is_never_loaded(tmp_path: Path) -> None:
    """Jinja's bytecode cache reads its files with pickle and marshal. A file crafted for
    every template of the theme, where the build kept that cache, runs nothing: the
    builder keeps compiled templates in memory, and the old folder is removed unread."""
    from jinja2 import FileSystemBytecodeCache
    from jinja2.bccache import bc_magic
    from mkdocs.config import load_config

    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    config = root / "mkdocs.yml"
    config.write_text("site_name: T\ntheme:\n  name: material\n", encoding="utf-8")
    project = Project(root)
    marker = tmp_path / "ran"
    crafted = bc_magic + pickle.dumps(_Payload(marker))
    folder = project.cache_dir / "jinja"
    folder.mkdir(parents=True)
    env = load_config(config_file=str(config)).theme.get_env()
    keys = FileSystemBytecodeCache(str(folder))
    for name in env.list_templates(filter_func=lambda n: n.endswith((".html", ".xml"))):
        _, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        (folder / f"__jinja2_{keys.get_cache_key(name, filename)}.cache").write_bytes(crafted)
    run_mkdocs(project, root / "site", config_file=config, echo=False)
    assert (root / "site" / "index.html").is_file()
    assert not marker.exists()
    assert not folder.exists()


# Reading these from a file can run code or build arbitrary objects.
UNSAFE_CALLS = {
    ("pickle", "load"),
    ("pickle", "loads"),
    ("marshal", "load"),
    ("marshal", "loads"),
    ("shelve", "open"),
    ("yaml", "unsafe_load"),
    ("yaml", "full_load"),
    ("dill", "load"),
}
UNSAFE_NAMES = {"FileSystemBytecodeCache", "MemcachedBytecodeCache", "eval", "exec"}


def _unsafe(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in UNSAFE_CALLS:
                found.append(f"{where}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in UNSAFE_NAMES:
            found.append(f"{where}: {node.id}")
        elif isinstance(node, ast.alias) and node.name in UNSAFE_NAMES | {"shelve", "marshal"}:
            found.append(f"{where}: import {node.name}")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "load":
            # yaml.load is safe only with a safe loader (SafeLoader or a subclass of it).
            value = getattr(node.func, "value", None)
            if isinstance(value, ast.Name) and value.id == "yaml":
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
                if not isinstance(loader, ast.Name) or loader.id not in SAFE_LOADERS:
                    found.append(f"{where}: yaml.load without a safe loader")
    return found


# builder.py's _Loader is a subclass of SafeLoader, defined where mkdocs.yml is read.
SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "_Loader"}


def test_nothing_the_build_reads_is_unpickled_or_evaluated() -> None:
    """No pickle, marshal, shelve, unsafe YAML or eval in Casebook's code, with one
    exception: the check's worker processes send their results to the parent pickled,
    through a pipe between its own processes, never through a file."""
    found = [hit for path in sorted(SRC.rglob("*.py")) for hit in _unsafe(path)]
    assert [(hit.split(":")[0], hit.split(": ")[1]) for hit in found] == [
        ("check/validate.py", "pickle.loads")
    ]


class Quiet:
    def step(self, message: str) -> None:
        pass


def _sheet(text: str, size: str) -> str:
    return (
        f"<html lang='en'><head><title>{text}</title><style>@page {{ size: {size} }}</style>"
        f"</head><body><p>{text}</p></body></html>"
    )


def test_another_case_s_pdf_in_a_slot_is_rendered_again_not_published(tmp_path: Path) -> None:
    """Another case's valid PDF copied into this case's slot, with or without its own seal,
    or with a seal made up, is no hit: this case's PDF is rendered again."""
    from pypdf import PdfReader

    from casebook.outputs.pdf import render_pdfs, seal_path

    project = Project(tmp_path / "project")
    documents = {
        "en": [
            ("cases/alpha.a4.pdf", _sheet("Alpha case", "A4")),
            ("cases/beta.a4.pdf", _sheet("Beta case", "A4")),
        ]
    }
    first = render_pdfs(project, documents, Quiet(), workers=1)
    alpha, beta = (first.files["en"][p] for p, _ in documents["en"])
    assert first.rendered == 2

    def text(path: Path) -> str:
        return PdfReader(path).pages[0].extract_text()

    swaps = {
        "the PDF alone": lambda: alpha.write_bytes(beta.read_bytes()),
        "the PDF and its seal": lambda: (
            alpha.write_bytes(beta.read_bytes()),
            seal_path(alpha).write_bytes(seal_path(beta).read_bytes()),
        ),
        "a made-up seal": lambda: (
            alpha.write_bytes(beta.read_bytes()),
            seal_path(alpha).write_text("0" * 64, encoding="ascii"),
        ),
        "no seal": lambda: seal_path(alpha).unlink(),
    }
    for name, swap in swaps.items():
        swap()
        again = render_pdfs(project, documents, Quiet(), workers=1)
        assert (again.rendered, again.cached) == (1, 1), name
        assert "Alpha case" in text(alpha) and "Beta" not in text(alpha), name
    assert render_pdfs(project, documents, Quiet(), workers=1).rendered == 0


def test_a_pdf_sealed_under_another_secret_is_rendered_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PDF cache restored from elsewhere (another machine, a deploy with another secret)
    is rendered again, not trusted."""
    from casebook.outputs.pdf import render_pdfs

    project = Project(tmp_path / "project")
    documents = {"en": [("worksheets/sheet.pdf", _sheet("Sheet", "A4"))]}
    monkeypatch.setenv("CASEBOOK_CACHE_KEY", "x" * 64)
    assert render_pdfs(project, documents, Quiet(), workers=1).rendered == 1
    assert render_pdfs(project, documents, Quiet(), workers=1).rendered == 0
    monkeypatch.setenv("CASEBOOK_CACHE_KEY", "y" * 64)
    assert render_pdfs(project, documents, Quiet(), workers=1).rendered == 1


def _plan_context(root: Path) -> PlanContext:
    project = Project(make_project(root))
    result = check_project(project)
    assert not result.errors
    library = result.library
    notes, _ = load_facilitator_notes(project, "en")
    renderer = Renderer(library, library.languages.locales["en"], SiteSettings(), notes)
    return PlanContext(project, renderer, "e", {})


def _shown(related: dict[str, list[Related]]) -> dict[str, list[tuple[str, list[str]]]]:
    return {
        c: [(r.case.id, [v for _, v in r.shared]) for r in found] for c, found in related.items()
    }


def test_forged_related_cases_are_worked_out_again(tmp_path: Path) -> None:
    """The related cases' cache is shown on every case page (a card, the values it shares).
    A file with the right key but a made-up seal, or none, is worked out again; so is a
    sealed one of the wrong shape, without a crash."""
    ctx = _plan_context(tmp_path / "project")
    fresh = _shown(ctx.renderer.related_cases())
    assert _shown(related_cases(ctx)) == fresh  # worked out, and cached
    path = ctx.project.cache_dir / "related-en.json"
    mac, _, text = path.read_text(encoding="utf-8").partition("\n")
    data = json.loads(text)
    first = next(iter(data["related"]))
    data["related"][first] = [[first, [[0, "Ring 07700 900123"]]]]
    forged = json.dumps(data)
    for written in (forged, f"{'0' * 64}\n{forged}", f"{mac}\n{forged}", f"\n{forged}"):
        path.write_text(written, encoding="utf-8")
        assert _shown(related_cases(ctx)) == fresh
    wrong_shapes = ['{"key": "K", "related": {"x": [["no-such-case", []]]}}', "[1]", "{"]
    for text in wrong_shapes:
        text = text.replace("K", ctx.listing)
        sealed = Seal.of(ctx.project.root).sign("related", "en", text)
        path.write_text(f"{sealed}\n{text}", encoding="utf-8")
        assert _shown(related_cases(ctx)) == fresh


def test_a_forged_manifest_is_read_as_none(tmp_path: Path) -> None:
    """A manifest whose fingerprint is the sources' lets a build skip the check and replay
    the problems it holds: one with no problems and the right fingerprint, but not sealed
    here, is read as no manifest (a full build, the check included)."""
    project = Project(tmp_path / "project")
    saved = Manifest(project.cache_dir / "manifest.json", root=project.root)
    saved.fingerprint = "the sources' fingerprint"
    saved.remember_problems([Problem("case_studies/a.md", 3, "status", "not allowed")])
    saved.edition("en").site["index.md"] = "h"
    saved.save()
    loaded = Manifest.load(project)
    assert (loaded.fingerprint, loaded.saved_problems()) == (
        saved.fingerprint,
        saved.saved_problems(),
    )
    assert loaded.editions == saved.editions
    mac, _, text = saved.path.read_text(encoding="utf-8").partition("\n")
    data = json.loads(text)
    data["problems"] = []
    forged = json.dumps(data)
    for written in (forged, f"{mac}\n{forged}", f"{'0' * 64}\n{forged}"):
        saved.path.write_text(written, encoding="utf-8")
        loaded = Manifest.load(project)
        assert (loaded.fingerprint, loaded.problems, loaded.editions) == ("", [], {})


@pytest.mark.slow
def test_a_forged_check_entry_neither_passes_the_build_nor_is_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's experiment, whole: a well-formed entry under the right key, with a case
    holding a name, an address and a phone number and no problems, for a case file that
    has an error. The build still stops on the error (the fixture's warnings would stop a
    strict one anyway); once the error is fixed, the published page holds the file's text,
    not the entry's."""
    from casebook.check.cachecodec import decode, encode
    from casebook.check.checkcache import Entry
    from casebook.cli import main

    root = make_project(tmp_path / "project")
    monkeypatch.chdir(root)
    case = root / "case_studies" / "odi-mexico.md"
    name = str(case.resolve())
    planted = "Ring Jo Bloggs on 07700 900123 at 1 Fake Street"
    assert main(["--project", str(root), "build", "--quiet", "--no-pdf"]) == 0
    cache = root / ".cache" / "casebook" / "check" / "entries.jsonl"

    def lines() -> list[str]:
        return cache.read_text(encoding="utf-8").splitlines()

    good = next(
        x.partition("\t")[2] for x in lines()[1:] if json.loads(x.split("\t")[0])[0] == name
    )
    entry = decode(good, Entry)
    assert entry.case is not None
    entry.case.intro += f"\n\n{planted}\n"
    forged = encode(entry)

    def forge() -> None:
        """The forged entry under the key the last check stored for the file."""
        written = lines()
        for n, line in enumerate(written[1:], 1):
            head = json.loads(line.partition("\t")[0])
            if head[0] == name:
                written[n] = f"{json.dumps([name, head[1], '0' * 64])}\t{forged}"
        cache.write_text("\n".join(written) + "\n", encoding="utf-8")

    source = case.read_text(encoding="utf-8")
    case.write_text(source.replace("status: published", "status: finished"), encoding="utf-8")
    assert main(["--project", str(root), "check"]) == 1  # stores the real entry under the key
    forge()
    assert main(["--project", str(root), "build", "--quiet", "--no-pdf"]) == 1
    case.write_text(source.replace("## Context", "Fresh words.\n\n## Context", 1), encoding="utf-8")
    assert main(["--project", str(root), "check"]) == 0
    forge()
    assert main(["--project", str(root), "build", "--quiet", "--no-pdf"]) == 0
    page = (root / "site" / "cases" / "odi-mexico" / "index.html").read_text(encoding="utf-8")
    assert "Fresh words." in page
    published = [p for p in (root / "site").rglob("*") if p.is_file()]
    assert not [p for p in published if planted.encode() in p.read_bytes()]
