"""Drafts stay out of the published book; `--drafts` shows them, marked, to the editors.

An essay made with `essaykit new` says `status: draft` until its writer
submits it. Unless `essaykit_drafts` is on (`essaykit build --drafts`), such
essays are taken out of the book's order and out of Sphinx's reading, so no
edition (web, PDF, EPUB) has them, and the build names each one it held back.
With drafts on, each is read and carries a "Draft" notice at its head.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from essaykit.core.book import Book
from essaykit.sphinx_ext.state import book_of

logger = logging.getLogger(__name__)
DRAFT_CLASS = "essaykit-draft"
NOTICE = "Draft: this essay is not part of the published book."


def held_back(book: Book, config: Config) -> tuple[str, ...]:
    """The drafts this build leaves out (none when drafts are shown), said once."""
    held = () if config.essaykit_drafts else book.drafts()
    if held:
        logger.info("essaykit: held back %d draft(s) (status: draft): %s; "
                    "build with --drafts to preview them", len(held), ", ".join(held))
    return held


def mark_draft(app: Sphinx, doctree: nodes.document) -> None:
    """With drafts shown, a draft's page says so at its head."""
    if not app.config.essaykit_drafts:
        return
    book = book_of(app.env)
    relative = f"{app.env.docname}.md"
    meta = book.essay_meta(relative) if book.is_essay(relative) else None
    if meta is None or meta.status != "draft" or not meta.status_declared:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    notice = nodes.container(classes=[DRAFT_CLASS])
    notice += nodes.paragraph(text=NOTICE)
    title = next(iter(section.findall(nodes.title)), None)
    section.insert(section.index(title) + 1 if title is not None else 0, notice)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("essaykit_drafts", False, "env", types=[bool])
    app.connect("doctree-read", mark_draft, priority=450)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
