"""An incremental build's search index, made the same as a clean build's.

Sphinx saves its environment after reading and before writing. The part of
the search index taken from the book's index (glossary terms, `{index}`
entries) is gathered while pages are written, so it never reaches the saved
environment, and the next incremental build's searchindex.js listed only the
entries of the pages it rewrote: after one essay's body changed, the search
box no longer found the glossary's terms (sphinx-doc/sphinx#12599, open
upstream). Saving the whole environment again after writing is not the
answer: it would also keep what Sphinx caches while writing (the front page's
doctree, with the parts' old captions). So only those entries are kept, in a
file of essaykit's own beside the environment, and given back before the
next build writes; Sphinx then replaces the entries of every page it writes.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any

from essaykit import compat

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

SEARCHED_BUILDERS = frozenset({"html", "dirhtml"})
KEPT = "essaykit-search-entries.pickle"


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("write-started", give_back_entries)
    app.connect("build-finished", keep_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def kept_file(app: Sphinx) -> Path:
    return Path(app.doctreedir) / KEPT


def give_back_entries(app: Sphinx, builder: Builder) -> None:
    """Before writing: each page's entries as the last build wrote them, for the
    pages that still exist; the pages written now replace their own."""
    if builder.name not in SEARCHED_BUILDERS:
        return
    try:
        with open(kept_file(app), "rb") as handle:
            kept = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
            IndexError, TypeError, ValueError):
        return  # none yet, or unreadable: the pages written now are indexed as before
    if not isinstance(kept, dict):
        return
    entries = compat.search_index_entries(app.env)
    pages = app.env.found_docs
    for docname, listed in kept.items():
        if docname in pages and docname not in entries:
            entries[docname] = listed


def keep_entries(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.name not in SEARCHED_BUILDERS:
        return
    target = kept_file(app)
    partial = target.with_name(target.name + ".partial")
    try:
        with open(partial, "wb") as handle:
            pickle.dump(dict(compat.search_index_entries(app.env)), handle,
                        pickle.HIGHEST_PROTOCOL)
        os.replace(partial, target)
    except OSError:
        pass  # the next incremental build's search index lacks some entries, as before
