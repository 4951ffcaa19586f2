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

from . import termtips

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def remember_titles(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                    removed: set[str]) -> list[str]:
    """Before reading: what every page's sidebar shows now."""
    app.essaykit_titles_before = {  # type: ignore[attr-defined]
        name: title.astext() for name, title in env.titles.items()}
    app.essaykit_structure_changed = bool(added or removed)  # type: ignore[attr-defined]
    app.essaykit_tips_before = {  # type: ignore[attr-defined]
        name: dict(terms) for name, terms in termtips.definitions(env).items()}
    app.essaykit_reread = set()  # type: ignore[attr-defined]
    app.essaykit_book_toctree_before = book_toctree(env)  # type: ignore[attr-defined]
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
    reread: set[str] = getattr(app, "essaykit_reread", set())
    reread.add(docname)


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """After reading: every page, if the sidebar every page shows has changed."""
    before: dict[str, str] = getattr(app, "essaykit_titles_before", {})
    if not before:
        return []  # a first build writes every page anyway
    after = {name: title.astext() for name, title in env.titles.items()}
    changed = (getattr(app, "essaykit_structure_changed", False) or before != after
               or (app.config.root_doc in getattr(app, "essaykit_reread", set())
                   and _toctree_changed(app, env))
               or getattr(app, "essaykit_tips_before", {}) != termtips.definitions(env))
    return sorted(env.all_docs) if changed else []


def _toctree_changed(app: Sphinx, env: BuildEnvironment) -> bool:
    before = getattr(app, "essaykit_book_toctree_before", None)
    return before is None or before != book_toctree(env)
