"""The issue's "done when": a copy of the book with a planted paragraph and a draft.

Three works cited out of alphabetical and chronological order, two works by
one author in one year, and a draft essay listed in book.yml. Built once for
the session; each test checks one promise in the web book, the print edition
and the EPUB.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from essaykit.build import BuildOptions, BuildResult, build
from essaykit.print.transforms import ZERO_WIDTH_SPACE, begins_sentence
from essaykit.sphinx_ext.harvard import plain

from .conftest import REPO, copy_book
from .helpers import visible_text

pytestmark = pytest.mark.slow

PLANTED_BIB = """
@book{planter2015first,
  author    = {Planter, Pat},
  title     = {Zinnias in Public Parks},
  publisher = {Garden Press},
  year      = {2015}
}

@book{planter2015second,
  author    = {Planter, Pat},
  title     = {Asters for Councils},
  publisher = {Garden Press},
  year      = {2015}
}
"""
PLANTED_PARAGRAPH = """

A planted paragraph cites three works out of order
{cite:p}`sen1999development,ostrom1996crossing,cahn2000nomore`, and two works by
one author in one year: {cite:t}`planter2015first` and {cite:t}`planter2015second`.[^planted-a]
A second note follows at once.[^planted-b] Councils plant {index}`Zinnia borders` too.
"""
PLANTED_NOTES = """

[^planted-a]: A planted note, long enough to need several lines at the foot of the page: it
    names the works again, says why the order matters to a reader who checks them, and asks
    the editors to keep the order in which the writer chose to cite them, in every edition.

[^planted-b]: A second planted note, set right after the first one.
"""
DRAFT = """---
title: A Planted Draft Nobody Should See
authors:
  - name: Dee Raft
abstract: Placeholder text for a draft.
status: draft
---

Placeholder text of the planted draft.
"""
# the taster has no note of its own: one planted, so its half of the footnote test can fail
TASTER_NOTE = ("the job titles of a\nsmall trade of people paid to encourage it.[^taster-note]",
               "\n\n[^taster-note]: A planted note in the taster, to be printed on the page of "
               "its call\n    like every other note of the book.\n")
# as written: Sen, Ostrom, Cahn (alphabetical would be Cahn first, chronological Ostrom)
AS_WRITTEN = "(Sen, 1999; Ostrom, 1996; Cahn, 2000)"


@pytest.fixture(scope="session")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    root = copy_book(REPO, tmp_path_factory.mktemp("planted") / "book")
    bib = root / "book" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + PLANTED_BIB, encoding="utf-8")
    essay = root / "essays" / "co-production.md"
    # the paragraph before the first section; straight apostrophes in the abstract
    essay.write_text(essay.read_text(encoding="utf-8").replace(
        "\n## ", PLANTED_PARAGRAPH + "\n## ", 1).replace(
        "people\u2019s management", "people's management", 1) + PLANTED_NOTES,
        encoding="utf-8")
    taster = root / "essays" / "taster.md"
    call, note = TASTER_NOTE
    text = taster.read_text(encoding="utf-8")
    assert call.replace("[^taster-note]", "") in text
    taster.write_text(text.replace(call.replace("[^taster-note]", ""), call, 1) + note,
                      encoding="utf-8")
    (root / "essays" / "planted-draft.md").write_text(DRAFT, encoding="utf-8")
    yml = root / "book" / "book.yml"
    yml.write_text(yml.read_text(encoding="utf-8").replace(
        "      - essays/capabilities.md\n",
        "      - essays/capabilities.md\n      - essays/planted-draft.md\n", 1),
        encoding="utf-8")
    return root, build(BuildOptions(root=root, quiet=True))


def epub_pages(result: BuildResult) -> dict[str, str]:
    with zipfile.ZipFile(result.outputs["epub-book"]) as epub:
        return {name: epub.read(name).decode("utf-8") for name in epub.namelist()
                if name.endswith(".xhtml")}


def flat(text: str) -> str:
    return " ".join(text.split())


def test_citations_keep_the_written_order_in_every_edition(
        planted: tuple[Path, BuildResult]) -> None:
    root, result = planted
    web = flat(visible_text((root / "_build/html/essays/co-production.html").read_text("utf-8")))
    printed = flat(visible_text((root / "_build/print/book.html").read_text("utf-8")))
    epub = flat(visible_text(epub_pages(result)["essays/co-production.xhtml"]))
    for edition in (web, printed, epub):
        assert AS_WRITTEN in edition


def test_two_works_of_one_author_and_year_are_told_apart(
        planted: tuple[Path, BuildResult]) -> None:
    root, _ = planted
    web = flat(visible_text((root / "_build/html/essays/co-production.html").read_text("utf-8")))
    # letters by title: "Asters" is a, "Zinnias" is b, in the text and the list
    assert "Planter (2015b) and Planter (2015a)" in web
    assert "Planter, P. (2015a) Asters for Councils" in web
    assert "Planter, P. (2015b) Zinnias in Public Parks" in web
    collected = flat(visible_text((root / "_build/html/book/bibliography.html").read_text("utf-8")))
    assert "(2015a) Asters" in collected and "(2015b) Zinnias" in collected
    assert "Boyle, D., Coote, A., Sherwood, C. and Slay, J. (2010a)" in collected


def reference_lists(html: str) -> list[list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    return [[flat(entry.find("p").get_text()) for entry in listing.select("div.citation")]
            for listing in soup.select("div.citation-list")]


def sort_name(entry: str) -> tuple[str, str, str]:
    """The name that begins the entry, its year and letter, as a reader finds them."""
    match = re.match(r"(.+?)\s*\((\d{4}|n\.d\.)([a-z]?)\)", entry)
    assert match, entry
    first = re.split(r",| and ", match.group(1))[0]
    return plain(first), match.group(2), match.group(3)


def test_every_reference_list_is_sorted_by_first_name_then_year(
        planted: tuple[Path, BuildResult]) -> None:
    root, _ = planted
    lists = [entries for page in sorted((root / "_build/html").rglob("*.html"))
             for entries in reference_lists(page.read_text("utf-8"))]
    assert len(lists) >= 7
    for entries in lists:
        keys = [sort_name(entry) for entry in entries]
        assert keys == sorted(keys), entries
    collected = next(entries for entries in lists if len(entries) > 40)
    names = [sort_name(entry)[0] for entry in collected]
    # organisations among people: Cabinet Office between Caulier-Grice's C neighbours
    assert names.index("cabinet office") < names.index("cahn")


def test_the_draft_is_held_back_and_named(planted: tuple[Path, BuildResult]) -> None:
    root, result = planted
    assert result.held_back == ("essays/planted-draft.md",)
    title = "A Planted Draft Nobody Should See"
    for page in (root / "_build/html").rglob("*.html"):
        assert title not in page.read_text("utf-8"), page
    assert title not in (root / "_build/print/book.html").read_text("utf-8")
    assert not any(title in text for text in epub_pages(result).values())


def require_pdftotext() -> None:
    if shutil.which("pdftotext") is None:
        # CI sets ESSAYKIT_REQUIRE_BROWSER (`make browser-deps` installs poppler-utils
        # with Chromium): there a missing reader is a failure, not a skip
        if os.environ.get("ESSAYKIT_REQUIRE_BROWSER"):
            pytest.fail("pdftotext (poppler-utils) is not installed: run `make browser-deps`")
        pytest.skip("pdftotext (poppler-utils) is not installed")


def pdf_pages(pdf: Path) -> list[str]:
    """The PDF's text page by page, line by line (poppler's pdftotext)."""
    require_pdftotext()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")


def line_end_splits(pages: list[str]) -> list[tuple[int, str, str]]:
    """(page, the word's head ending in a hyphen, the next line's first word)."""
    splits = []
    for number, page in enumerate(pages, 1):
        lines = [line.split() for line in page.splitlines() if line.strip()]
        for line, following in zip(lines, lines[1:], strict=False):
            if line[-1].endswith("-") and len(line[-1]) > 1:
                splits.append((number, line[-1], following[0]))
    return splits


def is_a_name(word: str, source: str) -> bool:
    """Capitalised somewhere other than at a sentence's start: a name, not a
    sentence-initial ordinary word (which may hyphenate like any other)."""
    for match in re.finditer(rf"(?<![\w\u2019'-]){re.escape(word)}(?![\w])", source):
        if not begins_sentence(source[:match.start()]):
            return True
    return False


def test_no_name_or_url_is_hyphenated_at_a_line_end(
        planted: tuple[Path, BuildResult]) -> None:
    root, result = planted
    source = flat(visible_text((root / "_build/print/book.html").read_text("utf-8")))
    source = source.replace(ZERO_WIDTH_SPACE, "")
    problems = []
    for pdf in (result.outputs["pdf-book"], result.outputs["pdf-taster"]):
        for page, head, tail in line_end_splits(pdf_pages(pdf)):
            word = re.sub(r"^\W+", "", head)
            # a hyphen the text has ("co-design", a URL's "wg-news") may end a line
            # in running text; a URL breaks only after a slash or before a dot
            url = "://" in head or "www." in head or "/" in head
            real_hyphen = (word + tail.rstrip(".,;:)")) in source
            whole = word.rstrip("-") + re.sub(r"\W+$", "", tail)
            if url or (word[:1].isupper() and not real_hyphen and is_a_name(whole, source)):
                problems.append((pdf.name, page, head, tail))
    assert problems == []


STRAIGHT = re.compile(r"\w['\"]|['\"]\w")


def straight_quotes(markup: str) -> list[str]:
    """Straight quotes in what a reader sees: not in code, addresses or attributes."""
    soup = BeautifulSoup(markup, "html.parser")
    for hidden in soup.select("script, style, head, pre, code, .essaykit-cite"):
        hidden.decompose()
    text = flat(soup.get_text(" "))
    return [text[max(0, m.start() - 20):m.end() + 10] for m in STRAIGHT.finditer(text)
            if "http" not in text[max(0, m.start() - 60):m.end()]]


def test_quotes_are_curly_in_every_edition_front_matter_included(
        planted: tuple[Path, BuildResult]) -> None:
    root, result = planted
    pages = {str(p): p.read_text("utf-8") for p in (root / "_build/html").rglob("*.html")
             if "_static" not in p.parts and p.name not in {"search.html", "genindex.html"}}
    pages["print"] = (root / "_build/print/book.html").read_text("utf-8")
    pages.update(epub_pages(result))
    found = {name: hits for name, markup in pages.items() if (hits := straight_quotes(markup))}
    assert found == {}
    essay = (root / "_build/html/essays/co-production.html").read_text("utf-8")
    assert "people\u2019s management" in essay


def outline_titles(reader: PdfReader) -> list[str]:
    def walk(items: list[Any]) -> list[str]:
        titles: list[str] = []
        for item in items:
            titles += walk(item) if isinstance(item, list) else [item.title]
        return titles
    return walk(reader.outline)


def test_part_pages_title_page_outline_and_metadata(planted: tuple[Path, BuildResult]) -> None:
    root, result = planted
    reader = PdfReader(result.outputs["pdf-book"])
    titles = outline_titles(reader)
    assert "Part I: Changing the relationship" in titles
    assert not [t for t in titles if re.match(r"Part [IVX]+ ", t)]
    # a part page: the part's number and title, and no folio
    pages = pdf_pages(result.outputs["pdf-book"])
    part_pages = [page for page in pages if "Changing the relationship" in page
                  and len(page.split()) < 10]
    assert part_pages and not re.search(r"\d", part_pages[0])
    # the title and the part title centred, as the subtitle and the byline are
    css = (root / "_build/print/print.css").read_text("utf-8")
    for rule in (".book-title", ".part-title"):
        block = css.split(rule + " {", 1)[1].split("}", 1)[0]
        assert "text-align: center" in block
    metadata = reader.metadata
    assert metadata is not None and metadata["/Author"] == "The Editors"
    assert metadata["/editors"] == "The Editors"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged


def test_one_publication_date_for_every_edition(planted: tuple[Path, BuildResult]) -> None:
    _, result = planted
    reader = PdfReader(result.outputs["pdf-book"])
    assert reader.metadata is not None
    assert str(reader.metadata["/CreationDate"]).startswith("D:2026")
    with zipfile.ZipFile(result.outputs["epub-book"]) as epub:
        opf = epub.read("content.opf").decode("utf-8")
    assert "<dc:date>2026-01-01T00:00:00Z</dc:date>" in opf


def test_titles_of_other_essays_are_in_italics_in_every_edition(
        planted: tuple[Path, BuildResult]) -> None:
    root, result = planted
    title = '<em class="essaykit-work-title">From many small ideas to a different system</em>'
    assert title in (root / "_build/html/essays/social-care.html").read_text("utf-8")
    assert title in (root / "_build/print/book.html").read_text("utf-8")
    assert title in epub_pages(result)["essays/social-care.xhtml"]
    # the taster prints links to other essays as text: the title keeps its italics
    taster = (root / "_build/print/taster.html").read_text("utf-8")
    assert 'class="essaykit-work-title"' in taster
    # a link to a page that is not an essay (the postscript) is not a title
    assert '<em class="essaykit-work-title">What happened next' not in taster


def squeezed(text: str) -> str:
    """Letters only, lower case: line ends, hyphens, spacing and figures (the
    footnote calls' numbers among them) ignored."""
    text = re.sub(r"-\s*\n\s*", "", text.replace("\u00ad", "").replace(ZERO_WIDTH_SPACE, ""))
    return re.sub(r"[\W\d_]+", "", text).lower()


def footnote_pages(printed: Path, pdf: Path) -> list[tuple[str, list[int], list[int]]]:
    """Each footnote: its opening, the pages with the text just before its call, and
    the pages with its own text."""
    soup = BeautifulSoup(printed.read_text("utf-8"), "html.parser")
    pages = [squeezed(page) for page in pdf_pages(pdf)]
    found = []
    for note in soup.select(".print-footnote"):
        text = squeezed(note.get_text())[:40]
        before = ""
        for previous in note.previous_elements:
            if isinstance(previous, str) and not previous.find_parent(class_="print-footnote"):
                before = previous + before
                if len(squeezed(before)) >= 40:
                    break
        context = squeezed(before)[-30:]
        found.append((text[:20], [n for n, page in enumerate(pages, 1) if context in page],
                      [n for n, page in enumerate(pages, 1) if text in page]))
    return found


def test_every_footnote_is_on_its_calls_page(planted: tuple[Path, BuildResult]) -> None:
    root, result = planted
    for edition, pdf in (("book", "pdf-book"), ("taster", "pdf-taster")):
        notes = footnote_pages(root / f"_build/print/{edition}.html", result.outputs[pdf])
        if edition == "book":
            assert len(notes) >= 10  # the book's seven, the two planted ones, the taster's
        else:
            assert len(notes) == 1  # the planted one
        for opening, call_pages, note_pages in notes:
            assert len(note_pages) == 1 and note_pages[0] in call_pages, (
                edition, opening, call_pages, note_pages)


# ---- the index ------------------------------------------------------------------

def index_pages(reader: PdfReader) -> tuple[int, str]:
    """The first page (1-based) of the printed Index, as the outline finds it, and
    the Index's text."""
    entry = next(item for item in reader.outline
                 if not isinstance(item, list) and item.title == "Index")
    first = reader.get_destination_page_number(entry) + 1
    text = "\n".join(page.extract_text() or "" for page in reader.pages[first - 1:])
    return first, text


def locators(index_text: str, name: str) -> list[int]:
    match = re.search(re.escape(name) + r"\s+((?:\d+,\s*)*\d+)", index_text)
    assert match, f"{name!r} is not in the printed index"
    return [int(n) for n in re.split(r",\s*", match.group(1))]


def test_the_printed_index_names_the_right_pages(planted: tuple[Path, BuildResult]) -> None:
    _, result = planted
    reader = PdfReader(result.outputs["pdf-book"])
    assert "Index" in outline_titles(reader)
    first, text = index_pages(reader)
    squeezed_pages = [squeezed(page.extract_text() or "") for page in reader.pages]
    # an {index} entry, a cited author and a glossary term (its definition)
    for name, on_page in (("Zinnia borders", "councilsplantzinniaborders"),
                          ("Planter, Pat", "planterbandplantera"),
                          ("Time banking", "timebanking")):
        pages = locators(text, name)
        assert pages and all(n < first for n in pages), (name, pages)
        for number in pages:
            assert on_page in squeezed_pages[number - 1], (name, number)
    # the glossary definition is the main entry: on the glossary's page
    glossary = next(n for n, page in enumerate(squeezed_pages, 1)
                    if page.startswith("glossary") or "glossary" in page[:40])
    assert max(locators(text, "Time banking")) >= glossary


def test_index_locators_are_in_page_order_and_each_page_once(
        planted: tuple[Path, BuildResult]) -> None:
    _, result = planted
    reader = PdfReader(result.outputs["pdf-book"])
    _, text = index_pages(reader)
    runs = [[int(n) for n in re.split(r",\s*", m.group(1))]
            for m in re.finditer(r"[A-Za-z.\u2019)] ((?:\d+,\s*)*\d+)\s*$", text, re.MULTILINE)]
    assert len(runs) > 40
    for pages in runs:
        assert pages == sorted(set(pages)), pages
    # Ostrom is cited several times on one page of the planted essay: printed once
    assert len(locators(text, "Ostrom, Elinor")) == len(set(locators(text, "Ostrom, Elinor")))


def resolves(folder: Path, page: Path, href: str) -> bool:
    target, _, anchor = href.partition("#")
    path = (page.parent / target).resolve() if target else page
    if not path.is_file() or folder.resolve() not in path.parents:
        return False
    return not anchor or f'id="{anchor}"' in path.read_text("utf-8")


def test_the_web_and_epub_index_link_to_their_entries(planted: tuple[Path, BuildResult]) -> None:
    root, result = planted
    html = root / "_build/html"
    genindex = html / "genindex.html"
    soup = BeautifulSoup(genindex.read_text("utf-8"), "html.parser")
    links = {a["href"] for a in soup.select("article a[href], .bd-article a[href]")
             if "#" in a["href"] and not a["href"].startswith(("#", "http"))}
    assert any("co-production.html#index-" in link for link in links)
    assert [link for link in links if not resolves(html, genindex, link)] == []
    text = flat(visible_text(genindex.read_text("utf-8")))
    for name in ("Zinnia borders", "Planter, Pat", "Time banking"):
        assert name in text
    # a reader finds it: the sidebar of every page, after the back matter
    essay = (html / "essays/co-production.html").read_text("utf-8")
    assert 'href="../genindex.html">Index' in " ".join(essay.split())
    with zipfile.ZipFile(result.outputs["epub-book"]) as epub:
        index = epub.read("genindex.xhtml").decode("utf-8")
        names = set(epub.namelist())
        nav = epub.read("nav.xhtml").decode("utf-8")
    assert "Planter, Pat" in index and 'href="genindex.xhtml"' in nav
    for href in re.findall(r'href="([^"#]+)#index-\d+"', index):
        assert href in names, href


# ---- no word alone on a justified line ------------------------------------------

def lonely_words(pdf: Path) -> list[tuple[int, str, str]]:
    """Lines of running text holding one word that are not a paragraph's last: the
    next line of the same block starts at the text's left edge (a new paragraph
    is indented) and goes on. (page, the word, how the next line begins)."""
    require_pdftotext()
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = []
    for page in re.findall(r"<page .*?</page>", out, re.S):
        blocks = []
        for block in re.findall(r"<block .*?</block>", page, re.S):
            lines = []
            for attributes, body in re.findall(r"<line (.*?)>(.*?)</line>", block, re.S):
                box = {k: float(v) for k, v in re.findall(r'(\w+)="([\d.]+)"', attributes)}
                lines.append((box["xMin"], round(box["yMax"] - box["yMin"], 1),
                              re.findall(r"<word [^>]*>(.*?)</word>", body)))
            blocks.append(lines)
        pages.append(blocks)
    heights = Counter(height for page in pages for block in page for _, height, _ in block)
    body = heights.most_common(1)[0][0]  # the running text's line height
    found = []
    for number, page in enumerate(pages, 1):
        for lines in page:
            left = min((x for x, height, _ in lines if height == body), default=0.0)
            for (x, height, words), (next_x, next_height, next_words) in zip(
                    lines, lines[1:], strict=False):
                if (height == body == next_height and len(words) == 1
                        and abs(next_x - left) < 1 and abs(x - next_x) < 15
                        and len(next_words) > 3):
                    found.append((number, words[0], " ".join(next_words[:4])))
    return found


def test_no_word_is_alone_on_a_justified_line(planted: tuple[Path, BuildResult]) -> None:
    """Before: 7 in the book ("to", "the", "By", "That", "The", and two halves of
    hyphenated words) and 1 in the taster, each on a line stretched before an inline
    element (a link, a citation, a name)."""
    _, result = planted
    for pdf in (result.outputs["pdf-book"], result.outputs["pdf-taster"]):
        assert lonely_words(pdf) == [], pdf.name


def test_the_index_set_on_its_own_makes_the_pages_of_a_whole_book_layout(
        planted: tuple[Path, BuildResult], tmp_path: Path) -> None:
    """print/pdf.py lays the book out with its index cut to its title, then sets the
    index on its own with its page numbers: the PDF must be the one a whole-book
    layout with the same index (merged, its numbers written in) makes (same pages
    and text, anchors, links and outline)."""
    from weasyprint import HTML

    from essaykit.print.pdf import (
        INDEX_SECTION,
        WRITTEN_LOCATORS,
        index_alone,
        pages_of_anchors,
        without_index_entries,
        written_locators,
    )

    root, _ = planted
    source = root / "_build" / "print" / "book.html"
    html = source.read_text(encoding="utf-8")
    first = HTML(string=without_index_entries(html), base_url=str(source)).render()
    page_of = pages_of_anchors(first)
    start, head_end, end = html.find(INDEX_SECTION), html.find("</head>"), html.rfind("</body>")
    whole = HTML(string=html[:head_end] + f"<style>{WRITTEN_LOCATORS}</style>"
                 + html[head_end:start] + written_locators(html[start:end], page_of)
                 + html[end:], base_url=str(source)).render()
    alone = index_alone(html, page_of)
    assert alone is not None
    index_html, first_page = alone
    assert first_page == page_of["book-index"] == len(first.pages)  # the title alone
    index = HTML(string=index_html, base_url=str(source)).render()
    pieced = first.copy([*first.pages[:first_page - 1], *index.pages])

    assert len(pieced.pages) == len(whole.pages)
    for number, (ours, theirs) in enumerate(zip(pieced.pages, whole.pages, strict=True), 1):
        assert ours.anchors == theirs.anchors, number
        assert [link[:3] for link in ours.links] == [link[:3] for link in theirs.links], number
    assert pieced.make_bookmark_tree() == whole.make_bookmark_tree()
    texts = []
    for name, document in (("pieced", pieced), ("whole", whole)):
        document.write_pdf(tmp_path / f"{name}.pdf")
        texts.append(pdf_pages(tmp_path / f"{name}.pdf"))
    assert texts[0] == texts[1]
    # the index's own pages: numbered from the book's count, its locators printed
    index_text = "\n".join(texts[0][first_page - 1:])
    assert re.search(rf"^\s*{first_page}\s*$", texts[0][first_page - 1], re.MULTILINE)
    assert locators(index_text, "Planter, Pat")
