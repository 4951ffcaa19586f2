"""The dashboard as a standalone HTML page: no JavaScript, every essay's text escaped.

`essaykit build` writes it to `_build/status/index.html`, outside the web book; with
`status_page: public` in book.yml it is also copied to `_build/html/status/`.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from essaykit.core.version import VERSION
from essaykit.dashboard.plot import words_chart
from essaykit.dashboard.status import CollectionStatus

PAGE = "index.html"
# the web book's icon, so the browser does not ask the server for /favicon.ico
ICON = Path(__file__).parent.parent / "sphinx_ext" / "static" / "essaykit-icon.svg"
STATUS_LABELS = {"draft": "Draft", "in-review": "In review", "accepted": "Accepted",
                 "unknown": "Unreadable front matter"}
# matplotlib escapes every text it writes; this is a second lock on the door
ACTIVE_SVG = re.compile(r"<\s*(script|foreignobject|iframe)|\bon[a-z]+\s*=|javascript:",
                        re.IGNORECASE)


def duration(minutes: int) -> str:
    """'45 min', '2 h 05 min'."""
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render_status_page(status: CollectionStatus, cache: Path, language: str = "en") -> str:
    """The page's HTML. `cache` is where matplotlib may keep its font cache."""
    environment = Environment(loader=PackageLoader("essaykit.dashboard", "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True),
                              keep_trailing_newline=True)
    chart = words_chart(status, cache)
    if ACTIVE_SVG.search(chart):
        chart = ""
    template = environment.get_template("status.html.jinja")
    return template.render(
        status=status, chart=Markup(chart), duration=duration, plural=plural,
        status_labels=STATUS_LABELS, language=language, version=VERSION,
        taster=any(p.kind == "taster" for p in status.pieces),
        essays=sum(1 for p in status.pieces if p.kind == "essay"),
    )


def write_status_page(status: CollectionStatus, folder: Path, cache: Path,
                      language: str = "en") -> Path:
    """Write `folder/index.html` whole or not at all (a temporary file renamed into place)."""
    html = render_status_page(status, cache, language)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / PAGE
    temporary = folder / f".{PAGE}.tmp"
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, target)
    shutil.copyfile(ICON, folder / "icon.svg")
    return target
