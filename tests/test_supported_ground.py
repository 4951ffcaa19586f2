"""essaykit on supported ground: the same book with or without its reach into
other packages' internals, under `-j`, and with no deprecated Sphinx API."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
from sphinx.application import Sphinx

import essaykit
from essaykit.build import BuildOptions, build
from essaykit.print.pdf import NO_HARFBUZZ_NOTE, _Collect

from .conftest import copy_book
from .test_fastbib import BUILD_BOOKS, built_with_and_without, generated_book, html_pages


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["small", "generated"])
def test_public_apis_only_give_the_same_book(tmp_path: Path, kind: str) -> None:
    """essaykit_fast_internals = False: no speed-up that reaches inside Sphinx,
    sphinxcontrib-bibtex or pybtex; every page must come out the same."""
    fast, public = built_with_and_without(tmp_path, kind, "essaykit_fast_internals = False")
    assert html_pages(fast) == html_pages(public)


@pytest.mark.slow
def test_an_edit_rebuilds_the_same_with_public_apis_only(tmp_path: Path) -> None:
    fast, public = built_with_and_without(tmp_path, "generated", "essaykit_fast_internals = False")
    for root in (fast, public):
        essay = sorted((root / "essays").glob("*.md"))[3]
        essay.write_text(essay.read_text(encoding="utf-8").replace(
            "title: ", "title: Retitled ", 1), encoding="utf-8")
        build(BuildOptions(root=root, quiet=True, pdf=False, check=False))
    assert html_pages(fast) == html_pages(public)


def sphinx_build(root: Path, outdir: Path, parallel: int) -> dict[str, str]:
    app = Sphinx(str(root), str(root), str(outdir / "html"), str(outdir / "doctrees"), "html",
                 status=None, warning=None, freshenv=True, parallel=parallel)
    if parallel > 1:  # every extension the book loads must allow it, or Sphinx reads serially
        assert app.is_parallel_allowed("read") and app.parallel > 1
    app.build()
    return {str(p.relative_to(outdir / "html")): p.read_text(encoding="utf-8")
            for p in sorted((outdir / "html").rglob("*.html"))}


@pytest.mark.slow
def test_parallel_reading_gives_the_same_html(tmp_path: Path) -> None:
    """The extension declares itself parallel-safe: `-j 2` must equal `-j 1`
    (state found while reading is merged back through the essaykit domain)."""
    root = generated_book(tmp_path / "book", 12)
    (root / "conf.py").write_text('extensions = ["essaykit.sphinx_ext"]\n', encoding="utf-8")
    serial = sphinx_build(root, tmp_path / "serial", 1)
    parallel = sphinx_build(root, tmp_path / "parallel", 2)
    assert serial.keys() == parallel.keys()
    different = [name for name in serial if serial[name] != parallel[name]]
    assert different == []


@pytest.mark.slow
def test_no_deprecated_sphinx_api_in_essaykit(tmp_path: Path) -> None:
    """No RemovedInSphinx… warning raised from essaykit's own code, on whichever
    Sphinx is installed (CI runs the newest as well as the pinned one)."""
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build(BuildOptions(root=root, quiet=True, pdf=True, check=False))
    package = Path(essaykit.__file__).resolve().parent
    ours = [f"{w.filename}:{w.lineno}: {w.message}" for w in caught
            if w.category.__name__.startswith("RemovedInSphinx")
            and Path(w.filename).resolve().is_relative_to(package)]
    assert ours == []


def test_missing_harfbuzz_subset_is_one_note_not_a_warning() -> None:
    collect = _Collect()
    for font in ("Libertine", "Biolinum", "Libertine"):
        collect.emit(logging.LogRecord(
            "weasyprint", logging.WARNING, __file__, 1,
            f'Using fontTools instead of HarfBuzz-Subset for font "{font}". This will be '
            "unsupported in future versions of WeasyPrint.", None, None))
    collect.emit(logging.LogRecord("weasyprint", logging.WARNING, __file__, 1,
                                   "Ignored `foo: bar` at 1:1", None, None))
    assert collect.notes == [NO_HARFBUZZ_NOTE]
    assert collect.messages == ["WeasyPrint: Ignored `foo: bar` at 1:1"]
