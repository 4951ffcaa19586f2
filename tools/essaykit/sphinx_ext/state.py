"""The book's build state, kept where Sphinx keeps an extension's state: a domain.

Sphinx pickles a domain's `data` with the environment, clears a page's share
when the page is read again (`clear_doc`) and, under `sphinx-build -j`, merges
what the reading processes found (`merge_domaindata`). So everything essaykit
learns while reading lives here, and every handler, directive, transform and
builder asks `book_state(env)` for it:

- `book`: the book's metadata (book.yml), loaded once per build;
- `trusted`: the pages book.yml trusts, as the pages now read were read;
- `remote_images`: the URL prefixes of remote images `[tool.essaykit]` allows;
- `shown`: per listing page, what it showed of each essay (sphinx_ext/shown.py);
- `term_tips`: per page, its glossary definitions (sphinx_ext/termtips.py);
- `read`: the pages read in this build (sphinx_ext/freshness.py);
- `letters`: the Harvard letters of the book's works (2010a, 2010b), by key,
  given at env-updated from the .bib files (sphinx_ext/citeorder.py) and
  handed to the pybtex styles by the code that formats lists and citations
  (the book's index entries live in Sphinx's own `index` domain).

What lives only for one process and one build (caches of rendered sidebars,
the values freshness.py compares before and after reading) is kept on the
domain object itself, never pickled.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Set
from typing import TYPE_CHECKING, Any

from sphinx.domains import Domain

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

    from essaykit.core.book import Book

NAME = "essaykit"

# config-inited comes before the environment exists: the loaded book waits here
_loaded: weakref.WeakKeyDictionary[Any, Book] = weakref.WeakKeyDictionary()


class BookState(Domain):
    """essaykit's state; it defines no roles, directives or objects of its own."""

    name = NAME
    label = "essaykit"
    data_version = 2
    initial_data: dict[str, Any] = {
        "book": None,
        "trusted": None,
        "remote_images": (),
        "shown": {},
        "term_tips": {},
        "read": set(),
        "letters": {},
    }

    def __init__(self, env: BuildEnvironment) -> None:
        super().__init__(env)
        # per process and per build, never pickled
        self.before_reading: dict[str, Any] = {}
        self.nav_cache: dict[tuple[Any, ...], str | None] = {}
        self.nav_fingerprint: str | None = None
        self.saved_toc_parents: dict[str, set[str]] | None = None
        # the builder of this build, for transforms that resolve references
        # themselves (Sphinx 9 deprecates a transform's `self.app`)
        self.builder: Any = None

    @property
    def book(self) -> Book:
        book: Book | None = self.data["book"]
        if book is None:
            raise RuntimeError("essaykit: the book is read at builder-inited; asked too early")
        return book

    @property
    def shown(self) -> dict[str, dict[str, tuple[str, str, str]]]:
        return self.data["shown"]  # type: ignore[no-any-return]

    @property
    def term_tips(self) -> dict[str, dict[str, str]]:
        return self.data["term_tips"]  # type: ignore[no-any-return]

    @property
    def read(self) -> set[str]:
        return self.data["read"]  # type: ignore[no-any-return]

    @property
    def letters(self) -> dict[str, str]:
        return self.data["letters"]  # type: ignore[no-any-return]

    def clear_doc(self, docname: str) -> None:
        self.shown.pop(docname, None)
        self.term_tips.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            for key in ("shown", "term_tips"):
                if docname in otherdata[key]:
                    self.data[key][docname] = otherdata[key][docname]
        self.read.update(otherdata["read"] & set(docnames))

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []

    def get_objects(self) -> Iterable[tuple[str, str, str, str, str, int]]:
        return ()


def book_state(env: BuildEnvironment) -> BookState:
    state = env.get_domain(NAME)
    assert isinstance(state, BookState)
    return state


def book_of(env: BuildEnvironment) -> Book:
    return book_state(env).book


def remember_book(app: Sphinx, book: Book) -> None:
    """At config-inited: hold the book until the environment exists."""
    _loaded[app] = book


def install_book(app: Sphinx) -> None:
    """At builder-inited (first of all handlers): the book goes into the state."""
    state = book_state(app.env)
    state.builder = app.builder
    book = _loaded.pop(app, None)
    if book is not None:
        state.data["book"] = book


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_domain(BookState)
    app.connect("builder-inited", install_book, priority=1)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
