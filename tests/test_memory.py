"""Holding less in memory changes nothing in the output."""

from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from docutils import nodes

from essaykit.compat import KeepNothing
from essaykit.sphinx_ext.fastbib import CitationIds
from essaykit.sphinx_ext.memory import forget_written_doctree, lean_doctree_cache

from .test_fastbib import built_with_and_without, html_pages


def test_citation_ids_hand_out_a_fresh_node_per_lookup() -> None:
    ids = CitationIds({"rogers2003": "id4", "kotter1996": "id5"}, list_item=False)
    first, second = ids["rogers2003"], ids["rogers2003"]
    assert isinstance(first, nodes.citation) and first["ids"] == ["id4"]
    first += nodes.label("", "Rogers 2003")  # what the transform does to the node it gets
    assert first is not second and len(second) == 0 and len(ids["rogers2003"]) == 0
    assert "kotter1996" in ids and "smith" not in ids
    with pytest.raises(KeyError):
        ids["smith"]
    listed = CitationIds({"rogers2003": "id4"}, list_item=True)
    assert isinstance(listed["rogers2003"], nodes.list_item)
    # the environment is pickled between builds
    again = pickle.loads(pickle.dumps(listed))
    assert isinstance(again, CitationIds) and again.list_item
    assert dict(again.items()) == {"rogers2003": "id4"}


def fake_app(lean: bool, cache: dict[str, bytes] | None = None) -> SimpleNamespace:
    env = SimpleNamespace(_write_doc_doctree_cache={}, _pickled_doctree_cache=cache or {})
    return SimpleNamespace(config=SimpleNamespace(essaykit_lean_memory=lean), env=env)


def test_doctrees_are_not_kept_when_lean() -> None:
    app = fake_app(lean=True, cache={"essays/a": b"pickled", "essays/b": b"pickled"})
    lean_doctree_cache(app, app.env, [])  # type: ignore[arg-type]
    app.env._write_doc_doctree_cache["essays/a"] = nodes.document(None, None)
    assert isinstance(app.env._write_doc_doctree_cache, KeepNothing)
    assert "essays/a" not in app.env._write_doc_doctree_cache
    forget_written_doctree(app, "essays/a", "page.html", {}, None)  # type: ignore[arg-type]
    assert app.env._pickled_doctree_cache == {"essays/b": b"pickled"}


def test_doctrees_are_kept_when_not_lean() -> None:
    app = fake_app(lean=False, cache={"essays/a": b"pickled"})
    lean_doctree_cache(app, app.env, [])  # type: ignore[arg-type]
    app.env._write_doc_doctree_cache["essays/a"] = doctree = nodes.document(None, None)
    assert app.env._write_doc_doctree_cache["essays/a"] is doctree
    forget_written_doctree(app, "essays/a", "page.html", {}, None)  # type: ignore[arg-type]
    assert app.env._pickled_doctree_cache == {"essays/a": b"pickled"}


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["small", "generated"])
def test_lean_build_equals_sphinxs_own(tmp_path: Path, kind: str) -> None:
    books = built_with_and_without(tmp_path, kind, "essaykit_lean_memory = False")
    lean, kept = (html_pages(root) for root in books)
    assert lean.keys() == kept.keys()
    assert [page for page in lean if lean[page] != kept[page]] == []
    # a page's pickled doctree keeps its reference list's ids taken, without a
    # node for every entry of the .bib
    doctrees = books[0] / "_build" / ".cache" / "doctrees" / "html" / "essays"
    for path in doctrees.glob("*.doctree"):
        doctree = pickle.loads(path.read_bytes())
        cited_ids = [key for key, node in doctree.ids.items() if isinstance(node, nodes.citation)]
        assert cited_ids, path
        assert len({id(doctree.ids[key]) for key in cited_ids}) <= 1 + sum(
            1 for _ in doctree.findall(nodes.citation))


def test_sorted_entries_are_in_the_order_sphinxcontrib_bibtex_gives() -> None:
    from sphinxcontrib.bibtex.citation_target import CitationTarget
    from sphinxcontrib.bibtex.domain import BibtexDomain
    from sphinxcontrib.bibtex.roles import CitationRef

    from essaykit.sphinx_ext.fastbib import IndexedBibtexDomain

    def ref(docname: str, *keys: str) -> CitationRef:
        return CitationRef("id", docname, 1, [CitationTarget(key, "", "") for key in keys])

    refs = [ref("essays/b", "c", "a"), ref("essays/a", "b"), ref("essays/b", "c", "d"),
            ref("essays/a", "a", "e")]
    filtered = [(key, f"entry {key}") for key in ("a", "b", "c", "d", "z", "y")]
    docnames = ["index", "essays/a", "essays/b"]

    def sorted_by(domain_class: type) -> list[tuple[str, str]]:
        domain: Any = object.__new__(domain_class)
        domain.data = {"citation_refs": refs}
        domain.get_filtered_entries = lambda _key: iter(filtered)
        if domain_class is IndexedBibtexDomain:
            domain._first_cited, domain._cited_keys = {}, {}  # as during env_updated
        return list(domain.get_sorted_entries("list", docnames))

    indexed = sorted_by(IndexedBibtexDomain)
    assert indexed == sorted_by(BibtexDomain)
    # first cited first (pages in book order), then the uncited in .bib order
    assert [key for key, _ in indexed] == ["b", "a", "c", "d", "z", "y"]


def test_quiet_logger_drops_only_suppressed_warnings() -> None:
    from essaykit.sphinx_ext.fastbib import QuietLogger

    said: list[tuple[str, dict[str, Any]]] = []
    inner = SimpleNamespace(warning=lambda message, **kw: said.append((message, kw)),
                            info="passes through")
    quiet = QuietLogger(inner, ["bibtex.duplicate_citation", "toc.*"])
    quiet.warning("duplicate citation", type="bibtex", subtype="duplicate_citation")
    quiet.warning("dangling", type="toc", subtype="not_readable")
    quiet.warning("duplicate local citation", type="bibtex",
                  subtype="duplicate_local_citation")
    quiet.warning("untyped")
    assert [message for message, _ in said] == ["duplicate local citation", "untyped"]
    assert quiet.info == "passes through"
