"""The sidebar's table of contents, rendered once per folder instead of once per page.

sphinx-book-theme renders the whole book's toctree into the sidebar of every
page, and pydata-sphinx-theme renders the sidebar twice per page (once to see
whether it is empty): O(pages²) work that profiling showed to be the largest
cost of a 100-essay build. Every page in one folder gets the same sidebar but
for which entry is marked current, so we render it once per folder, unmark the
page it was rendered for, and mark each page's own entry as we serve it.

Pages with toctrees of their own (the front page) keep the theme's rendering,
and so does any page whose entry cannot be found: correctness over speed.
`tests/test_navcache.py` compares every page with the uncached build.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

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


def reset_cache(app: Sphinx) -> None:
    app.essaykit_nav_cache = {}  # type: ignore[attr-defined]


def add_cached_nav(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                   doctree: Any) -> None:
    cache: dict[tuple[Any, ...], str | None] = getattr(app, "essaykit_nav_cache", {})
    href = posixpath.basename(pagename) + app.builder.out_suffix  # type: ignore[attr-defined]
    own_children = bool(app.env.toctree_includes.get(pagename))

    def sidebar_nav(**kwargs: Any) -> str:
        render: Callable[..., Any] = context["generate_toctree_html"]
        if not app.config.essaykit_cache_sidebar or own_children:
            return str(render(**kwargs))
        key = (posixpath.dirname(pagename), tuple(sorted(kwargs.items())))
        if key not in cache:
            html = str(render(**kwargs))
            cache[key] = _unmark(html, href)
            return html
        template = cache[key]
        marked = _mark(template, href) if template is not None else None
        return marked if marked is not None else str(render(**kwargs))

    context["essaykit_sidebar_nav"] = sidebar_nav
