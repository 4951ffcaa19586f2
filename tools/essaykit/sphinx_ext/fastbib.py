"""sphinxcontrib-bibtex's citation domain without its quadratic loops.

Profiling a 100-essay book (one reference list per essay, a shared .bib)
showed most of the build inside `BibtexDomain.env_updated`: for every
bibliography, for every entry, it scans every citation in the book to learn
where the entry is cited, and sorts every citation by `list.index` of its
page. With a list per essay that is O(essays² × entries). This subclass keeps
the same results and builds those two answers once per build: an index from
key to the pages citing it, and the citation order. It also formats each
entry once per (style, label) rather than once per list that holds it.
`tests/test_fastbib.py` builds a book with both domains and compares the HTML.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pybtex.plugin
from pybtex.richtext import Tag
from pybtex.style import FormattedEntry
from pybtex.style.template import FieldIsMissing
from sphinx.util import logging
from sphinxcontrib.bibtex.domain import BibtexDomain, _FilterVisitor

logger = logging.getLogger(__name__)


class IndexedBibtexDomain(BibtexDomain):
    _cited_in: dict[str, set[str]] | None = None
    _cited_keys: dict[tuple[str, ...], list[str]] | None = None
    _formatted: dict[tuple[str, str, str, bool], FormattedEntry] | None = None

    def env_updated(self) -> Iterable[str]:
        cited_in: dict[str, set[str]] = defaultdict(set)
        for citation_ref in self.citation_refs:
            for target in citation_ref.targets:
                cited_in[target.key].add(citation_ref.docname)
        self._cited_in, self._cited_keys, self._formatted = cited_in, {}, {}
        try:
            return super().env_updated()
        finally:
            self._cited_in = self._cited_keys = self._formatted = None

    def get_all_cited_keys(self, docnames: list[str]) -> Iterable[str]:
        cache = self._cited_keys
        key = tuple(docnames)
        if cache is not None and key in cache:
            return iter(cache[key])
        position = {name: index for index, name in enumerate(docnames)}
        ordered = [
            target.key
            for citation_ref in sorted(self.citation_refs,
                                       key=lambda c: position[c.docname])
            for target in citation_ref.targets
        ]
        if cache is not None:
            cache[key] = ordered
        return iter(ordered)

    def get_filtered_entries(self, bibliography_key: Any) -> Iterable[tuple[str, Any]]:
        if self._cited_in is None:
            yield from super().get_filtered_entries(bibliography_key)
            return
        bibliography = self.bibliographies[bibliography_key]
        for entry in self.get_entries(bibliography.bibfiles):
            key = bibliography.keyprefix + entry.key
            visitor = _FilterVisitor(
                entry=entry,
                docname=bibliography_key.docname,
                cited_docnames=self._cited_in.get(key, set()),
            )
            try:
                success = visitor.visit(bibliography.filter_)
            except ValueError as err:
                logger.warning(
                    f"syntax error in :filter: expression; {err}",
                    location=(bibliography_key.docname, bibliography.line),
                    type="bibtex",
                    subtype="filter_syntax_error",
                )
                success = bool(self._cited_in.get(key))
            if success or entry.key in bibliography.keys:
                yield key, entry

    def get_formatted_entries(
        self, bibliography_key: Any, docnames: list[str], tooltips: bool, tooltips_style: str
    ) -> Iterable[tuple[Any, FormattedEntry, FormattedEntry | None]]:
        cache = self._formatted
        if cache is None:
            yield from super().get_formatted_entries(
                bibliography_key, docnames, tooltips, tooltips_style)
            return
        bibliography = self.bibliographies[bibliography_key]
        entries = dict(self.get_sorted_entries(bibliography_key, docnames))
        style = pybtex.plugin.find_plugin("pybtex.style.formatting", bibliography.style)()
        style2_name = (tooltips_style or bibliography.style) if tooltips else ""
        style2 = (pybtex.plugin.find_plugin("pybtex.style.formatting", style2_name)()
                  if tooltips and tooltips_style else style if tooltips else None)
        sorted_entries = list(style.sort(entries.values()))
        labels = style.format_labels(sorted_entries)
        for label, entry in zip(labels, sorted_entries, strict=False):
            full_label = bibliography.labelprefix + label
            try:
                main = self._format(cache, style, bibliography.style, full_label, entry, False)
                tip = (self._format(cache, style2, style2_name, full_label, entry, True)
                       if style2 is not None else None)
                yield entry, main, tip
            except FieldIsMissing as exc:
                logger.warning(
                    str(exc),
                    location=(bibliography_key.docname, bibliography.line),
                    type="bibtex",
                    subtype="missing_field",
                )
                yield entry, FormattedEntry(entry.key, Tag("b", str(exc)), full_label), None

    @staticmethod
    def _format(cache: dict[tuple[str, str, str, bool], FormattedEntry], style: Any,
                style_name: str, label: str, entry: Any, tooltip: bool) -> FormattedEntry:
        key = (style_name, label, entry.key, tooltip)
        if key not in cache:
            cache[key] = style.format_entry(label, entry)
        return cache[key]
