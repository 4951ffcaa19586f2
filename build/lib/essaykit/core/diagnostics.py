"""Diagnostic records: what every check and every gate returns.

A diagnostic is data. Nothing in essaykit's core prints: the CLI formats
diagnostics as text, JSON or GitHub annotations, and the Sphinx extension logs
them as warnings carrying the same codes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, located at a 1-based line and column of a file."""

    path: str
    line: int
    column: int
    code: str
    severity: Severity
    message: str
    hint: str = ""

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    def format_text(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.code} {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sorted by place, then code; exact duplicates removed."""
    return sorted(set(diagnostics), key=lambda d: (d.path, d.line, d.column, d.code, d.message))


def relative_path(path: Path, root: Path) -> str:
    """A path as shown to people: relative to the book's root where possible."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


class EssaykitError(Exception):
    """A failure the user can fix; carries the diagnostics that explain it."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("; ".join(d.format_text() for d in diagnostics))
