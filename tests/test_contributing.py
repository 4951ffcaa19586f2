"""CONTRIBUTING.md cannot rot: its example essay, bibliography entry and glossary entry are
added to a copy of the real book and checked, its snippets are checked, and its commands
parse."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from PIL import Image

from essaykit.build import BuildOptions, build
from essaykit.check import run_check
from essaykit.cli.main import build_parser
from essaykit.core.book import load_book
from essaykit.core.frontmatter import parse_meta
from essaykit.scaffold import add_to_part
from tests.check_support import run_cli
from tests.conftest import REPO, copy_book
from tests.helpers import visible_text

GUIDE = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
ESSAY = "essays/counting-what-matters.md"


def example(name: str) -> str:
    """The fenced block just after `<!-- example:NAME -->`."""
    match = re.search(rf"<!-- example:{name} -->\n(`{{3,}})[^\n]*\n(.*?)\n\1\n", GUIDE, re.DOTALL)
    assert match, f"CONTRIBUTING.md has no example:{name} block"
    return match.group(2) + "\n"


def fenced(language: str) -> list[str]:
    return [m.group(2) for m in
            re.finditer(rf"^(`{{3,}}){language}\n(.*?)\n\1$", GUIDE, re.DOTALL | re.MULTILINE)]


def add_examples(root: Path) -> None:
    """Do what the guide tells a contributor to do, in a copy of the book."""
    bib = root / "book/references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n" + example("bib"), encoding="utf-8")
    glossary = root / "book/glossary.md"
    text = glossary.read_text(encoding="utf-8")
    closing = text.rindex("\n:::")  # the glossary directive's closing fence
    glossary.write_text(text[:closing] + "\n\n" + example("glossary").rstrip("\n") +
                        text[closing:], encoding="utf-8")
    jargon = root / "book/jargon.txt"
    jargon.write_text(jargon.read_text(encoding="utf-8") + example("jargon"), encoding="utf-8")
    (root / ESSAY).write_text(example("essay"), encoding="utf-8")
    (root / "essays/figures").mkdir(exist_ok=True)
    Image.new("RGB", (40, 20), "white").save(root / "essays/figures/shared-account.png")
    book = load_book(root)
    yml = root / "book/book.yml"
    yml.write_text(add_to_part(yml.read_text(encoding="utf-8"), book, len(book.parts) - 1, ESSAY),
                   encoding="utf-8")


@pytest.fixture
def book_with_examples(tmp_path: Path) -> Path:
    root = copy_book(REPO, tmp_path / "book")
    add_examples(root)
    return root


def test_the_example_essay_passes_with_no_findings(book_with_examples: Path) -> None:
    result = run_check(book_with_examples)
    assert [d.format_text() for d in result.diagnostics] == []
    assert result.exit_code == 0


def test_the_suppression_in_the_example_is_needed(book_with_examples: Path) -> None:
    path = book_with_examples / ESSAY
    path.write_text(path.read_text(encoding="utf-8").replace("% essaykit: ignore[GLO004]\n", ""),
                    encoding="utf-8")
    result = run_check(book_with_examples, [path])
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("GLO004", "acronym 'SWIFT' is not in the glossary or expanded at first use")]


def test_the_sample_finding_is_what_the_check_prints(book_with_examples: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    sample = next(block for block in fenced("text") if "CIT001" in block).strip()
    path = book_with_examples / ESSAY
    path.write_text(path.read_text(encoding="utf-8").replace(
        "{cite:t}`writer2024counting`", "{cite:t}`writer2024countin`"), encoding="utf-8")
    monkeypatch.chdir(book_with_examples)  # as the guide runs it: from the book's folder
    code, out, _ = run_cli(["check", ESSAY])
    assert code == 1
    assert out.splitlines()[0] == sample


def add_snippets(root: Path) -> str:
    """An essay holding every snippet of the `you want | write` tables."""
    snippets = re.findall(r"\| ``(\{[^`]+`[^`]+`) `` \|", GUIDE)
    snippets += re.findall(r"\| `(\[[^`]+\]\([^`]+\.md[^`]*\))` \|", GUIDE)
    assert len(snippets) >= 10
    body = "\n\n".join(f"Snippet {i}: {s}." for i, s in enumerate(snippets))
    page = "essays/snippets.md"
    (root / page).write_text(
        "---\ntitle: Snippets\nauthors: [A. Writer]\nabstract: Every snippet of the guide.\n"
        f"---\n\n{body}\n", encoding="utf-8")
    book = load_book(root)
    yml = root / "book/book.yml"
    yml.write_text(add_to_part(yml.read_text(encoding="utf-8"), book, 0, page), encoding="utf-8")
    return page


def test_every_role_and_link_in_the_tables_resolves(book_with_examples: Path) -> None:
    page = add_snippets(book_with_examples)
    result = run_check(book_with_examples, [book_with_examples / page])
    assert [d.format_text() for d in result.diagnostics] == []


@pytest.mark.slow
def test_the_examples_build_without_a_warning(book_with_examples: Path) -> None:
    add_snippets(book_with_examples)
    # the example essay is a draft: the writer previews it with --drafts
    result = build(BuildOptions(root=book_with_examples, quiet=True, pdf=False, strict=True,
                                drafts=True))
    html = (result.outdir / "html/essays/counting-what-matters.html").read_text(encoding="utf-8")
    text = visible_text(html)
    assert "Writer and Reader (2024)" in text  # the new entry, cited in the text
    assert "Shared account" in visible_text(
        (result.outdir / "html/book/glossary.html").read_text(encoding="utf-8"))
    assert "SWIFT" in text and "essaykit: ignore" not in text
    assert 'src="../_images/shared-account.png"' in html


def test_the_front_matter_example_is_valid() -> None:
    block = next(b for b in fenced("yaml") if b.startswith("---\ntitle:"))
    meta, problems = parse_meta(block + "\n\nBody.\n", ESSAY)
    assert problems == [] and meta is not None
    assert meta.authors[0].orcid == "0000-0002-1825-0097"


def test_the_suppression_snippet_is_the_one_in_the_example() -> None:
    snippet = next(b for b in fenced("markdown") if b.startswith("% essaykit: ignore["))
    assert snippet in example("essay")


def test_every_command_in_the_guide_exists() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    parser = build_parser()
    commands = [line.split("#")[0].strip() for block in fenced("sh")
                for line in block.splitlines()]
    ran = {"essaykit": 0, "make": 0}
    for command in filter(None, commands):
        words = shlex.split(command)
        if words[0] == "essaykit":
            parser.parse_args(words[1:])  # exits (fails the test) on an unknown option
            ran["essaykit"] += 1
        elif words[0] == "make":
            assert set(words[1:]) <= targets, command
            ran["make"] += 1
    assert ran["essaykit"] >= 3 and ran["make"] >= 4
    # and the hook files the guide names exist
    for name in (".pre-commit-config.yaml", ".pre-commit-hooks.yaml",
                 ".github/workflows/book.yml", "tests/test_contributing.py"):
        assert name in GUIDE and (REPO / name).is_file()
