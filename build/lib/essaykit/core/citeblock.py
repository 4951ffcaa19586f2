"""'Cite this essay': the BibTeX @incollection and the Harvard reference for an essay."""

from __future__ import annotations

import re
import unicodedata

from essaykit.core.book import Book
from essaykit.core.frontmatter import Author, EssayMeta
from essaykit.core.text import join_names


def is_corporate(name: str) -> bool:
    """'The Editors', 'Cabinet Office': names that are not a person's."""
    words = name.split()
    return len(words) == 1 or words[0].lower() in {"the", "a", "an"}


def bibtex_name(name: str) -> str:
    if is_corporate(name):
        return "{" + name + "}"
    *given, family = name.split()
    return f"{family}, {' '.join(given)}"


def harvard_name(name: str) -> str:
    if is_corporate(name):
        return name
    *given, family = name.split()
    initials = " ".join(part[0] + "." for part in given if part)
    return f"{family}, {initials}"


def full_title(meta: EssayMeta) -> str:
    return f"{meta.title}: {meta.subtitle}" if meta.subtitle else meta.title


def book_title(book: Book) -> str:
    return f"{book.title}: {book.subtitle}" if book.subtitle else book.title


def citation_key(meta: EssayMeta, book: Book) -> str:
    first = meta.authors[0].name if meta.authors else "anon"
    family = first.split()[-1]
    title_word = next((w for w in re.findall(r"[A-Za-z]+", meta.title)
                       if w.lower() not in {"the", "a", "an", "of", "and", "in", "on"}), "essay")
    return _ascii(f"{family}{book.year}{title_word}").lower()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([&%$#_])", r"\\\1", text)


def bibtex(meta: EssayMeta, book: Book) -> str:
    lines = [
        f"@incollection{{{citation_key(meta, book)},",
        f"  author    = {{{' and '.join(bibtex_name(a.name) for a in meta.authors)}}},",
        f"  title     = {{{_bibtex_escape(full_title(meta))}}},",
        f"  editor    = {{{' and '.join(bibtex_name(e.name) for e in book.editors)}}},",
        f"  booktitle = {{{_bibtex_escape(book_title(book))}}},",
    ]
    if book.publisher:
        lines.append(f"  publisher = {{{_bibtex_escape(book.publisher)}}},")
    lines.append(f"  year      = {{{book.year}}}")
    lines.append("}")
    return "\n".join(lines)


def harvard(meta: EssayMeta, book: Book) -> tuple[str, str, str]:
    """The reference as (before the book title, the book title, after it) for italics."""
    authors = join_names([harvard_name(a.name) for a in meta.authors])
    editors = join_names([harvard_name(e.name) for e in book.editors])
    eds = "(ed.)" if len(book.editors) == 1 and not is_corporate(book.editors[0].name) else "(eds)"
    before = f"{authors} ({book.year}) \u2018{full_title(meta)}\u2019, in {editors} {eds} "
    after = f". {book.publisher}." if book.publisher else "."
    return before, book_title(book), after


def byline(authors: tuple[Author, ...]) -> str:
    return join_names([a.name for a in authors])
