"""Typeset print HTML to PDF with WeasyPrint, reading nothing from outside its folder."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from essaykit.print.bookindex import LOCATOR_CLASS, merge_locators


@dataclass
class Typeset:
    pages: int
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# Without the system's HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools
# (slower, same PDF) and warns once per font: one note, not a build warning.
NO_HARFBUZZ_SUBSET = "instead of HarfBuzz-Subset"
NO_HARFBUZZ_NOTE = ("fonts were subset with fontTools, as the system library HarfBuzz-Subset "
                    "is missing (same PDF, slower): install libharfbuzz-subset0 "
                    "(`make system-deps` does, as root)")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.notes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if NO_HARFBUZZ_SUBSET in message:
            if NO_HARFBUZZ_NOTE not in self.notes:
                self.notes.append(NO_HARFBUZZ_NOTE)
            return
        self.messages.append(f"WeasyPrint: {message}")


def write_pdf(html_path: Path, target: Path) -> Typeset:
    """Write the PDF; return its page count and what WeasyPrint warned about."""
    # WeasyPrint logs every step (from its first import on); keep only its
    # warnings, as build warnings.
    # fontTools (WeasyPrint's font subsetter) logs every table it subsets at INFO
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress"),
               logging.getLogger("fontTools")]
    saved = [(log.level, log.propagate, list(log.handlers)) for log in loggers]
    collect = _Collect()
    for log in loggers:
        log.handlers = [collect]
        log.propagate = False
        log.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            # the same missing-library advice, as a Python warning on first import
            warnings.filterwarnings("ignore", message=".*HarfBuzz-Subset.*",
                                    category=DeprecationWarning)
            from weasyprint import HTML

            fetcher = _fetcher(html_path.parent)
            document = HTML(filename=str(html_path), url_fetcher=fetcher).render()
            html = html_path.read_text(encoding="utf-8")
            if LOCATOR_CLASS in html:
                # the index: an entry's locators on one page print that page once;
                # the index is last, so its targets keep their pages when it shrinks
                merged = merge_locators(html, pages_of_anchors(document))
                if merged != html:
                    document = HTML(string=merged, base_url=str(html_path),
                                    url_fetcher=fetcher).render()
            # a tagged PDF (PDF/UA-1: structure, reading order, alt text, language)
            # for screen readers; custom metadata keeps the editors and contributors
            document.write_pdf(str(target), pdf_variant="pdf/ua-1", custom_metadata=True)
    finally:
        for log, (level, propagate, handlers) in zip(loggers, saved, strict=True):
            log.setLevel(level)
            log.propagate = propagate
            log.handlers = handlers
    return Typeset(len(document.pages), collect.messages, collect.notes)


def pages_of_anchors(document: Any) -> dict[str, int]:
    """Each element id of a laid-out document and the page (1-based) it is on
    (WeasyPrint's public `Page.anchors`)."""
    found: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for anchor in page.anchors:
            found.setdefault(anchor, number)
    return found


def _fetcher(folder: Path) -> Any:
    from weasyprint.urls import URLFetcher

    base = folder.resolve()

    class InsideFolder(URLFetcher):  # type: ignore[misc]
        """Only the print folder's own files (fonts, CSS, images) may be read.

        An essay must not pull the editor's local files, or anything remote,
        into the PDF. WeasyPrint turns a refused resource into a warning.
        """

        def fetch(self, url: str, headers: Any = None) -> Any:
            parsed = urlparse(url)
            if parsed.scheme != "file":
                raise ValueError(f"refusing {url!r}: the PDF reads only its own files")
            path = Path(unquote(parsed.path)).resolve()
            if path != base and base not in path.parents:
                raise ValueError(f"refusing {path}: it is outside the print edition")
            return super().fetch(url, headers)

    return InsideFolder(allowed_protocols={"file"})
