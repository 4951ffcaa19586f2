"""Accessibility rules (ACC): what a reader who cannot see the page still needs."""

from __future__ import annotations

from collections.abc import Iterator

from essaykit.check.index import BookIndex
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity

rules.rule(
    "ACC001", "image-without-alt-text", Severity.WARNING,
    "An image or figure has no alternative text.",
    "A screen reader announces the file name instead (docutils uses the path as the "
    "alt text), and a reader whose image fails to load sees nothing. A figure's "
    "caption is read too, but says what the figure shows, not what it looks like.",
    bad="![](charts/spend.png)\n\n```{figure} charts/spend.png\n:width: 80%\nSpend.\n```",
    good="![Bar chart: spend per head fell in every year from 2010 to 2015]"
         "(charts/spend.png)\n\n```{figure} charts/spend.png\n:alt: Bar chart: spend per "
         "head fell in every year\nSpend.\n```",
)


@check("ACC001")
def check_alt_text(index: BookIndex) -> Iterator[Diagnostic]:
    for doc in index.documents.values():
        for link in doc.links:
            if link.kind == "image" and link.alt is not None and not link.alt.strip():
                yield rules.make(
                    "ACC001", doc.path, link.line, link.column,
                    f"image {link.href!r} has no alternative text",
                    "describe what it shows: ![what it shows](file) or, in a directive, "
                    ":alt: what it shows")
