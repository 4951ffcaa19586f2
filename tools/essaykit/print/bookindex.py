"""The print edition's Index: Sphinx's own index entries, with print locators.

Sphinx groups the entries (`IndexEntries(env).create_index(builder)`, the
same call its `genindex` page makes); here each entry's links become
locators pointing at the print edition's namespaced ids (print.css prints
their page numbers with `target-counter()`). After a first layout an entry's
locators are put in page order, those on one page merged (`merge_locators`),
and their numbers written in as text (`print/pdf.py`, `written_locators`),
for the index to be set on its own, in chunks (`print/indexchunks.py`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sphinx.environment.adapters.indexentries import IndexEntries

from essaykit.print.transforms import page_id

LOCATOR_CLASS = "index-locator"
# one entry's locators, as the template writes them (pdf.merge_locators reads them)
LOCATORS = re.compile(r'(<span class="index-locators">)(.*?)(</span>)', re.DOTALL)
LOCATOR = re.compile(rf'<a class="{LOCATOR_CLASS}[^"]*" href="#([^"]+)"></a>')


@dataclass
class Entry:
    name: str
    locators: list[tuple[str, bool]] = field(default_factory=list)  # (print id, main)
    subentries: list[Entry] = field(default_factory=list)


@dataclass
class Letter:
    heading: str
    entries: list[Entry]


def print_target(uri: str, included: Collection[str]) -> str | None:
    """A link of the single-file builder ("#document-essays/x#index-3") as the print
    edition's id ("p-essays-x--index-3"); None for a page outside the edition."""
    if not uri.startswith("#document-"):
        return None
    document, _, anchor = uri[len("#document-"):].partition("#")
    if document not in included:
        return None
    return f"{page_id(document)}--{anchor}" if anchor else page_id(document)


def _locators(links: list[tuple[Any, Any]], order: dict[str, int]) -> list[tuple[str, bool]]:
    """The links into this edition, in reading order: by page of the book, then by
    the serial number Sphinx gives index targets as it reads a page."""
    found: list[tuple[tuple[int, int, str], str, bool]] = []
    for main, uri in links:
        if not isinstance(uri, str):
            continue
        target = print_target(uri, order)
        if target is None:
            continue
        document = uri[len("#document-"):].partition("#")[0]
        serial = re.search(r"(\d+)$", target)
        place = (order[document], int(serial.group(1)) if serial else 0, target)
        if all(target != seen for _, seen, _ in found):
            found.append((place, target, bool(main)))
    return [(target, main) for _, target, main in sorted(found)]


def print_index(env: Any, builder: Any, pages: list[str]) -> list[Letter]:
    """The book's index as Sphinx groups it, with locators into this edition's `pages`
    (docnames, in reading order) only."""
    included = {page: position for position, page in enumerate(pages)}
    letters: list[Letter] = []
    for heading, group in IndexEntries(env).create_index(builder):
        entries = []
        for name, (links, subitems, _category) in group:
            entry = Entry(name, _locators(links, included))
            for subname, sublinks in subitems:
                sub = Entry(subname, _locators(sublinks, included))
                # a subentry with no links at all is a cross-reference ("see budgets")
                if sub.locators or not sublinks:
                    entry.subentries.append(sub)
            if entry.locators or entry.subentries:
                entries.append(entry)
        if entries:
            letters.append(Letter(heading, entries))
    return letters


def merge_locators(html: str, page_of: dict[str, int]) -> str:
    """Each entry's locators in page order, a page printed once (`page_of`: the page
    each target id fell on in a first layout; Sphinx orders an entry's links by page
    name, not by where they fall in the book)."""
    def merge(match: re.Match[str]) -> str:
        found = [(page_of.get(locator.group(1), 1 << 30), position, locator.group(0))
                 for position, locator in enumerate(LOCATOR.finditer(match.group(2)))]
        kept: list[str] = []
        last_page: int | None = None
        for page, _position, markup in sorted(found):
            if page == last_page:
                continue
            last_page = page
            kept.append(markup)
        return match.group(1) + "".join(kept) + match.group(3)

    return LOCATORS.sub(merge, html)
