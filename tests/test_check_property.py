"""Property tests: whatever Markdown (or BibTeX) an author writes, `check` does not crash,
and every position it reports is a real place in the file."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from myst_parser.slugs import docutils_slugify

from essaykit.check import check_document_text
from essaykit.check.jargon import ACRONYM, acronym_matches
from essaykit.check.parse import parse_document
from essaykit.core.bib import read_bib_text
from essaykit.core.mdconfig import create_parser, docutils_id
from essaykit.core.textsafety import may_hold_script_url, read_source, scan_text
from tests.check_support import BOOKS

FRAGMENTS = [
    "{cite:p}`", "{cite:t}`ostrom1996crossing`", "{term}`", "{term}`co-production`", "{ref}`",
    "{doc}`", "{numref}`", "{download}`", "`", "``", "```", "```{note}\n", "```{figure} x.png\n",
    ":::", ":::{glossary}\n", "::::{note}\n", "\n", "\n\n", "  ", "    ", "# ", "## ", "#### ",
    "- ", "1. ", "> ", "| a | b |\n| - | - |\n", "[", "]", "(", ")", "](", "[x](", "![y](",
    "<https://", "https://https://", "#", "(lab)=\n", "% essaykit: ignore[CIT001]\n", "[^1]",
    "[^1]: ", "---\n", "title: x\n", ":name: n\n", "\\", "*", "_", "~~", "<", ">", "&amp;",
    "DWP", "NHS", "(Department for Work and Pensions)", "\t", "\r\n", "\u00a0", "é", "\u2028",
    "{", "}", "<target>", "co-production", "$", "$$", "---", "+++", "\x00",
]
markdown = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)),
                    max_size=40).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=markdown)
def test_parsing_any_markdown_gives_real_positions(text: str) -> None:
    doc = parse_document(text, "essays/x.md", "essays/x", create_parser(), heading_anchors=3,
                         title="A title")
    count = len(doc.lines)
    for item in [*doc.roles, *doc.links, *doc.labels]:
        assert 1 <= item.line <= count and item.column >= 1
    for prose in doc.prose:
        for offset in range(0, len(prose.text), 7):
            line, column = prose.locate(offset)
            assert 1 <= line <= count and column >= 1


BOOK_COPY: list[Path] = []


def book(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    if not BOOK_COPY:
        BOOK_COPY.append(Path(shutil.copytree(BOOKS / "clean",
                                              tmp_path_factory.mktemp("prop") / "clean")))
    return BOOK_COPY[0]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=markdown)
def test_check_never_crashes_on_any_essay(text: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    result = check_document_text(book(tmp_path_factory), "essays/one.md", text)
    assert not [d for d in result.diagnostics if d.code == "CHK001"], result.diagnostics
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 2
    for diagnostic in result.diagnostics:
        assert diagnostic.path == "essays/one.md"
        assert 1 <= diagnostic.line <= lines and diagnostic.column >= 1


bibtex = st.lists(st.one_of(st.sampled_from([
    "@book{", "@article(", "@string{", "@comment{", "@preamble{", "key", ",", "=", "{", "}",
    "(", ")", '"', "#", "author", "title", "year", " and ", "\n", " ", "%", "@", "2000",
]), st.text(max_size=5)), max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=bibtex)
def test_any_bibtex_reads_without_raising(text: str) -> None:
    bib = read_bib_text(text, "refs.bib")
    lines = text.count("\n") + text.count("\r") + 2
    for item in [*bib.entries, *bib.problems]:
        assert 1 <= item.line <= lines


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.one_of(
    st.sampled_from(["NHS", "DWP", "A&E", "R&D", "&", "s", "GPs", "I", "UK", "é", "É", "\U0001d400",
                     "ſ", "Ǆ", "\0", " ", "-", "_", "(", "AB&", "&&"]),
    st.text(alphabet="ABZaz&s_ é\u0130", max_size=4)), max_size=30).map("".join))
def test_acronym_search_finds_what_the_plain_regex_finds(text: str) -> None:
    """The fast acronym search tries the regex only where an acronym may start: it must
    find exactly the matches `finditer` would, wherever the text holds non-ASCII."""
    fast = [(m.start(), m.group()) for m in acronym_matches(text)]
    assert fast == [(m.start(), m.group()) for m in ACRONYM.finditer(text)]


@settings(max_examples=500, deadline=None)
@given(text=st.lists(st.one_of(
    st.sampled_from(["script:", "SCRIPT:", "Data:", "dAtA", "data", ":", "scrİpt:", "ſcript:",
                     "\u212aa", "java", "script", " :", "da", "ta:", "İ", "\u0130data:"]),
    st.text(alphabet="scriptdaSCRIPTDA:İſ é", max_size=5)), max_size=20).map("".join))
def test_script_hint_is_lower_cased_text_holding_a_script_scheme(text: str) -> None:
    lowered = text.lower()
    assert may_hold_script_url(text) == ("script:" in lowered or "data:" in lowered)


SUSPECTS = ["\x80", "\x85", "\x9f", "\xa0", "\u202a", "\u202e", "\u202f", "\u2066", "\u2069",
            "\u206a", "\u2029", "\u2018", "\u201c", "\x7f", "\x0b", "\x1f", "\ufffd", "é", "\t"]


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.lists(st.one_of(st.sampled_from(SUSPECTS), st.text(max_size=4)),
                     max_size=20).map("".join))
def test_reading_a_page_finds_what_the_text_scan_finds(text: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """read_source looks at the bytes first, cheaply; what it reports must be exactly what
    the full scan of the text reports."""
    if "\0" in text:
        return  # a binary file (CHK003)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return  # a lone surrogate: not UTF-8 (CHK002)
    path = tmp_path_factory.mktemp("read") / "x.md"
    path.write_bytes(data)
    read = read_source(path, "x.md")
    assert read.text == text
    assert read.findings == scan_text(text, "x.md")


@settings(max_examples=500, deadline=None)
@given(title=st.text(alphabet=st.sampled_from([*"aZ09 -_.\t\n\x1c'`!", "ß", "É", "ø", "İ", "\xa0"]),
                     max_size=20))
def test_section_ids_are_docutils_own(title: str) -> None:
    assert docutils_id(title) == docutils_slugify(title)


def _column_reading_the_whole_line(source_lines: tuple[str, ...], line: int, content: str,
                                   position: int) -> int:
    """The walker's column rule as first written: find the content's line in the source."""
    start = content.rfind("\n", 0, position) + 1
    end = content.find("\n", position)
    piece = content[start:] if end < 0 else content[start:end]
    source = source_lines[line] if 0 <= line < len(source_lines) else ""
    prefix = source.find(piece) if piece else -1
    if prefix < 0:
        prefix = len(source) - len(source.lstrip())
    return prefix + (position - start) + 1


@settings(max_examples=300, deadline=None)
@given(text=markdown)
def test_walk_shortcuts_record_what_the_full_walk_records(text: str) -> None:
    """The walker takes shortcuts: a paragraph or cell of plain text skips the inline
    walker, and a line found whole in the source is not searched for. Each must record
    exactly what the long way records."""
    from essaykit.check.parse import _Walker, normalise_newlines
    from essaykit.check.parse_inline import Inline
    from essaykit.core.model import Document

    parser = create_parser()
    text = normalise_newlines(text)
    lines = text.split("\n")
    for token in parser.parse(text, {}):
        if token.type != "inline" or token.map is None:
            continue
        short = _Walker(Document("x.md", "x", lines), parser, 3)
        short.inline(token, token.map[0], 0)
        long = _Walker(Document("x.md", "x", lines), parser, 3)
        Inline(long, token, token.map[0], 0).run()
        assert [(p.text, p.in_heading, p.anchors, p.terms) for p in short.doc.prose] == \
            [(p.text, p.in_heading, p.anchors, p.terms) for p in long.doc.prose]
        for position in range(0, len(token.content) + 1, 3):
            line = token.map[0] + token.content.count("\n", 0, position)
            assert short.column(line, token.content, position) == \
                _column_reading_the_whole_line(short.source_lines, line, token.content, position)


@settings(max_examples=300, deadline=None)
@given(path=st.text(alphabet="ab./ \t\\~?_-", max_size=10),
       fragments=st.lists(st.text(alphabet="ab#./ ?", max_size=5), min_size=2, max_size=2),
       spaces=st.sampled_from(["", " ", "\t "]))
def test_links_to_one_file_are_located_alike(path: str, fragments: list[str],
                                             spaces: str) -> None:
    """check_paths locates each link once per file (`_place`), not once per anchor: every
    value with the same place must be located the same way."""
    from essaykit.check.safety_markup import _place
    from essaykit.core.trust import locate

    root = Path(__file__).parent / "books" / "clean"
    first, second = (spaces + path + "#" + fragments[0], path + "#" + fragments[1] + spaces)
    if _place(first) == _place(second):
        assert locate(root, "essays", first) == locate(root, "essays", second)
    assert _place("https://x.org/a#b") == "https://x.org/a#b"  # a scheme: kept whole
    assert _place("a%23b#c") == "a%23b#c"  # a percent-escape: kept whole
