"""The checker's parsed pages, kept between builds: only changed pages are parsed again.

`essaykit build` checks the whole book before Sphinx runs. Every check still
sees every page (an edit to one essay can break a reference in another), but
parsing is most of the check's time, and a page's parse depends only on its
text, its place in the book and the parser's settings. Each parse is pickled
under a digest of exactly those inputs, essaykit's own version and the
parser's; a page whose digest is unchanged is loaded instead of parsed.
Entries a run did not use are deleted at its end.

The folder lives in the build's own cache (next to Sphinx's pickled
environment), so it holds only what essaykit itself wrote there.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from essaykit.check.project import Project


class ParseCache:
    def __init__(self, folder: Path, version: str):
        self.folder = folder
        self.version = version
        self.used: set[str] = set()
        self.loaded = self.parsed = 0
        self._settings: str | None = None
        # the project's pages and essays as sets, for the project they were made from
        self._places: tuple[object, frozenset[str], frozenset[str]] | None = None

    def key(self, project: Project, page: str, text: str) -> str:
        if self._settings is None:
            # self.version is the shared cache key: essaykit and the parser's releases
            self._settings = repr((self.version, project.kind,
                                   sorted(project.extensions), project.heading_anchors,
                                   project.title_to_header, project.front_matter_schema))
        if self._places is None or self._places[0] is not project:
            self._places = (project, frozenset(project.pages), frozenset(project.essays))
        _, pages, essays = self._places
        place = repr((page, project.docname(page), page in pages, page in essays))
        digest = hashlib.sha256(f"{self._settings}\0{place}\0".encode())
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str) -> Any | None:
        self.used.add(key)
        try:
            with open(self.folder / f"{key}.pickle", "rb") as handle:
                value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                IndexError, TypeError, ValueError):
            return None  # missing, truncated or from another version: parse again
        self.loaded += 1
        return value

    def put(self, key: str, value: Any) -> None:
        self.used.add(key)
        self.parsed += 1
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f"{key}.partial"
            partial.write_bytes(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
            os.replace(partial, self.folder / f"{key}.pickle")
        except OSError:
            pass  # a cache that cannot be written only costs time

    def prune(self) -> None:
        """Delete what this run did not use (pages since edited or removed)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
