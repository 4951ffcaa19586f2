"""Glossary coverage rules (GLO): jargon is explained, the glossary is used."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from essaykit.check.index import BookIndex
from essaykit.check.jargon import glossary_use, unexplained, used_terms
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.model import normalise_label

rules.rule(
    "GLO001", "unused-glossary-entry", Severity.WARNING,
    "A glossary entry is not used on any page of the book.",
    "A glossary explains the book's words; an entry no page uses is left over from editing.",
    bad="Charging\n  In adult social care, ...   % no essay mentions charging",
    good="remove the entry, or link it where an essay discusses charging",
)
rules.rule(
    "GLO002", "unlinked-first-use", Severity.WARNING,
    "The first use of a glossary term in an essay is not linked to the glossary. "
    "Off when the build links first uses itself (autolink-terms).",
    "Readers new to a term look for help where they first meet it.",
    bad="Co-production asks professionals to share power.",
    good="{term}`Co-production` asks professionals to share power.",
)
rules.rule(
    "GLO003", "undefined-jargon", Severity.WARNING,
    "A term on the jargon watch-list is used but neither in the glossary nor explained at "
    "first use.",
    "The editors keep the watch-list of words readers stumble on; each needs an explanation.",
    bad="Commissioners moved to outcomes-based commissioning.",
    good="Commissioners moved to outcomes-based commissioning (paying for results, not "
         "activity).",
)
rules.rule(
    "GLO004", "undefined-acronym", Severity.WARNING,
    "An acronym (two or more capitals) is neither in the glossary nor expanded at first use.",
    "An unexplained acronym shuts out every reader outside the trade.",
    bad="The DWP's figures show ...",
    good="The Department for Work and Pensions (DWP) publishes figures that show ...",
)
rules.rule(
    "GLO005", "duplicate-glossary-term", Severity.ERROR,
    "The glossary defines the same term twice; both places are reported.",
    "Sphinx links every {term} to one of them, and readers see two definitions.",
    bad="Co-production\n  ...\n\nCo-production\n  ...",
    good="Co-production\n  ...",
)


@check("GLO001")
def check_unused_entries(index: BookIndex) -> Iterator[Diagnostic]:
    """Every glossary entry is used (linked or not) on some page other than a glossary."""
    if not index.glossary:
        return
    used = used_terms(index, [doc for doc in index.pages if not doc.glossary])
    if index.project.kind != "essaykit":
        # a term that names a file or a command (`setup.py`) is used in code spans
        for doc in index.pages:
            spans = doc.cache.get("code-spans")
            if not doc.glossary and isinstance(spans, set):
                used |= {key for key in spans if key in index.glossary}
    for doc in index.documents.values():
        for entry in doc.glossary:
            if not any(normalise_label(term) in used for term in entry.terms):
                yield rules.make("GLO001", doc.path, entry.line, 1,
                                 f"glossary entry {entry.terms[0]!r} is not used on any page",
                                 "remove it, or use the term where an essay needs it")


@check("GLO002")
def check_unlinked_first_use(index: BookIndex) -> Iterator[Diagnostic]:
    """In each essay, the first use of each glossary term is a {term} link."""
    if index.autolink_terms:
        return
    for doc in index.essays:
        for key, use in glossary_use(index, doc).first.items():
            if use.linked:
                continue
            line, column = use.locate()
            term = index.glossary[key].term
            role = f"{{term}}`{use.text}`" if use.text.lower() == term.lower() else \
                f"{{term}}`{use.text} <{term}>`"
            yield rules.make("GLO002", doc.path, line, column,
                             f"first use of glossary term {term!r} is not linked",
                             f"write {role}")


@check("GLO003", "GLO004")
def check_undefined_jargon(index: BookIndex) -> Iterator[Diagnostic]:
    """Watch-list terms and acronyms are in the glossary or explained at first use."""
    for doc in index.essays:
        result = unexplained(index, doc)
        for use, explained in result.jargon.values():
            if not explained:
                line, column = use.locate()
                yield rules.make("GLO003", doc.path, line, column,
                                 f"jargon {use.text!r} is not in the glossary or explained here",
                                 "explain it in brackets at first use, or add it to the glossary")
        for acronym, (use, explained) in result.acronyms.items():
            if not explained:
                line, column = use.locate()
                foreign = index.project.kind != "essaykit"
                yield rules.make("GLO004", doc.path, line, column,
                                 f"acronym {acronym!r} is not in the glossary or expanded"
                                 + (" anywhere in the book" if foreign else " at first use"),
                                 f"write it out first: 'Full Name ({acronym})'"
                                 + (", or, if every reader knows it, add it to [tool.essaykit] "
                                    "known-acronyms" if foreign else ""))


@check("GLO005")
def check_duplicate_terms(index: BookIndex) -> Iterator[Diagnostic]:
    """Each glossary term is defined once."""
    places: dict[str, list[tuple[str, int]]] = {}
    for doc in index.documents.values():
        for entry in doc.glossary:
            for term, line in zip(entry.terms, entry.term_lines, strict=False):
                places.setdefault(normalise_label(term), []).append((doc.path, line))
    for term, where in places.items():
        if len(where) > 1:
            for path, line in where:
                others = ", ".join(f"{p}:{n}" for p, n in where if (p, n) != (path, line))
                yield rules.make("GLO005", path, line, 1,
                                 f"glossary term {term!r} is also defined at {others}",
                                 "merge the two definitions")


@dataclass(frozen=True)
class CoverageRow:
    """One essay's jargon: how much it uses, defines and links."""

    path: str
    used: int
    defined: int
    linked: int

    @property
    def coverage(self) -> float:
        return 100.0 if self.used == 0 else 100.0 * self.defined / self.used

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "used": self.used, "defined": self.defined,
                "linked": self.linked, "coverage": round(self.coverage, 1)}


def coverage(index: BookIndex, only: Collection[str] | None = None) -> list[CoverageRow]:
    """Each essay's row; with `only`, just the essays at those paths."""
    rows = []
    for doc in index.essays:
        if only is not None and doc.path not in only:
            continue
        glossary, other = glossary_use(index, doc), unexplained(index, doc)
        terms = len(glossary.uses)
        linked = terms if index.autolink_terms else sum(
            1 for use in glossary.first.values() if use.linked)
        explained = [ok for _, ok in [*other.jargon.values(), *other.acronyms.values()]]
        rows.append(CoverageRow(doc.path, terms + len(explained), terms + sum(explained), linked))
    return rows
