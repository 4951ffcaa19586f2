"""Small helpers shared by the tests."""

from __future__ import annotations

import re
from html import unescape


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: tags removed, entities decoded."""
    return unescape(re.sub(r"<[^>]+>", "", html))
