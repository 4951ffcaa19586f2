"""Search results quote the page's text, never the theme's controls.

Sphinx's searchtools.js makes a result's excerpt from the `textContent` of the
page's first `[role="main"]` (script, style and `.headerlink` removed), around
the first place a search word appears. This reads the built pages the same way.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from essaykit.build import BuildResult

pytestmark = pytest.mark.slow

CONTROLS = ("System Settings", "Light", "Dark", "Color mode")


def searched_text(html: str) -> str:
    """The text searchtools.js takes excerpts from (Search.htmlToText)."""
    soup = BeautifulSoup(html, "html.parser")
    for removed in soup.select(".headerlink, script, style"):
        removed.decompose()
    main = soup.select_one('[role="main"]')
    assert main is not None
    return main.get_text()


def test_no_page_offers_the_theme_controls_as_text(
        small_book_build: tuple[Path, BuildResult]) -> None:
    root, _ = small_book_build
    pages = [p for p in (root / "_build/html").rglob("*.html") if "_static" not in p.parts]
    assert pages
    for page in pages:
        html = page.read_text("utf-8")
        if 'role="main"' not in html:
            continue
        text = " ".join(searched_text(html).split())
        for control in CONTROLS:
            assert control not in text, (page.name, control)
        # the switcher is still there, each choice named for assistive technology
        if "theme-change-button" in html:
            assert 'aria-label="Light"' in html and 'data-label="Dark"' in html
