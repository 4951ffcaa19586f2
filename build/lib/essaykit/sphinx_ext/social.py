"""What search engines and link previews read: descriptions, Open Graph tags, the sitemap.

sphinxext-opengraph writes the Open Graph tags, fed by this module, which
also writes the sitemap. Each page's description is its front
matter's `abstract` (validated by `essaykit.core.frontmatter`, never the page's raw
text), or book.yml's `description`. Both need the address the book
is published at (book.yml `url:`, or `essaykit build --site-url`); without
one there is no sitemap (relative URLs are not allowed in one) and no og:url.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from essaykit import compat
from essaykit.core.book import Book, docname
from essaykit.sphinx_ext.state import book_of

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.application import Sphinx

# where a page's abstract waits, in Sphinx's per-page metadata, between reading and writing
DESCRIPTION = "essaykit_description"
OG_URL = re.compile(r'<meta property="og:url" content="[^"]*" />\n?')


def setup(app: Sphinx) -> None:
    with compat.opengraph_without_social_cards():
        app.setup_extension("sphinxext.opengraph")
    app.connect("doctree-read", remember_description, priority=600)
    # before sphinxext-opengraph (500), which reads what describe_page leaves
    app.connect("html-page-context", describe_page, priority=400)
    app.connect("html-page-context", drop_relative_og_url, priority=600)
    app.connect("build-finished", write_sitemap)


def _book(app: Sphinx) -> Book:
    return book_of(app.env)


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


# pages a search engine has no use for
SITEMAP_EXCLUDES = ("search", "genindex")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def write_sitemap(app: Sphinx, exception: Exception | None) -> None:
    """`sitemap.xml`: every page of the book, in reading order, at its absolute address.

    Written from the environment, so an incremental build lists every page, not
    only those it rewrote. Without a site URL there is none (a sitemap's
    addresses must be absolute), and one left by an earlier build is removed.
    (essaykit once fed sphinx-sitemap; it lists only the pages written in the
    run, jdillard/sphinx-sitemap#13, and starts a server process per build, so
    essaykit replaced all it did but write these few lines of XML.)
    """
    if exception or app.builder.name != "html":
        return
    target = Path(app.outdir) / "sitemap.xml"
    base = app.config.html_baseurl
    if not base:
        target.unlink(missing_ok=True)
        return
    from xml.etree import ElementTree

    suffix = app.config.html_file_suffix or ".html"
    order = [docname(page) for page in _book(app).pages]
    order += sorted(set(app.env.found_docs) - set(order))
    urlset = ElementTree.Element("urlset", xmlns=SITEMAP_NS)
    for name in order:
        if name in app.env.found_docs and name not in SITEMAP_EXCLUDES:
            ElementTree.SubElement(ElementTree.SubElement(urlset, "url"), "loc").text = (
                base.rstrip("/") + "/" + name + suffix)
    ElementTree.indent(urlset)
    temporary = target.with_suffix(".tmp")
    ElementTree.ElementTree(urlset).write(temporary, encoding="utf-8", xml_declaration=True)
    temporary.replace(target)
