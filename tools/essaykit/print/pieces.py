"""The print edition typeset in pieces, kept between builds.

A book's print HTML is cut where a piece starts on a right-hand page of its
own: the front matter, each part page, each essay and back-matter page, the
index. Each piece is laid out alone by WeasyPrint in a worker process (so the
memory a layout takes is one piece's, not the book's), with its first folio
the book's (`@page :first { counter-reset }`), and written as a PDF kept in
the cache under a digest of everything that makes it: an edit typesets the
pieces it changed, and those whose first page it moved. The index and the
contents, which need every piece's page numbers, are typeset last with the
numbers written in. `print/join.py` makes one tagged PDF of the pieces.

The PDF is the one a whole-book layout makes (`pdf.write_pdf`, which stays
as the reference and as the way for a print template that cannot be cut):
`tests/test_print_pieces.py` compares their pages, text, links and outline.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import pickle
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from importlib.metadata import version
from itertools import pairwise
from pathlib import Path

from essaykit.print.indexchunks import (
    TEMPORARY_ID,
    chunk,
    clean_cut,
    elements_of,
    numbered_index,
)
from essaykit.print.join import DEST, Block, Part, join, make_block
from essaykit.print.pdf import (
    BODY,
    INDEX_ID,
    INDEX_SECTION,
    Typeset,
    WeasyPrintLog,
    index_alone,
    lay_out,
    pages_of_anchors,
    write_pdf,
)

# where the print template starts a piece (print.html.jinja writes them at the
# start of a line; a book's own template that does not is typeset whole)
PIECE_START = re.compile(
    r'^<(?:article class="piece\b|section class="(?:part-page|book-index)\b)', re.MULTILINE)
ID = re.compile(r'\sid="([^"]+)"')
INTERNAL_HREF = re.compile(r'(\shref=")#([^"]+)(")')
TOC_TARGET = re.compile(r'(<span class="toc-title" data-target="#([^"]+)")')
SOURCE = re.compile(r'\ssrc="([^":]+)"')
# the contents' page numbers written in, as the index's are (print.css prints
# them with target-counter(), whose targets are in other pieces here)
TOC_NUMBERS = ('.toc .toc-title[data-page]::after '
               '{ content: leader(" . ") attr(data-page); }\n')
# a worker lays out this many pieces, then makes way for a fresh process: what
# WeasyPrint and Pango keep between layouts does not pile up over 500 essays
PIECES_PER_WORKER = 25
# the index is laid out this many locators at a time (some ten pages; at most
# ~300 MB in a worker): its memory is a chunk's, not the whole index's
INDEX_LOCATORS_PER_CHUNK = 3000
# the front matter is laid out again when the contents' page numbers change its
# length (they fill leaders, so once at most in practice)
FRONT_MATTER_ATTEMPTS = 3


@dataclass
class Piece:
    name: str  # "front", the id of its article or section
    body: str
    ids: set[str]


@dataclass
class LaidOut:
    pages: int
    anchors: dict[str, int]  # id -> page of the piece (1-based)
    levels: list[int]  # the bookmark-level of each bookmark, in order
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # a chunk of the index: the id of the element its next chunk resumes at
    resume: str | None = None


@dataclass(frozen=True)
class Job:
    html: str
    html_path: str
    first_page: int
    target: str
    whole: bool = False  # the index: laid out as it is, no note repair, not cut
    cut: bool = False  # a chunk of the index that stops before its end: keep its full pages


def cut(html: str) -> tuple[str, list[Piece]] | None:
    """The document's head (up to and with `<body>`) and its pieces; None when the
    print template marks no piece."""
    body = BODY.search(html)
    end = html.rfind("</body>")
    if body is None or end < 0:
        return None
    starts = [match.start() for match in PIECE_START.finditer(html, body.end(), end)]
    if not starts:
        return None
    pieces = []
    for number, (start, stop) in enumerate(pairwise([body.end(), *starts, end])):
        markup = html[start:stop]
        ids = set(ID.findall(markup))
        first = ID.search(markup)
        name = "front" if number == 0 else first.group(1) if first else f"piece-{number}"
        pieces.append(Piece(name, markup, ids))
    if not pieces[0].body.strip():
        pieces.pop(0)
    return html[:body.end()], pieces


def links_outside(markup: str, ids: set[str]) -> str:
    """Links to anchors of other pieces as `essaykit-dest:` URIs (`join.py` makes
    them links within the book again)."""
    def outside(match: re.Match[str]) -> str:
        if match.group(2) in ids:
            return match.group(0)
        return f"{match.group(1)}{DEST}{match.group(2)}{match.group(3)}"

    return INTERNAL_HREF.sub(outside, markup)


def piece_document(head: str, piece: Piece, first_page: int, rules: str = "") -> str:
    folio = f"@page :first {{ counter-reset: page {first_page}; }}\n" if first_page > 1 else ""
    head_end = head.find("</head>")
    style = f"<style>{folio}{rules}</style>\n" if folio or rules else ""
    return (head[:head_end] + style + head[head_end:] + links_outside(piece.body, piece.ids)
            + "\n</body>\n</html>\n")


def with_contents_numbers(piece: Piece, page_of: dict[str, int]) -> Piece:
    def numbered(match: re.Match[str]) -> str:
        return f'{match.group(1)} data-page="{page_of.get(match.group(2), 0)}"'

    return Piece(piece.name, TOC_TARGET.sub(numbered, piece.body), piece.ids)


def typeset_piece(job: Job) -> LaidOut:
    """In a worker: lay one piece out (its notes repaired) and write its PDF."""
    html_path = Path(job.html_path)
    with WeasyPrintLog() as collect:
        if job.whole:
            from weasyprint import HTML

            from essaykit.print.pdf import _fetcher

            document = HTML(string=job.html, base_url=str(html_path),
                            url_fetcher=_fetcher(html_path.parent)).render()
        else:
            document, _ = lay_out(job.html, html_path, collect, job.first_page)
        resume = None
        if job.cut:
            found = clean_cut(elements_of(job.html), pages_of_anchors(document),
                              len(document.pages))
            if found is None:
                # no page of it begins cleanly: the caller makes a larger chunk
                return LaidOut(0, {}, [], collect.messages, collect.notes)
            keep, resume = found
            document = document.copy(document.pages[:keep])
        for page in document.pages:
            # the ids indexchunks gave the index's elements are no destinations
            # of the book (WeasyPrint writes the PDF's from `Page.anchors`)
            for anchor in [name for name in page.anchors if name.startswith(TEMPORARY_ID)]:
                del page.anchors[anchor]
        levels = [bookmark[0] for page in document.pages for bookmark in page.bookmarks]
        pdf = Path(job.target).with_suffix(".pdf")
        document.write_pdf(pdf, pdf_variant="pdf/ua-1", custom_metadata=True)
        laid_out = LaidOut(len(document.pages), pages_of_anchors(document), levels,
                           collect.messages, collect.notes, resume)
    del document
    # what joining needs of the PDF, read here, in the worker, once
    block = make_block(pdf, html_path.parent / "fonts", levels)
    with open(job.target, "wb") as kept:
        pickle.dump(block, kept, protocol=pickle.HIGHEST_PROTOCOL)
    pdf.unlink()
    return laid_out


class Pieces:
    """The cache of typeset pieces (one PDF and one JSON record each, named by the
    digest of what made it) and the worker that fills it."""

    def __init__(self, html_path: Path, cache: Path) -> None:
        self.html_path = html_path
        self.cache = cache  # made when a first piece is typeset into it
        folder = html_path.parent
        # what a piece's layout reads besides its html: the stylesheet and fonts
        # of the print folder, and WeasyPrint itself
        made_of = [version("weasyprint"), version("pikepdf")]
        for path in sorted(folder.glob("*.css")) + sorted((folder / "fonts").glob("*")):
            made_of.append(f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()}")
        self.made_of = "\n".join(made_of)
        self.used: set[str] = set()
        self.typeset = 0
        self.kept = 0
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pieces:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def digest(self, html: str, cut: bool = False) -> str:
        hashed = hashlib.sha256(self.made_of.encode())
        hashed.update(html.encode())
        if cut:
            hashed.update(b"\ncut")
        folder = self.html_path.parent.resolve()
        for source in sorted(set(SOURCE.findall(html))):
            image = (folder / source).resolve()
            if folder in image.parents and image.is_file():
                hashed.update(f"\n{source}:".encode() + hashlib.sha256(image.read_bytes()).digest())
        return hashed.hexdigest()

    def get(self, html: str, first_page: int, whole: bool = False,
            cut: bool = False) -> tuple[Path, LaidOut]:
        """The piece made of `html` (its block for joining, and its layout's record):
        from the cache, or typeset now. A chunk of the index that could not be cut
        (`cut`) has no pages and no block."""
        digest = self.digest(html, cut)
        block, record = self.cache / f"{digest}.block", self.cache / f"{digest}.json"
        self.used.add(digest)
        if record.is_file():
            kept = LaidOut(**json.loads(record.read_text(encoding="utf-8")))
            if block.is_file() or kept.pages == 0:
                self.kept += 1
                return block, kept
        if self.pool is None:
            # spawned, not forked: a worker holds WeasyPrint and one piece, not a
            # copy of the Sphinx build that made the print HTML
            self.pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=PIECES_PER_WORKER)
        self.cache.mkdir(parents=True, exist_ok=True)
        partial = self.cache / f"{digest}.partial"
        laid_out = self.pool.submit(typeset_piece, Job(
            html, str(self.html_path), first_page, str(partial), whole, cut)).result()
        if laid_out.pages:
            partial.replace(block)
        record.write_text(json.dumps(asdict(laid_out)), encoding="utf-8")
        self.typeset += 1
        return block, laid_out

    def forget_unused(self) -> None:
        """Pieces this build did not use go: the cache holds one book's pieces."""
        for path in self.cache.glob("*.*"):
            if path.is_file() and path.name.split(".")[0] not in self.used:
                path.unlink()


def write_pdf_in_pieces(html_path: Path, target: Path, cache: Path,
                        say: Callable[[str], None] = lambda _: None) -> Typeset:
    """Write the edition's PDF from its pieces, typesetting those not in `cache`."""
    with Pieces(html_path, cache) as kept:
        laid = lay_out_pieces(html_path, kept)
        if laid is None:
            return write_pdf(html_path, target)
    # joined once the workers have ended and the print HTML is let go: at 500
    # essays the join's own memory stands on nothing else
    say(f"  {kept.typeset} pieces typeset, {kept.kept} kept from the last build")
    parts = (Part(_load(block), laid_out.pages % 2 == 1 and number < len(laid) - 1)
             for number, (block, laid_out, _) in enumerate(laid))
    joined = join(parts, target, html_path.parent / "fonts")
    kept.forget_unused()
    warnings = [message for _, laid_out, _ in laid for message in laid_out.warnings]
    notes = list(dict.fromkeys(note for _, laid_out, _ in laid for note in laid_out.notes))
    return Typeset(joined.pages, warnings + joined.warnings, notes)


def lay_out_pieces(html_path: Path, kept: Pieces) -> list[tuple[Path, LaidOut, int]] | None:
    """Each piece of the edition (its block, its layout, its first page), from
    `kept` or typeset now; None when the print HTML cannot be cut."""
    found = cut(html_path.read_text(encoding="utf-8"))
    if found is None:
        return None
    head, pieces = found
    index = pieces.pop() if pieces[-1].name == INDEX_ID else None
    front = pieces.pop(0) if pieces[0].name == "front" else None
    front_pages = 0
    if front is not None:
        # its length, from a layout with every page number 0 (the numbers
        # fill leaders; they make no line longer)
        _, guess = kept.get(piece_document(head, with_contents_numbers(front, {}), 1,
                                           TOC_NUMBERS), 1)
        front_pages = guess.pages
    for _attempt in range(FRONT_MATTER_ATTEMPTS):
        laid: list[tuple[Path, LaidOut, int]] = []
        page = front_pages + front_pages % 2 + 1
        page_of: dict[str, int] = {}
        for piece in pieces:
            pdf, laid_out = kept.get(piece_document(head, piece, page), page)
            laid.append((pdf, laid_out, page))
            for anchor, number in laid_out.anchors.items():
                page_of.setdefault(anchor, page + number - 1)
            page += laid_out.pages + laid_out.pages % 2
        if index is not None:
            page_of[INDEX_ID] = page
            laid.extend(typeset_index(kept, head, index, page_of, page))
        if front is None:
            return laid
        pdf, laid_out = kept.get(piece_document(
            head, with_contents_numbers(front, page_of), 1, TOC_NUMBERS), 1)
        if laid_out.pages == front_pages:
            return [(pdf, laid_out, 1), *laid]
        front_pages = laid_out.pages
    return None  # a front matter whose length never settled: the book is laid out whole


def typeset_index(kept: Pieces, head: str, index: Piece, page_of: dict[str, int],
                  page: int) -> list[tuple[Path, LaidOut, int]]:
    """The index's pieces, beginning on `page`: its chunks (`indexchunks.py`), or
    the index laid out whole when its markup is not the print template's."""
    alone = index_alone(head + index.body + "\n</body>\n</html>\n", page_of, page)
    if alone is None:
        return []
    document = alone[0]  # its locators' page numbers written in by index_alone
    start, end = document.find(INDEX_SECTION), document.rfind("</body>")
    parsed = numbered_index(document[start:end])
    if parsed is None:
        pdf, laid_out = kept.get(links_outside(document, index.ids), page, whole=True)
        return [(pdf, laid_out, page)]
    # the head with the index's own rules; a chunk's first folio set after them
    index_head = document[:start]
    laid: list[tuple[Path, LaidOut, int]] = []
    resume, budget = 0, INDEX_LOCATORS_PER_CHUNK
    while True:
        part = chunk(parsed, resume, budget)
        pdf, laid_out = kept.get(
            piece_document(index_head, Piece(INDEX_ID, part.html, index.ids), page), page,
            whole=True, cut=not part.final)
        if laid_out.pages == 0:
            budget *= 2  # no page of it began cleanly: a longer chunk
            continue
        laid.append((pdf, laid_out, page))
        if part.final or laid_out.resume is None:
            return laid
        resume = parsed.number(laid_out.resume)
        page += laid_out.pages
        budget = INDEX_LOCATORS_PER_CHUNK


def _load(path: Path) -> Block:
    # our own cache, written by typeset_piece: not a file from outside the build
    with path.open("rb") as kept:
        block: Block = pickle.load(kept)
    return block
