"""A contributor's `{index}` with the checker out of the way (`--no-check`): the
build's second layer still publishes nothing hostile from an index entry, and
the entries reach the web book's index as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from essaykit.build import BuildOptions, build
from tests.hostile_support import leaks, prepare

pytestmark = pytest.mark.slow


def test_index_entries_publish_text_only(tmp_path: Path) -> None:
    root = prepare("gate-index-entries", tmp_path, "en")
    result = build(BuildOptions(root=root, quiet=True, check=False, pdf=False, epub=False))
    assert not leaks(root / "_build"), leaks(root / "_build")
    said = "\n".join(result.warnings)
    assert "Traceback" not in said
    # neither the refused option nor the file it named reached the book
    assert "onload" in said and "smuggled-file" not in said
    index = (root / "_build/html/genindex.html").read_text("utf-8")
    for entry in ("commissioning", "budgets", "councils", "public services"):
        assert entry in index
    # an entry's markup is shown as text, escaped
    essay = (root / "_build/html/essays/one.html").read_text("utf-8")
    assert "<script>alert" not in essay and "<script>alert" not in index
