"""The cached sidebar gives every page exactly the HTML the theme would."""

from __future__ import annotations

from pathlib import Path

import pytest

from essaykit.build import BuildOptions, build

from .conftest import BUILD_BOOKS, copy_book
from .test_fastbib import built_with_and_without, html_pages

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind", ["small", "generated"])
def test_cached_sidebar_equals_the_themes_own(tmp_path: Path, kind: str) -> None:
    books = built_with_and_without(tmp_path, kind, "essaykit_cache_sidebar = False")
    cached, uncached = (html_pages(root) for root in books)
    assert cached.keys() == uncached.keys()
    assert [page for page in cached if cached[page] != uncached[page]] == []
    # and the sidebar marks each page as current
    essay = next(page for page in cached if page.startswith("essays/"))
    assert cached[essay].count('class="toctree-l1 current active"') == 1


def mark_stored_sidebars(root: Path) -> None:
    """Put a marker into every sidebar kept for the next build."""
    import pickle

    store = root / "_build/.cache/doctrees/html" / "essaykit-sidebar.pickle"
    saved = pickle.loads(store.read_bytes())
    saved["sidebars"] = {key: (html + "<!-- kept -->" if html else html)
                         for key, html in saved["sidebars"].items()}
    store.write_bytes(pickle.dumps(saved))


def test_sidebars_are_kept_between_builds_until_what_they_show_changes(tmp_path: Path) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    build(BuildOptions(root=root, quiet=True, pdf=False))
    essay = root / "essays/no-citations.md"
    page = root / "_build/html/essays/two-authors.html"

    mark_stored_sidebars(root)
    essay.write_text(essay.read_text(encoding="utf-8") + "\nA new sentence.\n",
                     encoding="utf-8")
    build(BuildOptions(root=root, quiet=True, pdf=False))
    written = root / "_build/html/essays/no-citations.html"
    assert "<!-- kept -->" in written.read_text(encoding="utf-8"), "the sidebar was not reused"

    mark_stored_sidebars(root)
    essay.write_text(essay.read_text(encoding="utf-8").replace(
        "title: An Essay Without Citations", "title: A Retitled Essay"), encoding="utf-8")
    build(BuildOptions(root=root, quiet=True, pdf=False))
    for html in (written, page):
        text = html.read_text(encoding="utf-8")
        assert "<!-- kept -->" not in text, f"{html.name} kept a sidebar with an old title"
        assert "A Retitled Essay" in text
