"""Titles of the book's essays set in italics where the text names them.

A `{doc}` link to another essay shows that essay's title; in running text a
title needs to be marked ("what *Slow, uncomfortable and political* calls a
constructive disruptor"), or the sentence reads as broken, above all in print,
where the link is not underlined, and in the taster, where it is plain text.
Every edition (web, print, EPUB) gets the emphasis from the resolved doctree.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from essaykit.sphinx_ext.state import book_of

TITLE_CLASS = "essaykit-work-title"


def essay_titles(app: Sphinx) -> set[str]:
    book = book_of(app.env)
    titles = set()
    for relative in book.essays:
        meta = book.essay_meta(relative)
        if meta is not None:
            titles.add(" ".join(meta.title.split()).casefold())
    return titles


def italicise_essay_titles(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    titles: set[str] | None = None
    for inline in list(doctree.findall(nodes.inline)):
        classes = inline.get("classes", ())
        if not {"doc", "std-doc"} & set(classes) or inline.next_node(nodes.emphasis):
            continue
        if titles is None:
            titles = essay_titles(app)
        if " ".join(inline.astext().split()).casefold() not in titles:
            continue
        emphasis = nodes.emphasis("", "", *inline.children, classes=[TITLE_CLASS])
        inline.children = []
        inline += emphasis


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("doctree-resolved", italicise_essay_titles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
