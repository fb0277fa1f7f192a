"""Problems found in source files, and how they are reported to editors."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, always tied to a file and a line so an editor can jump to it."""

    path: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format(self, style: str = "text") -> str:
        if style == "github":
            # GitHub turns these lines into annotations on the pull request's diff.
            kind = "error" if self.is_error else "warning"
            title = self.field or "casebook"
            return f"::{kind} file={self.path},line={self.line},title={title}::{_gh_escape(self.message)}"
        prefix = "" if self.is_error else "warning: "
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}: {prefix}{where}{self.message}"


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def display_path(path: Path, root: Path | None = None) -> str:
    """A path relative to the working directory (or the project) when it is inside it."""
    absolute = os.path.abspath(path)  # no file-system calls: this runs for every file
    for base in (os.getcwd(), None if root is None else os.path.abspath(root)):
        if base is not None and absolute.startswith(base.rstrip(os.sep) + os.sep):
            return os.path.relpath(absolute, base)
    return str(path)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line, p.field, p.message))


def count(problems: Iterable[Problem]) -> tuple[int, int]:
    errors = warnings = 0
    for problem in problems:
        if problem.is_error:
            errors += 1
        else:
            warnings += 1
    return errors, warnings


def print_problems(problems: Iterable[Problem], style: str = "text", strict: bool = False) -> None:
    """Print problems to stdout; with `strict`, warnings are shown (and count) as errors."""
    for problem in problems:
        if strict and not problem.is_error:
            problem = Problem(problem.path, problem.line, problem.field, problem.message)
        print(problem.format(style))
