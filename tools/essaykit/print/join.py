"""Join separately typeset pieces of the book into one tagged PDF.

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
- fonts: each piece embeds its own subset of a font (WeasyPrint keeps the
  font's glyph numbers); the book, one subset of each of the print folder's
  fonts with the glyphs of every piece;
- a blank left-hand page after a piece with an odd number of pages, as the
  whole book has before a piece that starts on a right-hand page.

A book of 500 essays has millions of PDF objects (most of them structure
elements): more than a PDF library holds in memory in the 600 MB a build may
take. So each piece is read once, with pikepdf, into a `Block` (its objects
written out, with their references to each other and to the book's shared
objects left as markers) kept beside the piece in the cache; joining relocates
the blocks one at a time into the file, compressed into object streams, and
holds only the book's small shared objects.
"""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, String

DEST = "essaykit-dest:"
FONT_FILES = ("/FontFile2", "/FontFile3")
# a reference left open in a block: to one of its own objects (L), to one of
# the book's (G), or a structure key to move past the earlier pieces' (S).
# \x01 cannot occur in what a block writes: strings are written in hex, and a
# name's control characters as #01
MARKER = re.compile(rb"\x01([LGS])([^\x01]*)\x01")
OBJECTS_PER_STREAM = 1000


def local(number: int) -> bytes:
    return b"\x01L%d\x01" % number


def shared(name: str) -> bytes:
    return b"\x01G" + name.encode() + b"\x01"


def key(number: int) -> bytes:
    return b"\x01S%d\x01" % number


@dataclass
class Block:
    """One piece's PDF, written out for joining."""

    objects: list[tuple[bytes, bytes | None]]  # (dictionary or value, stream data), local 1..n
    pages: list[int]  # local numbers of its pages, in order
    kids: list[bytes]  # the children of its Document structure element
    nums: list[tuple[int, bytes]]  # its parent tree
    keys: int  # structure keys it uses (0 .. keys-1)
    dests: list[tuple[str, bytes]]  # named destinations
    bookmarks: list[tuple[int, str, int, float, float]]  # level, title, page, left, top
    fonts: dict[str, tuple[str, set[int]]]  # PostScript name -> (font file key, glyphs)
    links_to: set[str]  # the names its links between pieces point at
    catalog: dict[str, bytes] = field(default_factory=dict)  # /Lang, /MarkInfo, …
    info: bytes = b""
    metadata: tuple[bytes, bytes | None] | None = None
    page_size: tuple[float, float] = (0.0, 0.0)


@dataclass
class Part:
    block: Block
    blank_after: bool


@dataclass
class Joined:
    pages: int
    warnings: list[str] = field(default_factory=list)


def folder_fonts(fonts: Path) -> dict[str, Path]:
    """The print folder's fonts by PostScript name."""
    from fontTools.ttLib import TTFont

    found = {}
    for path in sorted(fonts.glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            found[str(font["name"].getDebugName(6))] = path
    return found


def make_block(pdf_path: Path, fonts: Path, levels: list[int]) -> Block:
    """Read a piece's PDF (as WeasyPrint wrote it) into a Block."""
    from fontTools.ttLib import TTFont

    ours = folder_fonts(fonts)
    with pikepdf.open(pdf_path) as pdf:
        # pikepdf's objects are typed as a union of every PDF type: read as Any
        root: Any = pdf.Root
        refs: dict[tuple[int, int], bytes] = {}
        left_out = {root.objgen}
        pages_node = root.Pages
        refs[pages_node.objgen] = shared("Pages")
        tree: Any = root.get("/StructTreeRoot")
        document: Any = tree.K[0] if tree is not None else None
        if tree is not None:
            left_out |= {tree.objgen, tree.ParentTree.objgen}
            refs[document.objgen] = shared("Document")
        outlines = root.get("/Outlines")
        if outlines is not None:
            left_out |= set(_outline_objects(outlines))
        for holder in (root.get("/Names"), root.get("/Names", {}).get("/Dests")):
            if isinstance(holder, pikepdf.Object) and holder.is_indirect:
                left_out.add(holder.objgen)
        used_fonts: dict[str, tuple[str, set[int]]] = {}
        for descendant in _cid_fonts(pdf):
            descriptor = descendant.get("/FontDescriptor")
            kind = next((name for name in FONT_FILES if descriptor is not None
                         and name in descriptor), None)
            if kind is None:
                continue
            stream = descriptor[kind]
            # the subset's own PostScript name says which of the folder's fonts it is
            # (WeasyPrint names the PDF font after the CSS family, not the file)
            with TTFont(io.BytesIO(stream.read_bytes()), lazy=True) as subset:
                name = str(subset["name"].getDebugName(6))
            if name not in ours:
                continue
            refs[stream.objgen] = shared(f"font:{name}")
            left_out.add(stream.objgen)
            used_fonts.setdefault(name, (kind, set()))[1].update(
                _glyphs(descendant.get("/W", Array())))
        # the document's information and XMP metadata: the first piece's are the book's
        info = pdf.trailer.get("/Info")
        metadata = root.get("/Metadata")
        for obj in (info, metadata):
            if obj is not None and obj.is_indirect:
                left_out.add(obj.objgen)
        # not its cross-reference and object streams, which qpdf lists among its
        # objects: their objects are written one by one
        numbered = [obj for obj in pdf.objects
                    if obj.is_indirect and obj.objgen not in left_out
                    and obj.objgen not in refs
                    and not (isinstance(obj, pikepdf.Stream)
                             and obj.get("/Type") in ("/XRef", "/ObjStm"))]
        for number, obj in enumerate(numbered, 1):
            refs[obj.objgen] = local(number)
        writer = _Serialiser(refs)
        objects = [writer.indirect(obj) for obj in numbered]
        page_numbers = [int(refs[page.obj.objgen][2:-1]) for page in pdf.pages]
        kids, nums, keys = [], [], 0
        if tree is not None:
            kids = [writer.value(kid) for kid in document.K]
            their = list(tree.ParentTree.Nums)
            for number, value in zip(their[::2], their[1::2], strict=True):
                nums.append((int(number), writer.value(value)))
                keys = max(keys, int(number) + 1)
        listed = list(root.get("/Names", Dictionary()).get("/Dests", Dictionary())
                      .get("/Names", Array()))
        dests = [(str(name), writer.value(destination))
                 for name, destination in zip(listed[::2], listed[1::2], strict=True)]
        index_of = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        found = []
        with pdf.open_outline() as outline:
            for item in _walk(outline.root):
                destination = item.destination
                found.append((item.title, index_of.get(destination[0].objgen, 0),
                              float(destination[2]), float(destination[3])))
        bookmarks = [(level, title, page, x, y)
                     for level, (title, page, x, y) in zip(levels, found, strict=False)]
        catalog = {name: writer.value(root[name])
                   for name in ("/Lang", "/MarkInfo", "/ViewerPreferences") if name in root}
        mediabox: Any = pdf.pages[0].mediabox if len(pdf.pages) else [0] * 4
        box = [float(value) for value in mediabox]
        return Block(objects, page_numbers, kids, nums, keys, dests, bookmarks, used_fonts,
                     writer.links_to, catalog,
                     writer.indirect(info)[0] if info is not None else b"",
                     writer.indirect(metadata) if metadata is not None else None,
                     (box[2] - box[0], box[3] - box[1]))


class _Serialiser:
    """PDF syntax for pikepdf objects, references written as markers."""

    def __init__(self, refs: dict[tuple[int, int], bytes]) -> None:
        self.refs = refs
        self.links_to: set[str] = set()

    def indirect(self, obj: Any) -> tuple[bytes, bytes | None]:
        if isinstance(obj, pikepdf.Stream):
            entries = self.entries(obj.stream_dict, skip={"/Length"})
            return entries, obj.read_raw_bytes()
        if isinstance(obj, Dictionary):
            return b"<<" + self.entries(obj) + b">>", None
        return self.direct(obj), None

    def value(self, value: Any) -> bytes:
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            return self.refs.get(value.objgen, b"null")
        return self.direct(value)

    def direct(self, value: Any) -> bytes:
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, Decimal | float):
            return _real(value)
        if value is None:
            return b"null"
        if isinstance(value, Name):
            return bytes(value.unparse())
        if isinstance(value, String):
            return _string(bytes(value))
        if isinstance(value, Array):
            items: Any = value
            return b"[" + b" ".join(self.value(item) for item in items) + b"]"
        if isinstance(value, Dictionary):
            return b"<<" + self.entries(value) + b">>"
        if isinstance(value, pikepdf.Object):
            return bytes(value.unparse())
        raise TypeError(f"unexpected PDF value {value!r}")

    def entries(self, dictionary: Any, skip: frozenset[str] | set[str] = frozenset()) -> bytes:
        keys = sorted(set(dictionary.keys()) - set(skip))
        action: Any = dictionary.get("/A") if "/A" in keys else None
        uri = str(action["/URI"]) if isinstance(action, Dictionary) and "/URI" in action else ""
        written = []
        if uri.startswith(DEST):
            # a link to another piece: the link within a document WeasyPrint writes
            name = uri[len(DEST):]
            self.links_to.add(name)
            keys = [k for k in keys if k not in ("/A", "/Contents")]
            target = _hex(name)
            written += [b"/Dest " + target, b"/Contents " + target]
        for name in keys:
            value = dictionary[name]
            if name in ("/StructParents", "/StructParent") and isinstance(value, int):
                written.append(bytes(Name(name).unparse()) + b" " + key(value))
            else:
                written.append(bytes(Name(name).unparse()) + b" " + self.value(value))
        return b" ".join(written)


PRINTABLE = re.compile(rb"[\x20-\x7e]*")


def _string(data: bytes) -> bytes:
    """A PDF string: literal when printable ASCII (no marker byte can be in it),
    hex otherwise."""
    if PRINTABLE.fullmatch(data):
        return b"(" + re.sub(rb"([\\()])", rb"\\\1", data) + b")"
    return b"<" + data.hex().encode() + b">"


def _real(value: Decimal | float) -> bytes:
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text or "0").encode()


def _outline_objects(outlines: Any) -> Iterator[tuple[int, int]]:
    yield outlines.objgen
    item = outlines.get("/First")
    while item is not None:
        yield from _outline_objects(item)
        item = item.get("/Next")


def _walk(items: list[Any]) -> Iterator[Any]:
    for item in items:
        yield item
        yield from _walk(item.children)


def _cid_fonts(pdf: pikepdf.Pdf) -> Iterator[Any]:
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        resources: Any = page.obj.get("/Resources", Dictionary())
        used: Any = resources.get("/Font", Dictionary())
        for name in used.keys():
            font = used[name]
            for descendant in font.get("/DescendantFonts", Array()):
                if descendant.objgen not in seen:
                    seen.add(descendant.objgen)
                    yield descendant


def _glyphs(widths: Any) -> Iterator[int]:
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


class _Writer:
    """A PDF file written object by object: objects without streams packed into
    compressed object streams, a cross-reference stream at the end."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.file.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        # kind, offset or object stream, generation or index: one entry per object,
        # millions in a long book, so in arrays, not tuples
        self.kinds = array("B", [0])
        self.firsts = array("Q", [0])
        self.seconds = array("L", [65535])
        self.pending: list[tuple[int, bytes]] = []

    @property
    def count(self) -> int:
        return len(self.kinds)

    def reserve(self) -> int:
        self.kinds.append(0)
        self.firsts.append(0)
        self.seconds.append(0)
        return len(self.kinds) - 1

    def place(self, number: int, kind: int, first: int, second: int) -> None:
        self.kinds[number], self.firsts[number], self.seconds[number] = kind, first, second

    def add(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        if stream is None:
            self.pending.append((number, body))
            if len(self.pending) >= OBJECTS_PER_STREAM:
                self.flush()
            return
        self.place(number, 1, self.file.tell(), 0)
        self.file.write(b"%d 0 obj\n<<%s /Length %d>>\nstream\n" % (number, body, len(stream)))
        self.file.write(stream)
        self.file.write(b"\nendstream\nendobj\n")

    def flush(self) -> None:
        if not self.pending:
            return
        container = self.reserve()
        offsets, bodies, position = [], [], 0
        for index, (number, body) in enumerate(self.pending):
            offsets.append(b"%d %d" % (number, position))
            bodies.append(body)
            position += len(body) + 1
            self.place(number, 2, container, index)
        header = b" ".join(offsets) + b"\n"
        data = zlib.compress(header + b"\n".join(bodies) + b"\n")
        self.pending = []
        self.add(container, b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode"
                 % (len(offsets), len(header)), data)

    def close(self, root: int, info: int | None, identifier: bytes) -> None:
        self.flush()
        xref = self.reserve()
        self.place(xref, 1, self.file.tell(), 0)
        rows = zlib.compressobj()
        data = b"".join(rows.compress(kind.to_bytes(1, "big") + first.to_bytes(5, "big")
                                      + second.to_bytes(2, "big"))
                        for kind, first, second in zip(self.kinds, self.firsts, self.seconds,
                                                       strict=True)) + rows.flush()
        hexid = identifier.hex().encode()
        trailer = (b"/Type /XRef /Size %d /W [1 5 2] /Root %d 0 R /ID [<%s> <%s>] "
                   b"/Filter /FlateDecode" % (self.count, root, hexid, hexid))
        if info is not None:
            trailer += b" /Info %d 0 R" % info
        offset = self.file.tell()
        self.file.write(b"%d 0 obj\n<<%s /Length %d>>\nstream\n" % (xref, trailer, len(data)))
        self.file.write(data)
        self.file.write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offset)


def _hex(text: str) -> bytes:
    """A text string as pydyf (WeasyPrint's writer) encodes it: ASCII as it is,
    anything else UTF-16 with its byte-order mark; written in hex."""
    try:
        encoded = text.encode("ascii")
    except UnicodeEncodeError:
        encoded = b"\xfe\xff" + text.encode("utf-16-be")
    return _string(encoded)


def join(parts: Sequence[Part] | Iterator[Part], target: Path, fonts: Path) -> Joined:
    """Write the book made of `parts` (in order, read one at a time) to `target`."""
    warnings: list[str] = []
    with target.open("wb") as file:
        writer = _Writer(file)
        book = {name: writer.reserve() for name in ("Pages", "Document", "StructTreeRoot",
                                                    "ParentTree", "Catalog")}
        pages: list[int] = []
        kids: list[bytes] = []
        nums: list[bytes] = []
        dests: dict[str, bytes] = {}
        links_to: set[str] = set()
        bookmarks: list[tuple[int, str, int, float, float]] = []
        glyphs: dict[str, tuple[str, set[int]]] = {}
        catalog: dict[str, bytes] = {}
        info: int | None = None
        key_offset = 0
        digest = hashlib.sha256()

        def relocate(data: bytes, base: int) -> bytes:
            def replace(match: re.Match[bytes]) -> bytes:
                kind, value = match.group(1), match.group(2)
                if kind == b"L":
                    return b"%d 0 R" % (base + int(value))
                if kind == b"S":
                    return b"%d" % (key_offset + int(value))
                name = value.decode()
                if name not in book:
                    book[name] = writer.reserve()
                return b"%d 0 R" % book[name]

            return MARKER.sub(replace, data)

        for part in parts:
            block = part.block
            base = writer.count - 1
            for _ in block.objects:
                writer.reserve()
            for number, (body, stream) in enumerate(block.objects, base + 1):
                writer.add(number, relocate(body, base), stream)
                digest.update(body[:64])
            first_page = len(pages)
            pages += [base + number for number in block.pages]
            kids += [relocate(kid, base) for kid in block.kids]
            nums += [b"%d %s" % (key_offset + number, relocate(value, base))
                     for number, value in block.nums]
            for name, destination in block.dests:
                dests.setdefault(name, relocate(destination, base))
            links_to |= block.links_to
            bookmarks += [(level, title, first_page + page, x, y)
                          for level, title, page, x, y in block.bookmarks]
            for name, (kind, used) in block.fonts.items():
                glyphs.setdefault(name, (kind, set()))[1].update(used)
            if not catalog:
                catalog = {name: relocate(value, base) for name, value in block.catalog.items()}
                if block.info:
                    info = writer.reserve()
                    writer.add(info, relocate(block.info, base))
                if block.metadata is not None:
                    metadata = writer.reserve()
                    catalog["/Metadata"] = b"%d 0 R" % metadata
                    writer.add(metadata, relocate(block.metadata[0], base), block.metadata[1])
            key_offset += block.keys
            if part.blank_after:
                blank = writer.reserve()
                width, height = block.page_size
                # WeasyPrint gives every page, an empty one too, a parent-tree
                # entry; the blank page gets one so the tree matches a whole book's.
                writer.add(blank, b"<</Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] "
                           b"/Resources <<>> /Tabs /S /StructParents %d>>"
                           % (book["Pages"], _real(width), _real(height), key_offset))
                nums.append(b"%d []" % key_offset)
                key_offset += 1
                pages.append(blank)
        for name in sorted(links_to - set(dests)):
            warnings.append(f"a link to #{name}, which is nowhere in the book, leads nowhere")
        for name, number in list(book.items()):
            if name.startswith("font:"):
                kind, used = glyphs[name[len("font:"):]]
                data = _subset(fonts, name[len("font:"):], used)
                extra = (b"/Subtype /OpenType" if kind == "/FontFile3"
                         else b"/Length1 %d" % len(data))
                writer.add(number, extra + b" /Filter /FlateDecode", zlib.compress(data))
        writer.add(book["Pages"], b"<</Type /Pages /Count %d /Kids [%s]>>" % (
            len(pages), b" ".join(b"%d 0 R" % page for page in pages)))
        writer.add(book["Document"], b"<</Type /StructElem /S /Document /P %d 0 R /K [%s]>>"
                   % (book["StructTreeRoot"], b" ".join(kids)))
        writer.add(book["ParentTree"], b"<</Nums [%s]>>" % b" ".join(nums))
        writer.add(book["StructTreeRoot"], b"<</Type /StructTreeRoot /K [%d 0 R] "
                   b"/ParentTree %d 0 R /ParentTreeNextKey %d>>"
                   % (book["Document"], book["ParentTree"], key_offset))
        names = writer.reserve()
        writer.add(names, b"<</Names [%s]>>" % b" ".join(
            b"%s %s" % (_hex(name), dests[name]) for name in sorted(dests)))
        outlines = _write_outline(writer, bookmarks, pages)
        extra = b" ".join(bytes(Name(name).unparse()) + b" " + value
                          for name, value in sorted(catalog.items()))
        writer.add(book["Catalog"], b"<</Type /Catalog /Pages %d 0 R /StructTreeRoot %d 0 R "
                   b"/Names <</Dests %d 0 R>>%s %s>>" % (
                       book["Pages"], book["StructTreeRoot"], names,
                       b" /Outlines %d 0 R" % outlines if outlines else b"", extra))
        writer.close(book["Catalog"], info, digest.digest()[:16])
    return Joined(len(pages), warnings)


def _write_outline(writer: _Writer, bookmarks: list[tuple[int, str, int, float, float]],
                   pages: list[int]) -> int | None:
    """The outline, nested by level as WeasyPrint nests one document's bookmarks."""
    if not bookmarks:
        return None
    root = writer.reserve()
    numbers = [writer.reserve() for _ in bookmarks]
    parent: list[int | None] = []
    stack: list[tuple[int, int]] = []  # (level, index)
    for index, (level, *_rest) in enumerate(bookmarks):
        while stack and stack[-1][0] >= level:
            stack.pop()
        parent.append(stack[-1][1] if stack else None)
        stack.append((level, index))
    children: dict[int | None, list[int]] = {}
    for index, above in enumerate(parent):
        children.setdefault(above, []).append(index)

    def descendants(index: int | None) -> int:
        return sum(1 + descendants(child) for child in children.get(index, []))

    for index, (_level, title, page, left, top) in enumerate(bookmarks):
        siblings = children[parent[index]]
        position = siblings.index(index)
        above = parent[index]
        entries = [b"/Title " + _hex(title),
                   b"/Parent %d 0 R" % (root if above is None else numbers[above]),
                   b"/Dest [%d 0 R /XYZ %s %s 0]" % (pages[page], _real(left), _real(top))]
        if position > 0:
            entries.append(b"/Prev %d 0 R" % numbers[siblings[position - 1]])
        if position < len(siblings) - 1:
            entries.append(b"/Next %d 0 R" % numbers[siblings[position + 1]])
        mine = children.get(index, [])
        if mine:
            entries += [b"/First %d 0 R" % numbers[mine[0]], b"/Last %d 0 R" % numbers[mine[-1]],
                        b"/Count %d" % descendants(index)]
        writer.add(numbers[index], b"<<" + b" ".join(entries) + b">>")
    top_level = children[None]
    writer.add(root, b"<</Type /Outlines /First %d 0 R /Last %d 0 R /Count %d>>" % (
        numbers[top_level[0]], numbers[top_level[-1]], descendants(None)))
    return root


def _subset(fonts: Path, name: str, glyphs: set[int]) -> bytes:
    """The folder's font `name` with the glyphs every piece used, at their numbers
    (WeasyPrint's subsetting options)."""
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont

    options = Options(retain_gids=True, passthrough_tables=True, ignore_missing_glyphs=True,
                      desubroutinize=True, notdef_outline=True, hinting=False)
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    subsetter = Subsetter(options)
    subsetter.populate(gids=sorted(glyphs | {0}))
    with TTFont(folder_fonts(fonts)[name]) as font:
        subsetter.subset(font)
        data = io.BytesIO()
        font.save(data)
    return data.getvalue()
