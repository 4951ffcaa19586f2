"""sphinxcontrib-bibtex's citation domain without its quadratic loops.

Profiling 100- and 500-essay books (one reference list per essay, a shared
.bib) found three places where sphinxcontrib-bibtex scans the whole book for
each list or each citation:

- `env_updated`: for every list, for every entry, every citation in the book is
  scanned to learn where the entry is cited, and every citation is sorted by
  `list.index` of its page: O(essays² × entries);
- `resolve_xref`: every in-text citation scans every formatted citation of
  every list: O(citations × lists × entries);
- `BibliographyTransform`: every list scans every formatted citation, and every
  entry scans every citation reference, to find its back-links.

The subclasses here keep sphinxcontrib-bibtex's own code and results, and only
hand it the part of the data it would have found by scanning (an index built
once per build). Formatted entries are also cached per (style, label).

Across builds: sphinxcontrib-bibtex formats every reference list of the book
again on every build, because a list's labels can depend on the whole book.
After a one-line edit to one essay of 500, that was the largest part of the
rebuild. Each list's formatted entries are kept in the environment, under the
list's complete inputs (its style and prefixes, its entries in order) and a
fingerprint of the .bib files, pybtex and essaykit; a list whose inputs are
unchanged is not formatted again. A list that warned is never kept, so its
warning is given again on every build, as before.

Memory: every `bibliography` directive keeps an empty citation node for every
entry of the .bib file (it needs their ids before it knows which are cited),
in the environment, for the whole build; the transform then fills the cited
ones in place, so the environment also ends up holding every reference list's
rendered entries. At 500 essays and 250 entries that was 125,000 nodes and a
large part of the peak memory. `LeanBibliography` keeps only each node's id
and hands out a fresh node whenever sphinxcontrib-bibtex asks for one.
`tests/test_fastbib.py` builds books with both versions and compares the HTML.
"""

from __future__ import annotations

import ast
import contextlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pybtex
import pybtex.plugin
from docutils import nodes
from pybtex.richtext import Tag
from pybtex.style import FormattedEntry
from pybtex.style.template import FieldIsMissing
from sphinx.util import logging
from sphinx.util.logging import is_suppressed_warning
from sphinxcontrib.bibtex.citation_target import parse_citation_targets
from sphinxcontrib.bibtex.directives import BibliographyDirective, BibliographyKey
from sphinxcontrib.bibtex.domain import BibtexDomain
from sphinxcontrib.bibtex.nodes import bibliography as bibliography_node
from sphinxcontrib.bibtex.transforms import BibliographyTransform

from essaykit import compat
from essaykit.core.cachekey import stack_key
from essaykit.sphinx_ext import harvard
from essaykit.sphinx_ext.state import book_state

logger = logging.getLogger(__name__)
# `:filter: docname in docnames`: the entries cited on the list's own page
CITED_HERE = ast.dump(ast.parse("docname in docnames"))
# the domain's data key for the formatted lists kept between builds
KEPT_LISTS = "essaykit_formatted_lists"


class QuietLogger:
    """A logger that drops, before making them, the warnings `suppress_warnings` drops.

    sphinxcontrib-bibtex warns once for every entry listed on more than one
    page (`bibtex.duplicate_citation`), which essaykit always suppresses: at
    500 essays that was 16,600 log records made and then thrown away, a
    quarter of the citation domain's time. Every other warning passes on.
    """

    def __init__(self, logger: Any, suppressed: list[str]):
        self.logger = logger
        self.suppressed = frozenset(suppressed)

    def warning(self, message: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("type") and is_suppressed_warning(
                kwargs["type"], kwargs.get("subtype", ""), self.suppressed):
            return
        self.logger.warning(message, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.logger, name)


class RemadeEachBuild(list[Any]):
    """A list pickled empty: the domain's citations, which `env_updated` clears and
    makes again on every build (they were a quarter of the pickled environment
    that every rebuild loads and saves)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return list, ()


class IndexedBibtexDomain(BibtexDomain):
    _by_key: dict[str, Any] | None = None
    _cited_in: dict[str, set[str]] | None = None
    _cited_keys: dict[tuple[str, ...], list[str]] | None = None
    _first_cited: dict[tuple[str, ...], dict[str, int]] | None = None
    _cited_here: dict[str, set[str]] | None = None
    _formatted: dict[tuple[str, str, str, bool], FormattedEntry] | None = None
    _positions: dict[tuple[Any, ...], tuple[list[Any], dict[str, list[int]]]] | None = None
    # formatted lists from the last build, and those this build has used or made
    _kept_lists: dict[tuple[Any, ...], list[tuple[str, FormattedEntry, Any]]] | None = None
    _used_lists: dict[tuple[Any, ...], list[tuple[str, FormattedEntry, Any]]] | None = None

    def env_updated(self) -> Iterable[str]:
        cited_in: dict[str, set[str]] = defaultdict(set)
        cited_here: dict[str, set[str]] = defaultdict(set)
        for citation_ref in self.citation_refs:
            for target in citation_ref.targets:
                cited_in[target.key].add(citation_ref.docname)
                cited_here[citation_ref.docname].add(target.key)
        self._cited_in, self._cited_keys, self._formatted = cited_in, {}, {}
        self._first_cited, self._cited_here = {}, cited_here
        self._by_key, self._positions = None, {}
        # sphinxcontrib-bibtex makes the citations again on every build: not pickled
        self.data["citations"] = RemadeEachBuild()
        fingerprint = self._lists_fingerprint()
        kept = self.data.get(KEPT_LISTS)
        self._kept_lists = (kept["lists"] if isinstance(kept, dict)
                            and kept.get("fingerprint") == fingerprint else {})
        self._used_lists = {}
        suppressed = self.env.config.suppress_warnings
        quiet = (compat.bibtex_domain_logger(lambda logger: QuietLogger(logger, suppressed))
                 if self.env.config.essaykit_fast_internals else contextlib.nullcontext())
        try:
            # the book's Harvard letters (essaykit domain) for every list formatted here
            with quiet, harvard.book_letters(book_state(self.env).letters):
                updated = super().env_updated()
            # only what this build used: lists of removed pages do not pile up
            self.data[KEPT_LISTS] = {"fingerprint": fingerprint, "lists": self._used_lists}
            self._forget_uncited_ids()
            return updated
        finally:
            self._cited_in = self._cited_keys = self._formatted = None
            self._first_cited = self._cited_here = self._positions = None
            self._kept_lists = self._used_lists = None

    def _forget_uncited_ids(self) -> None:
        """Keep, for an essay's list, only the ids of the entries it lists.

        The directive reserves an id for every .bib entry in every list (250
        entries in 500 lists: a quarter of the pickled environment). A list
        filtered to its own page's citations lists the same entries until that
        page is read again (a changed .bib re-reads every page with a list), and
        then the directive makes its ids afresh.
        """
        listed: dict[Any, set[str]] = defaultdict(set)
        for citation in self.citations:
            listed[citation.bibliography_key].add(citation.key)
        for key, bibliography in list(self.bibliographies.items()):
            ids = bibliography.citation_nodes
            if (not isinstance(ids, CitationIds) or ast.dump(bibliography.filter_) != CITED_HERE
                    or len(ids) == len(listed[key])):
                continue
            kept = {name: dict.__getitem__(ids, name) for name in listed[key] if name in ids}
            self.bibliographies[key] = bibliography._replace(
                citation_nodes=CitationIds(kept, ids.list_item))

    def _lists_fingerprint(self) -> str:
        """What every formatted list depends on besides its own entries: the .bib
        files as sphinxcontrib-bibtex last read them, pybtex, essaykit's code."""
        bibdata = self.bibdata
        files = sorted((str(path), info.mtime) for path, info in bibdata.bibfiles.items())
        config = self.env.config
        return repr((bibdata.encoding, files, pybtex.__version__,
                     stack_key(),
                     config.bibtex_tooltips, config.bibtex_tooltips_style))

    def _index(self) -> dict[str, Any]:
        """Citations by key and by page, and references by page, in their list order."""
        if self._by_key is None:
            by_key: dict[str, list[tuple[int, Any]]] = defaultdict(list)
            by_page: dict[str, list[tuple[int, Any]]] = defaultdict(list)
            for position, citation in enumerate(self.citations):
                by_key[citation.key].append((position, citation))
                by_page[citation.bibliography_key.docname].append((position, citation))
            refs: dict[str, list[tuple[int, Any]]] = defaultdict(list)
            for position, ref in enumerate(self.citation_refs):
                refs[ref.docname].append((position, ref))
            self._by_key = {"key": by_key, "page": by_page, "refs": refs}
        return self._by_key

    def subset(self, table: str, names: Iterable[str]) -> list[Any]:
        """The items of one index for several keys or pages, in the domain's own order."""
        index = self._index()[table]
        return [item for _, item in sorted(
            (pair for name in set(names) for pair in index.get(name, ())),
            key=lambda pair: pair[0])]

    def resolve_xref(self, env: Any, fromdocname: str, builder: Any, typ: str, target: str,
                     node: Any, contnode: Any) -> Any:
        keys = [t.key for t in parse_citation_targets(target)]
        return self._with_data(
            citations=self.subset("key", keys),
            call=lambda: super(IndexedBibtexDomain, self).resolve_xref(
                env, fromdocname, builder, typ, target, node, contnode),
        )

    def _with_data(self, call: Any, **subsets: list[Any]) -> Any:
        """Run sphinxcontrib-bibtex's code on a subset of the domain's lists."""
        saved = {name: self.data[name] for name in subsets}
        self.data.update(subsets)
        try:
            return call()
        finally:
            self.data.update(saved)

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

    def get_sorted_entries(self, bibliography_key: Any, docnames: list[str]
                           ) -> Iterable[tuple[str, Any]]:
        """A list's entries in the order the book first cites them, then the rest in .bib order.

        sphinxcontrib-bibtex's own walks every citation of the book for every
        list; the first position of each key is the same for every list.
        """
        cache = self._first_cited
        if cache is None:
            yield from super().get_sorted_entries(bibliography_key, docnames)
            return
        name = tuple(docnames)
        if name not in cache:
            first: dict[str, int] = {}
            for position, key in enumerate(self.get_all_cited_keys(docnames)):
                first.setdefault(key, position)
            cache[name] = first
        first = cache[name]
        entries = dict(self.get_filtered_entries(bibliography_key))
        for key in sorted((key for key in entries if key in first), key=first.__getitem__):
            yield key, entries[key]
        for key, entry in entries.items():
            if key not in first:
                yield key, entry

    def get_filtered_entries(self, bibliography_key: Any) -> Iterable[tuple[str, Any]]:
        if self._cited_in is None:
            yield from super().get_filtered_entries(bibliography_key)
            return
        bibliography = self.bibliographies[bibliography_key]
        if self._cited_here is not None and ast.dump(bibliography.filter_) == CITED_HERE:
            # the filter every essay's list has: no need to evaluate it per entry, nor
            # to walk the whole .bib for each list (the .bib grows with the book)
            prefix = bibliography.keyprefix
            here = self._cited_here.get(bibliography_key.docname, set())
            wanted = {key[len(prefix):] for key in here if key.startswith(prefix)}
            wanted.update(bibliography.keys)
            entries, positions = self._bib_positions(tuple(bibliography.bibfiles))
            for position in sorted(p for key in wanted for p in positions.get(key, ())):
                entry = entries[position]
                yield prefix + entry.key, entry
            return
        for entry in self.get_entries(bibliography.bibfiles):
            key = bibliography.keyprefix + entry.key
            visitor = compat.bibtex_filter_visitor()(
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

    def _bib_positions(self, bibfiles: tuple[Any, ...]
                       ) -> tuple[list[Any], dict[str, list[int]]]:
        """The entries of these .bib files in order, and each key's positions there."""
        cache = self._positions
        if cache is None or bibfiles not in cache:
            entries = list(self.get_entries(list(bibfiles)))
            positions: dict[str, list[int]] = defaultdict(list)
            for position, entry in enumerate(entries):
                positions[entry.key].append(position)
            if cache is None:
                return entries, positions
            cache[bibfiles] = (entries, positions)
        return cache[bibfiles]

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
        list_key = (bibliography.style, bibliography.labelprefix, tooltips,
                    tooltips_style if tooltips else "", tuple(entries))
        kept = (self._kept_lists or {}).get(list_key)
        if kept is not None and self._used_lists is not None:
            self._used_lists[list_key] = kept
            for key, main, tip in kept:
                yield entries[key], main, tip
            return
        made: list[tuple[str, FormattedEntry, Any]] | None = []
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
            except FieldIsMissing as exc:
                logger.warning(
                    str(exc),
                    location=(bibliography_key.docname, bibliography.line),
                    type="bibtex",
                    subtype="missing_field",
                )
                made = None  # not kept: the warning must come again next build
                yield entry, FormattedEntry(entry.key, Tag("b", str(exc)), full_label), None
                continue
            if made is not None:
                made.append((bibliography.keyprefix + entry.key, main, tip))
            yield entry, main, tip
        if made is not None and self._used_lists is not None:
            self._used_lists[list_key] = made

    @staticmethod
    def _format(cache: dict[tuple[str, str, str, bool], FormattedEntry], style: Any,
                style_name: str, label: str, entry: Any, tooltip: bool) -> FormattedEntry:
        key = (style_name, label, entry.key, tooltip)
        if key not in cache:
            cache[key] = style.format_entry(label, entry)
        return cache[key]


class IndexedBibliographyTransform(BibliographyTransform):
    """sphinxcontrib-bibtex's transform, given only this page's citations and references.

    It runs just before the original (which then finds no list left to fill).
    """

    default_priority = 4

    def run(self, **kwargs: Any) -> None:
        domain = self.env.get_domain("cite")
        docnames = {node["docname"] for node in self.document.findall(bibliography_node)}
        if not docnames or not isinstance(domain, IndexedBibtexDomain):
            return  # the original transform does the work
        domain._with_data(
            citations=domain.subset("page", docnames),
            citation_refs=domain.subset("refs", docnames),
            call=lambda: super(IndexedBibliographyTransform, self).run(**kwargs))


class CitationIds(dict[str, str]):
    """A reference list's citation ids by key; each lookup makes a fresh, empty node.

    Stands in for sphinxcontrib-bibtex's `citation_nodes` (key -> empty node),
    which it only reads as `citation_nodes[key]`: for the node's id, and to fill
    the node and put it into the page. A fresh node per lookup keeps what the
    transform adds out of the environment.
    """

    def __init__(self, ids: dict[str, str], list_item: bool):
        super().__init__(ids)
        self.list_item = list_item

    def __getitem__(self, key: str) -> nodes.Element:
        node_class = nodes.list_item if self.list_item else nodes.citation
        return node_class(ids=[super().__getitem__(key)])

    def __reduce__(self) -> tuple[Any, ...]:
        return CitationIds, (dict(self.items()), self.list_item)


class LeanBibliography(BibliographyDirective):
    """sphinxcontrib-bibtex's directive; the environment keeps ids, not nodes.

    The page's doctree keeps the ids too (they stay taken, so later ids are
    numbered as before), but all of them point to one placeholder instead of
    an empty node per .bib entry: the .bib grows with the book, so those nodes
    made every page's pickled doctree grow with it.
    """

    def run(self) -> list[nodes.Node]:
        result = list(super().run())
        domain = self.env.get_domain("cite")
        document = self.state.document
        reserved = nodes.citation()
        for node in result:
            if not isinstance(node, bibliography_node) or not node["ids"]:
                continue
            key = BibliographyKey(docname=self.env.docname, id_=node["ids"][0])
            value = domain.bibliographies.get(key)  # type: ignore[attr-defined]
            if value is None or isinstance(value.citation_nodes, CitationIds):
                continue
            ids = {name: citation["ids"][0]
                   for name, citation in value.citation_nodes.items()}
            for citation in value.citation_nodes.values():
                for citation_id in citation["ids"]:
                    if document.ids.get(citation_id) is citation:
                        document.ids[citation_id] = reserved
            list_item = value.list_ in {"bullet", "enumerated"}  # as the directive decides
            domain.bibliographies[key] = value._replace(  # type: ignore[attr-defined]
                citation_nodes=CitationIds(ids, list_item))
        return result
