"""Notebooks (.ipynb): their markdown cells are pages' text, at the file's own lines."""

from __future__ import annotations

import json

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from essaykit.check.notebooks import read_notebook
from tests.check_support import BOOKS, run_cli


def _notebook(*cells: object) -> str:
    nb = new_notebook(cells=list(cells))
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"c{number}"
    return nbformat.writes(nb)


def test_each_markdown_line_sits_at_its_line_in_the_file() -> None:
    raw = _notebook(new_markdown_cell("# Title\n\nSome {cite}`key` text."),
                    new_code_cell("x = 1\n# {ref}`code`"),
                    new_markdown_cell("Last cell."))
    notebook = read_notebook(raw)
    assert notebook.problem == ""
    file_lines, placed = raw.split("\n"), notebook.text.split("\n")
    for number, text in enumerate(placed):
        if text:
            assert json.dumps(text)[1:-1] in file_lines[number]
    assert [text for _, text in notebook.cells] == ["# Title\n\nSome {cite}`key` text.",
                                                    "Last cell."]
    assert "{ref}`code`" not in notebook.text  # code cells are not prose


def test_a_cell_source_written_as_one_string_is_read_whole() -> None:
    raw = json.dumps({"cells": [{"cell_type": "markdown", "metadata": {},
                                 "source": "# One\n\nTwo lines."}],
                      "metadata": {}, "nbformat": 4, "nbformat_minor": 4}, indent=1)
    notebook = read_notebook(raw)
    assert notebook.cells == [(5, "# One\n\nTwo lines.")]
    assert notebook.text.split("\n")[5:8] == ["# One", "", "Two lines."]


def test_broken_json_is_a_finding_at_its_line() -> None:
    notebook = read_notebook('{\n "cells": [\n  {"cell_type": "markdown",,}\n ]\n}')
    assert notebook.problem.startswith("not a notebook: the JSON does not parse")
    assert notebook.problem_line == 3


def test_not_a_notebook_is_a_finding() -> None:
    assert "nbformat can read" in read_notebook('{"nbformat": 99, "cells": []}').problem
    assert read_notebook("[1, 2]").problem
    assert read_notebook('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}').problem


def test_notebook_in_the_toc_is_a_page() -> None:
    code, out, _ = run_cli(["--root", str(BOOKS / "notebooks"), "check"])
    # intro.md's {doc} to the notebook and {ref} to its label resolve: not reported
    assert "intro.md" not in out
    assert "chapters/analysis.ipynb:32:30: CIT001 unknown citation key 'hartley2091'" in out
    assert "not-a-citation" not in out and "nothing" not in out  # code cells are code
    assert "chapters/broken.ipynb:7:1: CHK002 not a notebook" in out
    assert "Traceback" not in out and code == 1


def test_text_notebook_code_cells_are_code_and_name_figures() -> None:
    from pathlib import Path

    from essaykit.check import run_check

    result = run_check(Path(BOOKS / "myst-nb-text"))
    doc = result.documents["levels.md"]
    assert {(label.name, label.line) for label in doc.labels} >= {("fig-levels", 19),
                                                                 ("cell-totals", 32)}
    found = [(d.path, d.line, d.code) for d in result.diagnostics if d.code != "SEC013"]
    # {numref} to the cell's figure resolves from another page; nothing in code is read
    assert found == [("levels.md", 28, "REF001")]


def test_a_broken_options_block_of_a_code_cell_is_left_to_myst_nb(tmp_path) -> None:
    from essaykit.check import run_check

    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    (tmp_path / "index.md").write_text(
        "# T\n\n```{code-cell}\n---\nmystnb: [unclosed\n---\nx = 1\n```\n", encoding="utf-8")
    result = run_check(tmp_path)
    assert not [d for d in result.diagnostics if d.code.startswith(("CHK001", "REF"))]
