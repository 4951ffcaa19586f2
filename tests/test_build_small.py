"""Fixture books: page furniture, failure safety and the scaffold."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pypdf import PdfReader

from essaykit.build import BuildFailed, BuildOptions, BuildResult, build
from essaykit.cli.main import main
from essaykit.core.book import load_book
from essaykit.core.frontmatter import parse_meta

from .helpers import visible_text

pytestmark = pytest.mark.slow


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def sources_digest(root: Path) -> dict[str, str]:
    return {k: v for k, v in tree_digest(root).items() if not k.startswith("_build")}


def test_two_authors_with_affiliations_and_orcid(
    small_book_build: tuple[Path, BuildResult],
) -> None:
    root, _ = small_book_build
    page = (root / "_build/html/essays/two-authors.html").read_text(encoding="utf-8")
    assert "Carys Jones" in page and "Dev Patel" in page
    assert "University of Somewhere" in page and "Somewhere Council" in page
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in page
    text = visible_text(page)
    assert "author    = {Jones, Carys and Patel, Dev}" in text
    assert "editor    = {Editor, Ada and Editor, Bea}" in text
    assert "Jones, C. and Patel, D. (2025) \u2018An Essay by Two Authors" in text


def test_essay_without_citations_has_no_reference_list(
    small_book_build: tuple[Path, BuildResult],
) -> None:
    root, _ = small_book_build
    page = (root / "_build/html/essays/no-citations.html").read_text(encoding="utf-8")
    assert "essaykit-references" not in page
    cited = (root / "_build/html/essays/two-authors.html").read_text(encoding="utf-8")
    assert "essaykit-references" in cited
    # only what this essay cites: Rogers is cited by the taster alone
    references = cited.split('class="essaykit-references"', 1)[1].split("</section>", 1)[0]
    assert "Ostrom" in references and "Cahn" in references
    assert "Rogers" not in references


def test_collected_bibliography_holds_everything(
    small_book_build: tuple[Path, BuildResult],
) -> None:
    root, result = small_book_build
    page = (root / "_build/html/book/bibliography.html").read_text(encoding="utf-8")
    for author in ("Ostrom", "Cahn", "Rogers"):
        assert author in page
    assert not [w for w in result.warnings if "duplicate" in w]


def test_glossary_citation_links_to_collected_bibliography(
    small_book_build: tuple[Path, BuildResult],
) -> None:
    root, _ = small_book_build
    page = (root / "_build/html/book/glossary.html").read_text(encoding="utf-8")
    assert 'href="bibliography.html#' in page


def test_pdf_outline_has_parts_and_essays_and_footnotes_inline(
    small_book_build: tuple[Path, BuildResult],
) -> None:
    root, result = small_book_build
    reader = PdfReader(result.outputs["pdf-book"])
    titles = [item.title for item in _flatten(reader.outline)]
    assert "Part I: First things" in titles or "Part I First things" in titles
    assert "An Essay by Two Authors" in titles
    assert "An Essay Without Citations" in titles
    printed = (root / "_build/print/book.html").read_text(encoding="utf-8")
    assert 'class="print-footnote"' in printed
    assert "foot of the printed page" in printed.split('class="print-footnote"', 1)[1][:200]
    assert "Cite this essay" not in printed


def test_taster_edition_prints_links_to_other_essays_as_text(
    small_book_build: tuple[Path, BuildResult],
) -> None:
    root, _ = small_book_build
    taster = (root / "_build/print/taster.html").read_text(encoding="utf-8")
    assert "first essay" in taster
    assert "two-authors" not in taster


def test_a_failed_build_leaves_the_previous_output_byte_identical(small_book: Path) -> None:
    build(BuildOptions(root=small_book, quiet=True))
    before = tree_digest(small_book / "_build")
    sources = sources_digest(small_book)
    essay = small_book / "essays/no-citations.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nSee {term}`no such term`.\n",
                     encoding="utf-8")
    with pytest.raises(BuildFailed):
        build(BuildOptions(root=small_book, quiet=True, strict=True, check=False))
    after = {k: v for k, v in tree_digest(small_book / "_build").items()
             if not k.startswith(".cache")}
    assert after == {k: v for k, v in before.items() if not k.startswith(".cache")}
    changed = sources_digest(small_book)
    assert {k for k in changed if changed[k] != sources.get(k)} == {"essays/no-citations.md"}


def test_a_build_does_not_modify_sources(small_book: Path) -> None:
    sources = sources_digest(small_book)
    build(BuildOptions(root=small_book, quiet=True, pdf=False))
    assert sources_digest(small_book) == sources


def test_essaykit_new_scaffolds_a_valid_essay_in_the_book(small_book: Path) -> None:
    assert main(["--root", str(small_book), "new", "A Fresh Essay", "--author", "Eve Writer",
                 "--part", "1"]) == 0
    created = small_book / "essays/a-fresh-essay.md"
    meta, problems = parse_meta(created.read_text(encoding="utf-8"), "essays/a-fresh-essay.md")
    assert problems == [] and meta is not None
    assert meta.title == "A Fresh Essay" and meta.authors[0].name == "Eve Writer"
    book = load_book(small_book)
    assert book.parts[0].essays == ("essays/two-authors.md", "essays/a-fresh-essay.md")
    # a new essay is a draft: held back from the published book, named by the build
    result = build(BuildOptions(root=small_book, quiet=True, pdf=False, strict=True))
    assert result.held_back == ("essays/a-fresh-essay.md",)
    assert not (result.outdir / "html/essays/a-fresh-essay.html").exists()
    assert "A Fresh Essay" not in (result.outdir / "html/index.html").read_text("utf-8")
    # the editors' preview has it, marked as a draft
    result = build(BuildOptions(root=small_book, quiet=True, pdf=False, strict=True,
                                drafts=True))
    page = (result.outdir / "html/essays/a-fresh-essay.html").read_text("utf-8")
    assert result.held_back == () and "essaykit-draft" in page
    assert "not part of the published book" in page
    # the same title twice is refused, and nothing changes
    yml = (small_book / "book/book.yml").read_text(encoding="utf-8")
    assert main(["--root", str(small_book), "new", "A Fresh Essay", "--author", "X"]) == 2
    assert (small_book / "book/book.yml").read_text(encoding="utf-8") == yml


def _flatten(items: list) -> list:  # type: ignore[type-arg]
    out = []
    for item in items:
        out.extend(_flatten(item) if isinstance(item, list) else [item])
    return out
