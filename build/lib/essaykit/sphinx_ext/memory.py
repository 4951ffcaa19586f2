"""Hold one page's doctree at a time, not the whole book's.

Sphinx keeps every doctree it reads in memory until it writes the page
(`env._write_doc_doctree_cache`), so at the end of reading a 500-essay book
all 500 doctrees are alive at once: about 0.4 MB each, the largest part of the
build's peak memory. Every doctree is also pickled to disk as it is read, and
pages re-read in an incremental build are loaded from there anyway, so the
writers lose nothing but the time to unpickle (about 2 ms a page). The bytes
Sphinx caches when it loads a doctree (`env._pickled_doctree_cache`) are
dropped once the page is written.

Both caches are private attributes of Sphinx's environment, reached only
through essaykit.compat; if a Sphinx version lacks them, this does nothing
and the build is as Sphinx's own.
`tests/test_memory.py` compares every page with a build that keeps them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from essaykit import compat

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def lean_doctree_cache(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Before reading: do not keep the doctrees read."""
    if app.config.essaykit_lean_memory:
        compat.keep_no_read_doctrees(env)


def forget_written_doctree(app: Sphinx, pagename: str, templatename: str,
                           context: dict[str, Any], doctree: Any) -> None:
    """While writing a page: its pickled doctree was loaded for it and is not needed again."""
    if app.config.essaykit_lean_memory:
        compat.forget_pickled_doctree(app.env, pagename)
