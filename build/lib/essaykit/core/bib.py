"""Read a .bib file with pybtex, keeping each entry's line and every error's place.

pybtex stops at the first problem in strict mode and prints warnings in lax
mode; we want neither. Its low-level parser takes an error handler, so this
module hands it one that records each syntax error (with pybtex's own line
number) and carries on, as BibTeX would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.errors
from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input.bibtex import DuplicateField, LowLevelParser, Parser
from pybtex.exceptions import PybtexError
from pybtex.scanner import PrematureEOF, PybtexSyntaxError

from essaykit.core import rules
from essaykit.core.bibguard import guard_macros
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.limits import MAX_BIB_BYTES, MAX_MACRO_EXPANSION
from essaykit.core.textsafety import read_source


@dataclass(frozen=True)
class BibEntry:
    key: str
    type: str
    fields: dict[str, str]
    persons: dict[str, tuple[str, ...]]
    line: int
    path: str


@dataclass(frozen=True)
class BibProblem:
    """A syntax error, a duplicate key or a duplicate field, at its line."""

    kind: str  # "syntax", "duplicate-key", "duplicate-field", "unreadable"
    message: str
    line: int
    column: int
    other_line: int = 0
    key: str = ""  # the entry being read when it happened, if any


@dataclass
class BibFile:
    path: str
    lines: list[str]
    entries: list[BibEntry] = field(default_factory=list)
    problems: list[BibProblem] = field(default_factory=list)
    # what the submission checks found before pybtex read it (size, bytes, macro bombs)
    findings: list[Diagnostic] = field(default_factory=list)

    @property
    def broken(self) -> set[str]:
        """Lower-cased keys of entries with a syntax error (reported once, as CIT006)."""
        return {problem.key.lower() for problem in self.problems if problem.key}


class _RecordingParser(Parser):  # type: ignore[misc]
    """pybtex's Parser, recording errors and each entry's first line."""

    def __init__(self, text: str, path: str):
        super().__init__()
        self.text = text
        self.path = path
        self.entries: list[BibEntry] = []
        self.problems: list[BibProblem] = []
        self.first_line: dict[str, int] = {}
        self.scanner: LowLevelParser | None = None
        self._line_cache = (0, 1)

    def line_at(self, offset: int) -> int:
        # entries come in order, so count newlines incrementally
        last_offset, last_line = self._line_cache
        if offset < last_offset:
            last_offset, last_line = 0, 1
        line = last_line + self.text.count("\n", last_offset, offset)
        self._line_cache = (offset, line)
        return line

    def handle_error(self, error: Exception) -> None:
        key = str(self.scanner.current_entry_key or "") if self.scanner else ""
        if isinstance(error, PrematureEOF) and self.scanner is not None:
            line = self.line_at(self.scanner.command_start or 0)
            self.problems.append(BibProblem(
                "syntax", f"the entry starting here is never closed ({error})", line, 1, 0, key))
        elif isinstance(error, PybtexSyntaxError):
            line = error.lineno or 1
            position = error.error_context_info[-1] if error.error_context_info else 0
            start = self.text.rfind("\n", 0, position) + 1
            message = str(error).split(": ", 1)[-1]
            self.problems.append(BibProblem("syntax", message, line, position - start + 1, 0, key))
        elif isinstance(error, DuplicateField):
            line = self._duplicate_field_line(str(error))
            self.problems.append(BibProblem("duplicate-field", str(error), line, 1, 0, key))
        else:
            self.problems.append(BibProblem("syntax", str(error), 1, 1))

    def _duplicate_field_line(self, message: str) -> int:
        """The line of the second `name =` in the current entry."""
        start = self.scanner.command_start or 0 if self.scanner else 0
        name = message.rsplit(" ", 2)[-2] if message.count(" ") >= 2 else ""
        pattern = re.compile(rf"^[ \t]*{re.escape(name)}[ \t]*=", re.IGNORECASE | re.MULTILINE)
        end = self.scanner.pos if self.scanner else len(self.text)
        found = list(pattern.finditer(self.text, start, end))
        return self.line_at(found[1].start()) if len(found) > 1 else self.line_at(start)

    def parse_string(self, text: str) -> BibliographyData:
        self.unnamed_entry_counter = 1
        self.scanner = LowLevelParser(text, keyless_entries=False, handle_error=self.handle_error,
                                      macros=self.macros)
        for entry in self.scanner:
            entry_type = entry[0].lower()
            if entry_type == "preamble":
                self.process_preamble(*entry[1])
            elif entry_type != "string":
                self.process_entry(entry[0], *entry[1])
        return self.data

    def process_entry(self, entry_type: str, key: str, fields: list[tuple[str, list[str]]]) -> None:
        assert self.scanner is not None
        line = self.line_at(self.scanner.command_start or 0)
        if not key:
            self.problems.append(BibProblem("syntax", f"@{entry_type} entry has no key", line, 1))
            return
        folded = key.lower()
        if folded in self.first_line:
            self.problems.append(BibProblem(
                "duplicate-key", f"duplicate key {key!r}", line, 1, self.first_line[folded]))
            return
        self.first_line[folded] = line
        before = len(self.data.entries)
        # person-name errors go through pybtex's global hook: capture them here
        with pybtex.errors.capture() as captured:
            super().process_entry(entry_type, key, fields)
        for error in captured:
            self.problems.append(BibProblem("syntax", f"entry {key!r}: {error}", line, 1, 0, key))
        if len(self.data.entries) > before:
            self.entries.append(_entry(self.data.entries[key], key, line, self.path))


def _entry(entry: Entry, key: str, line: int, path: str) -> BibEntry:
    persons = {role: tuple(str(person) for person in people)
               for role, people in entry.persons.items()}
    return BibEntry(key, entry.type.lower(), {k.lower(): v for k, v in entry.fields.items()},
                    {k.lower(): v for k, v in persons.items()}, line, path)


def read_bib(path: Path, shown: str) -> BibFile:
    """Parse one .bib file; never raises."""
    read = read_source(path, shown, limit=MAX_BIB_BYTES)
    if read.text is None:
        return BibFile(shown, [], findings=read.findings)
    bib = read_bib_text(read.text, shown)
    bib.findings[:0] = read.findings
    return bib


def read_bib_text(text: str, shown: str) -> BibFile:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    guarded = guard_macros(text)
    findings = [rules.make("SEC012", shown, bomb.line, 1,
                           f"{bomb.what} expands to {bomb.length:,} characters, taking the "
                           f"file's macro expansion past the limit of {MAX_MACRO_EXPANSION:,}; "
                           "it and every macro built on it are left out",
                           "write the text out instead of building it from macros that "
                           "repeat other macros")
                for bomb in guarded.bombs]
    parser = _RecordingParser(guarded.text, shown)
    try:
        parser.parse_string(guarded.text)
    except (PybtexError, RecursionError, ValueError, IndexError, MemoryError) as err:
        parser.problems.append(BibProblem("syntax", str(err), 1, 1))
    return BibFile(shown, text.split("\n"), parser.entries, parser.problems, findings)


__all__ = ["BibEntry", "BibFile", "BibProblem", "Person", "read_bib", "read_bib_text"]
