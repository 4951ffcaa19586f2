"""The `essaykit-print` Sphinx builder: print-specific HTML for WeasyPrint.

It writes `book.html` (the whole book) and `taster.html` (the think-piece on
its own) with their stylesheet and fonts. Nothing of the web theme reaches
these files: WeasyPrint is fast on plain semantic HTML and slow on a web
theme's CSS.
"""

from __future__ import annotations

import inspect
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from docutils import nodes
from markupsafe import Markup, escape
from sphinx.builders.singlehtml import SingleFileHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.locale import __
from sphinx.util import logging
from sphinx.util.display import progress_message, status_iterator

from essaykit.core.book import Book, docname
from essaykit.core.citeblock import book_title
from essaykit.core.frontmatter import EssayMeta
from essaykit.core.text import curly, join_names, roman
from essaykit.print import transforms
from essaykit.print.bookindex import print_index
from essaykit.sphinx_ext.state import book_of

logger = logging.getLogger(__name__)
RESOLVE_TAKES_TAGS = "tags" in inspect.signature(
    BuildEnvironment.get_and_resolve_doctree).parameters
HERE = Path(__file__).parent


@dataclass
class Piece:
    """One page of the book as it goes to print."""

    docname: str
    kind: str  # "front", "taster", "essay", "back"
    title: str
    html: str
    meta: EssayMeta | None = None
    part: int | None = None

    @property
    def anchor(self) -> str:
        return transforms.page_id(self.docname)

    @property
    def authors(self) -> str:
        return join_names([a.name for a in self.meta.authors]) if self.meta else ""


@dataclass
class Edition:
    name: str  # "book" or "taster"
    pages: list[str]
    pieces: list[Piece] = field(default_factory=list)


class PrintBuilder(SingleFileHTMLBuilder):
    name = "essaykit-print"
    epilog = __("The print HTML is in %(outdir)s; `essaykit build` typesets it to PDF.")
    search = False
    copysource = False

    def get_outdated_docs(self) -> str:  # type: ignore[override]
        return "all documents"

    def write_documents(self, _docnames: Any) -> None:
        self.prepare_writing(set(self.env.all_docs))
        book: Book = book_of(self.env)
        self.book_names = transforms.known_names(self.names_in_book(book))
        editions = [Edition("book", [*book.front, *book.essays, *book.back])]
        if book.taster:
            editions.append(Edition("taster", [book.taster]))
        rendered: dict[tuple[str, str], Piece] = {}
        for edition in editions:
            included = transforms.included_docnames(edition.pages)
            for page in status_iterator(edition.pages, f"rendering {edition.name} for print... ",
                                        "darkgreen", len(edition.pages),
                                        getattr(self.config, "verbosity", 0)):
                key = (edition.name, page)
                if key not in rendered:
                    rendered[key] = self.render_piece(book, page, included)
                edition.pieces.append(rendered[key])
            with progress_message(f"writing {edition.name}.html"):
                self.write_edition(book, edition)

    book_names: frozenset[str] = frozenset()

    def names_in_book(self, book: Book) -> list[str]:
        """The names the book knows, never hyphenated even where they begin a sentence:
        its editors and authors, the authors and organisations of its works, its
        glossary terms (Sphinx's public `get_objects`)."""
        people = [editor.name for editor in book.editors]
        for page in book.essays:
            meta = book.essay_meta(page)
            people += [author.name for author in meta.authors] if meta else []
        for entry in self.env.get_domain("cite").bibdata.data.entries.values():  # type: ignore[attr-defined]
            people += [" ".join(person.prelast_names + person.last_names)
                       for role in ("author", "editor") for person in entry.persons.get(role, ())]
            people += [entry.fields[name] for name in ("organization", "institution")
                       if name in entry.fields]
        people += [shown for _, shown, kind, *_ in self.env.get_domain("std").get_objects()
                   if kind == "term"]
        return people

    def render_piece(self, book: Book, page: str, included: set[str]) -> Piece:
        name = docname(page)
        # a copy: sphinxcontrib-bibtex inserts its cached citation nodes as they
        # are, and the id rewriting below must not reach back into its cache
        # Sphinx 9 takes the builder's tags (and will require them in 11); 8.2 has no such argument
        tags: dict[str, Any] = {"tags": self.tags} if RESOLVE_TAKES_TAGS else {}
        doctree = self.env.get_and_resolve_doctree(name, self, **tags).deepcopy()
        transforms.drop_web_only(doctree)
        transforms.inline_footnotes(doctree)
        transforms.attach_inline_targets(doctree)
        transforms.mark_paragraphs(doctree)
        transforms.keep_words_whole(doctree, self.book_names)
        transforms.separate_spaces_before_inline(doctree)  # names' spans included
        transforms.namespace_ids(doctree, name, included)
        self.post_process_images(doctree)
        meta = book.essay_meta(page)
        kind = ("taster" if page == book.taster else "essay" if book.is_essay(page)
                else "front" if page in book.front else "back")
        title = meta.title if meta else _first_title(doctree) or name
        part = next((i for i, p in enumerate(book.parts, 1) if page in p.essays), None)
        return Piece(name, kind, title, self.render_fragment(name, doctree), meta, part)

    def render_fragment(self, name: str, doctree: nodes.document) -> str:
        doctree.settings = self.docsettings
        self.secnumbers = {}
        self.fignumbers = {}
        self.imgpath = "_images"
        self.dlpath = "_downloads"
        self.current_docname = name
        # Sphinx's public translator API, as its own HTML builder writes a page
        visitor = self.create_translator(doctree, self)
        doctree.walkabout(visitor)
        return "".join(visitor.fragment)  # type: ignore[attr-defined]

    def write_edition(self, book: Book, edition: Edition) -> None:
        environment = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(book.root / "book" / "templates"), str(HERE)]),
            autoescape=jinja2.select_autoescape(["html", "jinja"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        environment.filters["url"] = url_markup
        environment.filters["curly"] = curly
        template = environment.get_template("print.html.jinja")
        # the book's index (not the taster's: a think-piece on its own has none)
        index = (print_index(self.env, self, [docname(page) for page in edition.pages])
                 if edition.name == "book" else [])
        # streamed to the file as it is made: at 500 essays the edition is some
        # 45 MB of HTML, which rendered whole stood in memory two or three times over
        stream = template.stream(
            index=index,
            book=book,
            edition=edition,
            full_title=book_title(book),
            parts=[(i, part) for i, part in enumerate(book.parts, 1)],
            roman=roman,
            stylesheet="print.css",
            contributors=join_names(list(dict.fromkeys(
                author.name for piece in edition.pieces if piece.meta
                for author in piece.meta.authors))),
        )
        stream.dump(str(Path(self.outdir) / f"{edition.name}.html"), encoding="utf-8")

    def finish(self) -> None:
        self.copy_image_files()
        outdir = Path(self.outdir)
        shutil.copyfile(_overridable(self, "print.css"), outdir / "print.css")
        fonts = outdir / "fonts"
        fonts.mkdir(exist_ok=True)
        for font in (HERE / "fonts").glob("*.otf"):
            shutil.copyfile(font, fonts / font.name)


def _overridable(builder: PrintBuilder, name: str) -> Path:
    """The book's own copy in book/templates/ wins over the package's."""
    book: Book = book_of(builder.env)
    own = book.root / "book" / "templates" / name
    return own if own.is_file() else HERE / name


def _first_title(doctree: nodes.document) -> str:
    title = next(iter(doctree.findall(nodes.title)), None)
    return title.astext() if title is not None else ""


def url_markup(url: str) -> Markup:
    """A URL for the templates, breakable only after a slash or before a dot."""
    parts = (f'<span class="{transforms.URL_PART_CLASS}">{escape(part)}</span>'
             for part in transforms.url_parts(url))
    return Markup(transforms.ZERO_WIDTH_SPACE.join(parts))
