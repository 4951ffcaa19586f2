"""The EPUB edition: Sphinx's own EPUB 3 builder, with the book's cover and two repairs.

- Sphinx joins the root document's folder to table-of-contents links that are
  already relative to it, so a book whose front page is `book/index` gets a
  spine naming `book/../essays/a.xhtml`, a file the manifest calls
  `essays/a.xhtml`: an invalid EPUB. The links are normalised here, and the
  nav document and toc.ncx are made from them (`epub_tocscope = "includehidden"`).
- Sphinx marks the cover only the EPUB 2 way (`<meta name="cover">`); EPUB 3
  readers look for `properties="cover-image"` on the manifest item.
- toc.ncx names the identifier's XML id where the identifier belongs.

Each chapter's <html> also gets the book's language (Sphinx gives it none).

The cover is book.yml's `cover:` image, or one drawn from the title, subtitle
and editors (`essaykit.sphinx_ext.cover`).
"""

from __future__ import annotations

import html
import posixpath
import re
import shutil
from collections.abc import Set as AbstractSet
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.builders.epub3 import HTML_TAG, Epub3Builder

from essaykit import compat
from essaykit.core.book import Book
from essaykit.core.text import join_names
from essaykit.sphinx_ext.cover import CoverText, draw_cover
from essaykit.sphinx_ext.state import book_of

if TYPE_CHECKING:
    from sphinx.application import Sphinx

COVER_STEM = "essaykit-cover"
CSS = "essaykit-epub.css"
# web-only furniture: links to the other editions, the BibTeX block of "cite this essay"
WEB_ONLY = "essaykit-downloads"


def cover_name(book: Book) -> str:
    """The cover's file name in the EPUB's _static folder."""
    suffix = PurePosixPath(book.cover).suffix.lower() if book.cover else ".png"
    return COVER_STEM + (".jpg" if suffix == ".jpeg" else suffix)


class BookEpubBuilder(Epub3Builder):
    """Sphinx's `epub` builder, repaired for a front page in a sub-folder."""

    def get_toc(self) -> None:
        super().get_toc()
        for item in self.refnodes:
            uri, hash_mark, anchor = item["refuri"].partition("#")
            item["refuri"] = posixpath.normpath(uri) + hash_mark + anchor

    def prepare_writing(self, docnames: AbstractSet[str]) -> None:
        # every chapter says its language, as the nav document already does
        lang = html.escape(self.config.epub_language or "", quote=True)
        if lang:
            self.html_tag = HTML_TAG[:-1] + f' lang="{lang}" xml:lang="{lang}">'
        super().prepare_writing(docnames)

    def content_metadata(self) -> dict[str, Any]:
        # the book's publication date from book.yml, as the PDF has it, not the build's time
        metadata = super().content_metadata()
        metadata["date"] = html.escape(f"{book_of(self.env).publication_date}T00:00:00Z")
        return metadata

    def toc_metadata(self, level: int, navpoints: list[Any]) -> dict[str, Any]:
        # toc.ncx's dtb:uid must be the book's identifier; Sphinx writes the name
        # of the identifier's XML id there (epubcheck NCX-001)
        metadata = super().toc_metadata(level, navpoints)
        metadata["uid"] = html.escape(self.config.epub_identifier)
        return metadata

    def build_content(self) -> None:
        super().build_content()
        if not self.config.epub_cover:
            return
        cover_id = self.make_id(self.config.epub_cover[0])  # the same id Sphinx gave it
        opf = Path(self.outdir) / "content.opf"
        text = opf.read_text(encoding="utf-8")
        marked = re.sub(rf'(<item id="{re.escape(cover_id)}" href="[^"]*" media-type="[^"]*")'
                        r"\s*/>", r'\1 properties="cover-image" />', text, count=1)
        opf.write_text(marked, encoding="utf-8")


def prepare_epub(app: Sphinx) -> None:
    """For the epub builder only: the cover image, the stylesheet, the contributors."""
    if app.builder.name != "epub":
        return
    book: Book = book_of(app.env)
    static = Path(app.doctreedir) / "essaykit-epub-static"
    shutil.rmtree(static, ignore_errors=True)
    static.mkdir(parents=True)
    target = static / cover_name(book)
    if book.cover:
        shutil.copyfile(book.path(book.cover), target)
    else:
        draw_cover(CoverText(book.title, book.subtitle, book.editor_names, book.publisher),
                   target)
    app.config.html_static_path = [*app.config.html_static_path, str(static)]
    app.add_css_file(CSS)  # in the extension's static folder, with essaykit.css
    if not compat.set_in_conf_py(app.config, "epub_contributor"):
        authors = essay_authors(book)
        app.config.epub_contributor = join_names(authors) if authors else book.editor_names


def essay_authors(book: Book) -> list[str]:
    """Every essay's authors, once each, in reading order."""
    seen: dict[str, None] = {}
    for page in book.essays:
        meta = book.essay_meta(page)
        for author in meta.authors if meta else ():
            seen.setdefault(author.name, None)
    return list(seen)


def drop_web_only(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """An e-book has no use for links to the PDFs or for BibTeX source."""
    if app.builder.name != "epub":
        return
    for element in list(doctree.findall(nodes.Element)):
        if WEB_ONLY in element.get("classes", ()) and element.parent is not None:
            element.parent.remove(element)
    for section in doctree.findall(nodes.section):
        if "essaykit-cite" in section["classes"]:
            for block in list(section.findall(nodes.literal_block)):
                block.parent.remove(block)
