"""The book's index, on Sphinx's own index machinery.

Sphinx already makes index entries for glossary terms (`make_glossary_term`)
and for MyST's `{index}` directive and role, and keeps them in its `index`
domain, which it pickles, clears per page and merges under `-j`. What it does
not index is the authors of cited works: this transform adds, just before each
`{cite:*}` citation, an ordinary `index` node ("Ostrom, Elinor") and the target
it points at, while the page is read, so that Sphinx's index domain collects
them like any other entry (its transform, `SphinxDomains`, runs after this one).

The names come from the pybtex entries sphinxcontrib-bibtex has read: the
authors, else the editors, else the organisation or institution.

Every edition then reads the one set of entries through Sphinx's public
`IndexEntries(env).create_index(builder)`: the web book's `genindex` page, the
EPUB's index, and the print edition's Index (print/builder.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from docutils import nodes
from pybtex.backends.plaintext import Backend as PlainText
from pybtex.richtext import Text
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinxcontrib.bibtex.citation_target import parse_citation_targets

from essaykit.core.text import curly

# the cite domain's roles whose citations name their works' authors in the text
CITE_DOMAINS = ("cite",)


# pybtex's render_as("text") looks its backend up among the installed packages'
# entry points on every call (seconds per thousand citations): one backend, and
# each name converted once
PLAIN_TEXT = PlainText()


@lru_cache(maxsize=4096)
def _plain(latex: str) -> str:
    """A .bib name or field as a reader sees it: no braces, accents as letters."""
    try:
        text = Text.from_latex(latex).render(PLAIN_TEXT)
    except Exception:  # a .bib macro pybtex cannot read: the text without braces
        text = latex.replace("{", "").replace("}", "")
    return curly(" ".join(text.split()))


def index_names(entry: Any) -> list[str]:
    """The names the index lists a work under: "Last, First" for each author (else
    each editor), or the organisation that wrote it."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    names = []
    for person in persons:
        last = _plain(" ".join(person.prelast_names + person.last_names))
        first = _plain(" ".join(person.first_names + person.middle_names + person.lineage_names))
        if last:
            names.append(f"{last}, {first}" if first else last)
    if not names:
        organisation = entry.fields.get("organization") or entry.fields.get("institution")
        if organisation:
            names.append(_plain(organisation))
    return names


def cited_keys(node: addnodes.pending_xref) -> Iterable[str]:
    return (target.key for target in parse_citation_targets(node.get("reftarget", "")))


class IndexCitedAuthors(SphinxTransform):
    """An index entry for each author of each work a page cites, at the citation."""

    default_priority = 840  # before SphinxDomains (850), which collects index nodes

    def apply(self, **kwargs: Any) -> None:
        domain = self.env.get_domain("cite")
        entries = domain.bibdata.data.entries  # type: ignore[attr-defined]
        for xref in list(self.document.findall(addnodes.pending_xref)):
            if xref.get("refdomain") not in CITE_DOMAINS or xref.parent is None:
                continue
            names = list(dict.fromkeys(name for key in cited_keys(xref) if key in entries
                                       for name in index_names(entries[key])))
            if not names:
                continue
            target_id = f"index-{self.env.new_serialno('index')}"
            index = addnodes.index(entries=[("single", name, target_id, "", None)
                                            for name in names], inline=True)
            index.source, index.line = xref.source, xref.line
            target = nodes.target("", "", ids=[target_id])
            parent = xref.parent
            position = parent.index(xref)
            parent[position:position] = [index, target]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(IndexCitedAuthors)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
