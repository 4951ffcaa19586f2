"""Doctree changes the print edition needs and the web edition does not.

Each page is rendered separately, so its ids are namespaced by page to stay
unique in the one HTML file WeasyPrint reads; footnotes move to the place
they are called from so that CSS `float: footnote` can set them at the foot of
the page; web-only furniture ("cite this essay") is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from docutils import nodes

from essaykit.core.book import docname as docname_of

PRINT_FOOTNOTE = "print-footnote"
# ids the typesetter reads back from the laid-out pages (print/pdf.py,
# keep_notes_with_calls): where each note is called, and where each paragraph starts
CALL_PREFIX = "call-"
PARAGRAPH_PREFIX = "para-"


def page_id(docname: str) -> str:
    return "p-" + re.sub(r"[^A-Za-z0-9]+", "-", docname).strip("-")


def inline_footnotes(doctree: nodes.Node) -> None:
    footnotes = {
        footnote_id: footnote
        for footnote in doctree.findall(nodes.footnote)
        for footnote_id in footnote["ids"]
    }
    for reference in list(doctree.findall(nodes.footnote_reference)):
        footnote = footnotes.get(reference.get("refid", ""))
        if footnote is None:
            continue
        note = nodes.inline(classes=[PRINT_FOOTNOTE])
        paragraphs = [child for child in footnote.children if not isinstance(child, nodes.label)]
        for index, paragraph in enumerate(paragraphs):
            if index:
                note += nodes.Text(" ")
            children = paragraph.children if isinstance(paragraph, nodes.paragraph) else [paragraph]
            for child in children:
                note += child.deepcopy()
        # soft line breaks from the source end lines early in a WeasyPrint footnote
        for text in list(note.findall(nodes.Text)):
            if "\n" in text:
                text.parent.replace(text, nodes.Text(text.replace("\n", " ")))
        # the call's place, as an anchor (the note's own id is where it is printed)
        note["ids"] = list(reference["ids"])
        parent = reference.parent
        position = _position(parent, reference)
        if position is None:
            continue
        if note["ids"]:
            call = nodes.inline("", "", ids=[CALL_PREFIX + note["ids"][0]],
                                classes=["print-call"])
            parent[position:position + 1] = [call, note]
        else:
            parent[position] = note
    for footnote in list(doctree.findall(nodes.footnote)):
        footnote.parent.remove(footnote)
    # MyST wraps the footnotes in a transition/rubric at the end; drop what is now empty
    for transition in list(doctree.findall(nodes.transition)):
        if transition.parent is not None and transition is transition.parent.children[-1]:
            transition.parent.remove(transition)


def call_id(note_id: str) -> str:
    """The id of a note's call, from the note's id as the print HTML has it
    ("p-essays-x--id20" is called at "p-essays-x--call-id20")."""
    page, separator, own = note_id.rpartition("--")
    return f"{page}{separator}{CALL_PREFIX}{own}"


def mark_paragraphs(doctree: nodes.Node) -> None:
    """An id for every paragraph of running text that has none, so that the
    typesetter can tell on which page each one starts (print/pdf.py)."""
    for number, paragraph in enumerate(doctree.findall(nodes.paragraph)):
        if not paragraph["ids"]:
            paragraph["ids"] = [f"{PARAGRAPH_PREFIX}{number}"]


def attach_inline_targets(doctree: nodes.Node) -> None:
    """Give an empty inline target's ids to what follows it, and drop the target.

    An index entry's target (`{index}`, a cited author) is an empty span in the
    running text; WeasyPrint breaks a justified line early before an empty
    inline box, leaving a word alone on a stretched line. The text it marks
    carries the id instead, so links and `target-counter()` still find it.
    """
    for target in list(doctree.findall(nodes.target)):
        parent = target.parent
        if (parent is None or target.children or not target.get("ids")
                or target.get("refuri") or target.get("refid")
                or not isinstance(parent, nodes.TextElement)):
            continue
        position = parent.index(target)
        following = parent[position + 1] if position + 1 < len(parent) else None
        if isinstance(following, nodes.Element) and not following["ids"]:
            following["ids"] = list(target["ids"])
        else:
            # an element with an id of its own would print a second id as another
            # empty span: its first text carries the target's instead
            text = following if isinstance(following, nodes.Text) else next(
                iter(following.findall(nodes.Text)), None) if following is not None else None
            holder = text.parent if text is not None else None
            index = _position(holder, text) if holder is not None else None
            if holder is None or index is None or not str(text).strip():
                continue
            holder[index] = nodes.inline(str(text), str(text), ids=list(target["ids"]))
        parent.remove(target)


BEFORE_INLINE_CLASS = "print-before-inline"


def separate_spaces_before_inline(doctree: nodes.Node) -> None:
    """Set the text before an inline element (a link, an italic title, a citation)
    apart from the space that follows it.

    WeasyPrint (70) breaks a justified line too early when an inline element
    that does not fit follows text begun on the line before: it cuts that text
    at its first break instead of before the element, leaving one word ("to",
    "roundtable") alone on a stretched line. With the text in its own span and
    the space a box of its own, the break before the element is found directly.
    """
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, UNTOUCHED) or \
                any(isinstance(a, UNTOUCHED) for a in _ancestors(parent)):
            continue
        position = _position(parent, text)
        if position is None:
            continue  # merged into the text before it
        following = parent[position + 1] if position + 1 < len(parent) else None
        if not isinstance(following, nodes.Inline) or not isinstance(following, nodes.Element):
            continue
        body = str(text).rstrip()
        space = str(text)[len(body):]
        # (the text may end in a Text node of its own, the space alone)
        before = parent[position - 1] if position else None
        if not body and space and isinstance(before, nodes.Text) and str(before).strip():
            position, body = position - 1, str(before)
            space = str(before)[len(body.rstrip()):] + space
            body = body.rstrip()
            parent[position:position + 2] = [nodes.Text(body + space)]
        if not body or not space:
            continue
        parent[position:position + 1] = [
            nodes.inline(body, body, classes=[BEFORE_INLINE_CLASS]),
            nodes.Text(space),
        ]


def drop_web_only(doctree: nodes.Node) -> None:
    for element in list(doctree.findall(nodes.Element)):
        if "essaykit-cite" in element.get("classes", ()):
            element.parent.remove(element)
    # "cited at (1, 2)" back-links: useful on screen, noise on paper
    for citation in doctree.findall(nodes.citation):
        citation["backrefs"] = []


def namespace_ids(doctree: nodes.Node, docname: str, included: set[str]) -> None:
    """Prefix every id with its page, and point links at the prefixed ids.

    Links to pages outside this edition (the taster printed alone) lose their
    link and keep their text.
    """
    prefix = page_id(docname) + "--"
    for element in doctree.findall(nodes.Element):
        if element.get("ids"):
            element["ids"] = [prefix + i for i in element["ids"]]
        if element.get("refid"):
            element["refid"] = prefix + element["refid"]
        if element.get("backrefs"):
            element["backrefs"] = [prefix + i for i in element["backrefs"]]
    for reference in list(doctree.findall(nodes.reference)):
        uri = reference.get("refuri", "")
        if not uri.startswith("#document-"):
            continue
        target_doc, _, anchor = uri[len("#document-"):].partition("#")
        if target_doc not in included:
            reference.replace_self(nodes.inline("", "", *reference.children))
            continue
        target = page_id(target_doc)
        reference["refuri"] = f"#{target}--{anchor}" if anchor else f"#{target}"


def included_docnames(pages: list[str]) -> set[str]:
    return {docname_of(page) for page in pages}


# ---- words kept whole: names, citations, URLs --------------------------------
NAME_CLASS = "print-name"  # a capitalised word: never hyphenated (print.css)
URL_PART_CLASS = "print-url-part"  # a piece of a URL between its break points
# a break opportunity that prints nothing
ZERO_WIDTH_SPACE = "\u200b"
# capitalised words long enough to be hyphenated (five letters or more), with their
# inner apostrophes and hyphens; a run of them ("Cabinet Office") is one span
WORD = r"[A-Z\u00c0-\u00de][\w\u2019'-]{3,}[^\W\d_]"
CAPITALISED = re.compile(rf"(?<![\w\u2019'-]){WORD}(?: {WORD})*")
# inside these, text is set as it is (code), or already unhyphenated (headings)
UNTOUCHED = (nodes.literal, nodes.literal_block, nodes.title, nodes.raw)


def url_parts(url: str) -> list[str]:
    """A URL cut after each slash and before each dot: the only places it may break."""
    return [part for part in re.split(r"(?<=/)(?!/)|(?=\.)", url) if part]


def keep_words_whole(doctree: nodes.Node, names: Collection[str] = frozenset()) -> None:
    """Mark what must not be hyphenated at a line end: names of people, places and
    organisations, and printed URLs, which may break only after a slash or before a
    dot, with no hyphen added.

    A name is a capitalised word that does not begin a sentence, a run of
    capitalised words ("Cabinet Office"), or a word of a name the book knows
    (`names`: its authors, editors, cited authors, glossary terms), wherever it
    is. A long ordinary word that begins a sentence ("Nevertheless") may
    hyphenate like any other.
    """
    for reference in list(doctree.findall(nodes.reference)):
        text = reference.astext()
        uri = reference.get("refuri", "")
        if text and "\n" not in text and (text == uri or uri.endswith("/" + text)
                                           or text.startswith(("http://", "https://"))):
            reference.children = []
            for index, part in enumerate(url_parts(text)):
                if index:
                    reference += nodes.Text(ZERO_WIDTH_SPACE)
                reference += nodes.inline(part, part, classes=[URL_PART_CLASS])
    known = {name.lower() for name in names}
    for block in list(doctree.findall(nodes.TextElement)):
        if isinstance(block, nodes.Inline) or any(
                isinstance(child, nodes.TextElement) and not isinstance(child, nodes.Inline)
                for child in block.children):
            continue  # a block of blocks: its paragraphs are visited themselves
        before = ""  # the block's text so far: does a word begin a sentence?
        for text in list(block.findall(nodes.Text)):
            parent = text.parent
            if parent is None or any(isinstance(a, UNTOUCHED)
                                     or URL_PART_CLASS in a.get("classes", ())
                                     for a in _ancestors(parent)):
                before += str(text)
                continue
            if NAME_CLASS in parent.get("classes", ()) or not CAPITALISED.search(text):
                before += str(text)
                continue
            pieces: list[nodes.Node] = []
            position = 0
            for match in CAPITALISED.finditer(text):
                words = match.group().split(" ")
                preceding = before + text[:match.start()]
                if (len(words) < 2 and begins_sentence(preceding)
                        and _possessive(words[0]).lower() not in known):
                    continue
                if match.start() > position:
                    pieces.append(nodes.Text(text[position:match.start()]))
                pieces.append(nodes.inline(match.group(), match.group(), classes=[NAME_CLASS]))
                position = match.end()
            before += str(text)
            if not pieces:
                continue
            if position < len(text):
                pieces.append(nodes.Text(text[position:]))
            place = _position(parent, text)
            if place is not None:
                parent[place:place + 1] = pieces


# what may stand between a sentence's end and its first word: space, opening quotes
SENTENCE_END = re.compile(r"(?:^|[.!?:;\u2026])[\s\"\u201c\u2018'(\[*_\u2014-]*$")


def begins_sentence(preceding: str) -> bool:
    """Whether a word after `preceding` (the block's text before it) begins a sentence."""
    return bool(SENTENCE_END.search(preceding[-40:]))


def _possessive(word: str) -> str:
    """"Knowsley\u2019s" as "Knowsley"."""
    return re.sub(r"[\u2019']s$", "", word)


def known_names(people: Iterable[str]) -> frozenset[str]:
    """The capitalised words of names the book knows, long enough to be hyphenated."""
    return frozenset(word for name in people for word in re.findall(WORD, name))


def _position(parent: nodes.Element, child: nodes.Node) -> int | None:
    """The child's place, by identity: a Text node equals any other with its text
    (docutils' `index` would find the first "\n" of the paragraph)."""
    return next((i for i, other in enumerate(parent.children) if other is child), None)


def _ancestors(node: nodes.Element | None) -> list[nodes.Element]:
    found = []
    while node is not None:
        found.append(node)
        node = node.parent
    return found
