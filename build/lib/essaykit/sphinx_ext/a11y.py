"""Accessible HTML where Sphinx's and docutils' writers fall short.

docutils writes each citation of a reference list as
`<div role="doc-biblioentry">` inside `<div role="list">`. DPUB-ARIA 1.1
deprecated `doc-biblioentry`; screen readers and axe-core treat the entries as
plain elements, so the list seems to hold its back-links instead of entries
(axe-core: aria-required-children, critical). Each entry is written as a
`listitem` instead, the role DPUB-ARIA now asks for. pydata-sphinx-theme adds
its own behaviour to whatever translator is registered, so both apply.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.writers.html5 import HTML5Translator


class AccessibleHTML5Translator(HTML5Translator):
    def visit_citation(self, node: nodes.Element) -> None:
        if not isinstance(node.previous_sibling(), type(node)):
            self.body.append('<div role="list" class="citation-list">\n')
        self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def setup(app: Any) -> dict[str, Any]:
    for builder in ("html", "dirhtml"):
        app.set_translator(builder, AccessibleHTML5Translator)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
