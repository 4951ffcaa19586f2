"""Front matter (FM): each essay's metadata against the essay schema.

The schema and its rules (FM001-FM007) live in `essaykit.core.frontmatter`, shared
with the build. The runner validates each page's front matter while reading
it (so the YAML is read once); this check reports what it found.
"""

from __future__ import annotations

from collections.abc import Iterator

from essaykit.check.index import BookIndex
from essaykit.check.registry import check
from essaykit.core.diagnostics import Diagnostic


@check("FM001", "FM002", "FM003", "FM004", "FM005", "FM006", "FM007")
def check_front_matter(index: BookIndex) -> Iterator[Diagnostic]:
    """Essays follow the essay schema; other pages of an essaykit book the page schema."""
    for page in index.project.pages:
        yield from index.front_matter_findings.get(page, ())
