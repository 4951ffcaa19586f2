"""Shared helpers for the checker's tests: run the CLI in-process on a fixture book."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence
from pathlib import Path

from essaykit.cli.main import main

BOOKS = Path(__file__).parent / "books"


def run_cli(argv: Sequence[str]) -> tuple[int, str, str]:
    """Run `essaykit <argv>` in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()
