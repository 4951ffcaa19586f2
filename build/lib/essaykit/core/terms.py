"""Find any of a set of glossary terms in text: the matcher that the checker's
glossary rules and the build's first-use links share, so that both agree on
what counts as a use of a term."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from essaykit.core.model import normalise_label


class TermMatcher:
    """Finds any of a set of terms in text: whole words, any case (except for
    all-capital terms), allowing a plural ending.

    Each term's first word is found with `str.find` on the lower-cased text (fast C
    code, where one regex alternation over every term is slow in Python's engine);
    a per-term regex then confirms the whole term, word boundaries and plural."""

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
        self.patterns: list[tuple[str, str, re.Pattern[str]]] = [
            (self.lookup[term], term.split()[0],
             re.compile(r"\s+".join(map(re.escape, term.split())) + r"(?:e?s)?(?![\w-])"))
            for term in sorted(self.lookup, key=len, reverse=True)
        ]

    def find(self, text: str, lowered: str) -> Iterator[tuple[int, str, str]]:
        """(offset, canonical term, matched text) for each use in `text`, in order.
        `lowered` is `text.lower()`."""
        found = self._scan(self.patterns, text, lowered, first_only=False)
        return iter([found[offset] for offset in sorted(found)])

    def contains(self, key: str, text: str, lowered: str) -> bool:
        """Is the term `key` used anywhere in `text`? (Stops at the first use.)"""
        return bool(self._scan([p for p in self.patterns if p[0] == key], text, lowered,
                               first_only=True))

    def _scan(self, patterns: list[tuple[str, str, re.Pattern[str]]], text: str, lowered: str,
              *, first_only: bool) -> dict[int, tuple[int, str, str]]:
        if len(lowered) != len(text):  # a few letters lower-case to two: keep offsets
            lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        found: dict[int, tuple[int, str, str]] = {}
        for _, first, pattern in patterns:  # longest terms first: they win a position
            start = lowered.find(first)
            while start >= 0:
                before = lowered[start - 1] if start else " "
                if start not in found and not (before.isalnum() or before in "-_"):
                    match = pattern.match(lowered, start)
                    hit = self._confirm(text, match.group(), start, match.end()) \
                        if match else None
                    if hit:
                        found[start] = hit
                        if first_only:
                            return found
                start = lowered.find(first, start + 1)
        return found

    def _confirm(self, text: str, folded_match: str, start: int, end: int
                 ) -> tuple[int, str, str] | None:
        raw = text[start:end]
        folded = " ".join(folded_match.split())
        for candidate, cut in ((folded, 0), (folded[:-1], 1), (folded[:-2], 2)):
            key = self.lookup.get(candidate)
            if key is None:
                continue
            exact = self.exact.get(key)
            if exact and " ".join(raw.split())[:len(raw) - cut] != exact:
                continue
            return start, key, raw
        return None
