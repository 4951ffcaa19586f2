"""Read the body of a `{glossary}` directive the way Sphinx's Glossary does.

A term is a line that starts at the left margin; consecutive term lines share
one definition; the definition is the indented block that follows, and is
itself MyST (so it may cite works and link terms).
"""

from __future__ import annotations

import textwrap
from functools import lru_cache

from markdown_it import MarkdownIt

from essaykit.core.model import GlossaryEntry

_INLINE = MarkdownIt("commonmark")
_MARKUP = frozenset("[]`*_<>\\")


@lru_cache(maxsize=1024)
def term_text(term: str) -> str:
    """A term line as Sphinx names the term: the text of its inline markup, so
    `[CommonMark](https://commonmark.org/)` is the term "CommonMark" and `` `setup.py` ``
    is "setup.py" ({term} matches the text, not the markup)."""
    if not any(char in _MARKUP for char in term):
        return term
    parts: list[str] = []
    for token in _INLINE.parseInline(term):
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append(" ")
    return "".join(parts).strip() or term


def parse_glossary(
    lines: list[str], first_line: int
) -> tuple[list[GlossaryEntry], list[tuple[str, int]]]:
    """Entries, and each definition's (dedented text, 0-based first line).

    `first_line` is the 0-based line of `lines[0]` in the source file.
    """
    entries: list[GlossaryEntry] = []
    definitions: list[tuple[str, int]] = []
    terms: list[tuple[str, int]] = []
    body: list[str] = []
    body_start = 0

    def flush() -> None:
        if terms:
            entries.append(GlossaryEntry(
                tuple(term for term, _ in terms), terms[0][1], tuple(line for _, line in terms)
            ))
        if body and any(line.strip() for line in body):
            definitions.append((textwrap.dedent("\n".join(body)), body_start))

    for index, line in enumerate(lines):
        if not line.strip():
            if body:
                body.append("")
            continue
        if line[0] in " \t":
            if not body:
                body_start = first_line + index
            body.append(line)
            continue
        if body:  # a new term after a definition starts a new entry
            flush()
            terms, body = [], []
        term = term_text(line.split(" : ")[0].strip())
        if term:
            terms.append((term, first_line + index + 1))
    flush()
    return entries, definitions
