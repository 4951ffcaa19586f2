"""One cache key for every cache, holding the releases that made what it keeps."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from essaykit.build import BuildOptions, build
from essaykit.core import cachekey

from .conftest import copy_book
from .test_fastbib import BUILD_BOOKS


def test_releases_are_read_from_dist_info_names(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    for folder in ("sphinx_book_theme-1.4.0.dist-info", "Sphinx-9.2.0.dist-info",
                   "unrelated_pkg-2.0.dist-info", "sphinx_book_theme.pth"):
        (tmp_path / folder).mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(tmp_path / "missing")])
    cachekey.installed_stack.cache_clear()
    try:
        assert cachekey.installed_stack() == ("sphinx-book-theme==1.4.0", "sphinx==9.2.0")
    finally:
        cachekey.installed_stack.cache_clear()


def test_every_key_changes_with_a_release(monkeypatch: pytest.MonkeyPatch) -> None:
    before = (cachekey.stack_key(), cachekey.cache_key("pdf", b"<html>"))
    monkeypatch.setattr(cachekey, "installed_stack",
                        lambda: ("sphinx-book-theme==99.0", "sphinx==9.2.0"))
    after = (cachekey.stack_key(), cachekey.cache_key("pdf", b"<html>"))
    assert before[0] != after[0] and before[1] != after[1]
    assert cachekey.cache_key("pdf", b"<html>") != cachekey.cache_key("pdf", b"<html> ")


@pytest.mark.slow
def test_a_new_theme_release_rebuilds_the_book(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    options = BuildOptions(root=root, quiet=True, pdf=False, epub=False, check=False)
    build(options)
    page = root / "_build/html/essays/two-authors.html"
    written = page.stat().st_mtime_ns
    assert build(options).unchanged

    upgraded = tuple(("sphinx-book-theme==99.0" if entry.startswith("sphinx-book-theme==")
                      else entry) for entry in cachekey.installed_stack())
    monkeypatch.setattr(cachekey, "installed_stack", lambda: upgraded)
    result = build(options)
    assert not result.unchanged  # not "nothing changed since the last build"
    assert page.stat().st_mtime_ns != written  # every page made again by the new release
    assert build(options).unchanged
