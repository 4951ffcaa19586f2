"""The real book, built as a reader gets it: web pages and PDFs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from essaykit.build import BuildResult
from essaykit.core.book import load_book

from .helpers import visible_text

pytestmark = pytest.mark.slow


def html(root: Path, page: str) -> str:
    return (root / "_build" / "html" / page).read_text(encoding="utf-8")


def outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_the_book_builds_without_warnings(real_book_build: tuple[Path, BuildResult]) -> None:
    _, result = real_book_build
    assert result.warnings == []


def test_every_essay_page_has_byline_abstract_and_references(
    real_book_build: tuple[Path, BuildResult],
) -> None:
    root, _ = real_book_build
    book = load_book(root)
    for essay in book.essays:
        page = html(root, essay.replace(".md", ".html"))
        meta = book.essay_meta(essay)
        assert meta is not None
        assert 'class="essaykit-byline' in page, essay
        for author in meta.authors:
            assert author.name in page
        assert 'class="essaykit-abstract' in page, essay
        assert 'class="essaykit-references' in page, essay
        assert "@incollection{" in visible_text(page), essay


def test_a_citation_links_to_its_entry_in_the_same_essay(
    real_book_build: tuple[Path, BuildResult],
) -> None:
    root, _ = real_book_build
    page = html(root, "essays/co-production.html")
    targets = re.findall(r'class="bibtex-citation"[^>]*>\(?<a class="reference internal" '
                         r'href="#([^"]+)"', page)
    assert targets, "no citation links found"
    for target in targets:
        assert f'id="{target}"' in page, target


def test_contributors_page_lists_every_author(real_book_build: tuple[Path, BuildResult]) -> None:
    root, _ = real_book_build
    book = load_book(root)
    page = html(root, "book/contributors.html")
    for essay in book.essays:
        meta = book.essay_meta(essay)
        assert meta is not None
        for author in meta.authors:
            assert author.name in page


def test_book_pdf_is_a_book(real_book_build: tuple[Path, BuildResult]) -> None:
    root, result = real_book_build
    book = load_book(root)
    reader = PdfReader(result.outputs["pdf-book"])
    assert 60 <= len(reader.pages) <= 200
    assert reader.metadata is not None
    assert reader.metadata.title and book.title in reader.metadata.title
    assert "The Editors" in (reader.metadata.author or "")
    titles = outline_titles(reader)
    assert "Contents" in titles
    for part in book.parts:
        assert any(part.title in t for t in titles), part.title
    text = "\n".join(page.extract_text() or "" for page in reader.pages[:8])
    assert "Contents" in text
    everything = " ".join((page.extract_text() or "") for page in reader.pages)
    flat = re.sub(r"\s+", " ", everything)
    for essay in book.essays:
        meta = book.essay_meta(essay)
        assert meta is not None
        assert meta.title in titles, meta.title
        assert meta.title.split(":")[0] in flat


def test_taster_pdf_stands_alone(real_book_build: tuple[Path, BuildResult]) -> None:
    root, result = real_book_build
    book = load_book(root)
    assert book.taster
    meta = book.essay_meta(book.taster)
    assert meta is not None
    reader = PdfReader(result.outputs["pdf-taster"])
    assert 3 <= len(reader.pages) <= 16
    assert reader.metadata is not None and reader.metadata.title == meta.title
    first = re.sub(r"\s+", " ", reader.pages[0].extract_text() or "")
    assert meta.title in first
