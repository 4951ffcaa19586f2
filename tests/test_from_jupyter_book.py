"""`essaykit init --from-jupyter-book`: a Jupyter Book 1 collection becomes an essaykit
book, its pages left where they are and unchanged; it checks clean and builds when its
essays have their front matter."""

from __future__ import annotations

from pathlib import Path

import pytest

from essaykit.build import BuildOptions, build
from essaykit.check import run_check
from essaykit.cli.main import main
from essaykit.core.book import load_book

PAGES = {
    "_config.yml": "title: Commons Papers\nauthor: Ada Editor and Bea Editor\n"
                   "bibtex_bibfiles:\n  - refs.bib\n",
    "_toc.yml": "format: jb-book\nroot: intro\nparts:\n"
                "  - caption: First papers\n    chapters:\n      - file: papers/one\n"
                "        sections:\n          - file: papers/one-more\n"
                "      - file: papers/notebook\n"
                "  - caption: Reference\n    chapters:\n      - file: glossary\n",
    "intro.md": "---\ntitle: Introduction\n---\n\nWelcome to {doc}`papers/one`.\n",
    "papers/one.md": "---\ntitle: One\nauthors:\n  - name: Cy Writer\nabstract: The first.\n"
                     "---\n\nA {term}`Commons` is shared {cite:p}`ostrom1990governing`.\n",
    "papers/one-more.md": "---\ntitle: One more\nauthors:\n  - name: Di Writer\n"
                          "abstract: The second.\n---\n\nMore on the first paper.\n",
    "papers/notebook.ipynb": "{}",
    "glossary.md": "---\ntitle: Glossary\n---\n\n:::{glossary}\nCommons\n"
                   "  A resource a group manages together.\n:::\n",
    "refs.bib": "@book{ostrom1990governing,\n  author = {Ostrom, Elinor},\n"
                "  title = {Governing the Commons},\n  publisher = {Cambridge University Press},\n"
                "  year = {1990},\n}\n",
}


@pytest.fixture
def jupyter_book(tmp_path: Path) -> Path:
    root = tmp_path / "jb"
    for relative, text in PAGES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


def test_the_collection_becomes_a_book_with_its_pages_where_they_were(
        jupyter_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--from-jupyter-book", str(jupyter_book)]) == 0
    out = capsys.readouterr().out
    assert "left out (essaykit pages are Markdown): papers/notebook.ipynb" in out
    for relative, text in PAGES.items():  # not one page touched
        assert (jupyter_book / relative).read_text(encoding="utf-8") == text
    book = load_book(jupyter_book)
    assert book.title == "Commons Papers"
    assert [e.name for e in book.editors] == ["Ada Editor", "Bea Editor"]
    assert book.front == ("intro.md",)
    assert [(p.title, p.essays) for p in book.parts] == [
        ("First papers", ("papers/one.md", "papers/one-more.md"))]  # the empty part dropped
    assert book.back == ("glossary.md", "book/bibliography.md", "book/contributors.md")
    assert book.bibliography == "refs.bib"
    assert [d.format_text() for d in run_check(jupyter_book).diagnostics] == []


def test_it_refuses_what_is_not_a_jupyter_book_or_would_overwrite(
        jupyter_book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--from-jupyter-book", str(tmp_path / "nothing")]) == 2
    assert "has no _config.yml" in capsys.readouterr().err
    (jupyter_book / "conf.py").write_text("# mine\n", encoding="utf-8")
    assert main(["init", "--from-jupyter-book", str(jupyter_book)]) == 2
    assert "conf.py exists already" in capsys.readouterr().err
    assert not (jupyter_book / "book").exists()
    assert (jupyter_book / "conf.py").read_text(encoding="utf-8") == "# mine\n"
    (jupyter_book / "conf.py").unlink()
    (jupyter_book / "_toc.yml").write_text("root: [unclosed\n", encoding="utf-8")
    assert main(["init", "--from-jupyter-book", str(jupyter_book)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("essaykit init: _toc.yml:") and "Traceback" not in err


def test_given_title_and_editors_win_over_config_yml(jupyter_book: Path) -> None:
    assert main(["init", "--from-jupyter-book", str(jupyter_book), "--title", "Renamed",
                 "--editor", "Ed Itor", "--language", "en-GB"]) == 0
    book = load_book(jupyter_book)
    assert (book.title, book.editors[0].name, book.language) == ("Renamed", "Ed Itor", "en-GB")


@pytest.mark.slow
def test_the_made_book_builds_with_no_warning(jupyter_book: Path) -> None:
    assert main(["init", "--from-jupyter-book", str(jupyter_book)]) == 0
    result = build(BuildOptions(root=jupyter_book, quiet=True, strict=True, pdf=False))
    assert result.warnings == []
    page = (result.outdir / "html/papers/one.html").read_text(encoding="utf-8")
    assert "Ostrom" in page and "Cy Writer" in page
