"""The build links the first use of each glossary term in each essay, once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from essaykit.build import BuildOptions, build

pytestmark = pytest.mark.slow

BODY = """
## Co-production in a heading is not a use

The term `co-production` in code is not a use either. Then co-production appears
in prose, and co-production appears again.

Both essays speak of co-productions.
"""


def term_links(page: str) -> list[str]:
    return re.findall(r'<a class="[^"]*reference internal" href="../book/glossary.html#term-'
                      r'Co-production"(?: title="[^"]*")?>'
                      r'<span class="xref std std-term">([^<]+)</span>', page)


def build_with(root: Path, essay_body: str, pyproject: str = "") -> str:
    essay = root / "essays/no-citations.md"
    essay.write_text(essay.read_text(encoding="utf-8") + essay_body, encoding="utf-8")
    if pyproject:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    build(BuildOptions(root=root, quiet=True, pdf=False))
    return (root / "_build/html/essays/no-citations.html").read_text(encoding="utf-8")


def test_first_plain_use_is_linked_once(small_book: Path) -> None:
    page = build_with(small_book, BODY)
    assert term_links(page) == ["co-production"]
    # the link is on the first use in prose, not in the heading or the code
    paragraph = page[page.index("<p>The term"):page.index("in prose, and")]
    assert paragraph.index("std-term") > paragraph.index("</code>")
    assert "std-term" not in page[page.index("<h2>Co-production"):page.index("<p>The term")]


def test_an_explicit_link_counts_as_the_first_use(small_book: Path) -> None:
    page = build_with(small_book, "\nFirst {term}`co-production`, then co-production.\n")
    assert term_links(page) == ["co-production"]


def test_autolinking_can_be_turned_off(small_book: Path) -> None:
    page = build_with(small_book, BODY, "[tool.essaykit]\nautolink-terms = false\n")
    assert term_links(page) == []
