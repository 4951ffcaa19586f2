"""Shared reading paths added for foreign books: the directive fast path agrees with
myst-parser's own reading of directive text."""

from __future__ import annotations

import pytest
from myst_parser.parsers.directives import parse_directive_text

from essaykit.check.parse import _AnyDirective, read_directive

CASES = ["", "\n", "body", "\nbody\n", "body\n\nmore", "  indented\nx", " :opt: 1\nx",
         ":::{note}\nx\n:::", "\n\n", "a\n", "\n:opt: 1\nx", "---\na: 1\n---\nx",
         ":name: here\n:class: tip\n\nBody text."]


@pytest.mark.parametrize("content", CASES)
def test_read_directive_agrees_with_myst_parser(content: str) -> None:
    parsed = parse_directive_text(_AnyDirective, "argument", content)
    options, _, body, offset = read_directive("argument", content)
    assert offset == max(parsed.body_offset, 0)
    assert [line for line in body if line] == [line for line in parsed.body if line]
    assert set(options) == set(parsed.options)
