"""The build's gate keeps parsed pages between runs and still checks the whole book."""

from __future__ import annotations

import re
from pathlib import Path

from essaykit.check import run_check
from essaykit.check.parsecache import ParseCache

from .test_fastbib import generated_book


def findings(root: Path, cache: ParseCache | None = None) -> list[str]:
    return [d.format_text() for d in run_check(root, parse_cache=cache).diagnostics]


def test_an_edit_is_parsed_again_and_checked_against_every_page(tmp_path: Path) -> None:
    root = generated_book(tmp_path / "book", 6)
    folder = tmp_path / "parsed"
    first = ParseCache(folder, "v1")
    assert findings(root, first) == findings(root) == []
    assert first.parsed > 6 and first.loaded == 0
    again = ParseCache(folder, "v1")
    assert findings(root, again) == []
    assert again.parsed == 0 and again.loaded == first.parsed

    # remove the label another essay refers to: the error is in the *other* essay
    essays = sorted((root / "essays").glob("*.md"))
    texts = {p: p.read_text(encoding="utf-8") for p in essays}
    number, target = next((int(p.stem[6:]), p) for p in essays
                          if any(f"`essay-{int(p.stem[6:])}-start`" in texts[other]
                                 for other in essays if other != p))
    target.write_text(re.sub(rf"\(essay-{number}-start\)=\n", "", texts[target]),
                      encoding="utf-8")
    edited = ParseCache(folder, "v1")
    found = findings(root, edited)
    assert found == findings(root)  # exactly what an uncached check says
    assert any(f"essay-{number}-start" in line and target.name not in line for line in found)
    assert edited.parsed == 1 and edited.loaded == first.parsed - 1
    # the edited page's old parse is gone; one entry per page is left
    assert len(list(folder.glob("*.pickle"))) == first.parsed


def test_a_new_version_or_a_damaged_entry_is_parsed_again(tmp_path: Path) -> None:
    root = generated_book(tmp_path / "book", 3)
    folder = tmp_path / "parsed"
    expected = findings(root, ParseCache(folder, "v1"))
    newer = ParseCache(folder, "v2")
    assert findings(root, newer) == expected
    assert newer.loaded == 0 and newer.parsed > 3
    for entry in folder.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    damaged = ParseCache(folder, "v2")
    assert findings(root, damaged) == expected
    assert damaged.loaded == 0 and damaged.parsed == newer.parsed


def test_the_bib_is_kept_too_and_a_changed_bib_is_read_again(tmp_path: Path) -> None:
    root = generated_book(tmp_path / "book", 4)
    folder = tmp_path / "parsed"
    first = ParseCache(folder, "v1")
    assert findings(root, first) == []
    again = ParseCache(folder, "v1")
    findings(root, again)
    assert again.parsed == 0  # pages and the .bib all loaded

    # take out an entry an essay cites: the unknown key is reported, as uncached
    bib = root / "book" / "references.bib"
    text = bib.read_text(encoding="utf-8")
    first_entry = text.index("@")
    second_entry = text.index("@", first_entry + 1)
    key = text[text.index("{", first_entry) + 1:text.index(",", first_entry)]
    bib.write_text(text[:first_entry] + text[second_entry:], encoding="utf-8")
    edited = ParseCache(folder, "v1")
    found = findings(root, edited)
    assert found == findings(root)
    assert edited.parsed == 1  # the .bib only
    assert any(key in line for line in found), found
