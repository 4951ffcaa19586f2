"""Directives that generate pages from the book model: title page, contents, contributors."""

from __future__ import annotations

from dataclasses import dataclass, field

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.directives.other import TocTree
from sphinx.util.docutils import SphinxDirective

from essaykit.core.book import BOOK_FILE, Book, docname
from essaykit.core.frontmatter import Author
from essaykit.core.text import curly, join_names, roman
from essaykit.sphinx_ext.shown import FACTS, note_shown
from essaykit.sphinx_ext.state import book_of


def _book(directive: SphinxDirective) -> Book:
    book: Book = book_of(directive.env)
    directive.env.note_dependency(str(book.root / BOOK_FILE))
    return book


def doc_link(target_docname: str, text: str) -> addnodes.pending_xref:
    ref = addnodes.pending_xref("", refdomain="std", reftype="doc",
                                reftarget="/" + target_docname, refexplicit=True)
    ref += nodes.inline("", text)
    return ref


def pdf_name(book: Book, which: str = "book") -> str:
    from essaykit.print.paths import pdf_filename

    return pdf_filename(book, which)


def epub_name(book: Book) -> str:
    from essaykit.print.paths import epub_filename

    return epub_filename(book)


class TitlePage(SphinxDirective):
    """The front page's opening: subtitle, editors, description, links to the PDFs and EPUB."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        book = _book(self)
        box = nodes.container(classes=["essaykit-titlepage"])
        if book.subtitle:
            box += nodes.paragraph("", curly(book.subtitle), classes=["essaykit-book-subtitle"])
        box += nodes.paragraph("", f"Edited by {book.editor_names}",
                               classes=["essaykit-book-editors"])
        if book.description:
            box += nodes.paragraph("", curly(book.description),
                                   classes=["essaykit-book-description"])
        downloads = nodes.paragraph(classes=["essaykit-downloads"])
        downloads += nodes.Text("Read it as a ")
        downloads += nodes.reference("", "PDF of the whole book",
                                     refuri=f"../pdf/{pdf_name(book, 'book')}")
        downloads += nodes.Text(" or an ")
        downloads += nodes.reference("", "EPUB for e-readers",
                                     refuri=f"../epub/{epub_name(book)}")
        if book.taster:
            downloads += nodes.Text(", or start with the ")
            downloads += nodes.reference("", "taster think-piece (PDF)",
                                         refuri=f"../pdf/{pdf_name(book, 'taster')}")
        downloads += nodes.Text(".")
        box += downloads
        return [box]


# Sphinx's generated index page, as a toctree entry it accepts by this name
INDEX_ENTRY = "Index </genindex>"


class Contents(SphinxDirective):
    """The book's contents: front matter, one group per part, back matter.

    Sphinx's toctrees (hidden) give the book its order and the sidebar its
    tree; what the reader sees is a contents page as in a printed book, each
    essay with its subtitle and authors.
    """

    has_content = False
    option_spec = {"hidden": directives.flag}

    def run(self) -> list[nodes.Node]:
        book = _book(self)
        groups: list[tuple[str, tuple[str, ...]]] = [
            ("", (*book.front, *((book.taster,) if book.taster else ()))),
        ]
        for number, part in enumerate(book.parts, start=1):
            caption = f"Part {roman(number)}: {part.title}" if part.title else ""
            groups.append((caption, part.essays))
        groups.append(("Back matter", book.back))
        toctrees: list[nodes.Node] = []
        shown = nodes.container(classes=["essaykit-contents"])
        for caption, pages in groups:
            if not pages:
                continue
            options: dict[str, object] = {"maxdepth": 1, "hidden": None}
            if caption:
                options["caption"] = caption
            entries = ["/" + docname(p) for p in pages]
            if caption == "Back matter":
                entries.append(INDEX_ENTRY)  # the book's index, last (sphinx_ext/bookindex.py)
            toctree = TocTree(
                "toctree", [], options, StringList(entries),
                self.lineno, self.content_offset, self.block_text, self.state, self.state_machine,
            )
            toctrees.extend(toctree.run())
            if caption:
                shown += nodes.paragraph(caption, caption, classes=["essaykit-contents-part"])
            shown += self._entries(book, pages)
        if "hidden" in self.options:
            return toctrees
        return [*toctrees, shown]

    def _entries(self, book: Book, pages: tuple[str, ...]) -> nodes.bullet_list:
        entries = nodes.bullet_list(classes=["essaykit-contents-list"])
        for page in pages:
            title, subtitle, names = note_shown(self.env, book, "contents", page)
            item = nodes.list_item()
            line = nodes.paragraph(classes=["essaykit-contents-entry"])
            ref = addnodes.pending_xref("", refdomain="std", reftype="doc",
                                        reftarget="/" + docname(page), refexplicit=False)
            ref += nodes.inline("", title)
            line += ref
            if subtitle:
                line += nodes.inline("", subtitle, classes=["essaykit-contents-subtitle"])
            if names:
                line += nodes.inline("", names, classes=["essaykit-contents-authors"])
            item += line
            entries += item
        return entries


def contents_entry(book: Book, page: str) -> tuple[str, str, str]:
    """What the contents shows of a page: title, subtitle, authors (essays only)."""
    meta, _ = book.read_meta(page)
    if meta is None:
        return docname(page), "", ""
    names = (join_names([author.name for author in meta.authors])
             if meta.authors and book.is_essay(page) else "")
    return meta.title, meta.subtitle or "", names


def contributor_entry(book: Book, essay: str) -> tuple[str, tuple[Author, ...]] | None:
    """What the contributors page shows of an essay: its title and its authors."""
    meta = book.essay_meta(essay)
    return None if meta is None else (meta.title, tuple(meta.authors))


FACTS.update(contents=contents_entry, contributors=contributor_entry)


@dataclass
class Contributor:
    author: Author
    essays: list[tuple[str, str]] = field(default_factory=list)  # (docname, title)


class Contributors(SphinxDirective):
    """One entry per author, from the essays' front matter, with the essays they wrote."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        book = _book(self)
        people: dict[str, Contributor] = {}
        for page in book.essays:
            shown = note_shown(self.env, book, "contributors", page)
            if shown is None:
                continue
            title, authors = shown
            for author in authors:
                entry = people.setdefault(author.name, Contributor(author))
                entry.essays.append((docname(page), title))
        listing = nodes.definition_list(classes=["essaykit-contributors"])
        for person in sorted(people.values(), key=lambda c: _sort_name(c.author.name)):
            item = nodes.definition_list_item()
            term = nodes.term("", person.author.name)
            item += term
            body = nodes.definition()
            if person.author.affiliation:
                body += nodes.paragraph("", person.author.affiliation,
                                        classes=["essaykit-affiliation"])
            if person.author.orcid:
                para = nodes.paragraph()
                url = f"https://orcid.org/{person.author.orcid}"
                para += nodes.reference("", f"ORCID {person.author.orcid}", refuri=url)
                body += para
            works = nodes.bullet_list(classes=["essaykit-contributor-essays"])
            for target, title in person.essays:
                li = nodes.list_item()
                para = nodes.paragraph()
                para += doc_link(target, title)
                li += para
                works += li
            body += works
            item += body
            listing += item
        return [listing]


def _sort_name(name: str) -> str:
    words = name.split()
    if words and words[0].lower() == "the":
        words = words[1:]
    return (words[-1] if len(words) > 1 else " ".join(words)).lower() + " " + name.lower()
