"""Doctree changes the print edition needs and the web edition does not.

Each page is rendered separately, so its ids are namespaced by page to stay
unique in the one HTML file WeasyPrint reads; footnotes move to the place
they are called from so that CSS `float: footnote` can set them at the foot of
the page; web-only furniture ("cite this essay") is dropped.
"""

from __future__ import annotations

import re

from docutils import nodes

from essaykit.core.book import docname as docname_of

PRINT_FOOTNOTE = "print-footnote"


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
        reference.replace_self(note)
    for footnote in list(doctree.findall(nodes.footnote)):
        footnote.parent.remove(footnote)
    # MyST wraps the footnotes in a transition/rubric at the end; drop what is now empty
    for transition in list(doctree.findall(nodes.transition)):
        if transition.parent is not None and transition is transition.parent.children[-1]:
            transition.parent.remove(transition)


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


def keep_words_whole(doctree: nodes.Node) -> None:
    """Mark what must not be hyphenated at a line end: capitalised words (names of
    people, places, organisations) and printed URLs, which may break only after a
    slash or before a dot, with no hyphen added."""
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
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or any(isinstance(a, UNTOUCHED) or URL_PART_CLASS in a.get("classes", ())
                                 for a in _ancestors(parent)):
            continue
        if NAME_CLASS in parent.get("classes", ()) or not CAPITALISED.search(text):
            continue
        pieces: list[nodes.Node] = []
        position = 0
        for match in CAPITALISED.finditer(text):
            if match.start() > position:
                pieces.append(nodes.Text(text[position:match.start()]))
            pieces.append(nodes.inline(match.group(), match.group(), classes=[NAME_CLASS]))
            position = match.end()
        if position < len(text):
            pieces.append(nodes.Text(text[position:]))
        index = parent.index(text)
        parent[index:index + 1] = pieces


def _ancestors(node: nodes.Element | None) -> list[nodes.Element]:
    found = []
    while node is not None:
        found.append(node)
        node = node.parent
    return found
