"""Typeset print HTML to PDF with WeasyPrint, reading nothing from outside its folder."""

from __future__ import annotations

import bisect
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from essaykit.print.bookindex import LOCATOR, LOCATORS, merge_locators
from essaykit.print.indexchunks import CONTINUED_RULES
from essaykit.print.transforms import PRINT_FOOTNOTE, call_id


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


class WeasyPrintLog:
    """WeasyPrint's warnings, collected while the block runs (and its logs of every
    step, and fontTools' of every table it subsets, silenced)."""

    def __enter__(self) -> _Collect:
        self.loggers = [logging.getLogger("weasyprint"), logging.getLogger("weasyprint.progress"),
                        logging.getLogger("fontTools")]
        self.saved = [(log.level, log.propagate, list(log.handlers)) for log in self.loggers]
        self.collect = _Collect()
        for log in self.loggers:
            log.handlers = [self.collect]
            log.propagate = False
            log.setLevel(logging.WARNING)
        self.caught = warnings.catch_warnings()
        self.caught.__enter__()
        # the same missing-library advice, as a Python warning on first import
        warnings.filterwarnings("ignore", message=".*HarfBuzz-Subset.*",
                                category=DeprecationWarning)
        return self.collect

    def __exit__(self, *exc: Any) -> None:
        self.caught.__exit__(*exc)
        for log, (level, propagate, handlers) in zip(self.loggers, self.saved, strict=True):
            log.setLevel(level)
            log.propagate = propagate
            log.handlers = handlers


def lay_out(html: str, html_path: Path, collect: _Collect,
            first_page: int = 1) -> tuple[Any, str]:
    """WeasyPrint's layout of `html` (the book, or one piece of it), its drifting notes
    repaired (`keep_notes_with_calls`) within MAX_PASSES layouts; those still off their
    page are warnings in `collect`, with the book's page numbers (the layout's first
    page is the book's `first_page`). Returns the layout and the html it was made
    from (with its repairs)."""
    from weasyprint import HTML

    fetcher = _fetcher(html_path.parent)

    def laid_out(html: str) -> Any:
        # the book with its index as a title only: the index's thousands of
        # target-counter() locators cost a third of a layout, and its page
        # numbers are known only afterwards anyway
        return HTML(string=without_index_entries(html), base_url=str(html_path),
                    url_fetcher=fetcher).render()

    document = laid_out(html)
    for _ in range(MAX_PASSES):
        # what only a laid-out book shows: notes a page after their calls
        revised = keep_notes_with_calls(html, pages_of_anchors(document))
        if revised == html:
            break
        html = revised
        # the first layout let go before the next is made: one book's boxes
        # in memory at a time, not two
        del document
        document = laid_out(html)
    shift = first_page - 1
    for call, page, words in notes_off_their_page(html, pages_of_anchors(document)):
        collect.messages.append(
            f"the footnote “{words}”, called on page {call + shift}, is printed on page "
            f"{page + shift}: it did not fit below its call within {MAX_PASSES} layouts; "
            "shorten the note or move its call")
    return document, html


def write_pdf(html_path: Path, target: Path) -> Typeset:
    """Write the PDF of the whole book laid out at once; return its page count and
    what WeasyPrint warned about. (`pieces.write_pdf_in_pieces` makes the same PDF
    piece by piece; this is its reference, and its fallback for a book whose print
    template cannot be cut into pieces.)"""
    with WeasyPrintLog() as collect:
        from weasyprint import HTML

        html = html_path.read_text(encoding="utf-8")
        document, html = lay_out(html, html_path, collect)
        page_of = pages_of_anchors(document)
        alone = index_alone(html, page_of)
        if alone is not None:
            # the index, last, set on its own with its page numbers: the pages
            # before it are those of a whole-book layout
            index_html, first_page = alone
            index = HTML(string=index_html, base_url=str(html_path),
                         url_fetcher=_fetcher(html_path.parent)).render()
            document = document.copy([*document.pages[:first_page - 1], *index.pages])
        # a tagged PDF (PDF/UA-1: structure, reading order, alt text, language)
        # for screen readers; custom metadata keeps the editors and contributors
        document.write_pdf(str(target), pdf_variant="pdf/ua-1", custom_metadata=True)
    return Typeset(len(document.pages), collect.messages, collect.notes)


# layouts at most: the first, and revisions while notes still drift
MAX_PASSES = 3
NOTE = re.compile(rf'<span class="{PRINT_FOOTNOTE}" id="([^"]+)"')
TAG = re.compile(r"<[^>]*>")
PARAGRAPH = re.compile(r'<p\b([^>]*)\sid="([^"]+)"')
# each piece of the book (an essay, a page of front or back matter) is an article
ARTICLE = re.compile(r"<article\b")
# a heading and nothing else just before a paragraph
HEADING_BEFORE = re.compile(r'<h[1-6]\b(?:(?!<h[1-6]\b).)*?</h[1-6]>\s*$', re.DOTALL)


def drifting_notes(html: str, page_of: dict[str, int]) -> Iterator[tuple[re.Match[str], int, int]]:
    """Each note printed on another page than its call: (the note, call's page,
    note's page)."""
    for note in NOTE.finditer(html):
        call_page = page_of.get(call_id(note.group(1)))
        note_page = page_of.get(note.group(1))
        if call_page is not None and note_page is not None and note_page != call_page:
            yield note, call_page, note_page


def notes_off_their_page(html: str, page_of: dict[str, int]) -> list[tuple[int, int, str]]:
    """(call's page, note's page, the note's first words) of each drifting note."""
    found = []
    for note, call_page, note_page in drifting_notes(html, page_of):
        text = TAG.sub("", html[note.end():html.find("</span>", note.end())]).strip(" >")
        words = text.split()
        found.append((call_page, note_page,
                      " ".join(words[:8]) + ("…" if len(words) > 8 else "")))
    return found


def keep_notes_with_calls(html: str, page_of: dict[str, int]) -> str:
    """Send to the next page the paragraph that took a note's room.

    When a paragraph near the foot of a page needs a line more to keep its
    orphans, WeasyPrint (70) moves the page's footnotes on to make room, even a
    note whose call is higher on the page (footnote-policy cannot stop it). That
    paragraph, the last to start on the call's page after the call, then starts
    the next page instead, and the note stays with its call.

    One such repair per essay (per `<article>`) each layout: an essay starts on a
    page of its own, so a repair moves no other essay's lines, and a long book's
    drifting notes are all put right in one more layout, not one layout each;
    within an essay, a repair moves the pages after it, so the next waits.
    """
    articles = [match.start() for match in ARTICLE.finditer(html)]
    repaired: dict[int, int] = {}  # article -> where its paragraph (or heading) starts
    for note, call_page, _ in drifting_notes(html, page_of):
        article = bisect.bisect_right(articles, note.start())
        if article in repaired:
            continue
        culprit = None
        for paragraph in PARAGRAPH.finditer(html, note.end()):
            page = page_of.get(paragraph.group(2))
            if page is None or page > call_page:
                break
            if page == call_page:
                culprit = paragraph
        if culprit is None or "break-before" in culprit.group(1):
            continue
        start = culprit.start()
        # a heading goes with the paragraph it introduces
        heading = HEADING_BEFORE.search(html, max(0, start - 2000), start)
        if heading is not None and heading.end() == start:
            start = heading.start()
        repaired[article] = start
    for start in sorted(repaired.values(), reverse=True):
        tag = html[start:start + 3].rstrip(" >")
        html = html[:start] + f'{tag} style="break-before: page"' + html[start + len(tag):]
    return html


INDEX_ID = "book-index"
INDEX_SECTION = f'<section class="book-index" id="{INDEX_ID}"'
BODY = re.compile(r"<body\b[^>]*>")


def without_index_entries(html: str) -> str:
    """The book with its index cut to its opening tag and title: where the index
    begins (for the contents and the outline) without its entries."""
    start = html.find(INDEX_SECTION)
    title_end = html.find("</h1>", start)
    end = html.rfind("</body>")
    if start < 0 or title_end < 0 or end < title_end:
        return html
    return html[:title_end + len("</h1>")] + "\n</section>\n" + html[end:]


def index_alone(html: str, page_of: dict[str, int],
                first_page: int | None = None) -> tuple[str, int] | None:
    """The book's index as a document of its own, and the page it begins on.

    Its locators are merged (`merge_locators`) and their page numbers, and the
    commas between them, written in as text (their targets are in the other
    document, out of target-counter()'s reach; and a locator of plain text is
    half the layout's memory of one drawn by two pseudo-elements). Its first
    page is numbered as in the book (`counter-reset` on `@page :first`).
    WeasyPrint's `Document.copy` then puts its pages after the book's, and its
    links resolve to the book's anchors when the PDF is written. None when the
    book has no index. Its first page is where a layout put its title
    (`page_of`), unless `first_page` says.
    """
    start = html.find(INDEX_SECTION)
    first_page = page_of.get(INDEX_ID) if first_page is None else first_page
    head_end = html.find("</head>")
    body = BODY.search(html)
    end = html.rfind("</body>")
    if start < 0 or first_page is None or head_end < 0 or body is None or end < start:
        return None

    section = written_locators(html[start:end], page_of)
    own_rules = (f"<style>@page :first {{ counter-reset: page {first_page}; }}\n"
                 f"{WRITTEN_LOCATORS}{CONTINUED_RULES}</style>\n")
    return (html[:head_end] + own_rules + html[head_end:body.end()] + section
            + html[end:], first_page)


# the rules for locators written as text (here, not in print.css, so that a
# book's own copy of print.css needs no change)
WRITTEN_LOCATORS = (".index-locator::after, .index-locator + .index-locator::before "
                    "{ content: none; }\n.index-main { font-weight: 700; }\n")


def written_locators(section: str, page_of: dict[str, int]) -> str:
    """The index's locators merged and their page numbers written in, with commas
    between them."""
    def written(locators: re.Match[str]) -> str:
        found = [locator.group(0).replace("></a>", f">{page_of[locator.group(1)]}</a>")
                 for locator in LOCATOR.finditer(locators.group(2))
                 if locator.group(1) in page_of]
        return locators.group(1) + ", ".join(found) + locators.group(3)

    return LOCATORS.sub(written, merge_locators(section, page_of))


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
