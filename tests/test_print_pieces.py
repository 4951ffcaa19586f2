"""The print edition typeset in pieces (print/pieces.py, print/join.py) is the
whole-book layout's PDF (print/pdf.py, write_pdf): same pages and text, links,
named destinations, outline and structure; and an edit typesets only what it
changed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image, ImageChops

from essaykit.build import BuildResult
from essaykit.print import join as join_module
from essaykit.print import pieces as pieces_module
from essaykit.print.pdf import write_pdf
from essaykit.print.pieces import Pieces, cut, links_outside, write_pdf_in_pieces

from .test_print_edition import pdf_pages, planted  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow


def outline(pdf: pikepdf.Pdf) -> list[tuple[int, str, int, float, float]]:
    """(depth, title, page, left, top) of every bookmark, in order."""
    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
    found = []
    with pdf.open_outline() as tree:
        def walk(items: list[Any], depth: int) -> None:
            for item in items:
                target = item.destination
                found.append((depth, item.title, pages[target[0].objgen],
                              round(float(target[2]), 2), round(float(target[3]), 2)))
                walk(item.children, depth + 1)
        walk(tree.root, 0)
    return found


def destinations(pdf: pikepdf.Pdf) -> dict[str, tuple[int, float, float]]:
    pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
    listed = list(pdf.Root.Names.Dests.Names)
    return {str(name): (pages[target[0].objgen], round(float(target[2]), 2),
                        round(float(target[3]), 2))
            for name, target in zip(listed[::2], listed[1::2], strict=True)}


def links(pdf: pikepdf.Pdf) -> list[tuple[int, tuple[float, ...], str, str]]:
    """(page, rectangle, where it leads, its /Contents) of every link."""
    found = []
    for number, page in enumerate(pdf.pages):
        for annotation in page.obj.get("/Annots", []):
            rectangle = tuple(round(float(annotation.Rect[i]), 2) for i in range(4))
            target = (f"#{annotation.Dest}" if "/Dest" in annotation
                      else str(annotation.A.URI))
            found.append((number, rectangle, target, str(annotation.get("/Contents", ""))))
    return found


def structure(pdf: pikepdf.Pdf) -> list[str]:
    """The structure tree's element types, depth first, and the number of keys in
    its parent tree: what a screen reader walks."""
    kinds: list[str] = []

    def walk(element: Any) -> None:
        if isinstance(element, pikepdf.Dictionary) and element.get("/Type") == "/StructElem":
            kinds.append(str(element.S))
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)
    walk(pdf.Root.StructTreeRoot.K[0])
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return [*kinds, f"keys: {len(nums) // 2}"]


def rendered(pdf: Path, folder: Path) -> list[Path]:
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(pdf), str(folder / "page")], check=True)
    return sorted(folder.glob("*.pgm"))


def test_the_book_typeset_in_pieces_is_the_book_typeset_whole(
        planted: tuple[Path, BuildResult], tmp_path: Path) -> None:  # noqa: F811
    root, _ = planted
    source = root / "_build" / "print" / "book.html"
    whole, pieced = tmp_path / "whole.pdf", tmp_path / "pieced.pdf"
    whole_typeset = write_pdf(source, whole)
    pieces_typeset = write_pdf_in_pieces(source, pieced, tmp_path / "cache")
    assert pieces_typeset.pages == whole_typeset.pages
    assert pieces_typeset.warnings == whole_typeset.warnings

    assert pdf_pages(pieced) == pdf_pages(whole)
    with pikepdf.open(whole) as theirs, pikepdf.open(pieced) as ours:
        assert len(ours.pages) == len(theirs.pages)
        assert outline(ours) == outline(theirs)
        assert any(depth == 1 for depth, *_ in outline(ours))  # essays under their parts
        assert destinations(ours) == destinations(theirs)
        assert links(ours) == links(theirs)
        assert structure(ours) == structure(theirs)
        for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
            assert ours.Root[key] == theirs.Root[key]
        assert ours.open_metadata().get("pdfuaid:part") == "1"
        assert dict(ours.docinfo) == dict(theirs.docinfo)
        # each of the book's fonts once, as in the whole-book PDF
        def font_files(pdf: pikepdf.Pdf) -> int:
            return sum(1 for obj in pdf.objects if isinstance(obj, pikepdf.Stream)
                       and obj.get("/Subtype") == "/OpenType")
        assert font_files(ours) == font_files(theirs)
    # and they look the same, page by page
    for mine, theirs_page in zip(rendered(pieced, tmp_path / "ours"),
                                 rendered(whole, tmp_path / "theirs"), strict=True):
        difference = ImageChops.difference(Image.open(mine), Image.open(theirs_page))
        assert difference.getbbox() is None, mine.name


def test_an_index_typeset_in_chunks_is_the_index_typeset_whole(
        planted: tuple[Path, BuildResult], tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The index cut into chunks of a few pages (print/indexchunks.py) makes the
    pages, text, links and outline of the index laid out at once."""
    root, _ = planted
    print_folder = tmp_path / "print"
    shutil.copytree(root / "_build" / "print", print_folder)
    source = print_folder / "book.html"
    html = source.read_text(encoding="utf-8")
    # the book's index four times over: some ten pages, to be cut
    columns = html.index('<div class="index-columns">') + len('<div class="index-columns">')
    columns_end = html.rindex("</div>", columns, html.rindex("</section>"))
    source.write_text(html[:columns] + html[columns:columns_end] * 4 + html[columns_end:],
                      encoding="utf-8")
    whole, pieced = tmp_path / "whole.pdf", tmp_path / "pieced.pdf"
    whole_typeset = write_pdf(source, whole)
    monkeypatch.setattr(pieces_module, "INDEX_LOCATORS_PER_CHUNK", 60)
    pieced_typeset = write_pdf_in_pieces(source, pieced, tmp_path / "cache")

    chunks = [json.loads(record.read_text(encoding="utf-8"))
              for record in (tmp_path / "cache").glob("*.json")]
    assert sum(1 for record in chunks if record.get("resume")) >= 3  # cut, and cut again
    assert pieced_typeset.pages == whole_typeset.pages
    assert pdf_pages(pieced) == pdf_pages(whole)
    with pikepdf.open(whole) as theirs, pikepdf.open(pieced) as ours:
        assert outline(ours) == outline(theirs)
        assert destinations(ours) == destinations(theirs)  # the chunks' own ids are not
        assert links(ours) == links(theirs)
        # a chunk is a list of its own: more containers, the same content
        def content(pdf: pikepdf.Pdf) -> list[str]:
            return [kind for kind in structure(pdf)
                    if kind not in ("/Sect", "/Div", "/L", "/LI", "/LBody", "/Lbl")]
        assert content(ours) == content(theirs)
    for mine, theirs_page in zip(rendered(pieced, tmp_path / "ours"),
                                 rendered(whole, tmp_path / "theirs"), strict=True):
        difference = ImageChops.difference(Image.open(mine), Image.open(theirs_page))
        assert difference.getbbox() is None, mine.name


def test_an_edit_typesets_the_piece_it_changed_and_the_pieces_it_moved(
        planted: tuple[Path, BuildResult], tmp_path: Path) -> None:  # noqa: F811
    root, _ = planted
    print_folder = tmp_path / "print"
    shutil.copytree(root / "_build" / "print", print_folder)
    source = print_folder / "book.html"
    cache = tmp_path / "cache"
    said: list[str] = []
    first = write_pdf_in_pieces(source, tmp_path / "first.pdf", cache, said.append)
    assert re.search(r"(\d+) pieces typeset, 0 kept", said[-1])
    typeset_first = int(said[-1].split()[0])

    # nothing changed: nothing typeset
    write_pdf_in_pieces(source, tmp_path / "again.pdf", cache, said.append)
    assert said[-1].strip().startswith("0 pieces typeset")
    assert pdf_pages(tmp_path / "again.pdf") == pdf_pages(tmp_path / "first.pdf")

    # a sentence added to the last essay's first paragraph: that essay, and the
    # index (whose page numbers may move), not the others
    html = source.read_text(encoding="utf-8")
    head, pieces = cut(html) or ("", [])
    last_essay = [piece for piece in pieces if 'class="piece piece-essay' in piece.body][-1]
    paragraph = last_essay.body.index("</p>")
    edited = last_essay.body[:paragraph] + " A sentence the editor added." + \
        last_essay.body[paragraph:]
    source.write_text(html.replace(last_essay.body, edited), encoding="utf-8")
    edited_typeset = write_pdf_in_pieces(source, tmp_path / "edited.pdf", cache, said.append)
    typeset = int(said[-1].split()[0])
    assert 1 <= typeset <= 3 < typeset_first
    text = "\n".join(pdf_pages(tmp_path / "edited.pdf"))
    assert "A sentence the editor added." in re.sub(r"\s+", " ", text)
    # the same PDF as one typeset from nothing
    write_pdf_in_pieces(source, tmp_path / "fresh.pdf", tmp_path / "fresh-cache")
    assert pdf_pages(tmp_path / "edited.pdf") == pdf_pages(tmp_path / "fresh.pdf")
    assert edited_typeset.pages >= first.pages
    # the cache keeps this book's pieces only
    blocks = {path.stem for path in cache.glob("*.block")}
    assert blocks == {path.stem for path in (tmp_path / "fresh-cache").glob("*.block")}


def test_a_template_without_pieces_is_typeset_whole(tmp_path: Path) -> None:
    source = tmp_path / "book.html"
    source.write_text('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                      "<title>One</title></head><body><p>One page only.</p></body></html>",
                      encoding="utf-8")
    assert cut(source.read_text(encoding="utf-8")) is None
    typeset = write_pdf_in_pieces(source, tmp_path / "one.pdf", tmp_path / "cache")
    assert typeset.pages == 1
    assert "One page only." in pdf_pages(tmp_path / "one.pdf")[0]
    assert not (tmp_path / "cache").exists()


TWO_PIECES = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Two</title></head>
<body class="edition-book">
<section class="title-page"><h1 id="top">Two</h1><a href="#p-b">to b</a></section>
<article class="piece piece-essay" id="p-a"><p id="a1">See <a href="#a1">here</a>
and <a href="#b1">there</a>.</p></article>
<article class="piece piece-essay" id="p-b"><p id="b1">Back to <a href="#top">the top</a>.</p>
</article>
</body></html>
"""


def test_the_book_is_cut_where_pieces_start_and_links_between_them_marked() -> None:
    head, pieces = cut(TWO_PIECES) or ("", [])
    assert head.endswith('<body class="edition-book">')
    assert [piece.name for piece in pieces] == ["front", "p-a", "p-b"]
    assert pieces[1].ids == {"p-a", "a1"}
    marked = links_outside(pieces[1].body, pieces[1].ids)
    assert 'href="#a1"' in marked  # within the piece: as it was
    assert 'href="essaykit-dest:b1"' in marked
    assert "".join(piece.body for piece in pieces) in TWO_PIECES


def test_a_changed_image_is_a_changed_piece(tmp_path: Path) -> None:
    source = tmp_path / "book.html"
    source.write_text(TWO_PIECES, encoding="utf-8")
    (tmp_path / "_images").mkdir()
    image = tmp_path / "_images" / "chart.png"
    Image.new("L", (4, 4), 255).save(image)
    html = '<img src="_images/chart.png" alt="A chart">'
    with Pieces(source, tmp_path / "cache") as kept:
        before = kept.digest(html)
        Image.new("L", (4, 4), 0).save(image)
        assert kept.digest(html) != before
        # an image outside the print folder is not read
        assert kept.digest('<img src="../../etc/passwd">') == kept.digest(
            '<img src="../../etc/passwd">')


def test_pdf_strings_and_widths_as_a_block_writes_them() -> None:
    assert join_module._string(b"plain (text) \\ here") == rb"(plain \(text\) \\ here)"
    assert join_module._string(b"\x01marker") == b"<016d61726b6572>"
    assert join_module._hex("Caf\u00e9") == b"<feff00430061006600e9>"
    widths = pikepdf.Array([3, pikepdf.Array([500, 600]), 10, 12, 250])
    assert list(join_module._glyphs(widths)) == [3, 4, 10, 11, 12]
