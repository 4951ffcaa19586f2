"""Find glossary terms, watch-list jargon and acronyms in each essay's prose.

One pass per essay, shared by the glossary rules and the coverage table. A
use is either linked (a {term} role) or plain text; "first use" is in reading
order and ignores headings, where a link would be out of place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .index import BookIndex
from .model import Document, Prose, normalise_label

ACRONYM = re.compile(r"(?<![\w&])[A-Z][A-Z&]*[A-Z]s?(?![\w&])")
ROMAN = re.compile(r"^[IVXLCDM]+$")
PARENTHETICAL = re.compile(r"\s*\(([^()]*)\)")
# jargon may be explained just after the noun it qualifies: "asset-based approach (...)"
PARENTHETICAL_NEAR = re.compile(r"(?:\s+[\w’'-]+){0,2}\s*\(([^()]*)\)")
LETTERS = re.compile(r"[^\W\d_]+")


class TermMatcher:
    """Finds any of a set of terms in text: whole words, any case (except for
    all-capital terms), allowing a plural ending."""

    def __init__(self, terms: Iterable[str]):
        self.lookup: dict[str, str] = {}
        self.exact: dict[str, str] = {}
        for term in terms:
            clean = " ".join(term.split())
            if not clean:
                continue
            self.lookup.setdefault(clean.lower(), normalise_label(clean))
            if len(clean) > 1 and clean.isupper():
                self.exact[normalise_label(clean)] = clean
        alternatives = sorted(self.lookup, key=len, reverse=True)
        pattern = "|".join(r"\s+".join(map(re.escape, term.split())) for term in alternatives)
        self.regex = re.compile(rf"(?<![\w-])(?:{pattern})(?:e?s)?(?![\w-])", re.IGNORECASE) \
            if alternatives else None

    def find(self, text: str) -> Iterator[tuple[int, str, str]]:
        """(offset, canonical term, matched text) for each use in `text`."""
        if self.regex is None:
            return
        for match in self.regex.finditer(text):
            raw = match.group()
            folded = " ".join(raw.split()).lower()
            for candidate, cut in ((folded, 0), (folded[:-1], 1), (folded[:-2], 2)):
                key = self.lookup.get(candidate)
                if key is None:
                    continue
                exact = self.exact.get(key)
                if exact and " ".join(raw.split())[:len(raw) - cut] != exact:
                    key = None
                    continue
                yield match.start(), key, raw
                break


@dataclass(frozen=True)
class Use:
    term: str  # canonical: a normalised glossary term, watch-list term or acronym
    text: str
    prose: Prose
    offset: int
    linked: bool

    def locate(self) -> tuple[int, int]:
        if self.linked:
            role = next(r for o, r in self.prose.terms if o == self.offset)
            return role.line, role.column
        return self.prose.locate(self.offset, self.text)


@dataclass
class JargonReport:
    """What one essay uses, and how it explains it."""

    path: str
    glossary_uses: set[str] = field(default_factory=set)
    glossary_first: dict[str, Use] = field(default_factory=dict)  # outside headings
    jargon_first: dict[str, tuple[Use, bool]] = field(default_factory=dict)  # use, explained?
    acronym_first: dict[str, tuple[Use, bool]] = field(default_factory=dict)  # use, explained?

    def defined_jargon(self) -> int:
        return sum(1 for _, explained in self.jargon_first.values() if explained)

    def defined_acronyms(self) -> int:
        return sum(1 for _, explained in self.acronym_first.values() if explained)


def matchers(index: BookIndex) -> tuple[TermMatcher, TermMatcher]:
    if "matchers" not in index.cache:
        glossary = TermMatcher(d.term for d in index.glossary.values())
        watch = TermMatcher(term for term, _ in index.jargon
                            if normalise_label(term) not in index.glossary)
        index.cache["matchers"] = (glossary, watch)
    found: tuple[TermMatcher, TermMatcher] = index.cache["matchers"]
    return found


def report(index: BookIndex, doc: Document) -> JargonReport:
    reports: dict[str, JargonReport] = index.cache.setdefault("jargon", {})
    if doc.path not in reports:
        reports[doc.path] = _analyse(index, doc)
    return reports[doc.path]


def _analyse(index: BookIndex, doc: Document) -> JargonReport:
    glossary_matcher, watch_matcher = matchers(index)
    known = index.config.known_acronyms
    result = JargonReport(doc.path)
    for prose in doc.prose:
        uses = [Use(key, raw, prose, offset, False)
                for offset, key, raw in glossary_matcher.find(prose.text)]
        for offset, role in prose.terms:
            key = normalise_label(role.target)
            if key in index.glossary:
                uses.append(Use(key, role.target, prose, offset, True))
        uses.sort(key=lambda use: use.offset)
        for use in uses:
            result.glossary_uses.add(use.term)
            if not prose.in_heading:
                result.glossary_first.setdefault(use.term, use)
        for offset, key, raw in watch_matcher.find(prose.text):
            if key not in result.jargon_first:
                use = Use(key, raw, prose, offset, False)
                result.jargon_first[key] = (use, _explained(prose.text, offset, len(raw), ""))
        for match in ACRONYM.finditer(prose.text):
            word = match.group()
            acronym = word[:-1] if word.endswith("s") else word
            if (acronym in known or ROMAN.match(acronym) or acronym in result.acronym_first
                    or normalise_label(acronym) in index.glossary):
                continue
            use = Use(acronym, word, prose, match.start(), False)
            explained = _explained(prose.text, match.start(), len(word), acronym)
            result.acronym_first[acronym] = (use, explained)
    return result


def _explained(text: str, start: int, length: int, acronym: str) -> bool:
    """Is the word at `start` explained where it stands, as "DWP (Department for Work
    and Pensions)" or "Department for Work and Pensions (DWP)"?"""
    after = (PARENTHETICAL if acronym else PARENTHETICAL_NEAR).match(text, start + length)
    if after and len(after.group(1).split()) >= 2:
        return True
    if text[start - 1:start] != "(" or text[start + length:start + length + 1] != ")":
        return False
    before = LETTERS.findall(text[max(0, start - 300):start - 1])
    if not acronym:
        return len(before) >= 2
    letters = [c for c in acronym.lower() if c.isalpha()]
    initials = iter(word[0].lower() for word in before[-(len(letters) * 3 + 3):])
    return all(any(letter == initial for initial in initials) for letter in letters)
