"""Every pinned dependency installs on the oldest Python that `requires-python` allows.

Debian 12's own python3 is 3.11.2: a pin that needs 3.11.5 (pymdown-extensions 13.1 did)
breaks the README's first command there with "No matching distribution found". The
installed distributions carry their Requires-Python metadata, so this is checked offline.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PINS = [
    Requirement(pin) for pin in PROJECT["dependencies"] + PROJECT["optional-dependencies"]["test"]
]


def oldest_python(requires: str) -> Version:
    """The lowest Python version a `requires-python` specifier allows."""
    bounds = [
        Version(spec.version)
        for spec in SpecifierSet(requires)
        if spec.operator in (">=", "==", "~=")
    ]
    assert bounds, f"requires-python {requires!r} must state a minimum, e.g. '>=3.11'"
    return max(bounds)


OLDEST = oldest_python(PROJECT["requires-python"])


def test_requires_python_allows_debian_12s_python() -> None:
    assert SpecifierSet(PROJECT["requires-python"]).contains("3.11.2")


def test_every_dependency_is_pinned_exactly() -> None:
    loose = [str(r) for r in PINS if not re.fullmatch(r"==[^*,]+", str(r.specifier))]
    assert loose == []


@pytest.mark.parametrize("pin", PINS, ids=lambda r: r.name)
def test_pin_installs_on_the_oldest_allowed_python(pin: Requirement) -> None:
    installed = metadata.metadata(pin.name)
    assert Version(installed["Version"]) in pin.specifier, (
        f"{pin.name} {installed['Version']} is installed, not {pin.specifier}; "
        "run bash scripts/setup.sh --test"
    )
    assert python_ok(installed.get("Requires-Python"), OLDEST), (
        f"{pin} needs Python {installed.get('Requires-Python')}, but requires-python allows "
        f"{OLDEST}: pin an older release, or raise requires-python (and the README) to match"
    )


def test_whole_dependency_tree_installs_on_the_oldest_allowed_python() -> None:
    """Also the packages the pins pull in, which pip resolves for the oldest Python too."""
    too_new = {
        name: requires
        for name, requires in dependency_tree(PINS).items()
        if not python_ok(requires, OLDEST)
    }
    assert too_new == {}, f"these need a newer Python than {OLDEST}: {too_new}"


def test_a_pin_needing_a_newer_python_is_caught() -> None:
    # pymdown-extensions 13.1 declares '>=3.11.5'; requires-python '>=3.11' allows 3.11.0.
    assert not python_ok(">=3.11.5", oldest_python(">=3.11"))
    assert python_ok(">=3.10", oldest_python(">=3.11"))
    assert python_ok(None, oldest_python(">=3.11"))


def python_ok(requires: str | None, oldest: Version) -> bool:
    return not requires or SpecifierSet(requires).contains(oldest, prereleases=True)


def dependency_tree(roots: list[Requirement]) -> dict[str, str | None]:
    """Requires-Python of every installed distribution the roots need on this platform."""
    found: dict[str, str | None] = {}
    queue = [(root, root.extras) for root in roots]
    while queue:
        requirement, extras = queue.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # only needed on another platform or Python
        found[name] = dist.metadata.get("Requires-Python")
        for line in dist.requires or []:
            child = Requirement(line)
            environments = [{"extra": extra} for extra in extras] or [{"extra": ""}]
            if child.marker is None or any(child.marker.evaluate(e) for e in environments):
                queue.append((child, child.extras))
    return found
