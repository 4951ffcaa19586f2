"""What essaykit adds to each page: byline, abstract, reference list, 'cite this essay'."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes

from essaykit.core import citeblock
from essaykit.core.book import ROOT_DOC, Book
from essaykit.core.frontmatter import EssayMeta
from essaykit.core.text import curly
from essaykit.sphinx_ext.state import book_of

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

REFERENCES_CLASS = "essaykit-references"
# Appended to the source of every essay and front-matter page, so that
# sphinxcontrib-bibtex parses it as if the author had written it. A page that
# cites nothing has the section removed again in decorate_page.
REFERENCE_LIST = """

(essaykit-references-{slug})=
## References

```{{bibliography}}
:filter: docname in docnames
```
"""


HIDDEN_CONTENTS = """

```{essaykit-contents}
:hidden:
```
"""


def _book(app: Sphinx) -> Book:
    return book_of(app.env)


def page_path(docname: str) -> str:
    return f"{docname}.md"


def has_reference_list(book: Book, docname: str) -> bool:
    return page_path(docname) in (*book.front, *book.essays)


def append_reference_list(app: Sphinx, docname: str, source: list[str]) -> None:
    if has_reference_list(_book(app), docname):
        source[0] = source[0].rstrip() + REFERENCE_LIST.format(slug=docname.replace("/", "-"))
    elif docname == app.config.root_doc and "{essaykit-contents}" not in source[0]:
        # book.yml, not the front page, decides what is in the book: a front
        # page without a visible contents still gets the book's toctree
        source[0] = source[0].rstrip() + HIDDEN_CONTENTS


def decorate_page(app: Sphinx, doctree: nodes.document) -> None:
    book = _book(app)
    docname = app.env.docname
    if not has_reference_list(book, docname):
        return
    _drop_empty_reference_list(doctree)
    # docutils turns an `abstract` front-matter field into a topic of its own;
    # the opening matter below shows the abstract in its proper place instead
    for topic in list(doctree.findall(nodes.topic)):
        if "abstract" in topic["classes"]:
            topic.parent.remove(topic)
    meta, _ = book.read_meta(page_path(docname))
    if meta is None:
        return  # `essaykit check` and the build gate report why
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    section.insert(1, opening_matter(meta))
    if book.is_essay(page_path(docname)):
        section.append(cite_this_essay(meta, book, docname))


def opening_matter(meta: EssayMeta) -> nodes.container:
    """Subtitle, byline with affiliations, and abstract, in that order, with
    typographer's quotes as MyST's smartquotes give the body."""
    box = nodes.container(classes=["essaykit-opening"])
    if meta.subtitle:
        box += nodes.paragraph("", curly(meta.subtitle), classes=["essaykit-subtitle"])
    if meta.authors:
        byline = nodes.container(classes=["essaykit-byline"])
        for author in meta.authors:
            line = nodes.paragraph(classes=["essaykit-author"])
            line += nodes.inline("", curly(author.name), classes=["essaykit-author-name"])
            if author.affiliation:
                line += nodes.inline("", curly(author.affiliation),
                                     classes=["essaykit-affiliation"])
            if author.orcid:
                url = f"https://orcid.org/{author.orcid}"
                line += nodes.reference("", f"ORCID {author.orcid}", refuri=url,
                                        classes=["essaykit-orcid"])
            byline += line
        box += byline
    if meta.abstract:
        abstract = nodes.container(classes=["essaykit-abstract"])
        abstract += nodes.rubric("", "Abstract")
        abstract += nodes.paragraph("", curly(meta.abstract))
        if meta.keywords:
            abstract += nodes.paragraph(
                "", curly("Keywords: " + ", ".join(meta.keywords)), classes=["essaykit-keywords"]
            )
        box += abstract
    return box


def cite_this_essay(meta: EssayMeta, book: Book, docname: str) -> nodes.section:
    section = nodes.section(ids=[f"essaykit-cite-{docname.replace('/', '-')}"],
                            classes=["essaykit-cite"])
    section += nodes.title("", "Cite this essay")
    before, title, after = citeblock.harvard(meta, book)
    reference = nodes.paragraph(classes=["essaykit-harvard"])
    reference += nodes.Text(before)
    reference += nodes.emphasis("", title)
    reference += nodes.Text(after)
    section += reference
    bibtex = citeblock.bibtex(meta, book)
    block = nodes.literal_block(bibtex, bibtex, language="bibtex")
    section += block
    return section


def _drop_empty_reference_list(doctree: nodes.document) -> None:
    cites = any(
        node.get("refdomain") == "cite" for node in doctree.findall(addnodes.pending_xref)
    )
    for section in list(doctree.findall(nodes.section)):
        if not any(i.startswith("essaykit-references-") for i in section["ids"]):
            # MyST puts the label's id on the section it precedes
            continue
        section["classes"].append(REFERENCES_CLASS)
        if not cites:
            section.parent.remove(section)


def prefer_collected_bibliography(app: Sphinx, env: BuildEnvironment) -> None:
    """Citations on pages without their own list (the glossary) link to the bibliography page.

    sphinxcontrib-bibtex resolves a citation to the same page's list first, then
    to the last list that holds the key (a dict built in list order); putting
    the collected bibliography last makes that fallback the Bibliography page.
    """
    domain = env.get_domain("cite")
    bibliographies = domain.bibliographies  # type: ignore[attr-defined]
    book = _book(app)
    collected = [page[:-3] for page in book.back if page.endswith("bibliography.md")]
    ordered = sorted(bibliographies.items(), key=lambda item: item[0].docname in collected)
    bibliographies.clear()
    bibliographies.update(ordered)


def write_root_redirect(app: Sphinx, exception: Exception | None) -> None:
    """The book's front page is book/index.html; make the site's root lead there."""
    if exception or app.builder.name not in ("html", "dirhtml"):
        return
    target = Path(app.outdir) / "index.html"
    if target.exists():
        return
    url = f"{ROOT_DOC}.html"
    title = escape(_book(app).title)
    favicon = app.config.html_favicon
    # without an icon of its own, the browser asks the server for /favicon.ico
    icon = (f'<link rel="icon" href="_static/{escape(Path(favicon).name)}">'
            if favicon and "://" not in favicon else "")
    target.write_text(
        f'<!DOCTYPE html>\n<html lang="{escape(_book(app).language)}"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={url}"><title>{title}</title>'
        f'<link rel="canonical" href="{url}">{icon}</head>'
        f'<body><p><a href="{url}">{title}</a></p></body></html>\n',
        encoding="utf-8",
    )
