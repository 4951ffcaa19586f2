"""What changed since the last successful build: essays added, edited, removed, new findings.

Each successful build leaves a small manifest beside its outputs
(`_build/.last-build.json`, outside `.cache`, which a failed build wipes): a content
hash of every source file and the checker's findings. The next build compares
itself with it. Nothing here prints; the CLI formats the `ChangeReport`.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from essaykit.core.book import BOOK_FILE, Book
from essaykit.core.diagnostics import Diagnostic

MANIFEST = ".last-build.json"
MANIFEST_VERSION = 1


@dataclass(frozen=True, order=True)
class Finding:
    """A finding as the report compares it: without its line and column, so that a
    warning that only moved (text added above it) is not new."""

    path: str
    code: str
    message: str
    severity: str

    @classmethod
    def of(cls, diagnostic: Diagnostic) -> Finding:
        return cls(diagnostic.path, diagnostic.code, diagnostic.message, str(diagnostic.severity))


@dataclass(frozen=True)
class BuildManifest:
    essays: tuple[str, ...]  # in reading order, the taster first
    sources: dict[str, str] = field(default_factory=dict)  # path -> sha256 of its bytes
    findings: tuple[Finding, ...] = ()

    def as_json(self) -> str:
        return json.dumps({
            "version": MANIFEST_VERSION,
            "essays": list(self.essays),
            "sources": dict(sorted(self.sources.items())),
            "findings": [[f.path, f.code, f.message, f.severity] for f in sorted(self.findings)],
        }, indent=1, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class ChangeReport:
    first_build: bool
    added: tuple[str, ...] = ()  # essays
    edited: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    other_files: tuple[str, ...] = ()  # book.yml, front and back matter, bibliography...
    new_findings: tuple[Finding, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added or self.edited or self.removed or self.other_files
                    or self.new_findings)


def tracked_files(book: Book) -> list[str]:
    """The sources whose changes the report names: book.yml, every page, the
    bibliography and the jargon watch-list."""
    names = [str(BOOK_FILE), *book.pages, book.bibliography]
    if book.jargon:
        names.append(book.jargon)
    return list(dict.fromkeys(names))


def snapshot(book: Book, diagnostics: Iterable[Diagnostic]) -> BuildManifest:
    sources: dict[str, str] = {}
    for name in tracked_files(book):
        try:
            sources[name] = hashlib.sha256(book.path(name).read_bytes()).hexdigest()
        except OSError:
            continue  # a missing file has no hash; its absence is the change
    return BuildManifest(book.essays, sources, tuple(Finding.of(d) for d in diagnostics))


def read_manifest(outdir: Path) -> BuildManifest | None:
    """The last successful build's manifest; None when there is none, or when it is
    unreadable or from another version (the report then says "first build")."""
    try:
        data = json.loads((outdir / MANIFEST).read_text(encoding="utf-8"))
        if data.get("version") != MANIFEST_VERSION:
            return None
        return BuildManifest(
            tuple(str(e) for e in data["essays"]),
            {str(k): str(v) for k, v in data["sources"].items()},
            tuple(Finding(*(str(part) for part in f)) for f in data["findings"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_manifest(outdir: Path, manifest: BuildManifest) -> None:
    """Written whole or not at all: a temporary file renamed into place."""
    target = outdir / MANIFEST
    temporary = target.with_name(f"{MANIFEST}.tmp")
    temporary.write_text(manifest.as_json(), encoding="utf-8")
    os.replace(temporary, target)


def compare(previous: BuildManifest | None, current: BuildManifest) -> ChangeReport:
    if previous is None:
        return ChangeReport(first_build=True)
    before, now = set(previous.essays), set(current.essays)
    added = tuple(e for e in current.essays if e not in before)
    removed = tuple(e for e in previous.essays if e not in now)
    edited = tuple(e for e in current.essays if e in before
                   and previous.sources.get(e) != current.sources.get(e))
    essays = before | now
    others = sorted(name for name in set(previous.sources) | set(current.sources)
                    if name not in essays
                    and previous.sources.get(name) != current.sources.get(name))
    # a finding that appears twice now and once before is one new finding
    fresh = Counter(current.findings) - Counter(previous.findings)
    new_findings = tuple(sorted(fresh.elements()))
    return ChangeReport(False, added, edited, removed, tuple(others), new_findings)
