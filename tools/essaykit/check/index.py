"""The whole book, parsed and indexed once, for the checks to query.

Every lookup a check needs (a citation key, a label, a term, a page) is a
dictionary built here on first use, so no check loops over the book inside
another loop over the book.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from essaykit.check.project import Project
from essaykit.core.bib import BibEntry, BibFile
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.model import Document, GlossaryEntry, Label, normalise_label
from essaykit.core.settings import Config


@dataclass(frozen=True)
class TermDefinition:
    term: str
    entry: GlossaryEntry
    document: Document


@dataclass
class BookIndex:
    project: Project
    config: Config
    documents: dict[str, Document]
    front_matter_findings: dict[str, list[Diagnostic]]  # FM00x, found while reading pages
    bibs: list[BibFile]
    jargon: list[tuple[str, int]] = field(default_factory=list)  # (term, line) from watch-list
    jargon_path: str | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def autolink_terms(self) -> bool:
        chosen = self.config.autolink_terms
        return self.project.autolink_terms if chosen is None else chosen

    @cached_property
    def pages(self) -> list[Document]:
        return [self.documents[p] for p in self.project.pages if p in self.documents]

    @cached_property
    def essays(self) -> list[Document]:
        """The pages checked for jargon: essays, never the glossary itself."""
        return [self.documents[p] for p in self.project.essays
                if p in self.documents and not self.documents[p].glossary]

    @cached_property
    def by_docname(self) -> dict[str, Document]:
        return {doc.docname: doc for doc in self.documents.values()}

    @cached_property
    def docnames(self) -> set[str]:
        """Every page's docname: parsed pages and the order's other pages (notebooks)."""
        return set(self.by_docname) | {self.project.docname(page)
                                       for page in self.project.other_pages}

    def any_suffix(self, stem: str) -> bool:
        """Whether some file is named `stem` plus a suffix (an image written `name.*`)."""
        folder = self.path(stem).parent
        name = self.path(stem).name
        try:
            return any(child.stem == name and child.is_file() for child in folder.iterdir())
        except OSError:
            return False

    @cached_property
    def entries(self) -> dict[str, BibEntry]:
        """Entries by lower-cased key (BibTeX keys are case-insensitive); first wins."""
        found: dict[str, BibEntry] = {}
        for bib in self.bibs:
            for entry in bib.entries:
                found.setdefault(entry.key.lower(), entry)
        return found

    @cached_property
    def labels(self) -> dict[str, list[tuple[Document, Label]]]:
        found: dict[str, list[tuple[Document, Label]]] = {}
        for doc in self.documents.values():
            for label in doc.labels:
                found.setdefault(label.key, []).append((doc, label))
        return found

    @cached_property
    def glossary(self) -> dict[str, TermDefinition]:
        """Glossary terms by normalised text; the first definition wins."""
        found: dict[str, TermDefinition] = {}
        in_order = set(self.project.pages)
        for doc in self.pages + [d for p, d in self.documents.items() if p not in in_order]:
            for entry in doc.glossary:
                for term in entry.terms:
                    found.setdefault(normalise_label(term), TermDefinition(term, entry, doc))
        return found

    def resolve_path(self, doc: Document, target: str) -> str | None:
        """A path written in `doc`, relative to the project root; None if it leaves it.
        (Pages in one folder link to the same few files: each is resolved once.)"""
        known: dict[tuple[str, str], str | None] = self.cache.setdefault("resolved", {})
        key = (doc.folder, target)
        if key in known:
            return known[key]
        if target.startswith("/"):
            joined = posixpath.normpath(target.lstrip("/"))
        else:
            joined = posixpath.normpath(posixpath.join(doc.folder, target))
        if joined.startswith("../") or joined == ".." or posixpath.isabs(joined):
            resolved = None
        else:
            resolved = "" if joined == "." else joined
        known[key] = resolved
        return resolved

    def docname_join(self, doc: Document, target: str) -> str:
        """Sphinx's own rule for {doc} targets: relative to the page, or to the root."""
        return posixpath.normpath(posixpath.join(f"/{doc.docname}", "..", target))[1:]

    def exists(self, relative: str) -> bool:
        known = self.cache.setdefault("exists", {})
        if relative not in known:
            known[relative] = relative in self.documents or (self.project.root / relative).exists()
        return bool(known[relative])

    def path(self, relative: str) -> Path:
        return self.project.root / relative
