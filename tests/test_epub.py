"""The EPUB edition, validated structurally with the standard library."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from essaykit.build import BuildOptions, BuildResult, build
from essaykit.core.book import load_book

from .conftest import book_yml_error

NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "x": "http://www.w3.org/1999/xhtml",
}
EPUB_OWN = {"mimetype", "META-INF/container.xml"}


def validate_epub(path: Path) -> dict[str, object]:
    """Check the EPUB's structure; return what the tests look at further."""
    with zipfile.ZipFile(path) as epub:
        infos = epub.infolist()
        assert infos[0].filename == "mimetype"
        assert infos[0].compress_type == zipfile.ZIP_STORED
        assert epub.read("mimetype") == b"application/epub+zip"
        names = {info.filename for info in infos}
        assert all(not name.startswith("/") and ".." not in name.split("/") for name in names)

        container = ElementTree.fromstring(epub.read("META-INF/container.xml"))
        rootfile = container.find(".//c:rootfile", NS)
        assert rootfile is not None
        opf_name = rootfile.get("full-path", "")
        assert rootfile.get("media-type") == "application/oebps-package+xml"
        assert opf_name in names
        opf = ElementTree.fromstring(epub.read(opf_name))
        base = posixpath.dirname(opf_name)

        metadata = opf.find("opf:metadata", NS)
        assert metadata is not None
        found = {tag: [e.text or "" for e in metadata.findall(f"dc:{tag}", NS)]
                 for tag in ("title", "creator", "language", "identifier", "publisher",
                             "description", "rights", "contributor")}
        for tag in ("title", "creator", "language", "identifier"):
            assert found[tag] and all(found[tag]), tag
        unique = opf.get("unique-identifier")
        identifiers = metadata.findall("dc:identifier", NS)
        assert [e.get("id") for e in identifiers].count(unique) == 1
        modified = [e.text for e in metadata.findall("opf:meta", NS)
                    if e.get("property") == "dcterms:modified"]
        assert len(modified) == 1 and modified[0]

        manifest = {item.get("id"): item for item in opf.findall("opf:manifest/opf:item", NS)}
        hrefs = {posixpath.normpath(posixpath.join(base, item.get("href", "")))
                 for item in manifest.values()}
        assert hrefs <= names, f"manifest names files the zip lacks: {hrefs - names}"
        extra = names - hrefs - EPUB_OWN - {opf_name}
        assert not extra, f"files in the zip but not in the manifest: {extra}"
        covers = [item for item in manifest.values()
                  if "cover-image" in (item.get("properties") or "").split()]
        assert len(covers) == 1 and covers[0].get("media-type") in ("image/png", "image/jpeg")
        navs = [item for item in manifest.values()
                if "nav" in (item.get("properties") or "").split()]
        assert len(navs) == 1

        spine = [ref.get("idref") for ref in opf.findall("opf:spine/opf:itemref", NS)]
        assert spine and all(idref in manifest for idref in spine)

        def href(item: ElementTree.Element) -> str:
            return posixpath.normpath(posixpath.join(base, item.get("href", "")))

        xhtml: dict[str, str] = {}
        for item in manifest.values():
            if item.get("media-type") == "application/xhtml+xml":
                text = epub.read(href(item)).decode("utf-8")
                tree = ElementTree.fromstring(text)  # well-formed XML, or this raises
                assert tree.find(".//x:script", NS) is None, href(item)
                assert "<script" not in text.lower(), href(item)
                xhtml[href(item)] = text
        assert not [n for n in names if n.endswith(".js")]

        ncx = ElementTree.fromstring(epub.read(href(manifest["ncx"])))
        ncx_uid = [m.get("content") for m in ncx.iter("{http://www.daisy.org/z3986/2005/ncx/}meta")
                   if m.get("name") == "dtb:uid"]
        opf_uid = [e.text for e in identifiers if e.get("id") == unique]
        assert ncx_uid == opf_uid

        nav_name = href(navs[0])
        nav = ElementTree.fromstring(epub.read(nav_name))
        nav_links = {posixpath.normpath(posixpath.join(posixpath.dirname(nav_name),
                                                       a.get("href", "").split("#")[0]))
                     for a in nav.iterfind(".//x:nav//x:a", NS)}
        assert nav_links <= names, f"the nav links files the zip lacks: {nav_links - names}"
        nav_titles = [" ".join("".join(a.itertext()).split())
                      for a in nav.iterfind(".//x:nav//x:a", NS)]
        return {"found": found, "xhtml": xhtml, "nav_titles": nav_titles,
                "nav_links": nav_links, "spine": [href(manifest[i]) for i in spine],
                "cover": epub.read(href(covers[0]))}


@pytest.mark.slow
def test_the_epub_is_a_valid_book(small_book_build: tuple[Path, BuildResult]) -> None:
    root, result = small_book_build
    epub = result.outputs["epub-book"]
    assert epub == root / "_build/epub/a-small-book.epub"
    seen = validate_epub(epub)
    found = seen["found"]
    assert isinstance(found, dict)
    assert found["title"] == ["A Small Book"]
    assert found["creator"] == ["Ada Editor and Bea Editor"]
    assert found["language"] == ["en-GB"]
    assert found["publisher"] == ["Fixture Press"]
    assert found["description"] == ["A tiny collection used by the tests."]
    assert found["identifier"][0].startswith("urn:uuid:")
    assert "Carys Jones" in found["contributor"][0]
    titles = seen["nav_titles"]
    assert isinstance(titles, list)
    for title in ("Introduction", "A Taster Piece", "An Essay by Two Authors",
                  "An Essay Without Citations", "Glossary", "Bibliography", "Contributors"):
        assert title in titles
    spine = seen["spine"]
    assert isinstance(spine, list)
    assert spine[:2] == ["epub-cover.xhtml", "book/index.xhtml"]
    assert spine.index("essays/taster.xhtml") < spine.index("essays/two-authors.xhtml") \
        < spine.index("essays/no-citations.xhtml") < spine.index("book/glossary.xhtml")
    cover = seen["cover"]
    assert isinstance(cover, bytes) and cover.startswith(b"\x89PNG")


@pytest.mark.slow
def test_the_same_book_keeps_its_identifier(small_book_build: tuple[Path, BuildResult],
                                            tmp_path: Path) -> None:
    from essaykit.core.book import load_book
    from essaykit.sphinx_ext.main import apply_edition_defaults

    root, result = small_book_build
    found = validate_epub(result.outputs["epub-book"])["found"]
    assert isinstance(found, dict)
    settings: dict[str, object] = {}
    config = type("Config", (), {"essaykit_site_url": "", "suppress_warnings": []})()
    apply_edition_defaults(load_book(root), config,  # type: ignore[arg-type]
                           lambda name, value: settings.setdefault(name, value))
    assert settings["epub_identifier"] == found["identifier"][0]


@pytest.mark.slow
def test_essays_come_out_whole_in_the_epub(small_book_build: tuple[Path, BuildResult]) -> None:
    _, result = small_book_build
    xhtml = validate_epub(result.outputs["epub-book"])["xhtml"]
    assert isinstance(xhtml, dict)
    essay = xhtml["essays/two-authors.xhtml"]
    assert 'lang="en-GB"' in essay.split(">", 3)[2] or 'lang="en-GB"' in essay[:400]
    # byline, abstract, footnote, references, glossary link, link to another essay
    for text in ("Carys Jones", "University of Somewhere", "Dev Patel", "essaykit-abstract",
                 "Two authors argue", "role=\"doc-footnote\"", "foot of the printed page",
                 "essaykit-references", "Ostrom", "Cahn", 'href="no-citations.xhtml"'):
        assert text in essay, text
    assert 'href="../book/glossary.xhtml#term-Co-production"' in essay
    # no footnoted URLs after links, no BibTeX source, but the Harvard reference stays
    assert "[https://orcid.org" not in essay and "link-target" not in essay
    assert "@incollection" not in essay and "essaykit-harvard" in essay
    front = xhtml["book/index.xhtml"]
    assert "Edited by Ada Editor and Bea Editor" in front
    assert "Part I: First things" in front
    assert "essaykit-downloads" not in front and ".pdf" not in front
    contributors = xhtml["book/contributors.xhtml"]
    assert "Carys Jones" in contributors and 'href="../essays/two-authors.xhtml"' in contributors


@pytest.mark.slow
def test_the_web_book_links_the_epub(small_book_build: tuple[Path, BuildResult]) -> None:
    root, _ = small_book_build
    front = (root / "_build/html/book/index.html").read_text(encoding="utf-8")
    assert 'href="../epub/a-small-book.epub"' in front
    assert (root / "_build/html/epub/a-small-book.epub").is_file()
    # the web book's own pages are untouched by the EPUB builder's needs
    assert (root / "_build/html/index.html").is_file()
    assert not (root / "_build/epub/index.html").exists()


HOSTILE_ABSTRACT = 'Breaking "out"><script>alert(1)</script> & more'


@pytest.mark.slow
def test_own_cover_and_hostile_text_in_the_epub(small_book: Path) -> None:
    from PIL import Image

    Image.new("RGB", (160, 256), (10, 120, 200)).save(small_book / "book/cover.png")
    yml = small_book / "book/book.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "cover: book/cover.png\n", encoding="utf-8")
    essay = small_book / "essays/no-citations.md"
    text = essay.read_text(encoding="utf-8")
    essay.write_text(text + "\nInline <script>alert(2)</script> and "
                     "<img src=x onerror=alert(3)>.\n", encoding="utf-8")
    # check=False: the gate would refuse the raw HTML; this is the second layer's turn
    result = build(BuildOptions(root=small_book, quiet=True, html=False, pdf=False,
                                check=False))
    seen = validate_epub(result.outputs["epub-book"])
    assert seen["cover"] == (small_book / "book/cover.png").read_bytes()
    xhtml = seen["xhtml"]
    assert isinstance(xhtml, dict)
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in xhtml["essays/no-citations.xhtml"]
    assert not (small_book / "_build/html").exists()


@pytest.mark.parametrize(("value", "code", "words"), [
    ("book/missing.png", "BOOK002", "does not exist"),
    ("book/book.yml", "BOOK001", ".png or .jpg"),
    ("../cover.png", "BOOK001", "inside the book"),
    ("/etc/cover.png", "BOOK001", "inside the book"),
    ("''", "BOOK001", "PNG or JPEG"),
])
def test_a_bad_cover_in_book_yml_is_a_clear_error(small_book: Path, value: str, code: str,
                                                  words: str) -> None:
    problem, line = book_yml_error(small_book, f"cover: {value}")
    assert (problem.code, problem.line) == (code, line)
    assert words in problem.message and "cover" in problem.message
    assert "cover" in problem.hint


def test_a_cover_in_book_yml_is_read(small_book: Path) -> None:
    assert load_book(small_book).cover == ""
    (small_book / "book/cover.jpg").write_bytes(b"\xff\xd8\xff")
    yml = small_book / "book/book.yml"
    yml.write_text(yml.read_text(encoding="utf-8") + "cover: book/cover.jpg\n",
                   encoding="utf-8")
    assert load_book(small_book).cover == "book/cover.jpg"


def test_the_drawn_cover_is_a_book_cover(tmp_path: Path) -> None:
    from PIL import Image

    from essaykit.sphinx_ext.cover import HEIGHT, WIDTH, CoverText, draw_cover

    text = CoverText("A Title Long Enough to Need Several Lines on Any Cover at All",
                     "A subtitle", "Ada Editor and Bea Editor", "Fixture Press")
    first = draw_cover(text, tmp_path / "a.png")
    again = draw_cover(text, tmp_path / "b.png")
    assert first.read_bytes() == again.read_bytes()  # the same book, the same cover
    with Image.open(first) as image:
        assert image.size == (WIDTH, HEIGHT) == (1600, 2560)
        # ink inside the margins only: nothing drawn in the side margins below the band
        strip = image.crop((0, 200, 150, HEIGHT)).convert("L")
        assert strip.getextrema()[0] > 200
    other = draw_cover(CoverText("Another Title"), tmp_path / "c.png")
    assert other.read_bytes() != first.read_bytes()
