"""Pages that show other pages' front matter are re-read only when it has changed.

The front page's contents shows every essay's title, subtitle and authors, and
the contributors page every essay's authors and title. Both depend on every
essay's file (Sphinx's `note_dependency`), so Sphinx would re-read them after
any edit to any essay, even to one word of its body, and then write them too.
At 500 essays that was the largest part of an edit's rebuild.

Each such page records here, per essay, exactly what it showed of it. When
Sphinx finds the page outdated only because essays changed, and each of those
essays still gives the same record, the page is up to date and is not read
again. Anything else (the page's own source, book.yml, a missing essay, a
doctree Sphinx cannot find) leaves Sphinx's decision as it was.

A page whose toctrees are all hidden (the front page) is also not rewritten
merely because a page in its toctree was: Sphinx does that so that a parent's
visible toctree shows its children's new titles, and essaykit rewrites every
page when a title changes anyway (see freshness.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx import addnodes

from essaykit import compat
from essaykit.core.book import Book
from essaykit.sphinx_ext.state import book_of, book_state

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

# what a kind of listing shows of an essay; filled in by directives.py
Facts = Callable[[Book, str], object]
FACTS: dict[str, Facts] = {}


def setup(app: Sphinx) -> dict[str, Any]:
    # after Sphinx has found what is outdated; before anything else adds to it
    app.connect("env-get-outdated", keep_current_listings, priority=100)
    app.connect("write-started", skip_hidden_toc_parents)
    app.connect("build-finished", restore_toc_parents)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def note_shown(env: BuildEnvironment, book: Book, kind: str, essay: str) -> Any:
    """What `kind` shows of `essay`, recorded for the page being read (which now
    depends on the essay's file)."""
    facts = FACTS[kind](book, essay)
    path = book.path(essay)
    env.note_dependency(str(path))
    records = _records(env).setdefault(env.docname, {})
    records[str(path.resolve())] = (kind, essay, repr(facts))
    return facts


def _records(env: BuildEnvironment) -> dict[str, dict[str, tuple[str, str, str]]]:
    """{page showing others: {essay path: (kind, essay, what it showed)}}"""
    return book_state(env).shown


def keep_current_listings(app: Sphinx, env: BuildEnvironment, added: set[str],
                          changed: set[str], removed: set[str]) -> list[str]:
    """Take out of `changed` the listing pages whose listings are still current."""
    if not app.config.essaykit_fast_internals or removed:
        return []
    book = book_of(env)
    records = _records(env)
    for docname in sorted(changed & records.keys()):
        if _still_current(env, book, docname, records[docname]):
            changed.discard(docname)
            # it is current as of now: the essays' edits need not be compared again
            compat.mark_read_now(env, docname)
    return []


def _still_current(env: BuildEnvironment, book: Book, docname: str,
                   record: dict[str, tuple[str, str, str]]) -> bool:
    read_at = env.all_docs.get(docname)
    if read_at is None or docname in env.reread_always:
        return False
    if not (Path(env.doctreedir) / f"{docname}.doctree").is_file():
        return False
    try:
        if modified_at(env.doc2path(docname)) > read_at:
            return False  # its own source changed
        for dependency in env.dependencies.get(docname, ()):
            path = Path(env.srcdir) / dependency
            if not path.is_file():
                return False
            if modified_at(path) <= read_at:
                continue
            shown = record.get(str(path.resolve()))
            if shown is None:
                return False  # book.yml or another file: Sphinx is right
            kind, essay, facts = shown
            if kind not in FACTS or repr(FACTS[kind](book, essay)) != facts:
                return False
    except OSError:
        return False
    return True


def skip_hidden_toc_parents(app: Sphinx, builder: Builder) -> None:
    """For this write only, pages whose toctrees are all hidden are not rewritten
    because a page they list was (Sphinx's env.files_to_rebuild)."""
    env = app.env
    hidden_only = {
        docname for docname, toc in env.tocs.items()
        if (trees := list(toc.findall(addnodes.toctree)))
        and all(tree.get("hidden") for tree in trees)
    }
    if not hidden_only or not app.config.essaykit_fast_internals:
        return
    book_state(env).saved_toc_parents = compat.swap_toc_parents(env, {
        child: parents - hidden_only for child, parents in env.files_to_rebuild.items()})


def restore_toc_parents(app: Sphinx, exception: BaseException | None) -> None:
    state = book_state(app.env)
    if state.saved_toc_parents is not None:
        compat.swap_toc_parents(app.env, state.saved_toc_parents)
        state.saved_toc_parents = None


def modified_at(path: str | Path) -> int:
    """A file's modification time in microseconds, rounded up, as Sphinx
    records read times in `env.all_docs` (tests/test_compat.py compares)."""
    return -(Path(path).stat().st_mtime_ns // -1_000)
