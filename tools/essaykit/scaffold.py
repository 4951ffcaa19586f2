"""`essaykit new`: a new essay with valid front matter, added to the book's order."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from . import rules
from .book import BOOK_FILE, Book, load_book
from .diagnostics import EssaykitError
from .print.paths import slugify
from .strictyaml import load

TEMPLATE = """---
title: {title}
authors:
{authors}
abstract: >-
  Say in two to four sentences what the essay argues (not what it "explores").
keywords: []
date: {date}
status: draft
---

Open with the argument. The title comes from the front matter above, so the
body has no `#` heading; sections start at `##`.

## A first section

Cite works from the book's bibliography as {{cite:p}}`{example_key}`, link a
glossary term's first use as {{term}}`{example_term}`, and refer to another essay
of the book by its file name.
"""


def new_essay(root: Path, title: str, authors: list[str], *, part: int | None = None,
              today: dt.date | None = None) -> Path:
    """Create essays/<slug>.md and append it to a part in book.yml (the last by default)."""
    book = load_book(root)
    if not title.strip():
        raise EssaykitError([rules.make("BOOK001", "essays/", 1, 1, "the title is empty",
                                        'give a title: essaykit new "My title" --author "Name"')])
    if not authors:
        raise EssaykitError([rules.make("BOOK001", "essays/", 1, 1, "no author given",
                                        'add --author "Name" (repeat it for co-authors)')])
    relative = f"essays/{slugify(title)}.md"
    target = root / relative
    if target.exists():
        raise EssaykitError([rules.make("BOOK001", relative, 1, 1, "the file exists already",
                                        "choose another title or edit that essay")])
    if not book.parts:
        raise EssaykitError([rules.make("BOOK001", str(BOOK_FILE), 1, 1,
                                        "the book has no parts to add the essay to",
                                        "add a part with 'parts:' to book.yml")])
    index = (part or len(book.parts)) - 1
    if not 0 <= index < len(book.parts):
        raise EssaykitError([rules.make("BOOK001", str(BOOK_FILE), 1, 1,
                                        f"there is no part {part}",
                                        f"choose a part from 1 to {len(book.parts)}")])
    text = TEMPLATE.format(
        title=json.dumps(title.strip(), ensure_ascii=False),
        authors="\n".join(f"  - name: {json.dumps(a.strip(), ensure_ascii=False)}"
                          for a in authors),
        date=(today or dt.date.today()).isoformat(),
        example_key=_first_key(book),
        example_term=_first_term(book),
    )
    book_yml = root / BOOK_FILE
    original = book_yml.read_text(encoding="utf-8")
    updated = _append_to_part(original, index, relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    book_yml.write_text(updated, encoding="utf-8")
    return target


def _append_to_part(book_yml: str, index: int, relative: str) -> str:
    """Insert one list line after the part's last essay, keeping comments and layout."""
    located = load(book_yml)
    essays = located.value["parts"][index]["essays"]
    lines = book_yml.splitlines(keepends=True)
    if essays:
        last_line = located.line_of("parts", index, "essays", len(essays) - 1)
        previous = lines[last_line - 1]
        indent = previous[: len(previous) - len(previous.lstrip())]
        lines.insert(last_line, f"{indent}- {relative}\n")
    else:
        key_line = located.line_of("parts", index, "essays")
        key = lines[key_line - 1]
        indent = key[: len(key) - len(key.lstrip())] + "  "
        lines[key_line - 1] = key.replace("[]", "").rstrip() + "\n"
        lines.insert(key_line, f"{indent}- {relative}\n")
    return "".join(lines)


def _first_key(book: Book) -> str:
    from pybtex.database import parse_file

    try:
        keys = list(parse_file(str(book.path(book.bibliography))).entries)
    except Exception:  # any unreadable .bib: the scaffold still works
        keys = []
    return keys[0] if keys else "key"


def _first_term(book: Book) -> str:
    import re

    for page in book.back:
        if page.endswith("glossary.md"):
            text = book.path(page).read_text(encoding="utf-8")
            match = re.search(r"^:::\{glossary\}\n([^\s].*)$", text, re.MULTILINE)
            if match:
                return match.group(1).strip()
    return "term"
