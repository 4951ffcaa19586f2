"""Rewrite every page when something every page shows has changed.

Every page's sidebar lists every page of the book by title, with the parts'
captions from book.yml. Sphinx rewrites only the pages it re-read (and the
pages whose toctree holds a changed page), so after an essay's title changes
the other pages would keep the old title in their sidebars. When a title
changes, a page is added or removed, the front page's toctrees (the
book's table of contents) change, or a glossary definition changes (every link to a
term carries its definition, see termtips.py), every page is written again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sphinx import addnodes

from essaykit.sphinx_ext import termtips
from essaykit.sphinx_ext.state import book_state

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def remember_titles(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                    removed: set[str]) -> list[str]:
    """Before reading: what every page's sidebar shows now."""
    state = book_state(env)
    state.before_reading = {
        "titles": {name: title.astext() for name, title in env.titles.items()},
        "structure_changed": bool(added or removed),
        "tips": {name: dict(terms) for name, terms in termtips.definitions(env).items()},
        "book_toctree": book_toctree(env),
    }
    state.read.clear()
    return []


def book_toctree(env: BuildEnvironment) -> list[tuple[Any, ...]] | None:
    """The front page's toctrees as every page's sidebar reads them.

    From the environment's table of contents of the front page, which keeps a
    copy of each of its toctrees (reading the page's pickled doctree instead
    took a tenth of a second at 500 essays). None when the front page has no
    entry there (not read yet, or being re-read): then it counts as changed.
    """
    toc = env.tocs.get(env.config.root_doc)
    if toc is None:
        return None
    return [tuple((name, repr(toctree.get(name))) for name in TOCTREE_FIELDS)
            for toctree in toc.findall(addnodes.toctree)]


TOCTREE_FIELDS = ("entries", "includefiles", "caption", "maxdepth", "hidden", "numbered",
                  "titlesonly", "includehidden", "glob", "parent")


def note_reread(app: Sphinx, docname: str, source: list[str]) -> None:
    # in the reading process: under -j, merged back by BookState.merge_domaindata
    book_state(app.env).read.add(docname)


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """After reading: every page, if the sidebar every page shows has changed."""
    state = book_state(env)
    before: dict[str, str] = state.before_reading.get("titles", {})
    if not before:
        return []  # a first build writes every page anyway
    after = {name: title.astext() for name, title in env.titles.items()}
    changed = (state.before_reading.get("structure_changed", False) or before != after
               or (app.config.root_doc in state.read and _toctree_changed(app, env))
               or state.before_reading.get("tips", {}) != termtips.definitions(env))
    return sorted(env.all_docs) if changed else []


def _toctree_changed(app: Sphinx, env: BuildEnvironment) -> bool:
    before = book_state(env).before_reading.get("book_toctree")
    return before is None or before != book_toctree(env)
