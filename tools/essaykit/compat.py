"""Every use of another package's private or undocumented internals, in one place.

essaykit builds on the public APIs of Sphinx, docutils, myst-parser,
sphinxcontrib-bibtex, pybtex and the theme. Where a feature or a measured
speed-up cannot be had through them, the reach inside is wrapped here, with
one line on why, and `tests/test_compat.py` checks each upstream shape, so an
upgrade that changes one fails there with a clear message instead of deep in
a build. `tests/test_compat.py` also scans the package: no other module may
name another package's private attribute.

The speed-ups among them are behind `essaykit_fast_internals` (on by default);
with it off, the build uses only public behaviour, and the tests compare the
two builds page by page.
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment


# --- Sphinx -----------------------------------------------------------------

def set_in_conf_py(config: Config, name: str) -> bool:
    """Whether conf.py itself set `name`: essaykit's defaults never override the
    editor's own settings, and Sphinx records what conf.py set only in
    `Config._raw_config` (no public accessor)."""
    return name in config._raw_config


def search_index_entries(env: BuildEnvironment) -> dict[str, list[tuple[str, str, str]]]:
    """Each page's entries in the search index's index-entry table (glossary
    terms, `{index}`), as Sphinx keeps them on the environment
    (`_search_index_index_entries`): sphinx_ext/searchkeep.py carries them
    over between builds, which Sphinx does not (sphinx-doc/sphinx#12599)."""
    entries: dict[str, list[tuple[str, str, str]]] = env._search_index_index_entries
    return entries


def mark_read_now(env: BuildEnvironment, docname: str) -> None:
    """Record a page as read now, without reading it: a listing page whose
    listing is unchanged after an essay's edit (see sphinx_ext/shown.py).
    `env.all_docs` holds each page's read time in microseconds, as Sphinx's
    own `_last_modified_time` does; it is public to read, not documented to write."""
    env.all_docs[docname] = time.time_ns() // 1_000


def swap_toc_parents(env: BuildEnvironment,
                     parents: dict[str, set[str]]) -> dict[str, set[str]]:
    """Replace, for one write, Sphinx's map of which pages list which (so a page
    whose toctrees are all hidden is not rewritten for a child's edit); returns
    the map to put back. `env.files_to_rebuild` is undocumented."""
    kept = env.files_to_rebuild
    env.files_to_rebuild = parents
    return kept


class KeepNothing(dict[str, Any]):
    """A cache that stores nothing: every lookup misses and Sphinx loads from disk."""

    def __setitem__(self, key: str, value: Any) -> None:
        pass


def keep_no_read_doctrees(env: BuildEnvironment) -> bool:
    """Stop Sphinx holding every read doctree until it is written (all of a
    500-essay book at once); the writer loads each from its pickle instead.
    `env._write_doc_doctree_cache` is private. False when this Sphinx lacks it."""
    if not hasattr(env, "_write_doc_doctree_cache"):
        return False
    env._write_doc_doctree_cache = KeepNothing()
    return True


def forget_pickled_doctree(env: BuildEnvironment, docname: str) -> None:
    """Drop the pickled bytes Sphinx keeps after loading a page's doctree
    (`env._pickled_doctree_cache`, private), once the page is written."""
    cache = getattr(env, "_pickled_doctree_cache", None)
    if isinstance(cache, dict):
        cache.pop(docname, None)


# --- sphinxcontrib-bibtex ----------------------------------------------------

def bibtex_filter_visitor() -> type:
    """sphinxcontrib-bibtex's evaluator of a bibliography's `:filter:`, which the
    indexed domain (sphinx_ext/fastbib.py) runs exactly as the original does;
    it is `_FilterVisitor`, private."""
    from sphinxcontrib.bibtex.domain import _FilterVisitor

    return _FilterVisitor  # type: ignore[no-any-return]


@contextlib.contextmanager
def bibtex_domain_logger(replacement: Any) -> Iterator[Any]:
    """Swap the module logger of sphinxcontrib-bibtex's domain for the length of
    its `env_updated`, so that warnings `suppress_warnings` drops are never made
    (16,600 at 500 essays). Yields the original logger."""
    from sphinxcontrib.bibtex import domain

    original = domain.logger
    domain.logger = replacement(original)
    try:
        yield original
    finally:
        domain.logger = original


# --- pybtex -------------------------------------------------------------------

def cache_pybtex_plugins() -> None:
    """Resolve pybtex's plugins once instead of on every lookup.

    pybtex scans every installed package's entry points on every plugin
    lookup, and sphinxcontrib-bibtex looks plugins up for every list and
    citation: a third of a 100-essay build. Its public `register_plugin` scans
    them again on each call; what it then records is this, in the private
    `_DEFAULT_PLUGINS` and `_RUNTIME_PLUGINS`.
    """
    from importlib.metadata import entry_points

    from pybtex.plugin import _DEFAULT_PLUGINS, _RUNTIME_PLUGINS

    installed = entry_points()
    for base in list(_DEFAULT_PLUGINS):
        for group in (base, base + ".aliases", base + ".suffixes"):
            for entry_point in installed.select(group=group):
                _RUNTIME_PLUGINS.setdefault(group, {})[entry_point.name] = entry_point.load()


# --- myst-parser ----------------------------------------------------------------

def myst_renderer(state: Any) -> Any:
    """The myst-parser renderer behind a directive's state, or None outside
    Markdown: the guarded `include` hands a Markdown include back to
    myst-parser's own code, which needs it (`state._renderer`, private)."""
    return getattr(state, "_renderer", None)


# --- sphinxext-opengraph --------------------------------------------------------

OPENGRAPH_SOCIAL_CARDS = "sphinxext.opengraph._social_cards"


@contextlib.contextmanager
def opengraph_without_social_cards() -> Iterator[None]:
    """Load sphinxext-opengraph without its social-card module, which imports
    matplotlib (a second of every build's start) to draw cards essaykit never
    draws; opengraph has no setting for this. A None in `sys.modules` makes
    that import fail as if matplotlib were missing; its note is kept quiet."""
    planted = "sphinxext.opengraph" not in sys.modules
    if planted:
        sys.modules.setdefault(OPENGRAPH_SOCIAL_CARDS, None)  # type: ignore[arg-type]
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        if planted and sys.modules.get(OPENGRAPH_SOCIAL_CARDS, "") is None:
            del sys.modules[OPENGRAPH_SOCIAL_CARDS]
