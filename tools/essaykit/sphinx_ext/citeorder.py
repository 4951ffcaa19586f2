"""Citations of several works in the writer's order (or the book's), whatever the domain.

sphinxcontrib-bibtex hands a citation's works to the reference style in the
order of its own lists (the page's list first, then the others), not as
written: `{cite:p}` of Sen, Nussbaum 2000 and Nussbaum 2011 printed Nussbaum
2011 first. This post-transform resolves each citation just before Sphinx's
own resolver would, through the domain's public `resolve_xref`, with the keys
as written at hand for the Harvard reference style (`harvard.ordered`). It
runs for the indexed domain and the original alike, so both give the same HTML.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinxcontrib.bibtex.citation_target import parse_citation_targets

from essaykit.sphinx_ext import harvard
from essaykit.sphinx_ext.state import book_of, book_state


class CitationOrder(SphinxPostTransform):
    default_priority = 9  # Sphinx's ReferencesResolver is 10

    def run(self, **kwargs: Any) -> None:
        domain = self.env.get_domain("cite")
        order = book_of(self.env).citation_order
        state = book_state(self.env)
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("refdomain") != "cite" or node.get("reftype") not in domain.roles:
                continue
            target = node["reftarget"]
            written = tuple(t.key for t in parse_citation_targets(target))
            keys, mode = harvard.WRITTEN_KEYS.set(written), harvard.CITATION_ORDER.set(order)
            try:
                contnode = node[0].deepcopy() if node.children else nodes.inline()
                with harvard.book_letters(state.letters):
                    resolved = domain.resolve_xref(
                        self.env, node.get("refdoc", self.env.docname), state.builder,
                        node["reftype"], target, node, contnode)
            finally:
                harvard.WRITTEN_KEYS.reset(keys)
                harvard.CITATION_ORDER.reset(mode)
            if resolved is not None:
                node.replace_self(resolved)


def note_letters(app: Sphinx, env: Any) -> None:
    """The Harvard letters of the book's works, in the essaykit domain, before any
    list is formatted (fastbib hands them to the style)."""
    domain = env.get_domain("cite")
    letters = book_state(env).letters
    letters.clear()
    letters.update(harvard.letters(domain.bibdata.data.entries.values()))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_post_transform(CitationOrder)
    # before sphinxcontrib-bibtex formats the lists (its handler has the default 500)
    app.connect("env-updated", note_letters, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
