"""A plain sphinx-build reports the checker's findings as warnings with the same codes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

pytestmark = pytest.mark.slow


def sphinx_warnings(root: Path, **overrides: object) -> str:
    warnings = io.StringIO()
    with docutils_namespace():
        app = Sphinx(str(root), str(root), str(root / "_build/html"), str(root / "_build/dt"),
                     "html", confoverrides=overrides, status=None, warning=warnings,
                     freshenv=True)
        app.build()
    return warnings.getvalue()


def break_a_citation(root: Path) -> None:
    essay = root / "essays/no-citations.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nAs {cite:p}`ostrom1996crosing` says.\n",
                     encoding="utf-8")


def test_findings_appear_as_sphinx_warnings_with_codes(small_book: Path) -> None:
    break_a_citation(small_book)
    output = sphinx_warnings(small_book)
    assert "essays/no-citations.md:" in output
    assert "CIT001" in output and "[essaykit.CIT001]" in output
    assert "ostrom1996crossing" in output  # the did-you-mean suggestion


def test_suppress_warnings_silences_one_code(small_book: Path) -> None:
    break_a_citation(small_book)
    output = sphinx_warnings(small_book, suppress_warnings=["essaykit.CIT001"])
    assert "[essaykit.CIT001]" not in output


def test_a_clean_book_gives_no_essaykit_warnings(small_book: Path) -> None:
    assert "essaykit." not in sphinx_warnings(small_book)
