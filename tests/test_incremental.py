"""Incremental builds: the same HTML as a clean build, and no work when nothing changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from essaykit.build import BuildOptions, build

from .conftest import BUILD_BOOKS, copy_book, incremental_and_clean

pytestmark = pytest.mark.slow


def pages(root: Path) -> dict[str, bytes]:
    html = root / "_build" / "html"
    found = {str(p.relative_to(html)): p.read_bytes() for p in sorted(html.rglob("*"))
             if p.is_file() and not p.name.startswith(".buildinfo")}
    found["searchindex.js"] = search_index(found["searchindex.js"])
    for name in [n for n in found if n.endswith(".epub")]:
        found[name] = epub_contents(found[name])
    return found


def epub_contents(raw: bytes) -> bytes:
    """The EPUB's files and their contents, without the build's date and the zip's
    timestamps, which differ between any two builds."""
    import io
    import re
    import zipfile

    with zipfile.ZipFile(io.BytesIO(raw)) as epub:
        parts = []
        for name in epub.namelist():
            data = epub.read(name)
            if name.endswith(".opf"):
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"DATE", data)
            parts.append(name.encode() + b"\0" + data)
    return b"\0\0".join(parts)


def search_index(raw: bytes) -> bytes:
    """Sphinx's incremental search index keeps words no page uses any more, with an
    empty list of pages; they find nothing, so they are dropped before comparing."""
    text = raw.decode("utf-8")
    data = json.loads(text[text.index("(") + 1:text.rindex(")")])
    for table in ("terms", "titleterms"):
        data[table] = {word: where for word, where in data[table].items() if where != []}
    return json.dumps(data, sort_keys=True).encode()


def edit(root: Path) -> None:
    essay = root / "essays/no-citations.md"
    text = essay.read_text(encoding="utf-8")
    text = text.replace("title: An Essay Without Citations", "title: An Essay Now Citing Rogers")
    essay.write_text(text + "\nIt now cites {cite:t}`rogers2003diffusion`.\n", encoding="utf-8")


def test_incremental_build_after_an_edit_equals_a_clean_build(tmp_path: Path) -> None:
    incremental = copy_book(BUILD_BOOKS / "small", tmp_path / "incremental")
    build(BuildOptions(root=incremental, quiet=True, pdf=False))
    edit(incremental)
    result = build(BuildOptions(root=incremental, quiet=True, pdf=False))
    assert not result.unchanged

    clean = copy_book(BUILD_BOOKS / "small", tmp_path / "clean")
    edit(clean)
    build(BuildOptions(root=clean, quiet=True, pdf=False))

    ours, reference = pages(incremental), pages(clean)
    assert ours.keys() == reference.keys()
    assert [name for name in ours if ours[name] != reference[name]] == []
    # the edit reached the pages that depend on it
    assert b"An Essay Now Citing Rogers" in ours["book/contributors.html"]
    assert b"Rogers" in ours["essays/no-citations.html"]


def test_an_edit_to_one_essays_body_keeps_the_whole_search_index(tmp_path: Path) -> None:
    """Sphinx gathers the search index's entries from the book's index (glossary
    terms) while writing, after it has saved its environment: an incremental
    build that rewrote one page listed only that page's entries
    (sphinx-doc/sphinx#12599). searchkeep.py saves the environment again."""
    def body_edit(root: Path) -> None:
        essay = root / "essays/no-citations.md"
        essay.write_text(essay.read_text(encoding="utf-8") + "\nOne more sentence.\n",
                         encoding="utf-8")

    incremental, clean = incremental_and_clean(tmp_path, body_edit)
    ours, reference = pages(incremental), pages(clean)
    assert b"co-production" in reference["searchindex.js"].lower()
    assert [name for name in ours if ours[name] != reference.get(name)] == []


def test_nothing_changed_means_nothing_rebuilt(small_book: Path) -> None:
    first = build(BuildOptions(root=small_book, quiet=True))
    assert not first.unchanged
    before = {p: p.stat().st_mtime_ns for p in (small_book / "_build").rglob("*")}
    again = build(BuildOptions(root=small_book, quiet=True))
    assert again.unchanged and again.timings == {}
    assert again.outputs["pdf-book"] == first.outputs["pdf-book"]
    assert {p: p.stat().st_mtime_ns for p in (small_book / "_build").rglob("*")} == before
    # touching a source is a change
    (small_book / "essays/taster.md").touch()
    assert not build(BuildOptions(root=small_book, quiet=True, pdf=False)).unchanged


def test_an_unchanged_print_edition_keeps_its_pdf(small_book: Path) -> None:
    build(BuildOptions(root=small_book, quiet=True))
    pdf = small_book / "_build/pdf/a-small-book.pdf"
    stamp = pdf.read_bytes()
    (small_book / "essays/taster.md").touch()  # a change that alters no page
    result = build(BuildOptions(root=small_book, quiet=True))
    assert "pdf-book" not in result.timings
    assert pdf.read_bytes() == stamp
    shutil.rmtree(small_book / "_build/.cache")
    result = build(BuildOptions(root=small_book, quiet=True))
    assert "pdf-book" in result.timings


def test_an_edit_to_an_essays_text_rewrites_few_pages_and_equals_a_clean_build(
        tmp_path: Path) -> None:
    """The front page and the contributors page show every essay's byline, not its
    text: a body edit neither re-reads nor rewrites them (shown.py)."""
    def body_edit(root: Path) -> None:
        with (root / "essays/two-authors.md").open("a", encoding="utf-8") as handle:
            handle.write("\nA sentence added after the first build.\n")

    incremental = copy_book(BUILD_BOOKS / "small", tmp_path / "incremental")
    build(BuildOptions(root=incremental, quiet=True, pdf=False))
    work = incremental / "_build" / ".cache" / "work" / "html"
    written = {p: p.stat().st_mtime_ns for p in work.rglob("*.html")}
    body_edit(incremental)
    build(BuildOptions(root=incremental, quiet=True, pdf=False))
    rewritten = {str(p.relative_to(work)) for p, before in written.items()
                 if p.stat().st_mtime_ns != before}
    assert "essays/two-authors.html" in rewritten
    assert "essays/no-citations.html" not in rewritten
    assert "book/glossary.html" not in rewritten
    assert "book/index.html" not in rewritten and "book/contributors.html" not in rewritten

    clean = copy_book(BUILD_BOOKS / "small", tmp_path / "clean")
    body_edit(clean)
    build(BuildOptions(root=clean, quiet=True, pdf=False))
    ours, reference = pages(incremental), pages(clean)
    assert [name for name in ours if ours[name] != reference.get(name)] == []


def test_a_changed_part_caption_rewrites_every_page(tmp_path: Path) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    build(BuildOptions(root=root, quiet=True, pdf=False))
    config = root / "book" / "book.yml"
    text = config.read_text(encoding="utf-8")
    assert "- title: First things" in text
    config.write_text(text.replace("- title: First things", "- title: First things, renamed"),
                      encoding="utf-8")
    build(BuildOptions(root=root, quiet=True, pdf=False))
    for page in ("essays/no-citations.html", "essays/two-authors.html", "book/glossary.html"):
        assert b"First things, renamed" in (root / "_build/html" / page).read_bytes(), page


def test_a_changed_byline_reaches_the_contents_and_the_contributors(tmp_path: Path) -> None:
    """Not the title (which rewrites every page): a subtitle and an affiliation, shown
    only on the front page and the contributors page."""
    def byline_edit(root: Path) -> None:
        essay = root / "essays/two-authors.md"
        text = essay.read_text(encoding="utf-8")
        assert "affiliation: " in text
        text = text.replace("affiliation: ", "affiliation: Newly of ", 1)
        text = text.replace("subtitle: With citations", "subtitle: A Subtitle Changed Later", 1)
        essay.write_text(text, encoding="utf-8")

    incremental, clean = incremental_and_clean(tmp_path, byline_edit)
    ours, reference = pages(incremental), pages(clean)
    assert b"A Subtitle Changed Later" in ours["book/index.html"]
    assert b"Newly of " in ours["book/contributors.html"]
    assert [name for name in ours
            if name != "searchindex.js" and ours[name] != reference.get(name)] == []
