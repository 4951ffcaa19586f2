"""Names of the files the print and EPUB editions produce."""

from __future__ import annotations

import re
import unicodedata

from essaykit.core.book import Book


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "book"


def pdf_filename(book: Book, which: str = "book") -> str:
    """'beyond-the-quick-win.pdf' for the book, '...-taster.pdf' for the taster."""
    slug = slugify(book.title)
    return f"{slug}.pdf" if which == "book" else f"{slug}-{which}.pdf"


def epub_filename(book: Book) -> str:
    """'beyond-the-quick-win.epub': the same name as the book's PDF."""
    return f"{slugify(book.title)}.epub"
