"""essaykit.compat is the one module that may touch other packages' internals.

Each guard below checks the upstream shape one wrapper relies on, so that an
upgrade which changes it fails here, with a message naming the wrapper,
rather than deep inside a build. The scan checks that no other module names a
private attribute of another package.
"""

from __future__ import annotations

import ast
import inspect
import logging
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import essaykit
from essaykit import compat

PACKAGE = Path(essaykit.__file__).parent
DOTTED = re.compile(r"^[A-Za-z_]\w*(\.\w+)+$")
# documented names that start with an underscore: namedtuple's API, and os._exit, which
# the os module documents for leaving a forked child (the live preview's builds)
PUBLIC_UNDERSCORE = {"_replace", "_asdict", "_fields", "_make", "_field_defaults", "_exit"}


def own_names() -> set[str]:
    """Every name essaykit defines itself (functions, classes, attributes it assigns)."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                    names.add(node.attr)
    return names


def foreign_private_names(source: str, own: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] == "essaykit" or node.module == "__future__":
                continue
            if any(part.startswith("_") for part in node.module.split(".")):
                found.append(f"line {node.lineno}: from {node.module}")
            found += [f"line {node.lineno}: import {node.module}.{alias.name}"
                      for alias in node.names
                      if alias.name.startswith("_") and not alias.name.startswith("__")]
        elif isinstance(node, ast.Attribute):
            name = node.attr
            if (name.startswith("_") and not name.startswith("__") and name not in own
                    and name not in PUBLIC_UNDERSCORE):
                found.append(f"line {node.lineno}: .{name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("getattr", "hasattr", "setattr", "delattr") \
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            name = str(node.args[1].value)
            if name.startswith("_") and not name.startswith("__") and name not in own:
                found.append(f"line {node.lineno}: {node.func.id}(..., {name!r})")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and DOTTED.match(node.value) and not node.value.startswith("essaykit."):
            if any(part.startswith("_") and not part.startswith("__")
                   for part in node.value.split(".")[1:]):
                found.append(f"line {node.lineno}: module path {node.value!r}")
    return found


def test_no_module_but_compat_names_another_packages_private_attribute() -> None:
    own = own_names()
    offences = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "compat.py" and path.parent == PACKAGE:
            continue
        found = foreign_private_names(path.read_text(encoding="utf-8"), own)
        if found:
            offences[str(path.relative_to(PACKAGE))] = found
    assert offences == {}, "move these into essaykit/compat.py, each with a guard here"


def test_the_scan_finds_what_it_must() -> None:
    """The scan itself fires on the shapes it exists for, and not on our own names."""
    bad = (
        "from sphinx.util.osutil import _last_modified_time\n"
        "from pybtex import _private_module\n"
        "x = config._raw_config\n"
        "getattr(env, '_write_doc_doctree_cache')\n"
        "MODULE = 'sphinxext.opengraph._social_cards'\n"
    )
    assert len(foreign_private_names(bad, set())) == 5
    good = "self._cache = 1\nrow._replace(a=1)\nfrom __future__ import annotations\n"
    assert foreign_private_names(good, {"_cache"}) == []


# --- one guard per wrapper: the upstream shape each relies on ---------------------

def test_sphinx_config_records_what_conf_py_set(tmp_path: Path) -> None:
    from sphinx.config import Config

    config = Config({"project": "Mine"}, {})
    assert hasattr(config, "_raw_config"), "Sphinx's Config lost _raw_config: fix set_in_conf_py"
    assert compat.set_in_conf_py(config, "project")
    assert not compat.set_in_conf_py(config, "copyright")


def test_sphinx_environment_has_the_attributes_compat_writes() -> None:
    from sphinx.environment import BuildEnvironment

    source = inspect.getsource(BuildEnvironment)
    for name in ("all_docs", "files_to_rebuild", "_write_doc_doctree_cache",
                 "_pickled_doctree_cache"):
        assert f"self.{name}" in source, f"Sphinx's BuildEnvironment lost {name}: fix compat"
    env = SimpleNamespace(all_docs={}, files_to_rebuild={"a": {"index"}},
                          _write_doc_doctree_cache={}, _pickled_doctree_cache={"a": b"x"})
    compat.mark_read_now(env, "a")  # type: ignore[arg-type]
    assert isinstance(env.all_docs["a"], int)
    kept = compat.swap_toc_parents(env, {"a": set()})  # type: ignore[arg-type]
    assert kept == {"a": {"index"}} and env.files_to_rebuild == {"a": set()}
    assert compat.keep_no_read_doctrees(env)  # type: ignore[arg-type]
    env._write_doc_doctree_cache["a"] = object()
    assert "a" not in env._write_doc_doctree_cache
    compat.forget_pickled_doctree(env, "a")  # type: ignore[arg-type]
    assert env._pickled_doctree_cache == {}


def test_sphinx_read_times_are_microseconds_as_essaykit_compares_them(tmp_path: Path) -> None:
    """shown.py compares file times with env.all_docs in Sphinx's own unit."""
    from sphinx.util import osutil

    from essaykit.sphinx_ext.shown import modified_at

    page = tmp_path / "page.md"
    page.write_text("x", encoding="utf-8")
    upstream = getattr(osutil, "_last_modified_time", None)
    if upstream is not None:
        assert modified_at(page) == upstream(page), "Sphinx changed the unit of all_docs"


def test_sphinx_keeps_the_search_index_entries_on_the_environment(tmp_path: Path) -> None:
    """`search_index_entries` is the dict Sphinx's search index fills while writing."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    (tmp_path / "conf.py").write_text("")
    (tmp_path / "index.rst").write_text(".. glossary::\n\n   Term\n      Meaning.\n")
    with docutils_namespace():  # Sphinx's registrations end with the test
        app = Sphinx(str(tmp_path), str(tmp_path), str(tmp_path / "out"), str(tmp_path / "dt"),
                     "html", status=None, warning=None)
        app.build()
    entries = compat.search_index_entries(app.env)
    assert entries is compat.search_index_entries(app.env)  # the live table, not a copy
    assert [entry[0] for entry in entries["index"]] == ["Term"]


def test_sphinxcontrib_bibtex_filter_visitor_and_logger() -> None:
    from sphinxcontrib.bibtex import domain

    visitor = compat.bibtex_filter_visitor()
    params = inspect.signature(visitor).parameters
    assert {"entry", "docname", "cited_docnames"} <= set(params), \
        "sphinxcontrib-bibtex's _FilterVisitor changed: fix fastbib's use of it"
    assert hasattr(visitor, "visit")
    assert isinstance(domain.logger, logging.LoggerAdapter | logging.Logger), \
        "sphinxcontrib.bibtex.domain has no module logger: fix bibtex_domain_logger"
    before = domain.logger
    with compat.bibtex_domain_logger(lambda original: ("wrapped", original)) as original:
        assert original is before and domain.logger == ("wrapped", before)
    assert domain.logger is before


def test_pybtex_plugin_registry() -> None:
    from pybtex import plugin

    assert isinstance(getattr(plugin, "_DEFAULT_PLUGINS", None), dict), \
        "pybtex's _DEFAULT_PLUGINS changed: fix cache_pybtex_plugins"
    assert isinstance(getattr(plugin, "_RUNTIME_PLUGINS", None), dict)
    compat.cache_pybtex_plugins()
    assert plugin.find_plugin("pybtex.style.formatting", "plain") is not None


def test_myst_parser_keeps_its_renderer_on_the_state() -> None:
    from myst_parser.mocking import MockState

    assert "_renderer" in inspect.getsource(MockState.__init__), \
        "myst-parser's MockState lost _renderer: fix compat.myst_renderer"
    assert compat.myst_renderer(SimpleNamespace(_renderer="r")) == "r"
    assert compat.myst_renderer(object()) is None


def test_opengraph_social_cards_module_is_where_compat_blocks_it() -> None:
    import importlib.util

    import sphinxext.opengraph as opengraph

    assert "_social_cards" in inspect.getsource(opengraph), \
        "sphinxext-opengraph no longer imports _social_cards: drop the block in compat"
    assert importlib.util.find_spec(compat.OPENGRAPH_SOCIAL_CARDS) is not None
    had = compat.OPENGRAPH_SOCIAL_CARDS in sys.modules
    with compat.opengraph_without_social_cards():
        pass
    assert (compat.OPENGRAPH_SOCIAL_CARDS in sys.modules) == had


@pytest.mark.parametrize("name", ["set_in_conf_py", "mark_read_now", "swap_toc_parents",
                                  "keep_no_read_doctrees", "forget_pickled_doctree",
                                  "bibtex_filter_visitor", "bibtex_domain_logger",
                                  "cache_pybtex_plugins", "myst_renderer",
                                  "opengraph_without_social_cards"])
def test_every_wrapper_says_why(name: str) -> None:
    assert (getattr(compat, name).__doc__ or "").strip(), f"compat.{name} needs its reason"


def test_sphinxcontrib_bibtex_data_layout_that_fastbib_hands_on() -> None:
    """sphinx_ext/fastbib.py gives sphinxcontrib-bibtex's own code a slice of its
    domain data (`citations`, `citation_refs`) and subclasses its domain, directive
    and transform; pyproject.toml bounds the release (<2.8). If the layout
    changes, fastbib must change with it (tests/test_fastbib.py compares its
    HTML with the original domain's)."""
    from sphinxcontrib.bibtex.domain import BibtexDomain

    assert {"citations", "citation_refs"} <= set(BibtexDomain.initial_data), \
        "sphinxcontrib-bibtex's domain data changed: fix sphinx_ext/fastbib.py"
    for name in ("citations", "citation_refs", "env_updated", "get_entries",
                 "get_all_cited_keys", "get_formatted_entries"):
        assert hasattr(BibtexDomain, name), f"BibtexDomain.{name} is gone: fix fastbib"
