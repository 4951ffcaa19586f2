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
