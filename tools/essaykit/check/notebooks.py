"""Read a Jupyter notebook's markdown cells, each line at its own line of the .ipynb file.

The notebook is read with nbformat (any version it reads, converted to version 4).
Its markdown cells are what the checker parses, each cell on its own as MyST-NB
and mystmd do. Each line of a cell is placed at the line of the .ipynb file that
holds it (nbformat writes a cell's source as a JSON list, one string a line), so
every finding in a cell is reported at `notebook.ipynb:LINE` where an editor
opening the file finds that text; the column counts within the cell's line.

The rest of the file (code cells, outputs, metadata) is left blank: the checker
sees none of it, as the build renders no Markdown from it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import nbformat
from markdown_it import MarkdownIt
from nbformat.reader import NotJSONError, reads

from essaykit.check.parse import parse_document
from essaykit.check.project import Project
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.model import Document

# A notebook carries its outputs (plots as base64): far larger than a page of text.
MAX_NOTEBOOK_BYTES = 50_000_000

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")


_LABEL_OPTION = re.compile(r"^#\|\s*label\s*:\s*(\S+)\s*$")


@dataclass
class Notebook:
    """A notebook's markdown, laid out on the file's own lines."""

    text: str = ""  # one string per line of the file; blank where no markdown is
    cells: list[tuple[int, str]] = field(default_factory=list)  # (0-based first line, text)
    problem: str = ""  # why the notebook cannot be read ("" when it can)
    problem_line: int = 1
    # `#| label: name` options of code cells (mystmd labels their outputs so), with the
    # 1-based line of each in the file
    labels: list[tuple[str, int]] = field(default_factory=list)


def read_notebook(raw: str) -> Notebook:
    """The markdown cells of the notebook whose file text is `raw`; never raises."""
    try:
        node = reads(raw)
        version = int(node.get("nbformat", 0))
        if version != 4:
            node = nbformat.convert(node, 4)
    except NotJSONError as err:
        line = _json_error_line(raw)
        return Notebook(problem=f"not a notebook: the JSON does not parse ({err.__cause__})",
                        problem_line=line)
    except Exception as err:  # nbformat's own errors: unknown version, missing keys
        return Notebook(problem=f"not a notebook nbformat can read: {err}")
    # (not validated against the schema: Jupyter, MyST-NB and mystmd all open a notebook
    # with a stray key, and the checker reads only the markdown cells' text)
    cells = node.get("cells")
    if not isinstance(cells, list):
        return Notebook(problem="not a notebook: it has no list of cells")
    places = _source_lines(raw) if version == 4 else {}
    total = raw.count("\n") + 1
    lines = [""] * total
    found: list[tuple[int, str]] = []
    after = 0  # the first file line a cell may start on
    labels: list[tuple[str, int]] = []
    for number, cell in enumerate(cells):
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            labels.extend(_cell_option_labels(cell, places.get(number, after)))
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        first = max(places.get(number, after), after)
        cell_lines = text.split("\n")
        if len(lines) < first + len(cell_lines):
            lines.extend([""] * (first + len(cell_lines) - len(lines)))
        lines[first:first + len(cell_lines)] = cell_lines
        found.append((first, text))
        after = first + len(cell_lines)
    return Notebook("\n".join(lines), found, labels=labels)


def _cell_option_labels(cell: dict[str, object], first: int) -> list[tuple[str, int]]:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    found = []
    for index, line in enumerate(text.split("\n")):
        match = _LABEL_OPTION.match(line)
        if match:
            found.append((match.group(1), first + index + 1))
        elif line.strip() and not line.startswith("#|"):
            break  # the options are the cell's first lines
    return found


def _json_error_line(raw: str) -> int:
    try:
        json.loads(raw)
    except json.JSONDecodeError as err:
        return err.lineno
    except ValueError:
        pass
    return 1


def _source_lines(raw: str) -> dict[int, int]:
    """The 0-based line of the file where each cell's source starts (its first string).
    The JSON is walked key by key, each value skipped by the json module's own decoder
    (outputs are most of a notebook's bytes), so only `cells[N].source` is looked at."""
    found: dict[int, int] = {}
    lines = _Lines(raw)
    try:
        at = _space(raw, 0)
        if raw[at] != "{":
            return found
        at = _space(raw, at + 1)
        while raw[at] == '"':
            key, at = _DECODER.raw_decode(raw, at)
            at = _space(raw, _space(raw, at) + 1)  # past the ":"
            if key == "cells" and raw[at] == "[":
                at = _cells(raw, at, found, lines)
            else:
                _, at = _DECODER.raw_decode(raw, at)
            at = _space(raw, at)
            if raw[at] != ",":
                break
            at = _space(raw, at + 1)
    except (IndexError, ValueError):
        pass  # a notebook nbformat read but this walk does not: its cells are laid out in turn
    return found


def _cells(raw: str, at: int, found: dict[int, int], lines: _Lines) -> int:
    """Walk the cells array starting at `at` (its "["); returns the index after it."""
    at = _space(raw, at + 1)
    number = 0
    while raw[at] != "]":
        if raw[at] == "{":
            at = _space(raw, at + 1)
            while raw[at] == '"':
                key, at = _DECODER.raw_decode(raw, at)
                at = _space(raw, _space(raw, at) + 1)
                if key == "source":
                    first = _space(raw, at + 1) if raw[at] == "[" else at
                    found[number] = lines.line(first)
                _, at = _DECODER.raw_decode(raw, at)
                at = _space(raw, at)
                if raw[at] == ",":
                    at = _space(raw, at + 1)
            at += 1  # the cell's "}"
        else:
            _, at = _DECODER.raw_decode(raw, at)
        at = _space(raw, at)
        if raw[at] == ",":
            at = _space(raw, at + 1)
        number += 1
    return at + 1


class _Lines:
    """0-based line numbers of offsets in `text`, asked in increasing order."""

    def __init__(self, text: str):
        self.text, self.offset, self.count = text, 0, 0

    def line(self, offset: int) -> int:
        self.count += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.count


def _space(text: str, at: int) -> int:
    return _WHITESPACE.match(text, at).end()  # type: ignore[union-attr]


def parse_notebook(project: Project, page: str, raw: str, parser: MarkdownIt) -> Document:
    """The notebook as a page: its markdown cells parsed, each at its own lines; a
    notebook that cannot be read is an empty page carrying the finding that says why."""
    notebook = read_notebook(raw)
    doc = parse_document(notebook.text, page, project.docname(page), parser,
                         heading_anchors=project.heading_anchors, language=project.language,
                         cells=notebook.cells)
    # a fence left open ends with its cell (each cell is parsed alone): nothing outside
    # the cell is swallowed, and MyST-NB and mystmd render it so
    doc.open_fences.clear()
    if notebook.labels:
        doc.cache["cell-labels"] = notebook.labels
    if notebook.problem:
        doc.cache["notebook-findings"] = [rules.make(
            "CHK002", page, notebook.problem_line, 1, notebook.problem,
            "open it in Jupyter and save it again, or restore it from version control")]
    return doc


def notebook_findings(doc: Document) -> list[Diagnostic]:
    """What reading the page as a notebook found (kept with the parse, so that a page
    loaded from the parse cache reports it too)."""
    found = doc.cache.get("notebook-findings")
    return list(found) if isinstance(found, list) else []


def code_cell_labels(doc: Document) -> list[tuple[str, int]]:
    """The `#| label:` options of the notebook's code cells, with their lines."""
    found = doc.cache.get("cell-labels")
    return list(found) if isinstance(found, list) else []
