"""The book model, front matter schema, strict YAML and citation formatting (no Sphinx)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.backends.plaintext import Backend
from pybtex.database import parse_string

from essaykit.core import citeblock
from essaykit.core.book import load_book
from essaykit.core.diagnostics import EssaykitError
from essaykit.core.frontmatter import parse_meta, split
from essaykit.core.yamlsafe import StrictYamlError, load
from essaykit.sphinx_ext.harvard import HarvardStyle

GOOD = """---
title: A title
authors:
  - name: Ada Writer
    affiliation: Somewhere
abstract: It argues.
---
Body.
"""


def codes(text: str, schema: str = "essay") -> list[tuple[str, int]]:
    _, found = parse_meta(text, "essays/x.md", schema=schema)
    return [(d.code, d.line) for d in found]


def test_valid_front_matter_gives_metadata_and_no_findings() -> None:
    meta, found = parse_meta(GOOD, "essays/x.md")
    assert found == []
    assert meta is not None and meta.title == "A title"
    assert meta.authors[0].affiliation == "Somewhere"
    assert meta.status == "draft"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# No front matter\n", [("FM001", 1)]),
        ("---\ntitle: [unclosed\n---\n", [("FM002", 3)]),
        ("---\ntitle: A\nabstract: B\n---\n", [("FM003", 2)]),
        ("---\ntitle: A\nauthors: Ada\nabstract: B\n---\n", [("FM004", 3)]),
        ("---\ntitle: A\nauthors: [{name: X}]\nabstract: B\nmyst:\n  enable: [x]\n---\n",
         [("FM005", 5)]),
        ("---\ntitle: A\nauthors:\n  - name: X\n    orcid: 1234\nabstract: B\n---\n",
         [("FM006", 5)]),
        ("---\ntitle: A\nauthors: [{name: X}]\nabstract: B\ndate: 2026-13-01x\n---\n",
         [("FM006", 5)]),
        ("---\ntitle: A\nauthors: [{name: X}]\nabstract: B\nstatus: done\n---\n",
         [("FM006", 5)]),
        ("---\ntitle: &t A\nauthors: [{name: X}]\nabstract: *t\n---\n", [("FM007", 2)]),
        ("---\ntitle: !!python/name:os.system A\n---\n", [("FM007", 2)]),
    ],
)
def test_front_matter_problems_are_reported_at_their_line(
    text: str, expected: list[tuple[str, int]]
) -> None:
    assert codes(text) == expected


def test_pages_need_only_a_title() -> None:
    assert codes("---\ntitle: Introduction\n---\n", schema="page") == []
    assert codes("---\ntitle: Introduction\n---\n", schema="essay") != []


def test_strict_yaml_refuses_aliases_and_keeps_lines() -> None:
    located = load("a: 1\nb:\n  - c: 2\n", first_line=2)
    assert located.value == {"a": 1, "b": [{"c": 2}]}
    assert located.line_of("b", 0, "c") == 4
    with pytest.raises(StrictYamlError) as raised:
        load("a: &x [1]\nb: *x\n")
    assert raised.value.code == "FM007"


YAML_SAMPLES = [
    "",
    "# only a comment\n",
    "plain",
    "title: A\nsubtitle: 'quoted: yes'\nyear: 2026\nratio: 1.5\nflag: yes\nnothing: ~\n",
    "date: 2026-01-02\nbad: 2026-13-45\nexplicit: !!str 12\nnumber: !!int '7'\n",
    "authors:\n  - name: Ada\n    affiliation: X\n  - Bea\nkeywords: [a, b, {c: d}]\n",
    "a: 1\na: 2\nb:\n\n  c:\n    - [1, [2, 3]]\n    - {x: y}\n",
    "? a\n: 1\n'quoted key': 2\n3: three\ntrue: t\n",
    "---\ntitle: explicit start\n...\n",
    "- 1\n- - 2\n  - 3\n",
]


def _node_lines(node: yaml.Node, path: tuple[object, ...], first: int,
                out: dict[tuple[object, ...], int]) -> None:
    """The lines strict YAML promises, read off PyYAML's own node tree: each value at its
    node's line, except a mapping's values, which are at their key's line."""
    out[path] = node.start_mark.line + first
    if isinstance(node, yaml.MappingNode):
        constructor = yaml.SafeLoader("")
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node)
            _node_lines(value_node, path + (key,), first, out)
            out[path + (key,)] = key_node.start_mark.line + first
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _node_lines(item, path + (index,), first, out)


@pytest.mark.parametrize("text", YAML_SAMPLES)
def test_strict_yaml_reads_what_pyyaml_reads(text: str) -> None:
    """load() builds values straight from parser events: they must be PyYAML's own
    (safe_load), and the lines those of its node tree."""
    located = load(text, first_line=3)
    expected = yaml.safe_load(text.replace("2026-13-45", "'2026-13-45'"))
    assert located.value == expected
    lines: dict[tuple[object, ...], int] = {}
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is not None:
        _node_lines(node, (), 3, lines)
    assert located.lines == lines


def test_strict_yaml_refuses_a_second_document_and_deep_nesting() -> None:
    with pytest.raises(StrictYamlError) as raised:
        load("title: a\n...\n--- b\n", first_line=2)
    assert (raised.value.code, raised.value.line) == ("FM002", 4)
    assert "second document" in raised.value.message
    assert load("a: " + "[" * 40 + "]" * 40).value is not None
    with pytest.raises(StrictYamlError) as raised:
        load("a: " + "[" * 200 + "]" * 200)
    assert raised.value.code == "FM002" and "nested" in raised.value.message
    # as the checker meets them: a finding on the essay, never a crash
    assert codes("---\ntitle: a\n...\n--- b\n---\nBody.\n") == [("FM002", 4)]


def test_book_model_reads_order_parts_and_editors() -> None:
    book = load_book(Path(__file__).parent / "build_books" / "small")
    assert book.essays == ("essays/taster.md", "essays/two-authors.md", "essays/no-citations.md")
    assert book.pages[0] == "book/index.md"
    assert book.editor_names == "Ada Editor and Bea Editor"
    assert [part.title for part in book.parts] == ["First things", "Second things"]


def test_book_model_reports_missing_files_and_bad_fields(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book/index.md").write_text("---\ntitle: X\n---\n")
    (tmp_path / "book/book.yml").write_text(
        "title: X\neditors: []\nyear: soon\nparts:\n  - title: P\n    essays: [essays/gone.md]\n"
    )
    with pytest.raises(EssaykitError) as raised:
        load_book(tmp_path)
    found = {(d.code, d.line) for d in raised.value.diagnostics}
    assert ("BOOK002", 6) in found  # the missing essay, at its line in book.yml
    assert ("BOOK001", 2) in found  # no editors
    assert ("BOOK001", 3) in found  # year is not a number


def test_harvard_reference_list_style() -> None:
    data = parse_string(
        "@article{o96, author={Ostrom, Elinor}, title={Crossing the Great Divide},"
        " journal={World Development}, volume={24}, number={6}, pages={1073--1087},"
        " year={1996}, doi={10.1016/0305-750X(96)00023-X}}\n"
        "@techreport{x, author={{HM Government}}, title={Putting People First},"
        " institution={HM Government}, year={2007}, url={javascript:alert(1)}}",
        "bibtex",
    )
    rendered = {
        entry.key: entry.text.render(Backend())
        for entry in HarvardStyle().format_entries(data.entries.values())
    }
    assert rendered["o96"] == (
        "Ostrom, E. (1996) \u2018Crossing the Great Divide\u2019, World Development, 24(6), "
        "pp. 1073\u20131087. doi:10.1016/0305-750X(96)00023-X."
    )
    # a javascript: URL is never rendered
    assert rendered["x"] == "HM Government (2007) Putting People First. HM Government."


def test_cite_this_essay_formats() -> None:
    book = load_book(Path(__file__).parent / "build_books" / "small")
    meta, _ = parse_meta(GOOD, "essays/x.md")
    assert meta is not None
    bibtex = citeblock.bibtex(meta, book)
    assert bibtex.startswith("@incollection{writer2025title,")
    assert "editor    = {Editor, Ada and Editor, Bea}" in bibtex
    before, title, after = citeblock.harvard(meta, book)
    assert before == "Writer, A. (2025) \u2018A title\u2019, in Editor, A. and Editor, B. (eds) "
    assert title == "A Small Book: Fixture for essaykit's build tests"
    assert after == ". Fixture Press."
    assert citeblock.bibtex_name("The Editors") == "{The Editors}"


def _split_every_line(text: str) -> tuple[str, int, str, int, bool]:
    """The plain reading of front matter (every line split), which split() must match."""
    text = text[1:] if text.startswith("\ufeff") else text
    lines = text.splitlines(keepends=True)
    if lines and lines[0].rstrip() == "---":
        for index in range(1, len(lines)):
            if lines[index].rstrip() == "---":
                return ("".join(lines[1:index]), 2, "".join(lines[index + 1:]), index + 2,
                        True)
    return "", 1, text, 1, False


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.one_of(
    st.sampled_from(["---", "--- ", "---\t", "\n", "\r\n", "\r", "\u2028", "\x0c", "\ufeff",
                     "title: x", "a" * 1500, "b" * 4095, "\n---\n", "-- -"]),
    st.text(max_size=6)), max_size=30))
def test_front_matter_split_reads_only_the_head_but_as_the_whole(parts: list[str]) -> None:
    text = "".join(parts)
    block = split(text)
    assert (block.yaml_text, block.yaml_first_line, block.body, block.body_first_line,
            block.present) == _split_every_line(text)


@pytest.mark.parametrize("tail", ["---x\nb: 1\n---\nbody", "---\r\nbody", "\r\n---\nbody",
                                  "--", "---"])
def test_front_matter_split_where_the_head_is_cut(tail: str) -> None:
    for length in range(4080, 4100):  # the closing fence on, before and after the cut
        text = "---\n" + "a" * length + "\n" + tail
        block = split(text)
        assert (block.yaml_text, block.yaml_first_line, block.body, block.body_first_line,
                block.present) == _split_every_line(text)


def test_holding_drafts_back_drops_a_part_left_empty() -> None:
    book = load_book(Path(__file__).parent / "build_books" / "small")
    assert book.parts, "the small book has parts"
    first = book.parts[0]
    held = book.without(first.essays)
    assert first.title not in [part.title for part in held.parts]
    assert len(held.parts) == len(book.parts) - 1
    assert not set(first.essays) & set(held.essays)
    # holding back nothing keeps every part
    assert book.without(()).parts == book.parts
