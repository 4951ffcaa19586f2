"""What search engines and link previews read: descriptions, Open Graph tags, the sitemap.

sphinxext-opengraph writes the Open Graph tags and sphinx-sitemap the
sitemap; this module feeds them. Each page's description is its front
matter's `abstract` (validated by `essaykit.frontmatter`, never the page's raw
text), or book.yml's `description`. Both extensions need the address the book
is published at (book.yml `url:`, or `essaykit build --site-url`); without
one there is no sitemap (relative URLs are not allowed in one) and no og:url.
"""

from __future__ import annotations

import contextlib
import fnmatch
import html
import io
import queue
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..book import Book, docname

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

SOCIAL_CARDS = "sphinxext.opengraph._social_cards"
# where a page's abstract waits, in Sphinx's per-page metadata, between reading and writing
DESCRIPTION = "essaykit_description"
OG_URL = re.compile(r'<meta property="og:url" content="[^"]*" />\n?')


def setup(app: Sphinx) -> None:
    # sphinxext-opengraph imports matplotlib (a second of start-up, on every build)
    # for its social cards, which we do not draw: a None in sys.modules makes that
    # import fail as if matplotlib were missing. It then prints a note; keep it
    # out of the build's output.
    if "sphinxext.opengraph" not in sys.modules:
        sys.modules.setdefault(SOCIAL_CARDS, None)  # type: ignore[arg-type]
    with contextlib.redirect_stdout(io.StringIO()):
        app.setup_extension("sphinxext.opengraph")
    if sys.modules.get(SOCIAL_CARDS, "") is None:
        del sys.modules[SOCIAL_CARDS]
    app.setup_extension("sphinx_sitemap")
    _start_sitemap_without_manager(app)
    app.connect("doctree-read", remember_description, priority=600)
    # before sphinxext-opengraph (500), which reads what describe_page leaves
    app.connect("html-page-context", describe_page, priority=400)
    app.connect("html-page-context", drop_relative_og_url, priority=600)
    app.connect("builder-inited", forget_old_sitemap)
    # before sphinx-sitemap writes the file (500)
    app.connect("build-finished", list_every_page, priority=400)


def _start_sitemap_without_manager(app: Sphinx) -> None:
    """sphinx-sitemap starts a multiprocessing Manager (a server process) in every
    build to collect page links across parallel writers. `essaykit build` ends
    with os._exit, which leaves that process running for ever, holding the
    caller's stdout open; and `list_every_page` below lists the pages from the
    environment anyway. Its builder-inited handler is swapped for one with a
    plain queue."""
    import sphinx_sitemap

    for listener in list(app.events.listeners.get("builder-inited", [])):
        if listener.handler is sphinx_sitemap.record_builder_type:
            app.disconnect(listener.id)
    app.connect("builder-inited", _record_builder_type)


def _record_builder_type(app: Sphinx) -> None:
    # what sphinx_sitemap.record_builder_type sets, minus the Manager
    app.builder.env.is_directory_builder = (  # type: ignore[attr-defined]
        type(app.builder).__name__ == "DirectoryHTMLBuilder")
    app.sitemap_links = queue.Queue()  # type: ignore[attr-defined]


def _book(app: Sphinx) -> Book:
    return app.essaykit_book  # type: ignore[attr-defined, no-any-return]


def remember_description(app: Sphinx, doctree: nodes.document) -> None:
    book = _book(app)
    docname = app.env.docname
    page = f"{docname}.md"
    if page not in book.pages:
        return
    meta, _ = book.read_meta(page)
    if meta is not None and meta.abstract:
        app.env.metadata[docname][DESCRIPTION] = meta.abstract


def describe_page(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: nodes.document | None) -> None:
    """The page's <meta name="description">, og:description and og:type."""
    if doctree is None or app.builder.name == "epub":
        return
    book = _book(app)
    stored = app.env.metadata.get(pagename, {})
    description = short_description(str(stored.get(DESCRIPTION) or book.description),
                                    app.config.ogp_description_length)
    # sphinxext-opengraph takes og: overrides from the page's metadata; a page's
    # own never count (the front-matter schema has no such keys; this makes sure)
    fields = {key: value for key, value in (context.get("meta") or {}).items()
              if not str(key).startswith(("og:", "ogp_"))}
    if description:
        # sphinxext-opengraph escapes only '"' in what it is given: give it escaped text
        escaped = html.escape(description, quote=True)
        fields["og:description"] = escaped
        context["metatags"] = (context.get("metatags") or "") + (
            f'<meta name="description" content="{escaped}" />\n')
    if book.is_essay(f"{pagename}.md"):
        fields["og:type"] = "article"
    context["meta"] = fields


def short_description(text: str, limit: int) -> str:
    """At most `limit` characters: whole sentences if they fill at least half of
    it, else whole words and an ellipsis. Previews and search results cut
    long abstracts anyway, and mid-word."""
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    sentence_end = max(room.rfind(". "), room.rfind("? "), room.rfind("! "))
    if sentence_end >= limit // 2:
        return room[: sentence_end + 1]
    words = room.rsplit(" ", 1)[0] if " " in room else room
    return words.rstrip(",;:–— ") + "…"


def drop_relative_og_url(app: Sphinx, pagename: str, templatename: str,
                         context: dict[str, Any], doctree: nodes.document | None) -> None:
    """Without a site URL sphinxext-opengraph writes a relative og:url, which the
    protocol does not allow; leave the tag out instead."""
    if not app.config.ogp_site_url and "metatags" in context:
        context["metatags"] = OG_URL.sub("", context["metatags"])


def forget_old_sitemap(app: Sphinx) -> None:
    """sphinx-sitemap writes the file only when there is a site URL: a sitemap
    left from a build that had one must not outlive it."""
    if app.builder.name == "html":
        (Path(app.outdir) / app.config.sitemap_filename).unlink(missing_ok=True)


def list_every_page(app: Sphinx, exception: Exception | None) -> None:
    """Every page of the book in the sitemap, in reading order.

    sphinx-sitemap lists the pages written in this run only, so an incremental
    build would publish a sitemap of the pages that changed
    (jdillard/sphinx-sitemap#13). The pages it collected are replaced by all of
    the book's pages, which the environment knows.
    """
    links = getattr(app, "sitemap_links", None)
    if exception or app.builder.name != "html" or links is None:
        return
    seen: dict[str, str | None] = {}
    while True:
        try:
            link, last_updated = links.get_nowait()
        except queue.Empty:
            break
        seen[link] = last_updated
    suffix = app.config.html_file_suffix or ".html"
    order = [docname(page) for page in _book(app).pages]
    order += sorted(set(app.env.found_docs) - set(order))
    excluded = app.config.sitemap_excludes
    for name in order:
        link = name + suffix
        if name in app.env.found_docs and not any(fnmatch.fnmatch(link, pattern)
                                                  for pattern in excluded):
            links.put((link, seen.get(link)))
