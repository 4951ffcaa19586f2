"""essaykit's version: declared once, printed by `--version`, carried by the JSON
outputs and the dashboard, and the one the built package is given."""

from __future__ import annotations

import io
import json
import re
import tomllib
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import essaykit
from essaykit.cli.main import main
from essaykit.core.version import VERSION
from essaykit.dashboard.page import render_status_page
from essaykit.dashboard.status import compute_status
from tests.check_support import BOOKS, run_cli
from tests.conftest import REPO

DESK = Path(__file__).parent / "status_books" / "desk"


def test_version_is_declared_once() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+|(a|b|rc)\d+)?", VERSION)
    assert essaykit.__version__ == VERSION
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]  # not written twice
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "essaykit.core.version.VERSION"}


def test_dash_dash_version_prints_it_and_exits_0() -> None:
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    line = out.getvalue()
    assert line.startswith(f"essaykit {VERSION} (Python ")
    assert "Sphinx " in line and "WeasyPrint " in line
    assert len(line.splitlines()) == 1  # one line, for logs and bug reports


def test_version_needs_no_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with redirect_stdout(out), pytest.raises(SystemExit):
        main(["--version"])
    assert out.getvalue().startswith("essaykit ")


def test_check_json_records_carry_the_version() -> None:
    code, out, _ = run_cli(["--root", str(BOOKS / "cit001-unknown-key"), "check",
                            "--format", "json"])
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and records
    assert {record["essaykit_version"] for record in records} == {VERSION}


def test_status_json_and_dashboard_carry_the_version(tmp_path: Path) -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["--root", str(DESK), "status", "--format", "json"]) == 0
    assert json.loads(out.getvalue())["essaykit_version"] == VERSION
    html = render_status_page(compute_status(DESK), tmp_path / "mpl")
    assert f'<meta name="generator" content="essaykit {VERSION}">' in html
    assert f"Made by essaykit {VERSION}." in html
