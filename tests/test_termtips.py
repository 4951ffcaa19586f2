"""A link to a glossary term carries the term's definition (termtips.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from essaykit.build import BuildOptions, BuildResult, build
from essaykit.sphinx_ext.termtips import LONGEST_TIP, first_sentence

from .conftest import BUILD_BOOKS, copy_book


def test_a_tip_is_the_definitions_first_sentence() -> None:
    assert first_sentence("Made together.  With users. Always.") == "Made together."
    assert first_sentence("e.g. made together") == "e.g. made together"
    long = first_sentence("word " * 200)
    assert len(long) <= LONGEST_TIP and long.endswith("…")


def term_links(page: Path) -> list[str]:
    return re.findall(r'<a class="essaykit-term reference internal"[^>]*>',
                      page.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_term_links_carry_definitions_and_other_links_do_not(
    small_book_build: tuple[Path, BuildResult],
) -> None:
    root, _ = small_book_build
    links = term_links(root / "_build/html/essays/two-authors.html")
    assert links, "no term link carries a definition"
    assert all('title="Services made by the people who use them' in link for link in links)
    # a citation keeps its own title (the reference), and is not marked as a term
    page = (root / "_build/html/essays/two-authors.html").read_text(encoding="utf-8")
    citation = re.search(r'<a class="reference internal" href="#id\d+" title="([^"]+)"', page)
    assert citation and "Services made" not in citation.group(1)
    # the glossary's own entries are not links to themselves
    assert term_links(root / "_build/html/book/glossary.html") == []


@pytest.mark.slow
def test_a_changed_definition_reaches_pages_not_rebuilt_otherwise(tmp_path: Path) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    build(BuildOptions(root=root, quiet=True, pdf=False))
    glossary = root / "book/glossary.md"
    glossary.write_text(glossary.read_text(encoding="utf-8").replace(
        "Services made by the people", "Services designed and delivered by the people"),
        encoding="utf-8")
    build(BuildOptions(root=root, quiet=True, pdf=False))
    links = term_links(root / "_build/html/essays/two-authors.html")
    assert links and all("Services designed and delivered" in link for link in links)
