"""The checker on books essaykit did not write: the pieces of Sphinx and Jupyter Book 1
it models, the foreign profile, and what it learns from a book (each also has a
fixture book under tests/books/ where it fires and where it must not)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from essaykit.check import load_rules, run_check
from essaykit.check.glossary import term_text
from essaykit.check.jargon import _company_form, _named_before, _not_a_word
from essaykit.check.jupyterbook import JB_URL_SCHEMES, jupyter_book_project
from essaykit.check.output import summary
from essaykit.check.parse import parse_document
from essaykit.check.project import MYST_URL_SCHEMES, Project
from essaykit.check.runner import profile_allows
from essaykit.check.sphinxconf import sphinx_project
from essaykit.core.mdconfig import checker_parser
from essaykit.core.settings import Config
from tests.check_support import BOOKS

load_rules()


def parse(text: str, extensions: frozenset[str] = frozenset({"colon_fence", "dollarmath"})):
    return parse_document(text, "page.md", "page", checker_parser(extensions, 0),
                          heading_anchors=0)


@pytest.mark.parametrize(("written", "term"), [
    ("[CommonMark](https://commonmark.org/)", "CommonMark"),
    ("`setup.py`", "setup.py"),
    ("**Community**", "Community"),
    ("Plain term", "Plain term"),
    ("A [linked](https://example.org) phrase", "A linked phrase"),
])
def test_a_glossary_term_is_named_by_its_text(written: str, term: str) -> None:
    assert term_text(written) == term


def test_jupyter_book_url_schemes_and_intersphinx(tmp_path: Path) -> None:
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    (tmp_path / "intro.md").write_text("# Intro\n", encoding="utf-8")
    assert jupyter_book_project(tmp_path).url_schemes == JB_URL_SCHEMES  # JB1's default
    (tmp_path / "_config.yml").write_text(
        "parse:\n  myst_url_schemes: [mailto, http, https, doi]\n", encoding="utf-8")
    assert "doi" in (jupyter_book_project(tmp_path).url_schemes or ())
    # sphinx.config reaches Sphinx last, so it wins over parse:
    (tmp_path / "_config.yml").write_text(
        "parse:\n  myst_url_schemes: [mailto, http, https, doi]\n"
        "sphinx:\n  config:\n    myst_url_schemes: [https]\n"
        "    intersphinx_mapping:\n      python:\n        - https://docs.python.org/3\n"
        "        - null\n", encoding="utf-8")
    project = jupyter_book_project(tmp_path)
    assert project.url_schemes == frozenset({"https"})
    assert project.intersphinx == frozenset({"python"})


def test_sphinx_url_schemes_list_dict_and_default(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("# Index\n", encoding="utf-8")
    (tmp_path / "conf.py").write_text("project = 'x'\n", encoding="utf-8")
    assert sphinx_project(tmp_path).url_schemes == MYST_URL_SCHEMES
    (tmp_path / "conf.py").write_text("myst_url_schemes = ['http', 'https']\n"
                                      "intersphinx_mapping = {'np': ('https://n/', None)}\n",
                                      encoding="utf-8")
    project = sphinx_project(tmp_path)
    assert project.url_schemes == frozenset({"http", "https"})
    assert project.intersphinx == frozenset({"np"})
    (tmp_path / "conf.py").write_text("myst_url_schemes = {'https': None, 'gh': 'x{{path}}'}\n",
                                      encoding="utf-8")
    assert sphinx_project(tmp_path).url_schemes == frozenset({"https", "gh"})


def test_labels_from_options_dollar_math_and_a_byte_order_mark() -> None:
    doc = parse("\ufeff(top)=\n# Title\n\n"
                "```{math}\n:label: growth\nx\n```\n\n"
                "$$\ny\n$$ (eq-two)\n\n"
                "```{figure} a.png\n:name: 'quoted'\n```\n\n"
                "```{prf:theorem}\n:label: thm\nText.\n```\n\n"
                "```{figure-md} drawn\n<img src=\"a.png\">\n```\n")
    found = {(label.name, label.line, label.kind) for label in doc.labels}
    assert found == {("top", 1, ""), ("growth", 5, "equation"), ("eq-two", 11, "equation"),
                     ("quoted", 14, ""), ("thm", 18, "proof"), ("drawn", 22, "")}


def test_a_code_cell_figure_name_is_a_label_and_code_is_not() -> None:
    from essaykit.check.mystnb import add_code_cell_labels

    doc = parse("```{code-cell} ipython3\n---\nmystnb:\n  figure:\n    name: fig-out\n---\n"
                "plot()\n```\n\n````md\n```{code-cell}\n---\nmystnb:\n  figure:\n"
                "    name: in-an-example\n---\n```\n````\n")
    add_code_cell_labels(doc)  # as the runner does after parsing
    assert [(label.name, label.line) for label in doc.labels] == [("fig-out", 5)]


@pytest.mark.parametrize(("text", "word", "inside"), [
    ("licensed CC-BY today", "BY", True),
    ("licensed CC-BY today", "CC", True),
    ("written MM/YYYY here", "YYYY", True),
    ("the TL;DR is", "DR", True),
    ("see https://example.org/ABCD/x", "ABCD", True),
    ("data " + "QUJD" * 12, "QUJD", True),
    ("the DOI of a record", "DOI", False),
    ("the (DOI) of a record", "DOI", False),
])
def test_capitals_inside_compounds_urls_and_base64_are_not_acronyms(
        text: str, word: str, inside: bool) -> None:
    start = text.index(word)
    assert _not_a_word(text, start, start + len(word)) is inside


def test_a_code_given_in_brackets_after_a_name() -> None:
    text = ("the price of Amazon (AMZN) and of the United Kingdom (GBR), not of (XYZ); the "
            "overlapping generations (OLG) model, but not a generation (OLG)")
    for word, named in (("AMZN", True), ("GBR", True), ("XYZ", False), ("OLG", True)):
        start = text.index(word)
        assert _named_before(text, start, len(word)) is named
    start = text.rindex("OLG")
    assert not _named_before(text, start, 3)  # "a generation" has no o, l, g in order


def test_a_companys_legal_form_after_its_name() -> None:
    text = "logos of Highways LTD and Acme GmbH; a LTD alone; the LLC"
    assert _company_form(text, text.index("LTD"), "LTD")
    assert not _company_form(text, text.index("LTD alone"), "LTD")  # "a" is no name
    assert not _company_form(text, text.index("LLC"), "LLC")


def test_profiles() -> None:
    essaykit = Project("essaykit", Path("."), "book/book.yml")
    sphinx = Project("sphinx", Path("."), "conf.py")
    default = Config()
    for code in ("SEC005", "GLO002", "CIT001", "TXT001", "CHK006"):
        assert profile_allows(code, essaykit, default)
    assert not profile_allows("SEC005", sphinx, default)
    assert not profile_allows("GLO002", sphinx, default)
    assert profile_allows("CHK006", sphinx, default)  # text lost is lost in any book
    assert profile_allows("SEC005", sphinx, Config(contributor_safety=True))
    assert profile_allows("GLO002", sphinx, Config(autolink_terms=False))
    assert not profile_allows("GLO002", sphinx, Config(autolink_terms=True))


def test_summary_names_the_pages_checked_of_the_whole() -> None:
    assert summary({"error": 0, "warning": 0}, 3) == "All checks passed (3 pages checked)."
    assert summary({"error": 1, "warning": 0}, 1, 56) == \
        "Found 1 error, 0 warnings in 1 of 56 pages."
    assert summary({"error": 0, "warning": 2}, 5, 5) == "Found 0 errors, 2 warnings in 5 pages."


def test_known_html_and_comments_are_not_dropped_text(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_text("project = 'x'\n", encoding="utf-8")
    (tmp_path / "index.md").write_text(
        "# Index\n\nA line<br>break, <kbd>Ctrl</kbd>, <!-- a note --> and "
        "<my-widget> and <Fill in later>.\n\n<div class=\"x\">\n\nblock\n\n</div>\n",
        encoding="utf-8")
    found = [(d.code, d.line, d.column) for d in run_check(tmp_path).diagnostics]
    assert found == [("TXT001", 3, 55), ("TXT001", 3, 71)]


def test_the_essaykit_profile_is_unchanged_for_html(tmp_path: Path) -> None:
    # an essaykit book reports the tag as SEC005, once, and no TXT001
    root = Path(shutil.copytree(BOOKS / "clean", tmp_path / "book"))
    essay = next((root / "essays").glob("*.md"))
    essay.write_text(essay.read_text(encoding="utf-8") + "\nAdd it here: <Provide a link>\n",
                     encoding="utf-8")
    codes = [d.code for d in run_check(root).diagnostics]
    assert codes == ["SEC005"]
