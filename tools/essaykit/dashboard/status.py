"""The editors' dashboard as data: where each essay stands, and the collection's totals.

Everything is computed from the checker's own parse of the book (`run_check`), so a
word, a citation or a glossary term is counted exactly as `essaykit check` sees it.
Nothing here prints: `essaykit status` and the HTML page format the result.

What counts as a word: the essay's body text as a reader meets it -- paragraphs,
headings, list items, table cells, footnotes, admonitions and figure captions. The
front matter (title, abstract, keywords), code blocks and inline code, maths, raw
HTML and directives' options are not counted. A {term} link counts as the words it
shows; citations and other roles count as none. A word is a run of letters or digits,
which may be joined by an apostrophe, hyphen, full stop or comma ("co-production",
"don't", "3,100" and "e.g." are one word each).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from essaykit.check.citations import citations
from essaykit.check.glossary_rules import CoverageRow
from essaykit.check.runner import CheckResult
from essaykit.core.book import Book, WordTarget, load_book
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.frontmatter import STATUSES
from essaykit.core.model import Document
from essaykit.core.version import VERSION

# Silent reading of English non-fiction by adults: 238 words a minute, the average
# found by Brysbaert's meta-analysis of 190 studies ("How many words do we read per
# minute?", Journal of Memory and Language 109, 2019, 104047).
READING_WORDS_PER_MINUTE = 238

WORD = re.compile(r"[^\W_]+(?:['\u2019.,-][^\W_]+)*")
UNKNOWN_STATUS = "unknown"  # the front matter cannot be read, so neither can its status


@dataclass(frozen=True)
class FindingCounts:
    error: int = 0
    warning: int = 0
    info: int = 0

    @property
    def total(self) -> int:
        return self.error + self.warning + self.info

    @classmethod
    def of(cls, diagnostics: Iterable[Diagnostic]) -> FindingCounts:
        counted = Counter(d.severity for d in diagnostics)
        return cls(counted[Severity.ERROR], counted[Severity.WARNING], counted[Severity.INFO])

    def __add__(self, other: FindingCounts) -> FindingCounts:
        return FindingCounts(self.error + other.error, self.warning + other.warning,
                             self.info + other.info)

    def as_dict(self) -> dict[str, int]:
        return {"error": self.error, "warning": self.warning, "info": self.info}


@dataclass(frozen=True)
class Glossary:
    """An essay's jargon as `essaykit check --coverage` counts it."""

    used: int
    defined: int
    linked: int
    coverage: float  # percent of the jargon used that is defined or explained

    @classmethod
    def of(cls, row: CoverageRow) -> Glossary:
        return cls(row.used, row.defined, row.linked, round(row.coverage, 1))


@dataclass(frozen=True)
class PieceStatus:
    """One essay (or the taster) on the editor's desk."""

    path: str
    kind: str  # "taster" or "essay"
    part: str  # the part's title; "" for the taster
    title: str
    authors: tuple[str, ...]
    status: str  # draft, in-review, accepted, or unknown
    words: int
    target: WordTarget | None
    works_cited: int  # distinct works
    citations: int  # every key in every citation
    glossary: Glossary | None
    findings: FindingCounts

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.words)

    @property
    def length(self) -> str:
        """'under', 'within' or 'over' its target; 'no target' when it has none."""
        return self.target.judge(self.words) if self.target else "no target"

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path, "kind": self.kind, "part": self.part, "title": self.title,
            "authors": list(self.authors), "status": self.status, "words": self.words,
            "reading_minutes": self.reading_minutes,
            "target": {"min": self.target.min, "max": self.target.max} if self.target else None,
            "length": self.length, "works_cited": self.works_cited,
            "citations": self.citations,
            "glossary": None if self.glossary is None else {
                "used": self.glossary.used, "defined": self.glossary.defined,
                "linked": self.glossary.linked, "coverage": self.glossary.coverage},
            "findings": self.findings.as_dict(),
        }


@dataclass(frozen=True)
class CollectionStatus:
    book_title: str
    pieces: tuple[PieceStatus, ...]
    works_cited: int  # distinct works cited by the pieces together
    findings_elsewhere: FindingCounts  # front and back matter, bibliography, configuration
    words_per_minute: int = READING_WORDS_PER_MINUTE
    statuses: tuple[str, ...] = field(default=STATUSES)

    @property
    def words(self) -> int:
        return sum(piece.words for piece in self.pieces)

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.words)

    @property
    def citations(self) -> int:
        return sum(piece.citations for piece in self.pieces)

    @property
    def by_status(self) -> dict[str, int]:
        counted = Counter(piece.status for piece in self.pieces)
        known = {status: counted[status] for status in self.statuses}
        if counted[UNKNOWN_STATUS]:
            known[UNKNOWN_STATUS] = counted[UNKNOWN_STATUS]
        return known

    @property
    def by_length(self) -> dict[str, int]:
        counted = Counter(piece.length for piece in self.pieces)
        return {verdict: counted[verdict] for verdict in ("under", "within", "over", "no target")
                if counted[verdict]}

    @property
    def findings(self) -> FindingCounts:
        total = self.findings_elsewhere
        for piece in self.pieces:
            total = total + piece.findings
        return total

    def as_dict(self) -> dict[str, object]:
        return {
            "essaykit_version": VERSION,
            "book": self.book_title,
            "words_per_minute": self.words_per_minute,
            "pieces": [piece.as_dict() for piece in self.pieces],
            "totals": {
                "pieces": len(self.pieces), "words": self.words,
                "reading_minutes": self.reading_minutes, "works_cited": self.works_cited,
                "citations": self.citations, "by_status": self.by_status,
                "by_length": self.by_length, "findings": self.findings.as_dict(),
                "findings_elsewhere": self.findings_elsewhere.as_dict(),
            },
        }


def reading_minutes(words: int) -> int:
    """Whole minutes, rounded up: a 239-word page is a two-minute read, not one."""
    return math.ceil(words / READING_WORDS_PER_MINUTE)


def body_words(doc: Document) -> int:
    """The words of a page's body text (see the module's docstring for what counts)."""
    skip = doc.cache.get("title-prose", 0)
    title_prose = skip if isinstance(skip, int) else 0
    words = 0
    for prose in doc.prose[title_prose:]:
        words += len(WORD.findall(prose.text))
        words += sum(len(WORD.findall(role.title)) for _, role in prose.terms)
    return words


def cited_keys(doc: Document) -> list[str]:
    """Every key of every citation on the page, lower-cased as BibTeX compares them."""
    return [key.lower() for _, key, _ in citations(doc)]


def compute_status(root: Path) -> CollectionStatus:
    """Check the book at `root` and describe it. Raises EssaykitError when book.yml
    is unusable (the same errors as every other command)."""
    from essaykit.check import run_check

    book = load_book(root)
    return collection_status(book, run_check(book.root))


@dataclass(frozen=True)
class EssayFacts:
    """What the dashboard reads from one essay's text (and the book's shared pages)."""

    title: str
    authors: tuple[str, ...]
    status: str
    words: int
    keys: tuple[str, ...]  # every cited key, in order, lower-cased
    glossary: Glossary | None


# Facts by a digest of everything they were computed from (see `facts_digest`):
# the build keeps them between builds, so an edit recounts only the edited essay.
FactsMemo = dict[str, EssayFacts]


def facts_digest(context: str, path: str, doc: Document) -> str:
    """`context` stands for everything besides the essay itself that its facts can
    depend on (the glossary, the jargon list, configuration, essaykit's version)."""
    digest = hashlib.sha256(f"{context}\0{path}\0".encode())
    digest.update("\n".join(doc.lines).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def collection_status(book: Book, check: CheckResult, memo: FactsMemo | None = None,
                      context: str = "") -> CollectionStatus:
    """The dashboard's numbers from a book and a finished check of it.

    With `memo` (digest -> facts from an earlier build), essays whose digest is
    known are not counted again; afterwards `memo` holds exactly this book's facts.
    """
    known = dict(memo or {})
    digests = {path: facts_digest(context, path, doc) for path in book.essays
               if (doc := check.documents.get(path)) is not None} if memo is not None else {}
    missing = [path for path in book.essays if digests.get(path) not in known]
    coverage = {row.path: row for row in check.coverage_rows(set(missing))} if missing else {}
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in check.diagnostics:
        by_path.setdefault(diagnostic.path, []).append(diagnostic)
    pieces: list[PieceStatus] = []
    works: set[str] = set()
    if memo is not None:
        memo.clear()
    for path in book.essays:
        digest = digests.get(path)
        facts = known.get(digest) if digest else None
        if facts is None:
            facts = essay_facts(book, path, check.documents.get(path), coverage.get(path))
        if memo is not None and digest:
            memo[digest] = facts
        works.update(facts.keys)
        part = book.part_of(path)
        pieces.append(PieceStatus(
            path=path,
            kind="taster" if path == book.taster else "essay",
            part=part.title if part else "",
            title=facts.title,
            authors=facts.authors,
            status=facts.status,
            words=facts.words,
            target=book.target_for(path),
            works_cited=len(set(facts.keys)),
            citations=len(facts.keys),
            glossary=facts.glossary,
            findings=FindingCounts.of(by_path.pop(path, [])),
        ))
    elsewhere = FindingCounts.of(d for found in by_path.values() for d in found)
    return CollectionStatus(book.title, tuple(pieces), len(works), elsewhere)


def essay_facts(book: Book, path: str, doc: Document | None, row: CoverageRow | None
                ) -> EssayFacts:
    meta = book.essay_meta(path) if book.path(path).is_file() else None
    return EssayFacts(
        title=meta.title if meta else path,
        authors=tuple(author.name for author in meta.authors) if meta else (),
        status=meta.status if meta else UNKNOWN_STATUS,
        words=body_words(doc) if doc is not None else 0,
        keys=tuple(cited_keys(doc)) if doc is not None else (),
        glossary=Glossary.of(row) if row is not None else None,
    )
