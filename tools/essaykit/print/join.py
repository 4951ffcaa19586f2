"""Join separately typeset pieces of the book into one tagged PDF, with pikepdf.

Each piece (the front matter, a part page, an essay, the index) is a PDF that
WeasyPrint wrote on its own (`print/pieces.py`). What a whole-book layout
would have made one of, this module makes one of again:

- the structure tree (PDF/UA): one Document element whose children are each
  piece's, and one parent tree, each piece's keys moved past the last piece's;
- named destinations: one sorted list, as WeasyPrint writes it;
- links between pieces: a piece laid out alone cannot point at another's
  anchors, so they are written as `essaykit-dest:NAME` URIs and turned here
  into the links to named destinations WeasyPrint writes within a document;
- the outline: each piece's bookmarks, nested by their CSS `bookmark-level`
  across pieces (an essay's under its part);
- fonts: each piece embeds its own subset of a font; the book, one subset of
  each with the glyphs of every piece;
- a blank left-hand page after a piece with an odd number of pages, as the
  whole book has before a piece that starts on a right-hand page.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

DEST = "essaykit-dest:"
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass
class Part:
    pdf: Path
    levels: list[int]  # the bookmark-level of each of its bookmarks, in order
    blank_after: bool


@dataclass
class Joined:
    pages: int
    warnings: list[str] = field(default_factory=list)


def join(parts: Sequence[Part], target: Path, fonts: Path) -> Joined:
    """Write the book made of `parts` (in order) to `target`."""
    warnings: list[str] = []
    sources = [pikepdf.open(part.pdf) for part in parts]
    try:
        out = pikepdf.new()
        first = sources[0]
        for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata"):
            if key in first.Root:
                out.Root[key] = _copy(out, first.Root[key])
        out.docinfo = _copy(out, first.docinfo)
        root = out.make_indirect(Dictionary(Type=Name.StructTreeRoot))
        document = out.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document,
                                                K=Array(), P=root))
        nums = Array()
        root.K = Array([document])
        root.ParentTree = out.make_indirect(Dictionary(Nums=nums))
        out.Root.StructTreeRoot = root
        dests: dict[str, Any] = {}
        bookmarks: list[tuple[int, str, int, float, float]] = []
        key_offset = 0
        for part, source in zip(parts, sources, strict=True):
            base = len(out.pages)
            index_of = {page.obj.objgen: number for number, page in enumerate(source.pages)}
            for page in source.pages:
                out.pages.append(page)
            for page in out.pages[base:]:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + key_offset
                for annotation in page.obj.get("/Annots", Array()):
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + key_offset
            tree = source.Root.get("/StructTreeRoot")
            if tree is not None:
                for kid in tree.K[0].K:
                    copied = _copy(out, kid)
                    copied.P = document
                    document.K.append(copied)
                their = list(tree.ParentTree.Nums)
                last = -1
                for key, value in zip(their[::2], their[1::2], strict=True):
                    nums.append(int(key) + key_offset)
                    nums.append(_copy(out, value))
                    last = max(last, int(key))
                key_offset += last + 1
            names = source.Root.get("/Names", Dictionary()).get("/Dests", Dictionary())
            listed = list(names.get("/Names", Array()))
            for name, destination in zip(listed[::2], listed[1::2], strict=True):
                dests.setdefault(str(name), _copy(out, destination))
            with source.open_outline() as outline:
                found = list(_walk(outline.root))
            if len(found) != len(part.levels):
                warnings.append(f"{part.pdf.name}: {len(found)} bookmarks in the PDF, "
                                f"{len(part.levels)} in the layout; the outline may be nested "
                                "wrongly")
            for level, item in zip(part.levels, found, strict=False):
                destination = item.destination
                page = base + index_of.get(destination[0].objgen, 0)
                bookmarks.append((level, item.title, page, float(destination[2]),
                                  float(destination[3])))
            if part.blank_after:
                box = [float(value) for value in out.pages[-1].mediabox]
                out.add_blank_page(page_size=(box[2] - box[0], box[3] - box[1]))
        warnings += _link_between_pieces(out, dests)
        out.Root.Names = Dictionary(Dests=Dictionary(Names=Array(
            [item for name in sorted(dests) for item in (String(name), dests[name])])))
        _outline(out, bookmarks)
        _one_copy_of_each_font(out, fonts)
        out.save(target, min_version=max(source.pdf_version for source in sources),
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return Joined(len(out.pages), warnings)
    finally:
        for source in sources:
            source.close()


def _copy(out: pikepdf.Pdf, value: Any) -> Any:
    """`value` of another PDF, as `out`'s (pikepdf copies indirect objects only)."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return out.copy_foreign(value)
    if isinstance(value, Dictionary):
        return Dictionary({key: _copy(out, value[key]) for key in value.keys()})
    if isinstance(value, Array):
        return Array([_copy(out, item) for item in value])
    if isinstance(value, pikepdf.Object):
        # a direct string or name: a new one (some pikepdf releases tie even
        # these to their file)
        return pikepdf.Object.parse(value.unparse())
    return value


def _walk(items: list[OutlineItem]) -> Iterator[OutlineItem]:
    for item in items:
        yield item
        yield from _walk(item.children)


def _link_between_pieces(out: pikepdf.Pdf, dests: dict[str, Any]) -> list[str]:
    """`essaykit-dest:NAME` links made into what WeasyPrint writes for a link within
    a document; a link to a name no piece has is dropped, as WeasyPrint drops it."""
    warnings = []
    for number, page in enumerate(out.pages, 1):
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = Array()
        for annotation in annotations:
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(DEST):
                kept.append(annotation)
                continue
            name = uri[len(DEST):]
            if name not in dests:
                warnings.append(f"page {number}: a link to #{name}, which is nowhere in "
                                "the book, was left out")
                continue
            del annotation["/A"]
            annotation.Dest = String(name)
            annotation.Contents = String(name)
            kept.append(annotation)
        page.obj.Annots = kept
    return warnings


def _outline(out: pikepdf.Pdf, bookmarks: list[tuple[int, str, int, float, float]]) -> None:
    """Nest the bookmarks by level, as WeasyPrint nests those of one document."""
    with out.open_outline() as outline:
        outline.root.clear()
        stack: list[tuple[int, OutlineItem]] = []
        for level, title, page, left, top in bookmarks:
            item = OutlineItem(title, page, "XYZ", left=left, top=top, zoom=0)
            while stack and stack[-1][0] >= level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((level, item))


def _one_copy_of_each_font(out: pikepdf.Pdf, fonts: Path) -> None:
    """Each piece embeds the subset of a font that it uses, keeping the font's glyph
    numbers (WeasyPrint subsets so); the book embeds one subset of each of the
    print folder's fonts, with the glyphs of all pieces, as a whole-book layout
    does. A font from elsewhere (the system's) keeps one subset per piece."""
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont

    files = {}
    for path in sorted(fonts.glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            files[str(font["name"].getDebugName(6))] = path
    users: dict[str, list[tuple[Dictionary, str]]] = {}
    glyphs: dict[str, set[int]] = {}
    seen: set[tuple[int, int]] = set()
    for page in out.pages:
        used = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
        for font in (used[name] for name in used.keys()):
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            for descendant in font.get("/DescendantFonts", Array()):
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is None:
                    continue
                key = next((key for key in FONT_FILES[1:] if key in descriptor), None)
                if key is None:
                    continue
                # the subset's own PostScript name: which of the folder's fonts it is
                # (WeasyPrint names the PDF font after the CSS family, not the file)
                with TTFont(io.BytesIO(descriptor[key].read_bytes()), lazy=True) as subset:
                    name = str(subset["name"].getDebugName(6))
                if name not in files:
                    continue
                users.setdefault(name, []).append((descriptor, key))
                glyphs.setdefault(name, set()).update(_glyphs(descendant.get("/W", Array())))
    for name, descriptors in users.items():
        options = Options(retain_gids=True, passthrough_tables=True,
                          ignore_missing_glyphs=True, desubroutinize=True, notdef_outline=True,
                          hinting=False)
        options.drop_tables += ["GSUB", "GPOS", "SVG"]
        subsetter = Subsetter(options)
        subsetter.populate(gids=sorted(glyphs[name] | {0}))
        with TTFont(files[name]) as font:
            subsetter.subset(font)
            data = io.BytesIO()
            font.save(data)
        kind = descriptors[0][1]
        stream = out.make_stream(data.getvalue())
        if kind == "/FontFile3":
            stream.Subtype = Name.OpenType
        else:
            stream.Length1 = len(data.getvalue())
        for descriptor, key in descriptors:
            descriptor[key] = stream


def _glyphs(widths: Array) -> Iterator[int]:
    """The glyphs a CIDFont's /W array gives widths for: `c [w1 w2 …]` and
    `first last w`."""
    items = list(widths)
    position = 0
    while position < len(items):
        first = int(items[position])
        if isinstance(items[position + 1], Array):
            yield from range(first, first + len(items[position + 1]))
            position += 2
        else:
            yield from range(first, int(items[position + 1]) + 1)
            position += 3
