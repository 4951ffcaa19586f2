"""Glossary definitions in place: a link to a term carries its definition.

A reader who meets "core economy" in an essay can hover over (or tab to) the
link and read the definition without leaving the page. The definition goes
into the link's `title` attribute, which browsers show on hover and screen
readers announce; the stylesheet shows the same text on keyboard focus.

Definitions are collected from every glossary when a page is read, and put on
the links after Sphinx has resolved them (so automatic and written `{term}`
links alike get one).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes

from essaykit.sphinx_ext.state import book_state

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

LONGEST_TIP = 220  # characters: a tooltip, not the whole entry
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def definitions(env: BuildEnvironment) -> dict[str, dict[str, str]]:
    """docname -> term id -> the definition's first sentence."""
    return book_state(env).term_tips


def first_sentence(text: str) -> str:
    text = " ".join(text.split())
    sentence = SENTENCE_END.split(text, maxsplit=1)[0]
    if len(sentence) > LONGEST_TIP:
        sentence = sentence[: LONGEST_TIP - 1].rsplit(" ", 1)[0] + "…"
    return sentence


def collect(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    found: dict[str, str] = {}
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            definition = next(iter(item.findall(nodes.definition)), None)
            if definition is None:
                continue
            tip = first_sentence(definition.astext())
            for term in item.findall(nodes.term):
                for term_id in term["ids"]:
                    found[term_id] = tip
    tips = definitions(env)
    if found:
        tips[env.docname] = found
    else:
        tips.pop(env.docname, None)


def add_definitions_to_term_links(app: Sphinx, doctree: nodes.document, here: str) -> None:
    """Once Sphinx has resolved the page's links, each link to a term gets its definition."""
    tips = definitions(app.env)
    if not tips:
        return
    builder = app.builder
    by_uri: dict[str, str] = {}
    for docname, terms in tips.items():
        try:
            page = "" if docname == here else builder.get_relative_uri(here, docname)
        except Exception:  # a builder without pages of its own (none of ours)
            continue
        for term_id, tip in terms.items():
            by_uri[f"{page}#{term_id}"] = tip
    for reference in doctree.findall(nodes.reference):
        if not reference.get("internal") or "reftitle" in reference:
            continue
        target = reference.get("refuri") or (
            "#" + reference["refid"] if reference.get("refid") else "")
        definition = by_uri.get(target)
        if definition:
            reference["reftitle"] = definition
            reference["classes"].append("essaykit-term")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-read", collect)
    app.connect("doctree-resolved", add_definitions_to_term_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
