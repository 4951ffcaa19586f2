"""The indexed citation domain renders exactly what sphinxcontrib-bibtex's own does."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from essaykit.build import BuildOptions, build

from .conftest import BUILD_BOOKS, REPO, copy_book, incremental_and_clean

pytestmark = pytest.mark.slow

ORIGINAL_DOMAIN = '''
extensions = ["essaykit.sphinx_ext", "original_domain"]
'''
ORIGINAL_EXTENSION = '''
from sphinxcontrib.bibtex.directives import BibliographyDirective
from sphinxcontrib.bibtex.domain import BibtexDomain

def setup(app):
    # the indexed transform steps aside when the domain is not the indexed one
    app.add_domain(BibtexDomain, override=True)
    app.add_directive("bibliography", BibliographyDirective, override=True)
    return {"parallel_read_safe": True}
'''


def generated_book(target: Path, essays: int) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench/generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(essays, target)
    return target


def built_with_and_without(tmp_path: Path, kind: str, setting: str) -> tuple[Path, Path]:
    """A small or a generated book built as it is, and a copy built with `setting`
    (a conf.py line that turns one of essaykit's optimisations off)."""
    books = []
    for name in ("as-is", "set"):
        root = (copy_book(BUILD_BOOKS / "small", tmp_path / name) if kind == "small"
                else generated_book(tmp_path / name, 12))
        if name == "set":
            conf = root / "conf.py"
            conf.write_text((conf.read_text(encoding="utf-8") if conf.exists()
                             else 'extensions = ["essaykit.sphinx_ext"]\n')
                            + setting + "\n", encoding="utf-8")
        build(BuildOptions(root=root, quiet=True, pdf=False, check=False))
        books.append(root)
    return books[0], books[1]


def html_pages(root: Path) -> dict[str, str]:
    html = root / "_build" / "html"
    return {str(p.relative_to(html)): p.read_text(encoding="utf-8")
            for p in sorted(html.rglob("*.html"))}


@pytest.mark.parametrize("kind", ["small", "generated"])
def test_same_html_with_either_domain(tmp_path: Path, kind: str) -> None:
    books = []
    for name in ("indexed", "original"):
        if kind == "small":
            root = copy_book(BUILD_BOOKS / "small", tmp_path / name)
        else:
            root = generated_book(tmp_path / name, 12)
        if name == "original":
            (root / "conf.py").write_text(ORIGINAL_DOMAIN, encoding="utf-8")
            (root / "original_domain.py").write_text(ORIGINAL_EXTENSION, encoding="utf-8")
        books.append(root)
    sys.path.insert(0, str(books[1]))
    try:
        for root in books:
            build(BuildOptions(root=root, quiet=True, pdf=False, check=False))
    finally:
        sys.path.remove(str(books[1]))
    indexed, original = (html_pages(root) for root in books)
    assert indexed.keys() == original.keys()
    different = [page for page in indexed if indexed[page] != original[page]]
    assert different == []


def _count_formatting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the key of every entry pybtex formats for a reference list."""
    from essaykit.sphinx_ext.fastbib import IndexedBibtexDomain

    formatted: list[str] = []
    original = IndexedBibtexDomain._format

    def counting(cache: dict, style: object, style_name: str, label: str, entry: object,
                 tooltip: bool) -> object:
        formatted.append(entry.key)  # type: ignore[attr-defined]
        return original(cache, style, style_name, label, entry, tooltip)

    monkeypatch.setattr(IndexedBibtexDomain, "_format", staticmethod(counting))
    return formatted


def test_unchanged_reference_lists_are_not_formatted_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    formatted = _count_formatting(monkeypatch)
    build(BuildOptions(root=root, quiet=True, pdf=False, epub=False))
    assert formatted, "the first build formats every list"

    essay = root / "essays" / "no-citations.md"
    formatted.clear()
    essay.write_text(essay.read_text(encoding="utf-8") + "\nA sentence more.\n",
                     encoding="utf-8")
    build(BuildOptions(root=root, quiet=True, pdf=False, epub=False))
    assert formatted == []  # no list's entries changed

    # a list's output depends on its entries and the .bib: a changed .bib formats all
    bib = root / "book" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace(
        "{Diffusion of Innovations}", "{Diffusion of Innovations, Revised}"), encoding="utf-8")
    build(BuildOptions(root=root, quiet=True, pdf=False, epub=False))
    assert {"rogers2003diffusion", "ostrom1996crossing"} <= set(formatted)


def test_a_changed_bib_entry_reaches_every_list_as_in_a_clean_build(tmp_path: Path) -> None:
    def revise(root: Path) -> None:
        bib = root / "book" / "references.bib"
        text = bib.read_text(encoding="utf-8")
        bib.write_text(text.replace("{Diffusion of Innovations}",
                                    "{Diffusion of Innovations, Revised}"), encoding="utf-8")

    incremental, clean = incremental_and_clean(tmp_path, revise)
    ours, reference = html_pages(incremental), html_pages(clean)
    assert [page for page in ours if ours[page] != reference.get(page)] == []
    assert "Diffusion of Innovations, Revised" in ours["book/bibliography.html"]
    assert "Diffusion of Innovations, Revised" in ours["essays/taster.html"]
