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
    # What would be an error in a draft (status: draft), in a check of the whole project:
    # a draft is never published, so it must not stop the site from building (nor does
    # --strict make it an error). Checking the draft by its path shows these as errors.
    DRAFT = "draft"
    DRAFT_WARNING = "draft-warning"  # a warning in a draft, likewise


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

    @property
    def is_draft(self) -> bool:
        return self.severity in _IN_DRAFT.values()

    def in_draft(self) -> Problem:
        """This problem found in a draft: a draft's warning, whatever it was."""
        severity = _IN_DRAFT.get(self.severity, self.severity)
        return Problem(self.path, self.line, self.field, self.message, severity)

    def as_checked_alone(self) -> Problem:
        """A draft's problem when its file is checked by name: what it was again."""
        severity = _CHECKED_ALONE.get(self.severity, self.severity)
        return Problem(self.path, self.line, self.field, self.message, severity)

    def format(self, style: str = "text") -> str:
        if style == "github":
            # GitHub turns these lines into annotations on the pull request's diff.
            kind = "error" if self.is_error else "warning"
            title = (self.field or "casebook") + (" (draft)" if self.is_draft else "")
            return f"::{kind} file={self.path},line={self.line},title={title}::{_gh_escape(self.message)}"
        prefix = "" if self.is_error else "warning (draft): " if self.is_draft else "warning: "
        where = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}: {prefix}{where}{self.message}"


_IN_DRAFT = {Severity.ERROR: Severity.DRAFT, Severity.WARNING: Severity.DRAFT_WARNING}
_CHECKED_ALONE = {draft: severity for severity, draft in _IN_DRAFT.items()}


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


def strict_count(problems: Iterable[Problem]) -> int:
    """The warnings --strict turns into errors: all but a draft's."""
    return sum(1 for problem in problems if problem.severity is Severity.WARNING)


def print_problems(problems: Iterable[Problem], style: str = "text", strict: bool = False) -> None:
    """Print problems to stdout; with `strict`, warnings are shown (and count) as errors
    (a draft's are not: see Severity.DRAFT)."""
    for problem in problems:
        if strict and problem.severity is Severity.WARNING:
            problem = Problem(problem.path, problem.line, problem.field, problem.message)
        print(problem.format(style))
