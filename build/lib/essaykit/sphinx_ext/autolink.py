"""Link the first use of each glossary term in each essay, so contributors need not.

The checker's rule GLO002 (an unlinked first use) is off when this is on, and
both read the same setting: `autolink-terms` in `[tool.essaykit]`, or
`essaykit_autolink_terms` in conf.py. Terms are found with the checker's own
matcher (whole words, any case, plural endings), and "first use" means the
same in both: in reading order, outside headings and the essay's furniture.

It runs as a post-transform just before Sphinx resolves references, when every
glossary term of the book is known, so the links it makes resolve like any
{term} role, in the web and the print edition alike.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from essaykit.core.model import normalise_label
from essaykit.core.terms import TermMatcher
from essaykit.sphinx_ext.state import book_of

SKIPPED = (nodes.title, nodes.literal, nodes.literal_block, nodes.reference, nodes.citation,
           nodes.footnote, nodes.raw, nodes.comment, nodes.rubric, nodes.target, nodes.math,
           nodes.math_block, nodes.system_message, nodes.footnote_reference,
           nodes.citation_reference, addnodes.glossary, addnodes.pending_xref)
SKIPPED_CLASSES = {"essaykit-opening", "essaykit-references", "essaykit-cite"}


class LinkFirstUseOfTerms(SphinxPostTransform):
    default_priority = 5  # before ReferencesResolver (10), which resolves what we add

    def run(self, **kwargs: Any) -> None:
        if not self.config.essaykit_autolink_terms:
            return
        book = book_of(self.env)
        if f"{self.env.docname}.md" not in book.essays:
            return
        std = self.env.get_domain("std")
        terms = {normalise_label(name): name
                 for (kind, name) in std.objects if kind == "term"}  # type: ignore[attr-defined]
        if not terms:
            return
        matcher = TermMatcher(terms.values())
        seen: set[str] = set()
        for text in list(self._prose(self.document, seen)):
            self._link_first_uses(text, matcher, terms, seen)

    def _prose(self, node: nodes.Node, seen: set[str]) -> Any:
        """Text nodes in reading order, noting {term} links met on the way."""
        for child in list(node.children) if isinstance(node, nodes.Element) else []:
            if isinstance(child, addnodes.pending_xref) and child.get("reftype") == "term":
                seen.add(normalise_label(child.get("reftarget", "")))
                continue
            if isinstance(child, SKIPPED):
                continue
            if isinstance(child, nodes.Element) and SKIPPED_CLASSES & set(child["classes"]):
                continue
            if isinstance(child, nodes.Text):
                yield child
            else:
                yield from self._prose(child, seen)

    def _link_first_uses(self, text: nodes.Text, matcher: TermMatcher, terms: dict[str, str],
                         seen: set[str]) -> None:
        value = str(text)
        pieces: list[nodes.Node] = []
        position = 0
        for offset, key, raw in matcher.find(value, value.lower()):
            if key in seen or offset < position:
                continue
            seen.add(key)
            if offset > position:
                pieces.append(nodes.Text(value[position:offset]))
            link = addnodes.pending_xref(
                "", refdomain="std", reftype="term", reftarget=terms[key].lower(),
                refdoc=self.env.docname, refexplicit=True, refwarn=True,
                classes=["essaykit-autolink"],
            )
            link += nodes.inline(raw, raw, classes=["xref", "std", "std-term"])
            pieces.append(link)
            position = offset + len(raw)
        if not pieces:
            return
        if position < len(value):
            pieces.append(nodes.Text(value[position:]))
        parent = text.parent
        index = parent.index(text)
        parent.remove(text)
        for offset, piece in enumerate(pieces):
            parent.insert(index + offset, piece)
