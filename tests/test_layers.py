"""The layer contract: the data flows one way, from the sources up to the command line.

Every module of `src/casebook/`, at any depth, belongs to a layer (its top-level package, or
one of the few top-level modules), and may import only from its own layer's package or from
a layer below it. Packages that share a floor (the check, the pages and the editor) do not
import one another. A new top-level module or package fails here until it is given a floor.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "casebook"

# Lowest first. A unit is a package of `casebook` or a top-level module.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"casebook", "lifeline"}),  # the version; worker processes that die with a build
    frozenset({"sources"}),  # the project's files read into the validated model
    frozenset({"check", "pages", "editor", "rawhtml"}),  # rules, pages, the editor's form
    frozenset({"outputs"}),  # PDFs, search, hardening: made from pages or built HTML
    frozenset({"pipeline"}),  # the build's phases, in one sequence
    frozenset({"commands"}),  # serve, edit, session, pack, new
    frozenset({"cli"}),
)
FLOOR = {unit: n for n, units in enumerate(LAYERS) for unit in units}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every casebook module a module imports: at the top, in functions or for type checking."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; name the module in full")
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("casebook"):
            if node.module == "casebook":
                found.update(f"casebook.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "casebook")
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(SRC.rglob("*.py"))}


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def violations(imports: dict[str, set[str]]) -> list[str]:
    """Each import that goes up a floor, or sideways into another package of the same floor,
    and each module whose unit has no floor."""
    found: list[str] = []
    for module, targets in sorted(imports.items()):
        home = unit(module)
        if home not in FLOOR:
            found.append(f"{module}: '{home}' is on no floor of LAYERS")
            continue
        for target in sorted(targets):
            there = unit(target)
            if there == "__version__":
                there = "casebook"
            if there == home:
                continue
            if there not in FLOOR or FLOOR[there] >= FLOOR[home]:
                found.append(f"{module} imports {target}, which is not below it")
    return found


def cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles between modules (inside a package, where the floors do not reach)."""
    modules = set(imports)
    edges = {m: {t for t in targets if t in modules and t != m} for m, targets in imports.items()}
    found: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(edges[name]):
            if state.get(target) == 1:
                found.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = 2

    for name in sorted(modules):
        if name not in state:
            visit(name, [name])
    return found


def test_every_import_goes_down_a_floor() -> None:
    assert violations(graph()) == []


def test_the_contract_fails_when_an_import_goes_back_up() -> None:
    imports = graph()
    imports["casebook.sources.model"] = imports["casebook.sources.model"] | {
        "casebook.pages.render"
    }
    imports["casebook.pages.render"] = imports["casebook.pages.render"] | {
        "casebook.check.validate"
    }
    imports["casebook.stray"] = set()
    assert violations(imports) == [
        "casebook.pages.render imports casebook.check.validate, which is not below it",
        "casebook.sources.model imports casebook.pages.render, which is not below it",
        "casebook.stray: 'stray' is on no floor of LAYERS",
    ]


def test_no_import_cycles_between_modules() -> None:
    imports = graph()
    assert cycles(imports) == []
    imports["casebook.sources.problems"] = imports["casebook.sources.problems"] | {
        "casebook.sources.loader"
    }
    assert [
        "casebook.sources.problems",
        "casebook.sources.loader",
        "casebook.sources.problems",
    ] in (cycles(imports))


def test_the_sheets_do_not_know_the_renderer() -> None:
    # The renderer builds on the worksheets; the notes and the PDF renderer know no sheets.
    imports = graph()
    for name in (
        "casebook.pages.worksheets",
        "casebook.sources.facilitation",
        "casebook.outputs.pdf",
    ):
        assert "casebook.pages.render" not in imports[name]
    notes_and_pdf = imports["casebook.sources.facilitation"] | imports["casebook.outputs.pdf"]
    assert "casebook.pages.worksheets" not in notes_and_pdf


def test_few_modules_at_the_top() -> None:
    top = sorted(p.stem for p in SRC.glob("*.py"))
    assert top == ["__init__", "cli", "lifeline", "rawhtml"]
    packages = sorted(p.name for p in SRC.iterdir() if (p / "__init__.py").is_file())
    assert packages == sorted(u for u in FLOOR if (SRC / u).is_dir())
