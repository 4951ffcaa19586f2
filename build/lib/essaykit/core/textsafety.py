"""Is it text? Each page is read once, as bytes, and judged before anything parses it.

A file too large to be an essay is not read at all. Bytes that are not UTF-8 are
reported at their line and column (Sphinx would replace them with "?" and go
on). A NUL byte means a binary file. Control characters do not belong in
prose, and the bidirectional overrides (U+202A-U+202E, U+2066-U+2069) make the
text a reader sees differ from the text that is published ("Trojan Source").

One compiled pattern finds all of them in a single pass over text already in
memory, so the clean case costs almost nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.limits import MAX_PAGE_BYTES

rules.rule(
    "CHK003", "binary-file", Severity.ERROR,
    "A page or bibliography holds NUL bytes: it is a binary file, not text.",
    "Sphinx would publish garbage, or stop; a binary file renamed to .md is never an essay.",
    bad="an image or a word-processor file saved as essay.md",
    good="the essay exported as plain text (Markdown, UTF-8)",
)
rules.rule(
    "CHK004", "control-character", Severity.ERROR,
    "The text holds a control character (other than tab and newline).",
    "Control characters are invisible in an editor, break the HTML and the PDF, and are "
    "usually the debris of a copy and paste.",
    bad="The council\x0bagreed.  (a vertical tab pasted from a word processor)",
    good="The council agreed.",
)
rules.rule(
    "CHK005", "bidi-control-character", Severity.ERROR,
    "The text holds a bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069).",
    "These reorder what the reader sees, so the published text can say something other than "
    "what the editor reviewed (the \"Trojan Source\" trick).",
    bad="Pay the invoice to \u202eredrocs\u202c Ltd",
    good="Pay the invoice to Scorder Ltd   (for right-to-left scripts, let Unicode order them)",
)
rules.rule(
    "SEC010", "file-too-large", Severity.ERROR,
    "A page or bibliography is larger than the toolkit will read.",
    "A submission must not be able to exhaust the editor's memory; no essay is this large.",
    bad="essays/a.md   (40 MB)",
    good="essays/a.md   (60 kB), with large data sets published elsewhere and linked",
)

# C0 controls except tab, newline and carriage return; DEL; C1 controls; bidi controls.
SUSPECT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# the same, in two cheaper looks: C0 controls and DEL in the bytes (one C-speed pass that
# skips most texts), then C1 and bidirectional controls, which only non-ASCII text can hold
PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n\r" + bytes(range(0x80, 0x100))
# C1 and bidirectional controls as they are written in (valid) UTF-8. Each pattern
# starts with literal bytes, which the engine finds fast; a character class over the text
# would be tried at every character (and the curly quotes of any essay make it non-ASCII)
NON_ASCII_SUSPECT_UTF8 = (re.compile(b"\xc2[\x80-\x9f]"), re.compile(b"\xe2\x80[\xaa-\xae]"),
                          re.compile(b"\xe2\x81[\xa6-\xa9]"))


@dataclass
class Read:
    """A file read for checking: its text (None when it must not be parsed) and findings."""

    text: str | None
    findings: list[Diagnostic] = field(default_factory=list)


def read_source(path: Path, shown: str, *, limit: int = MAX_PAGE_BYTES) -> Read:
    """Read a page or .bib once; never raises."""
    try:
        size = path.stat().st_size
        if size > limit:
            return Read(None, [too_large(shown, size, limit)])
        data = path.read_bytes()
    except OSError as err:
        return Read(None, [rules.make("CHK002", shown, 1, 1, f"cannot read: {err.strerror or err}",
                                      "check the file exists and can be read")])
    if len(data) > limit:  # it grew while we looked
        return Read(None, [too_large(shown, len(data), limit)])
    if b"\0" in data:
        line, column = position(data, data.index(b"\0"))
        return Read(None, [rules.make("CHK003", shown, line, column,
                                      "NUL byte: this is a binary file, not text",
                                      "export the essay as Markdown text (UTF-8)")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column = position(data, err.start)
        bad = data[err.start:err.start + 4].hex(" ")
        return Read(None, [rules.make("CHK002", shown, line, column,
                                      f"not UTF-8: byte(s) {bad} cannot be read",
                                      "save the file as UTF-8 text")])
    if not data.translate(None, PLAIN_BYTES) and (text.isascii() or not any(
            pattern.search(data) for pattern in NON_ASCII_SUSPECT_UTF8)):
        return Read(text)
    return Read(text, scan_text(text, shown))


def too_large(shown: str, size: int, limit: int) -> Diagnostic:
    return rules.make("SEC010", shown, 1, 1,
                      f"the file is {size:,} bytes; the limit is {limit:,}",
                      "split it, or publish large data elsewhere and link to it")


def position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte `offset`."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return line, column


def scan_text(text: str, shown: str) -> list[Diagnostic]:
    """Control and bidirectional characters, each at its line and column."""
    if SUSPECT.search(text) is None:
        return []
    found: list[Diagnostic] = []
    for match in SUSPECT.finditer(text):
        offset = match.start()
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        char = match.group()
        if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
            found.append(rules.make("CHK005", shown, line, column,
                                    f"bidirectional control U+{ord(char):04X} "
                                    f"{unicodedata.name(char)}",
                                    "delete it: it makes the text shown differ from the text "
                                    "reviewed"))
        elif char == "\0":
            found.append(rules.make("CHK003", shown, line, column, "NUL character in the text",
                                    "delete it"))
        else:
            found.append(rules.make("CHK004", shown, line, column,
                                    f"control character U+{ord(char):04X}",
                                    "delete it, or replace it with a space"))
    return found


# "script:" or "data:" in any case. Only ASCII letters lower-case to these, so the
# classes below are exact; the pattern starts with a literal ":", which the engine finds
# fast, where lower-casing the whole text (or IGNORECASE) costs many times more.
SCRIPT_HINT = re.compile(r":(?:(?<=[sS][cC][rR][iI][pP][tT]:)|(?<=[dD][aA][tT][aA]:))")


def may_hold_script_url(text: str) -> bool:
    """A cheap first look: could any link in this text use a script scheme?
    (Whether "script:" or "data:" is in `text.lower()`.)"""
    return SCRIPT_HINT.search(text) is not None
