"""The index typeset a few pages at a time, so that its layout's memory is a
chunk's, not the whole index's (at 500 essays, 40,000 locators on some 90
pages took WeasyPrint 2 GB laid out at once).

A chunk is the index from a resume point (the start, or the element its
previous chunk's first dropped page began with) up to the end of the entry
holding its `budget`-th locator. Laid out, it keeps an even number of pages
(the next chunk starts on a right-hand page, as the index does) and drops at
least its last page, where its content ran out and its columns were balanced:
every kept page was filled from where it began, as the whole index's page is,
since WeasyPrint breaks lines greedily and fills columns until the content
ends. The page after the kept ones must begin cleanly at an element (an
entry, a letter, a locator after a comma); a page that begins inside a term
is not cut at, and a chunk with no clean cut is laid out again with a larger
budget (at worst, the rest of the index in one layout, as before).

A continued element (the letter, entry and locator list a chunk starts
inside) is opened again without its id and with the class `index-continued`:
no heading, no en space before the locators, no hanging first line, and no
`:nth(1 of piece)` page (print.css's opening page of a piece), but a named
page still (WeasyPrint keeps top margins at the top of a named page's
columns, and truncates them on an unnamed one). The element a
chunk starts at follows a hidden copy of its previous sibling, so that it
keeps the margin it has at the top of a page of the whole index (WeasyPrint
70 keeps an element's top margin at the top of a column).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

# what the index of print.html.jinja is made of
INDEX_COLUMNS = "index-columns"
LOCATOR = "index-locator"
CONTINUED = "index-continued"
# ids this module gives the index's elements to find their pages; not in the PDF
TEMPORARY_ID = "ix-"
CONTINUED_RULES = (f".{CONTINUED} {{ text-indent: 0; }}\n"
                   f".index-locators.{CONTINUED}::before {{ content: none; }}\n"
                   f".book-index.{CONTINUED} {{ page: {CONTINUED}; }}\n")
BLOCKS = {"li", "ul", "ol", "section", "div", "h2", "h3", "p", "dl", "dt", "dd"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
ID = re.compile(r'\sid="[^"]*"')
CLASS = re.compile(r'(\sclass=")([^"]*)(")')


@dataclass
class Element:
    tag: str
    classes: list[str]
    start: int  # where its start tag begins
    start_tag: str
    id: str
    parent: Element | None
    end: int = -1  # after its end tag
    children: list[Element] = field(default_factory=list)


class _Elements(HTMLParser):
    """The elements of a fragment of the print HTML, with their offsets."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self.stack: list[Element] = []
        self.found: list[Element] = []

    def position(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> Element:
        values = dict(attrs)
        start_tag = self.get_starttag_text() or ""
        parent = self.stack[-1] if self.stack else None
        element = Element(tag, (values.get("class") or "").split(), self.position(), start_tag,
                          values.get("id") or "", parent)
        if parent is not None:
            parent.children.append(element)
        self.found.append(element)
        return element

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = self._element(tag, attrs)
        if tag in VOID:
            element.end = element.start + len(element.start_tag)
        else:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = self._element(tag, attrs)
        element.end = element.start + len(element.start_tag)

    def handle_endtag(self, tag: str) -> None:
        end = self.text.find(">", self.position()) + 1
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth].tag == tag:
                # an element left open inside (HTML allows `<li>` so) ends here too
                for element in self.stack[depth:]:
                    element.end = end
                del self.stack[depth:]
                return


@dataclass
class Index:
    """The index section of a print document, its elements numbered."""

    html: str  # the section, every element given an id
    elements: list[Element]  # in document order
    columns: Element

    def number(self, element_id: str) -> int:
        """The number of the element with this id (where a chunk resumes)."""
        return next(number for number, element in enumerate(self.elements)
                    if element.id == element_id)


def numbered_index(section: str) -> Index | None:
    """The index section with an id on each element that has none, parsed; None for a
    section that is not the print template's index (no `index-columns`)."""
    counter = iter(range(1 << 62))

    def with_id(match: re.Match[str]) -> str:
        tag = match.group(0)
        if ID.search(tag) or match.group(1).lower() in VOID:
            return tag
        return f'{tag[:match.end(1) - match.start()]} id="{TEMPORARY_ID}{next(counter)}"' \
               f'{tag[match.end(1) - match.start():]}'

    html = re.sub(r"<([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>", with_id, section)
    parser = _Elements(html)
    parser.feed(html)
    parser.close()
    columns = next((element for element in parser.found if INDEX_COLUMNS in element.classes),
                   None)
    if columns is None or columns.end < 0 or not parser.found or parser.found[0].end < 0:
        return None
    return Index(html, parser.found, columns)


def _continued_tag(element: Element) -> str:
    # its own id goes (one element, one id in the book); ours stays, to be found
    tag = element.start_tag
    if not element.id.startswith(TEMPORARY_ID):
        tag = ID.sub("", tag)
    if CLASS.search(tag):
        return CLASS.sub(lambda match: f"{match.group(1)}{match.group(2)} {CONTINUED}"
                         f"{match.group(3)}", tag, count=1)
    return tag.replace(f"<{element.tag}", f'<{element.tag} class="{CONTINUED}"', 1)


def _hidden(element: Element) -> str:
    tag = ID.sub("", element.start_tag)
    tag = tag[:-2] + " hidden/>" if tag.endswith("/>") else tag[:-1] + " hidden>"
    return tag if element.tag in VOID else f"{tag}</{element.tag}>"


@dataclass
class Chunk:
    html: str  # the index section's markup for this chunk
    final: bool  # it runs to the end of the index: all its pages kept


def chunk(index: Index, resume: int, budget: int) -> Chunk:
    """The chunk resuming at element number `resume` (0: the index's start) with at
    least `budget` locators, up to the end of the entry holding the last."""
    opening = ""
    if resume == 0:
        start = 0
    else:
        element = index.elements[resume]
        start = element.start
        ancestors = []
        above = element.parent
        while above is not None:
            ancestors.append(above)
            above = above.parent
        opening = "".join(_continued_tag(above) for above in reversed(ancestors))
        if element.parent is not None and element.parent.children[0] is not element:
            # the element it follows, hidden: the selectors that see it (`li + li`,
            # `:first-child`) match as they do in the whole index, and give
            # it the same margins at the top of the page
            before = element.parent.children[element.parent.children.index(element) - 1]
            opening += _hidden(before)
    locators = [element for element in index.elements
                if LOCATOR in element.classes and element.start >= start]
    columns_end = index.columns.end - len(f"</{index.columns.tag}>")
    if len(locators) <= budget:
        return Chunk(opening + index.html[start:], final=True)
    last = locators[budget - 1]
    # the end of the outermost list item holding it: a whole entry
    stop: Element = last
    above = last.parent
    while above is not None and above is not index.columns:
        if above.tag == "li":
            stop = above
        above = above.parent
    cut_at = min(stop.end, columns_end)
    still_open = [element for element in index.elements
                  if element.start < cut_at < element.end]
    still_open.sort(key=lambda element: element.start, reverse=True)
    closing = "".join(f"</{element.tag}>" for element in still_open)
    return Chunk(opening + index.html[start:cut_at] + closing, final=False)


def elements_of(html: str) -> list[Element]:
    """The elements of a chunk's document, in order."""
    parser = _Elements(html)
    parser.feed(html)
    parser.close()
    return parser.found


def clean_cut(elements: list[Element], page_of: dict[str, int],
              pages: int) -> tuple[int, str] | None:
    """(pages to keep, the id of the element the next chunk resumes at) for a chunk
    laid out on `pages` pages (`page_of`: the page of each element's id); None when
    no page before its last begins cleanly."""
    numbered = [element for element in elements
                if element.id.startswith(TEMPORARY_ID) and element.id in page_of]
    keep = pages - 1
    keep -= keep % 2
    while keep >= 2:
        after = next((element for element in numbered if page_of[element.id] > keep), None)
        if after is None:
            return None
        if _begins_cleanly(after, page_of, keep):
            return keep, after.id
        keep -= 2
    return None


def _begins_cleanly(element: Element, page_of: dict[str, int], keep: int) -> bool:
    """Whether a page that begins with `element` (the first with an id on it) begins
    at it, not inside text before it."""
    if element.tag in BLOCKS:
        # a block starts a line; the text of an entry before it ends in an
        # element (its locators), which would have been first on the page
        return True
    if LOCATOR in element.classes and element.parent is not None:
        siblings = element.parent.children
        position = siblings.index(element)
        if position > 0:
            # after a comma: the line broke between two locators
            return LOCATOR in siblings[position - 1].classes
        # the first locator, its list begun on the page before: only its en space there
        return page_of.get(element.parent.id, keep + 1) <= keep
    return False
