"""Find glossary terms, watch-list jargon and acronyms in each essay's prose.

One pass per essay, shared by the glossary rules and the coverage table. A
use is either linked (a {term} role) or plain text; "first use" is in reading
order and ignores headings, where a link would be out of place.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from essaykit.check.index import BookIndex
from essaykit.core.model import Document, Prose, normalise_label
from essaykit.core.terms import TermMatcher

# no lookbehind (slow in Python's engine): the character before is checked by hand
ACRONYM = re.compile(r"[A-Z][A-Z&]*[A-Z]s?(?![\w&])")
ROMAN = re.compile(r"^[IVXLCDM]+$")
PARENTHETICAL = re.compile(r"\s*\(([^()]*)\)")
# jargon may be explained just after the noun it qualifies: "asset-based approach (...)"
PARENTHETICAL_NEAR = re.compile(r"(?:\s+[\w’'-]+){0,2}\s*\(([^()]*)\)")
LETTERS = re.compile(r"[^\W\d_]+")
# '"DRY" stands for "Don't Repeat Yourself"', 'PR, short for pull request'
STANDS_FOR = re.compile(r"[\"”’']?,?\s+(?:stands for|is short for|short for|"
                        r"is an abbreviation (?:for|of))\s+[\"“‘']?([^\"”.;:()\n]{3,120})",
                        re.IGNORECASE)
# Where an acronym may start: a capital, then a capital or "&". Python's regex engine
# tries a pattern that starts with a class at every character, slowly; so the text is
# turned into bytes with every capital as "A" (one byte per character: anything not
# ASCII becomes "?") and a pattern with a literal first byte, fast, finds the few places
# where ACRONYM itself is then tried.
_CAPITALS_AS_A = bytes.maketrans(b"BCDEFGHIJKLMNOPQRSTUVWXYZ", b"A" * 25)
_CAPITAL_PAIR = re.compile(rb"A[A&]")


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
class GlossaryUse:
    """The glossary terms one essay uses, and its first use of each outside headings."""

    uses: set[str] = field(default_factory=set)
    first: dict[str, Use] = field(default_factory=dict)


@dataclass
class Unexplained:
    """Watch-list jargon and acronyms one essay uses: first use, and explained there?"""

    jargon: dict[str, tuple[Use, bool]] = field(default_factory=dict)
    acronyms: dict[str, tuple[Use, bool]] = field(default_factory=dict)


@dataclass
class EssayText:
    """An essay's prose as one string (NUL, never in prose, between paragraphs)."""

    doc: Document
    joined: str
    starts: list[int]

    @cached_property
    def lowered(self) -> str:
        return self.joined.lower()

    def where(self, offset: int) -> tuple[Prose, int]:
        number = bisect_right(self.starts, offset) - 1
        return self.doc.prose[number], offset - self.starts[number]


def essay_text(doc: Document) -> EssayText:
    cached = doc.cache.get("essay-text")
    if not isinstance(cached, EssayText):
        joined = "\0".join(prose.text for prose in doc.prose)
        starts, position = [], 0
        for prose in doc.prose:
            starts.append(position)
            position += len(prose.text) + 1
        cached = doc.cache["essay-text"] = EssayText(doc, joined, starts)
    return cached


def matchers(index: BookIndex) -> tuple[TermMatcher, TermMatcher]:
    if "matchers" not in index.cache:
        glossary = TermMatcher(d.term for d in index.glossary.values())
        watch = TermMatcher(term for term, _ in index.jargon
                            if normalise_label(term) not in index.glossary)
        index.cache["matchers"] = (glossary, watch)
    found: tuple[TermMatcher, TermMatcher] = index.cache["matchers"]
    return found


def linked_terms(index: BookIndex, doc: Document) -> set[str]:
    return {key for role in doc.roles
            if role.name == "term" and (key := normalise_label(role.target)) in index.glossary}


def used_terms(index: BookIndex, pages: list[Document]) -> set[str]:
    """Glossary terms used (linked or not) on any of `pages`: stops looking for a term
    at its first use, so a book whose terms are all used costs little."""
    used: set[str] = set()
    for doc in pages:
        used |= linked_terms(index, doc)
    matcher, _ = matchers(index)
    for key in [k for k in index.glossary if k not in used]:
        for doc in pages:
            text = essay_text(doc)
            if matcher.contains(key, text.joined, text.lowered):
                used.add(key)
                break
    return used


def glossary_use(index: BookIndex, doc: Document) -> GlossaryUse:
    """Every use of every glossary term in `doc`, in reading order (a full scan)."""
    cached = doc.cache.get("glossary-use")
    if isinstance(cached, GlossaryUse):
        return cached
    matcher, _ = matchers(index)
    text = essay_text(doc)
    events: list[tuple[int, Use]] = []
    for offset, key, raw in matcher.find(text.joined, text.lowered):
        prose, local = text.where(offset)
        events.append((offset, Use(key, raw, prose, local, False)))
    for prose, start in zip(doc.prose, text.starts, strict=True):
        for offset, role in prose.terms:
            key = normalise_label(role.target)
            if key in index.glossary:
                events.append((start + offset, Use(key, role.target, prose, offset, True)))
    events.sort(key=lambda event: event[0])
    result = GlossaryUse()
    for _, use in events:
        result.uses.add(use.term)
        if not use.prose.in_heading:
            result.first.setdefault(use.term, use)
    doc.cache["glossary-use"] = result
    return result


def unexplained(index: BookIndex, doc: Document) -> Unexplained:
    """Watch-list terms and acronyms in `doc`, each with its first use."""
    cached = doc.cache.get("unexplained")
    if isinstance(cached, Unexplained):
        return cached
    _, watch = matchers(index)
    known = index.config.known_acronyms
    longest = 0  # no limit
    if index.project.kind != "essaykit":
        known = known | learned_acronyms(index)
        longest = LONGEST_ACRONYM
    text = essay_text(doc)
    result = Unexplained()
    if watch.lookup:
        for offset, key, raw in watch.find(text.joined, text.lowered):
            if key not in result.jargon:
                prose, local = text.where(offset)
                result.jargon[key] = (Use(key, raw, prose, local, False),
                                      _explained(prose.text, local, len(raw), ""))
    joined = text.joined
    for match in acronym_matches(joined):
        start = match.start()
        if start and (joined[start - 1].isalnum() or joined[start - 1] in "_&"):
            continue
        word = match.group()
        acronym = word[:-1] if word.endswith("s") else word
        if _not_a_word(joined, start, match.end()) or (longest and len(acronym) > longest):
            continue
        if (acronym in known or acronym in result.acronyms or ROMAN.match(acronym)
                or normalise_label(acronym) in index.glossary):
            continue
        prose, local = text.where(start)
        result.acronyms[acronym] = (Use(acronym, word, prose, local, False),
                                    _explained(prose.text, local, len(word), acronym))
    doc.cache["unexplained"] = result
    return result


# an acronym joined to more text by one of these is part of a name, code or a URL:
# CC-BY, MM/YYYY, TL;DR, ISO_8601, a base64 run
JOINERS = frozenset("-/;_+=.:@\\")


def _not_a_word(text: str, start: int, end: int) -> bool:
    """Whether the capitals at text[start:end] are part of something larger than a
    word: a compound (CC-BY), a date pattern (MM/YYYY), a URL, a path or base64."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if before in JOINERS and start >= 2 and text[start - 2].isalnum():
        return True
    if after in JOINERS and end + 1 < len(text) and text[end + 1].isalnum():
        return True
    left = max(text.rfind(" ", 0, start), text.rfind("\0", 0, start), text.rfind("\n", 0, start))
    right = min((i for i in (text.find(" ", end), text.find("\0", end), text.find("\n", end))
                 if i >= 0), default=len(text))
    token = text[left + 1:right]
    return "://" in token or len(token) > 40


def learned_acronyms(index: BookIndex) -> frozenset[str]:
    """The acronyms a book explains somewhere, so none of its pages need to again: its
    glossary's terms ("DOI", "Digital Object Identifier (DOI)"), a table row giving an
    acronym beside its expansion, and "Long Name (ACR)" or "ACR (Long Name)" anywhere
    in the book. Also words in capitals that the book writes in lower case too (NOTE,
    LICENSE, AND): shouted words, not acronyms. (For books essaykit did not write.)"""
    cached = index.cache.get("learned-acronyms")
    if isinstance(cached, frozenset):
        return cached
    learned: set[str] = set()
    for definition in index.glossary.values():
        term = definition.term.strip()
        if ACRONYM.fullmatch(term):
            learned.add(term)
        for match in acronym_matches(term):
            learned.add(match.group())
    lower: set[str] = set()
    for doc in index.documents.values():
        text = essay_text(doc)
        lower.update(word.lower() for word in LETTERS.findall(text.joined)
                     if not word.isupper())
        for match in acronym_matches(text.joined):
            word = match.group()
            prose, local = text.where(match.start())
            if _explained(prose.text, local, len(word), word) or \
                    _named_before(prose.text, local, len(word)) or \
                    _company_form(prose.text, local, word):
                learned.add(word)
        learned.update(_table_acronyms(doc))
    learned.update(word for word in _capital_words(index) if word.lower() in lower)
    learned.update(FILE_NAMES)
    found = index.cache["learned-acronyms"] = frozenset(learned)
    return found


# Acronyms are short: a longer run of capitals is a shouted word or a name (DESTROY,
# IMPORTANT, FORTRAN). (On books essaykit did not write.)
LONGEST_ACRONYM = 6
# files a repository names in capitals by convention: names, not acronyms
FILE_NAMES = frozenset({"README", "LICENSE", "LICENCE", "CHANGELOG", "CONTRIBUTING", "AUTHORS",
                        "CITATION", "MANIFEST", "NOTICE", "SECURITY", "CODEOWNERS"})
NAMED_BEFORE = re.compile(r"[A-Z][\w’'.-]*\s*$")


def _named_before(text: str, start: int, length: int) -> bool:
    """"Amazon (AMZN)", "United Kingdom (GBR)": an acronym in brackets straight after a
    name is that name's code, which the writer has just given (tickers and country
    codes do not spell the name's initials)."""
    if text[start - 1:start] != "(" or text[start + length:start + length + 1] != ")":
        return False
    if NAMED_BEFORE.search(text, max(0, start - 200), start - 1) is not None:
        return True
    # "overlapping generations (OLG)": the letters in order in the words before, the
    # first at the start of a word (Schwartz and Hearst's test for an abbreviation)
    acronym = text[start:start + length].lower()
    before = re.split(r"[().;:!?\0]", text[max(0, start - 200):start - 1])[-1]
    words = before.split()[-min(len(acronym) + 5, len(acronym) * 2):]
    return _abbreviates(acronym, " ".join(words).lower())


# the legal form that ends a company's name ("Highways LTD"): part of the name
COMPANY_FORMS = frozenset({"LTD", "PLC", "LLC", "LLP", "INC", "GMBH", "AG", "SA", "BV"})


def _company_form(text: str, start: int, word: str) -> bool:
    return word in COMPANY_FORMS and text[start - 1:start] == " " and \
        NAMED_BEFORE.search(text, max(0, start - 200), start) is not None


def _abbreviates(short: str, long: str) -> bool:
    position = len(long) - 1
    for index in range(len(short) - 1, -1, -1):
        letter = short[index]
        if not letter.isalnum():
            continue
        while position >= 0 and (long[position] != letter or (
                index == 0 and position > 0 and long[position - 1].isalnum())):
            position -= 1
        if position < 0:
            return False
        position -= 1
    return bool(short)


def _capital_words(index: BookIndex) -> set[str]:
    words: set[str] = set()
    for doc in index.documents.values():
        words.update(match.group() for match in acronym_matches(essay_text(doc).joined))
    return words


def _table_acronyms(doc: Document) -> set[str]:
    """Acronyms a table explains: a cell holding only the acronym, and the next cell of
    the same row holding words (its expansion: "DOI | Digital Object Identifier", or a
    key such as "AU | Australia")."""
    found: set[str] = set()
    rows: dict[int, list[str]] = {}
    for prose in doc.prose:
        if prose.anchors and not prose.in_heading and len(prose.text) < 200:
            rows.setdefault(prose.anchors[0][1], []).append(prose.text.strip())
    for cells in rows.values():
        for cell, following in zip(cells, cells[1:], strict=False):
            if ACRONYM.fullmatch(cell) and LETTERS.search(following) \
                    and not ACRONYM.fullmatch(following):
                found.add(cell)
    return found


def acronym_matches(text: str) -> Iterator[re.Match[str]]:
    """`ACRONYM.finditer(text)`, the same matches, several times faster: every match
    starts at a capital followed by a capital or "&", and only those places are tried."""
    marks = text.encode("ascii", "replace").translate(_CAPITALS_AS_A)
    position = 0
    while (candidate := _CAPITAL_PAIR.search(marks, position)) is not None:
        match = ACRONYM.match(text, candidate.start())
        if match:
            yield match
            position = match.end()
        else:
            position = candidate.start() + 1


def _explained(text: str, start: int, length: int, acronym: str) -> bool:
    """Is the word at `start` explained where it stands, as "DWP (Department for Work
    and Pensions)", "Department for Work and Pensions (DWP)" or "DWP stands for
    Department for Work and Pensions"?"""
    after = (PARENTHETICAL if acronym else PARENTHETICAL_NEAR).match(text, start + length)
    if after and len(after.group(1).split()) >= 2:
        return True
    spelt = STANDS_FOR.match(text, start + length) if acronym else None
    if spelt and _abbreviates(acronym.lower().rstrip("s"), spelt.group(1).lower()):
        return True
    if text[start - 1:start] != "(" or text[start + length:start + length + 1] != ")":
        return False
    before = LETTERS.findall(text[max(0, start - 300):start - 1])
    if not acronym:
        return len(before) >= 2
    letters = [c for c in acronym.lower() if c.isalpha()]
    initials = iter(word[0].lower() for word in before[-(len(letters) * 3 + 3):])
    return all(any(letter == initial for initial in initials) for letter in letters)
