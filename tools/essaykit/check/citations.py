"""Citation rules (CIT): every citation resolves, and the bibliography is clean."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from functools import lru_cache

from essaykit.check.index import BookIndex
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.bib import BibEntry
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.model import Document, Role

rules.rule(
    "CIT001", "unknown-citation-key", Severity.ERROR,
    "A citation names a key that is not in the bibliography.",
    "Sphinx prints the raw key in place of the reference, and the work is missing from the list.",
    bad="{cite:p}`ostrom1996crosing`",
    good="{cite:p}`ostrom1996crossing`",
)
rules.rule(
    "CIT002", "uncited-entry", Severity.WARNING,
    "A bibliography entry is never cited anywhere in the book.",
    "An entry nobody cites is usually a citation that was lost in editing, or dead weight.",
    bad="@book{orphan2001, ...}   % cited by no page",
    good="... as {cite:t}`orphan2001` argues ...",
)
rules.rule(
    "CIT003", "duplicate-citation-key", Severity.ERROR,
    "Two bibliography entries share a key.",
    "BibTeX keeps one of them silently; citations may point at the wrong work.",
    bad="@book{smith2001, ...}\n@article{smith2001, ...}",
    good="@book{smith2001book, ...}\n@article{smith2001article, ...}",
)
rules.rule(
    "CIT004", "duplicate-work", Severity.WARNING,
    "The same work is entered twice under different keys (same DOI, or same title and year).",
    "Readers find the work listed twice; corrections made to one entry miss the other.",
    bad="@book{cahn2000, title={No More Throw-Away People}, year=2000}\n"
        "@book{cahn2000nomore, title={No more throw-away people}, year=2000}",
    good="@book{cahn2000nomore, title={No More Throw-Away People}, year=2000}",
)
rules.rule(
    "CIT005", "incomplete-entry", Severity.WARNING,
    "An entry lacks a field an author–year reference needs for its type.",
    "An author–year reference needs who, when and what, and where it was published: without "
    "them the reader cannot find the work.",
    bad="@book{sen1999, author={Sen, Amartya}, title={Development as Freedom}}",
    good="@book{sen1999, author={Sen, Amartya}, title={Development as Freedom},\n"
         "  publisher={Oxford University Press}, year={1999}}",
)
rules.rule(
    "CIT006", "bibtex-syntax-error", Severity.ERROR,
    "The .bib file has a syntax error (reported at the .bib file's own line).",
    "BibTeX skips the rest of a broken entry, so its citations silently fail.",
    bad="@book{sen1999,\n  title = {Development as Freedom,\n  year = 1999\n}",
    good="@book{sen1999,\n  title = {Development as Freedom},\n  year = 1999\n}",
)

CITE_ROLE = re.compile(r"^(foot)?cite(:[\w-]+)?$")
PRE_POST = re.compile(r"\{[^{}]*\}")  # sphinxcontrib-bibtex's {pre}key{post} notes
KEY = re.compile(r"[^,;\s]+")  # (mystmd separates keys with ";")
# sphinxcontrib-bibtex's explicit title: {cite:t}`the survey <key>`
EXPLICIT_TITLE = re.compile(r"^(?P<title>.*?)\s*<(?P<keys>[^<>]+)>\s*$", re.DOTALL)
# a foreign book's .bib with more uncited entries than this share, and at least
# SHARED_MINIMUM of them, is a library shared with other books: one finding, not hundreds
SHARED_SHARE = 0.5
SHARED_MINIMUM = 10

# fields an author–year reference needs, by entry type, beyond creator, title and year
VENUE: dict[str, tuple[str, ...]] = {
    "article": ("journal|journaltitle",),
    "book": ("publisher",),
    "inbook": ("publisher",),
    "incollection": ("booktitle", "publisher"),
    "inproceedings": ("booktitle",),
    "conference": ("booktitle",),
    "techreport": ("institution",),
    "report": ("institution",),
    "phdthesis": ("school|institution",),
    "mastersthesis": ("school|institution",),
    "thesis": ("school|institution",),
    "online": ("url",),
}
CREATORS = ("author", "editor", "organization")


def citations(doc: Document) -> list[tuple[Role, str, int]]:
    """Each cited key with its role and the key's column on the line (computed once)."""
    found = doc.cache.get("citations")
    if not isinstance(found, list):
        found = doc.cache["citations"] = _citations(doc)
    return found


@lru_cache(maxsize=256)
def is_cite_role(name: str) -> bool:
    """Whether `name` is one of sphinxcontrib-bibtex's citation roles (a page holds
    dozens of roles and only a handful of names: each name is matched once)."""
    return CITE_ROLE.match(name) is not None


def _citations(doc: Document) -> list[tuple[Role, str, int]]:
    found: list[tuple[Role, str, int]] = []
    lines = doc.lines
    for role in doc.roles:
        if not is_cite_role(role.name):
            continue
        content = PRE_POST.sub(lambda m: " " * len(m.group()), role.content) \
            if "{" in role.content else role.content
        source = lines[role.line - 1] if role.line <= len(lines) else ""
        start = role.column - 1 + len(role.name) + 3  # past "{name}`"
        explicit = EXPLICIT_TITLE.match(content) if "<" in content else None
        if explicit:  # the keys are in the brackets; the title is the link text
            start += explicit.start("keys")
            content = explicit.group("keys")
        if "," not in content and " " not in content and ";" not in content:  # one key
            exact = source.startswith(content, start)
            found.append((role, content, start + 1 if exact else role.column))
            continue
        for match in KEY.finditer(content):
            key = match.group()
            column = start + match.start()
            exact = source[column:column + len(key)] == key
            found.append((role, key, column + 1 if exact else role.column))
    return found


def cited_keys(index: BookIndex) -> set[str]:
    if "cited" not in index.cache:
        index.cache["cited"] = {key.lower() for doc in index.documents.values()
                                for _, key, _ in citations(doc)}
    cited: set[str] = index.cache["cited"]
    return cited


@check("CIT001")
def check_unknown_keys(index: BookIndex) -> Iterator[Diagnostic]:
    """Every cited key is in the bibliography; suggest the nearest key when it is not."""
    keys = [entry.key for entry in index.entries.values()]
    for doc in index.documents.values():
        for role, key, column in citations(doc):
            if key.lower() in index.entries:
                continue
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else (
                "add the work to the bibliography" if index.bibs else
                "the book has no bibliography file")
            yield rules.make("CIT001", doc.path, role.line, column,
                             f"unknown citation key {key!r}", hint)


@check("CIT002")
def check_uncited_entries(index: BookIndex) -> Iterator[Diagnostic]:
    """Every entry is cited somewhere: an essay, the introduction, the glossary."""
    cited = cited_keys(index)
    foreign = index.project.kind != "essaykit"
    if foreign and any(d.kind == "bibliography" and "all" in d.options
                       for doc in index.documents.values() for d in doc.directives):
        return  # {bibliography} :all: lists every entry on purpose
    for bib in index.bibs:
        uncited = [entry for entry in bib.entries
                   if entry.key.lower() not in cited and entry.key.lower() not in bib.broken]
        if foreign and len(uncited) >= SHARED_MINIMUM and \
                len(uncited) > SHARED_SHARE * len(bib.entries):
            shown = ", ".join(repr(entry.key) for entry in uncited[:3])
            yield rules.make("CIT002", bib.path, uncited[0].line, 1,
                             f"{len(uncited)} of the {len(bib.entries)} entries are never "
                             f"cited ({shown}, ...): is this bibliography shared with other "
                             "books?", "if it is, ignore CIT002 for it in [tool.essaykit] "
                             "per-file-ignores; if not, remove the entries this book does "
                             "not cite")
            continue
        for entry in uncited:
            yield rules.make("CIT002", bib.path, entry.line, 1,
                             f"entry {entry.key!r} is never cited",
                             "cite it, or remove it from the bibliography")


@check("CIT003", "CIT006")
def check_bib_problems(index: BookIndex) -> Iterator[Diagnostic]:
    """pybtex's own findings, at the .bib line: syntax errors and duplicate keys."""
    first_seen: dict[str, tuple[str, int]] = {}
    for bib in index.bibs:
        for problem in bib.problems:
            if problem.kind == "duplicate-key":
                yield rules.make("CIT003", bib.path, problem.line, problem.column,
                                 f"{problem.message} (first defined at line {problem.other_line})",
                                 "give each entry its own key")
            else:
                yield rules.make("CIT006", bib.path, problem.line, problem.column,
                                 problem.message, _syntax_hint(bib.lines, problem.line))
        for entry in bib.entries:  # the same key in two .bib files
            folded = entry.key.lower()
            if folded in first_seen and first_seen[folded][0] != bib.path:
                other, line = first_seen[folded]
                yield rules.make("CIT003", bib.path, entry.line, 1,
                                 f"duplicate key {entry.key!r} (also in {other}:{line})",
                                 "give each entry its own key")
            first_seen.setdefault(folded, (bib.path, entry.line))


def _syntax_hint(lines: list[str], line: int) -> str:
    """BibTeX notices a missing comma only at the next field: say so."""
    before = [(n, text.rstrip()) for n, text in enumerate(lines[:line - 1], 1) if text.strip()]
    if before and not before[-1][1].endswith((",", "{", "(")) and "=" in before[-1][1]:
        return f"is a comma missing at the end of line {before[-1][0]}?"
    return "fix the entry so that BibTeX can read it"


def normalise_title(title: str) -> str:
    title = re.sub(r"\\[a-zA-Z]+\s*", "", title)
    return " ".join(re.sub(r"[^\w\s]", " ", title.lower()).split())


def normalise_doi(doi: str) -> str:
    doi = doi.strip().lower()
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi)


@check("CIT004")
def check_duplicate_works(index: BookIndex) -> Iterator[Diagnostic]:
    """No work is entered twice under different keys."""
    by_doi: dict[str, BibEntry] = {}
    by_title: dict[tuple[str, str], BibEntry] = {}
    for bib in index.bibs:
        for entry in bib.entries:
            doi = normalise_doi(entry.fields.get("doi", ""))
            title = normalise_title(entry.fields.get("title", ""))
            year = entry.fields.get("year", "").strip()
            twin = by_doi.get(doi) if doi else None
            reason = f"same DOI {doi}"
            if twin is None and title:
                twin = by_title.get((title, year))
                reason = "same title and year"
            if twin is not None and twin.key.lower() != entry.key.lower():
                yield rules.make("CIT004", bib.path, entry.line, 1,
                                 f"entry {entry.key!r} looks like {twin.key!r} "
                                 f"({twin.path}:{twin.line}): {reason}",
                                 "keep one entry and cite it everywhere")
                continue
            if doi:
                by_doi.setdefault(doi, entry)
            if title:
                by_title.setdefault((title, year), entry)


def missing_fields(entry: BibEntry) -> list[str]:
    def has(name: str) -> bool:
        return any(entry.fields.get(n, "").strip() or entry.persons.get(n)
                   for n in name.split("|"))

    missing = []
    if not any(has(name) for name in CREATORS):
        missing.append("author (or editor, or an organisation as author)")
    if not has("title"):
        missing.append("title")
    if not has("year|date"):
        missing.append("year")
    missing.extend(name.replace("|", " or ") for name in VENUE.get(entry.type, ()) if not has(name))
    return missing


@check("CIT005")
def check_incomplete_entries(index: BookIndex) -> Iterator[Diagnostic]:
    """Each entry has the fields an author–year reference of its type needs."""
    for bib in index.bibs:
        for entry in bib.entries:
            if entry.key.lower() in bib.broken:  # CIT006 explains it
                continue
            missing = missing_fields(entry)
            if missing:
                yield rules.make("CIT005", bib.path, entry.line, 1,
                                 f"@{entry.type}{{{entry.key}}} has no {', '.join(missing)}",
                                 "add the missing fields; an author–year reference needs them")
