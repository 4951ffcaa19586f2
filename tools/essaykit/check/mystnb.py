"""MyST-NB text notebooks: `.md` pages with jupytext front matter and `{code-cell}`s.

A code cell is code: its body is never read as Markdown (`code-cell` is a literal
directive for the parser). What it can define is a label: MyST-NB names the
figure a cell outputs from the cell's options, written as the YAML block at the
top of the cell, `mystnb: figure: name:` (or, before MyST-NB 0.14, `render:`),
and {numref} and {ref} then reach it. The block is read with the strict YAML
loader, from the cell's own lines.
"""

from __future__ import annotations

from essaykit.core.model import Document, Label
from essaykit.core.yamlsafe import StrictYamlError, load

CODE_CELLS = frozenset({"code-cell"})


def add_code_cell_labels(doc: Document) -> None:
    """The figure names of the page's code cells, as labels at the line of `name:`."""
    for directive in doc.directives:
        if directive.kind not in CODE_CELLS:
            continue
        start = directive.line  # 0-based index of the line after the fence
        if start >= len(doc.lines) or doc.lines[start].strip() != "---":
            continue
        end = next((n for n in range(start + 1, len(doc.lines))
                    if doc.lines[n].strip() == "---"), None)
        if end is None:
            continue
        try:
            located = load("\n".join(doc.lines[start + 1:end]), first_line=start + 2)
        except (StrictYamlError, ValueError, RecursionError):
            continue  # MyST-NB reports a broken block itself
        options = located.value if isinstance(located.value, dict) else {}
        for key in ("mystnb", "render"):
            section = options.get(key)
            figure = section.get("figure") if isinstance(section, dict) else None
            name = figure.get("name") if isinstance(figure, dict) else None
            if isinstance(name, str) and name.strip():
                line = located.line_of(key, "figure", "name", default=start + 1)
                doc.labels.append(Label(name.strip(), line, 1))
