"""Front matter (FM): each essay's metadata against the essay schema.

The schema and its rules (FM001-FM007) live in `essaykit.frontmatter`, shared
with the build; this check runs them over the book's pages.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..diagnostics import Diagnostic
from ..frontmatter import parse_meta
from .index import BookIndex
from .registry import check


@check("FM001", "FM002", "FM003", "FM004", "FM005", "FM006", "FM007")
def check_front_matter(index: BookIndex) -> Iterator[Diagnostic]:
    """Essays follow the essay schema; other pages of an essaykit book the page schema."""
    if not index.project.front_matter_schema:
        return
    essays = set(index.project.essays)
    for page in index.project.pages:
        text = index.texts.get(page)
        if text is None:
            continue
        _, found = parse_meta(text, page, schema="essay" if page in essays else "page")
        yield from found
