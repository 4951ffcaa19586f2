"""Inline suppression: `% essaykit: ignore[CIT001, REF004]` silences those codes
(or code prefixes) on the next line.

The `%` line is a MyST comment, so it never reaches the reader and needs no raw
HTML; in a .bib file `%` is a BibTeX comment, so the same line works there too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from essaykit.core.diagnostics import Diagnostic
from essaykit.core.model import Suppression

PATTERN = re.compile(r"essaykit:\s*ignore\[(?P<codes>[^\]]*)\]")
BIB_COMMENT = re.compile(r"^\s*%(?P<text>.*)$")


def parse_suppression(comment: str) -> tuple[str, ...]:
    """The codes named by one comment's text (without its `%`), or ()."""
    match = PATTERN.search(comment)
    if not match:
        return ()
    return tuple(code.strip().upper() for code in match.group("codes").split(",") if code.strip())


def bib_suppressions(lines: list[str]) -> list[Suppression]:
    """`% essaykit: ignore[...]` lines in a .bib file, each aimed at the next
    line that is not itself a comment."""
    found: list[Suppression] = []
    pending: list[tuple[tuple[str, ...], int]] = []
    for index, line in enumerate(lines):
        comment = BIB_COMMENT.match(line)
        if comment:
            codes = parse_suppression(comment.group("text"))
            if codes:
                pending.append((codes, index + 1))
            continue
        if not line.strip():
            continue
        found.extend(Suppression(codes, at, index + 1) for codes, at in pending)
        pending = []
    return found


def is_suppressed(diagnostic: Diagnostic, suppressions: Iterable[Suppression]) -> bool:
    return any(
        diagnostic.line == item.target_line
        and any(diagnostic.code.startswith(code) for code in item.codes)
        for item in suppressions
    )
