"""Every fixture book under tests/books/ checks to exactly its expected.txt.

Regenerate after a deliberate change with ESSAYKIT_UPDATE_EXPECTED=1, then read
the diff: an expected file is a statement of what the checker must say.
"""

from __future__ import annotations

import os
import re

import pytest

from essaykit.check import load_rules
from essaykit.core import rules
from tests.check_support import BOOKS, run_cli
from tests.hostile_support import HOSTILE

CASES = sorted(p.name for p in BOOKS.iterdir() if (p / "expected.txt").exists()
               or os.environ.get("ESSAYKIT_UPDATE_EXPECTED"))


@pytest.mark.parametrize("case", CASES)
def test_fixture_book(case: str) -> None:
    folder = BOOKS / case
    code, out, _ = run_cli(["--root", str(folder), "check", "--coverage"])
    expected_file = folder / "expected.txt"
    if os.environ.get("ESSAYKIT_UPDATE_EXPECTED"):
        expected_file.write_text(out, encoding="utf-8")
    assert out == expected_file.read_text(encoding="utf-8")
    has_config_error = re.search(r"^\S+:\d+:\d+: (CFG|BOOK001)", out, re.MULTILINE)
    has_error = re.search(r"Found [1-9]\d* error", out)
    assert code == (2 if has_config_error else 1 if has_error else 0)


def test_every_rule_fires_in_some_fixture() -> None:
    load_rules()
    seen = set()
    for case in [*BOOKS.iterdir(), *HOSTILE.iterdir()]:
        expected = case / "expected.txt"
        if expected.exists():
            seen |= set(re.findall(r"^\S+:\d+:\d+: ([A-Z]+\d+) ", expected.read_text(),
                                   re.MULTILINE))
    # internal errors, unreadable files and "no book here" are tested in test_check_cli.py;
    # BOOK001 (invalid book.yml) in test_model.py
    untested = set(rules.RULES) - seen - {"CHK001", "CHK002", "BOOK001", "CFG003"}
    assert not untested, f"rules with no fixture where they fire: {sorted(untested)}"


def test_clean_book_is_clean() -> None:
    code, out, _ = run_cli(["--root", str(BOOKS / "clean"), "check"])
    assert code == 0
    assert out.startswith("All checks passed")
