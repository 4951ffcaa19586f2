"""Typeset print HTML to PDF with WeasyPrint, reading nothing from outside its folder."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse


@dataclass
class Typeset:
    pages: int
    warnings: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"WeasyPrint: {record.getMessage()}")


def write_pdf(html_path: Path, target: Path) -> Typeset:
    """Write the PDF; return its page count and what WeasyPrint warned about."""
    # WeasyPrint logs every step (from its first import on); keep only its
    # warnings, as build warnings.
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress")]
    saved = [(log.level, log.propagate, list(log.handlers)) for log in loggers]
    collect = _Collect()
    for log in loggers:
        log.handlers = [collect]
        log.propagate = False
        log.setLevel(logging.WARNING)
    try:
        from weasyprint import HTML

        document = HTML(filename=str(html_path), url_fetcher=_fetcher(html_path.parent)).render()
        document.write_pdf(str(target))
    finally:
        for log, (level, propagate, handlers) in zip(loggers, saved, strict=True):
            log.setLevel(level)
            log.propagate = propagate
            log.handlers = handlers
    return Typeset(len(document.pages), collect.messages)


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
