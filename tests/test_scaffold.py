"""`essaykit new`: the essay it writes has no findings at all, in the real book and in a
minimal one, and every refusal leaves the book exactly as it was."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from essaykit.build import BuildOptions, build
from essaykit.check import run_check
from essaykit.cli.main import main
from essaykit.core.frontmatter import parse_meta
from essaykit.scaffold import new_essay
from tests.conftest import REPO, copy_book

MINIMAL_BOOK_YML = """\
title: Minimal
editors:
  - name: Ed Itor
year: 2026
parts:
  - title: Only part
    essays: []
"""


def minimal_book(root: Path, book_yml: str = MINIMAL_BOOK_YML) -> Path:
    """The least a book needs: book.yml, a front page and an (empty) bibliography."""
    (root / "book").mkdir(parents=True)
    (root / "book/book.yml").write_text(book_yml, encoding="utf-8")
    (root / "book/index.md").write_text("---\ntitle: Minimal\n---\n\nA front page.\n",
                                        encoding="utf-8")
    (root / "book/references.bib").write_text("", encoding="utf-8")
    return root


@pytest.fixture
def real_book(tmp_path: Path) -> Path:
    return copy_book(REPO, tmp_path / "book")


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def new(root: Path, *args: str) -> int:
    return main(["--root", str(root), "new", *args])


def findings(root: Path, *paths: str) -> list[str]:
    result = run_check(root, [root / p for p in paths] or None)
    return [d.format_text() for d in result.diagnostics]


def first_glossary_term(root: Path) -> str:
    """The first term of the book's glossary, read from its text."""
    lines = (root / "book/glossary.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(":::{glossary}"))
    return next(line for line in lines[start + 1:] if line.strip() and not line[0].isspace())


def test_in_the_real_book_the_new_essay_has_no_findings_at_all(real_book: Path) -> None:
    assert findings(real_book) == []  # the premise: the real book is clean
    comments = [line for line in (real_book / "book/book.yml").read_text(
        encoding="utf-8").splitlines() if line.lstrip().startswith("#")]
    assert new(real_book, "Counting what matters", "--author", "Ada Writer", "--part", "2") == 0
    created = "essays/counting-what-matters.md"
    assert findings(real_book) == []
    assert findings(real_book, created) == []
    text = (real_book / created).read_text(encoding="utf-8")
    # the examples use this book's own first key, first glossary term and an essay
    assert "{cite:p}`skidmore2005start`" in text
    assert f"{{term}}`{first_glossary_term(real_book)}`" in text
    assert "{doc}`taster`" in text
    # ... and sit in comments, so no example reaches a reader
    body = text.split("---", 2)[2]
    assert all(line.startswith("%") for line in body.splitlines() if "{" in line)
    yml = (real_book / "book/book.yml").read_text(encoding="utf-8")
    assert "      - essays/third-sector.md\n      - essays/counting-what-matters.md\n" in yml
    assert comments and all(line in yml.splitlines() for line in comments)  # comments kept


def test_the_examples_work_when_uncommented(real_book: Path) -> None:
    """What the comments teach is valid syntax against this book."""
    assert new(real_book, "Worked example", "--author", "Ada Writer") == 0
    path = real_book / "essays/worked-example.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    examples = [line.strip("% ").split("   ")[0] for line in lines
                if line.startswith("%   {")]
    assert len(examples) == 4  # cite:p, cite:t, term, doc
    path.write_text("\n".join(lines) + "\n\n## Using them\n\n" +
                    "\n\n".join(f"Example {i}: {e}." for i, e in enumerate(examples)) +
                    "\n\n(my-label)=\n## Labelled\n\nSee {ref}`my-label` and a note.[^note]\n\n"
                    "[^note]: The note.\n", encoding="utf-8")
    assert findings(real_book) == []


@pytest.mark.slow
def test_in_a_minimal_book_the_new_essay_has_no_findings_and_builds(tmp_path: Path) -> None:
    root = minimal_book(tmp_path / "min")
    (root / "conf.py").write_bytes((REPO / "conf.py").read_bytes())
    assert new(root, "Hello World", "--author", "A. Writer") == 0
    assert findings(root) == []
    text = (root / "essays/hello-world.md").read_text(encoding="utf-8")
    assert "{cite:p}`its-key`" in text  # no entry to cite: the syntax, explained
    assert "{term}" not in text and "{doc}" not in text  # no glossary, no other essay
    assert "essays: [essays/hello-world.md]" in (root / "book/book.yml").read_text()
    # a new essay is a draft: the writer's preview shows it
    result = build(BuildOptions(root=root, quiet=True, pdf=False, strict=True, drafts=True))
    assert (result.outdir / "html/essays/hello-world.html").is_file()


@pytest.mark.slow
def test_the_real_book_builds_with_a_new_essay(real_book: Path) -> None:
    assert new(real_book, "A built essay", "--author", "Ada Writer") == 0
    result = build(BuildOptions(root=real_book, quiet=True, pdf=False, strict=True,
                                drafts=True))
    html = (result.outdir / "html/essays/a-built-essay.html").read_text(encoding="utf-8")
    assert "A built essay" in html and "Ada Writer" in html
    assert "skidmore2005start" not in html and "Lines that start" not in html


def test_front_matter_is_valid_and_commented(tmp_path: Path) -> None:
    root = minimal_book(tmp_path / "min")
    path = new_essay(root, "  A   Title  ", ["Ada Writer", "Ben Writer"],
                     today=dt.date(2026, 3, 4))
    text = path.read_text(encoding="utf-8")
    meta, problems = parse_meta(text, "essays/a-title.md")
    assert problems == [] and meta is not None
    assert meta.title == "A Title"
    assert [a.name for a in meta.authors] == ["Ada Writer", "Ben Writer"]
    assert meta.date == "2026-03-04" and meta.status == "draft"
    for optional in ("# subtitle:", "# affiliation:", "# orcid:"):
        assert optional in text
    # uncommenting the optional fields still gives valid front matter
    uncommented = text.replace("# subtitle:", "subtitle:").replace(
        "    # affiliation:", "    affiliation:").replace("    # orcid:", "    orcid:")
    meta, problems = parse_meta(uncommented, "essays/a-title.md")
    assert problems == [] and meta is not None and meta.authors[0].orcid


@pytest.mark.parametrize(("title", "slug"), [
    ("Ça, c'est «l'essai» — über Straße!", "ca-c-est-l-essai-uber-strasse"),
    ('Quotes "and" \\back\\slash: colon # hash', "quotes-and-back-slash-colon-hash"),
    ("Search", "search"),
    ("Index", "index"),
    ("Book", "book"),
    ("word " * 40, "-".join(["word"] * 12)),
])
def test_odd_titles_make_clean_names_and_keep_the_title(tmp_path: Path, title: str,
                                                       slug: str) -> None:
    root = minimal_book(tmp_path / "min")
    assert new(root, title, "--author", "Zoë O'Brien") == 0
    path = root / f"essays/{slug}.md"
    meta, problems = parse_meta(path.read_text(encoding="utf-8"), f"essays/{slug}.md")
    assert problems == [] and meta is not None
    assert meta.title == " ".join(title.split())
    assert meta.authors[0].name == "Zoë O'Brien"
    assert findings(root) == []


def test_a_title_without_latin_letters_needs_a_slug(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    root = minimal_book(tmp_path / "min")
    before = snapshot(root)
    assert new(root, "社会创新", "--author", "A") == 2
    assert "--slug" in capsys.readouterr().err
    assert snapshot(root) == before
    assert new(root, "社会创新", "--author", "A", "--slug", "social-innovation") == 0
    assert findings(root) == []
    assert new(root, "Other", "--author", "A", "--slug", "Not OK/..") == 2


def test_an_existing_name_is_refused_and_nothing_changes(
        real_book: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(real_book)
    assert new(real_book, "Capabilities", "--author", "Someone") == 2
    err = capsys.readouterr().err
    assert "essays/capabilities.md exists already; nothing was changed" in err
    assert snapshot(real_book) == before
    # another spelling of case would clash too (CHK009), so it is refused as well
    (real_book / "essays/Mixed-Case.md").write_text("x", encoding="utf-8")
    before = snapshot(real_book)
    assert new(real_book, "mixed case", "--author", "Someone") == 2
    assert "essays/Mixed-Case.md exists already" in capsys.readouterr().err
    assert snapshot(real_book) == before


@pytest.mark.parametrize("part", ["0", "-1", "4"])
def test_a_part_out_of_range_is_refused(real_book: Path, part: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(real_book)
    assert new(real_book, "Fine title", "--author", "A", "--part", part) == 2
    assert f"there is no part {part}: the book has 3 (choose a part from 1 to 3)" in \
        capsys.readouterr().err
    assert snapshot(real_book) == before


@pytest.mark.parametrize(("args", "message"), [
    (["   ", "--author", "A"], "the title is empty"),
    (["Title", "--author", "  "], "the author is empty"),
    (["Bad\u202etitle", "--author", "A"], "control or bidirectional-override character"),
    (["Title", "--author", "Tab\x0bby"], "control or bidirectional-override character"),
])
def test_bad_titles_and_authors_are_refused(tmp_path: Path, args: list[str], message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = minimal_book(tmp_path / "min")
    before = snapshot(root)
    assert new(root, *args) == 2
    assert message in capsys.readouterr().err
    assert snapshot(root) == before


def test_without_a_book_it_says_where_it_looked(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new", "Title", "--author", "A"]) == 2
    err = capsys.readouterr().err
    assert "no book/book.yml found" in err and "pass --root" in err
    assert list(tmp_path.iterdir()) == []


def test_a_book_without_parts_is_refused(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    root = minimal_book(tmp_path / "min", "title: T\neditors: [E]\nyear: 2026\n")
    assert new(root, "Title", "--author", "A") == 2
    assert "the book has no parts" in capsys.readouterr().err
    assert not (root / "essays").exists()


def test_flow_style_and_partless_orders_are_extended(tmp_path: Path) -> None:
    flow = minimal_book(tmp_path / "flow", MINIMAL_BOOK_YML.replace(
        "essays: []", "essays: [essays/one.md]  # kept"))
    (flow / "essays").mkdir()
    (flow / "essays/one.md").write_text(
        "---\ntitle: One\nauthors: [A]\nabstract: An abstract.\n---\n\nText.\n")
    assert new(flow, "Two", "--author", "A") == 0
    assert "essays: [essays/one.md, essays/two.md]  # kept" in \
        (flow / "book/book.yml").read_text()
    partless = minimal_book(tmp_path / "partless", "title: T\neditors: [E]\nyear: 2026\n"
                            "essays:\n  - essays/one.md\n# end\n")
    (partless / "essays").mkdir()
    (partless / "essays/one.md").write_bytes((flow / "essays/one.md").read_bytes())
    assert new(partless, "Two", "--author", "A") == 0
    assert (partless / "book/book.yml").read_text().endswith(
        "  - essays/one.md\n  - essays/two.md\n# end\n")
    assert findings(flow) == [] and findings(partless) == []


def test_the_essay_goes_beside_the_parts_essays(tmp_path: Path) -> None:
    root = minimal_book(tmp_path / "min", MINIMAL_BOOK_YML.replace(
        "essays: []", "essays:\n      - chapters/one.md"))
    (root / "chapters").mkdir()
    (root / "chapters/one.md").write_text(
        "---\ntitle: One\nauthors: [A]\nabstract: An abstract.\n---\n\nText.\n")
    assert new(root, "Two", "--author", "A") == 0
    assert "{doc}`one`" in (root / "chapters/two.md").read_text()
    assert findings(root) == []
