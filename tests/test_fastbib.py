"""The indexed citation domain renders exactly what sphinxcontrib-bibtex's own does."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from essaykit.build import BuildOptions, build

from .conftest import BUILD_BOOKS, REPO, copy_book

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
