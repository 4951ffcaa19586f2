"""The sidebar's table of contents, rendered once per folder instead of once per page.

sphinx-book-theme renders the whole book's toctree into the sidebar of every
page, and pydata-sphinx-theme renders the sidebar twice per page (once to see
whether it is empty): O(pages²) work that profiling showed to be the largest
cost of a 100-essay build. Every page in one folder gets the same sidebar but
for which entry is marked current, so we render it once per folder, unmark the
page it was rendered for, and mark each page's own entry as we serve it.

Pages with toctrees of their own (the front page) keep the theme's rendering,
and so does any page whose entry cannot be found (search, index): correctness
over speed. Their rendering is kept for that page alone.
`tests/test_navcache.py` compares every page with the uncached build.

The rendered sidebars are also kept between builds (beside Sphinx's doctrees),
under a fingerprint of everything they show: every page's title, the toctree
structure, the front page's toctrees (with their captions), the
theme's options and essaykit's own version. After an edit that changes none of
these, the next build reuses them: at 500 essays rendering them took 2.6 s of
the 8.5 s edit loop.
"""

from __future__ import annotations

import hashlib
import pickle
import posixpath
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from essaykit.core.cachekey import stack_key
from essaykit.sphinx_ext.state import book_state

if TYPE_CHECKING:
    from sphinx.application import Sphinx

CURRENT = '<li class="toctree-l1 current active"><a class="current reference internal" href="#">'
PLAIN = '<li class="toctree-l1"><a class="reference internal" href="{href}">'
# the list (one per part) holding the current page is marked too
CURRENT_LIST = '<ul class="current nav bd-sidenav">'
PLAIN_LIST = '<ul class="nav bd-sidenav">'


def _unmark(html: str, href: str) -> str | None:
    """The sidebar as no page would see it, or None if it is not the expected shape."""
    if html.count(CURRENT) != 1 or html.count(CURRENT_LIST) != 1:
        return None
    entry, group = html.index(CURRENT), html.index(CURRENT_LIST)
    if html.rfind(PLAIN_LIST, 0, entry) > group:
        return None
    return html.replace(CURRENT, PLAIN.format(href=href)).replace(CURRENT_LIST, PLAIN_LIST)


def _mark(template: str, href: str) -> str | None:
    mine = PLAIN.format(href=href)
    if template.count(mine) != 1:
        return None
    entry = template.index(mine)
    group = template.rfind(PLAIN_LIST, 0, entry)
    if group < 0:
        return None
    return (template[:group] + CURRENT_LIST + template[group + len(PLAIN_LIST):entry]
            + CURRENT + template[entry + len(mine):])


STORE = "essaykit-sidebar.pickle"
STORE_VERSION = 1


def reset_cache(app: Sphinx) -> None:
    state = book_state(app.env)
    state.nav_cache, state.nav_fingerprint = {}, None


def fingerprint(app: Sphinx) -> str:
    """A digest of everything the sidebar shows, taken once the book has been read."""
    from essaykit.sphinx_ext.freshness import book_toctree

    env = app.env
    digest = hashlib.sha256()
    digest.update(repr((STORE_VERSION, app.builder.name, stack_key(),
                        sorted(app.config.html_theme_options.items()),
                        book_toctree(env))).encode())
    for name in sorted(env.titles):
        digest.update(f"{name}\0{env.titles[name].astext()}\n".encode())
    for name in sorted(env.toctree_includes):
        digest.update(f"{name}\0{env.toctree_includes[name]!r}\n".encode())
    return digest.hexdigest()


def _load_store(app: Sphinx) -> None:
    """Reuse the last build's sidebars if nothing they show has changed."""
    current = fingerprint(app)
    book_state(app.env).nav_fingerprint = current
    try:
        with open(Path(app.doctreedir) / STORE, "rb") as stored:
            saved = pickle.load(stored)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return
    if isinstance(saved, dict) and saved.get("fingerprint") == current:
        book_state(app.env).nav_cache.update(saved.get("sidebars", {}))


def save_store(app: Sphinx, exception: Exception | None) -> None:
    state = book_state(app.env)
    cache, known = state.nav_cache, state.nav_fingerprint
    store = Path(app.doctreedir) / STORE
    if exception is not None or not known:
        store.unlink(missing_ok=True)
        return
    if cache:
        temporary = store.with_suffix(".tmp")
        temporary.write_bytes(pickle.dumps({"fingerprint": known, "sidebars": cache}))
        temporary.replace(store)


def add_cached_nav(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                   doctree: Any) -> None:
    state = book_state(app.env)
    cache: dict[tuple[Any, ...], str | None] = state.nav_cache
    href = posixpath.basename(pagename) + app.builder.out_suffix  # type: ignore[attr-defined]
    own_children = bool(app.env.toctree_includes.get(pagename))

    def sidebar_nav(**kwargs: Any) -> str:
        render: Callable[..., Any] = context["generate_toctree_html"]
        if not app.config.essaykit_cache_sidebar:
            return str(render(**kwargs))
        if state.nav_fingerprint is None:
            _load_store(app)
        options = tuple(sorted(kwargs.items()))

        def this_page_only() -> str:
            # pages whose sidebar cannot be shared (the front page, or no entry of
            # their own) keep the theme's rendering, kept for this page alone
            key = ("page", pagename, options)
            if key not in cache:
                cache[key] = str(render(**kwargs))
            return cache[key] or ""

        if own_children:
            return this_page_only()
        key = (posixpath.dirname(pagename), options)
        if key not in cache:
            html = str(render(**kwargs))
            cache[key] = _unmark(html, href)
            if cache[key] is None:
                cache[("page", pagename, options)] = html
            return html
        template = cache[key]
        marked = _mark(template, href) if template is not None else None
        return marked if marked is not None else this_page_only()

    context["essaykit_sidebar_nav"] = sidebar_nav
