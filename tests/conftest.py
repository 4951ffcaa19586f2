"""Shared fixtures: copies of the real book and of the fixture books, built once per session."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from essaykit.build import BuildOptions, BuildResult, build
from essaykit.core.diagnostics import Diagnostic

REPO = Path(__file__).resolve().parents[1]
BUILD_BOOKS = Path(__file__).parent / "build_books"
IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "tests", "bench", "*.egg-info",
                                "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache",
                                ".ruff_cache")


def copy_book(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=IGNORE)
    return target


def book_yml_error(root: Path, line: str) -> tuple[Diagnostic, int]:
    """The one finding loading the book gives once `line` is added to the end of
    its book.yml, and the number of that line."""
    from essaykit.core.book import load_book
    from essaykit.core.diagnostics import EssaykitError

    yml = root / "book" / "book.yml"
    before = yml.read_text(encoding="utf-8")
    yml.write_text(before + line + "\n", encoding="utf-8")
    with pytest.raises(EssaykitError) as raised:
        load_book(root)
    (problem,) = raised.value.diagnostics
    return problem, len(before.splitlines()) + 1


def incremental_and_clean(tmp_path: Path, change: Callable[[Path], None]) -> tuple[Path, Path]:
    """The small book built, changed and built again; and, beside it, the changed
    book built from scratch. Incremental builds must give what clean ones give."""
    def html_build(root: Path) -> None:
        build(BuildOptions(root=root, quiet=True, pdf=False, epub=False))

    incremental = copy_book(BUILD_BOOKS / "small", tmp_path / "incremental")
    html_build(incremental)
    change(incremental)
    html_build(incremental)
    clean = copy_book(BUILD_BOOKS / "small", tmp_path / "clean")
    change(clean)
    html_build(clean)
    return incremental, clean


@pytest.fixture(scope="session")
def real_book_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    root = copy_book(REPO, tmp_path_factory.mktemp("real") / "book")
    return root, build(BuildOptions(root=root, quiet=True))


@pytest.fixture(scope="session")
def small_book_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    root = copy_book(BUILD_BOOKS / "small", tmp_path_factory.mktemp("small") / "book")
    return root, build(BuildOptions(root=root, quiet=True))


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    return copy_book(BUILD_BOOKS / "small", tmp_path / "book")
