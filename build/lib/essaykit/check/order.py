"""Book order rules: every page is reachable, every entry in the order exists.

An essaykit book and a Jupyter Book declare their order in one file, read by
the project module (its missing entries are BOOK002 there); a plain Sphinx
project declares it in toctree directives, read here from the parsed pages.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from essaykit.check.index import BookIndex
from essaykit.check.project import resolve_page
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity

rules.rule(
    "REF006", "page-not-in-book", Severity.WARNING,
    "A page is not in the book's order (book.yml, _toc.yml or a toctree).",
    "It is built but no reader can reach it from the contents.",
    bad="essays/new-essay.md  % but not in book.yml",
    good="parts:\n  - title: ...\n    essays:\n      - essays/new-essay.md",
)


def toctree_reachable(index: BookIndex) -> tuple[set[str], list[Diagnostic]]:
    """Pages reachable from the root document through toctrees, and entries naming
    no file."""
    project = index.project
    seen: set[str] = set()
    missing: list[Diagnostic] = []
    queue = [project.root_doc] if project.root_doc in index.documents else []
    docnames = sorted(index.by_docname)
    while queue:
        page = queue.pop(0)
        if page in seen:
            continue
        seen.add(page)
        doc = index.documents.get(page)
        if doc is None:
            continue
        for entry in doc.toctree:
            if entry.target == "self" or "://" in entry.target:
                continue
            if entry.glob:
                pattern = index.docname_join(doc, entry.target)
                queue.extend(index.by_docname[name].path for name in docnames
                             if fnmatch.fnmatch(name, pattern))
                continue
            found = resolve_page(project.root, doc.folder, entry.target)
            if found is None:
                missing.append(rules.make("BOOK002", doc.path, entry.line, 1,
                                          f"toctree entry {entry.target!r} names no page",
                                          "create the page or remove the entry"))
            elif found.endswith(".md"):
                queue.append(found)
    return seen, missing


@check("REF006", "BOOK002")
def check_order(index: BookIndex) -> Iterator[Diagnostic]:
    """Pages outside the book's order; toctree entries naming missing pages."""
    project = index.project
    if project.kind == "sphinx":
        reachable, missing = toctree_reachable(index)
        yield from missing
        for page in project.pages:
            doc = index.documents.get(page)
            if page in reachable or doc is None or doc.front_matter.get("orphan"):
                continue
            yield rules.make("REF006", page, 1, 1,
                             "page is not in any toctree, so readers cannot reach it",
                             "add it to a toctree, or mark it 'orphan: true' in its front matter")
        return
    for page in project.candidates:
        yield rules.make("REF006", page, 1, 1,
                         f"page is not in the book's order ({project.config_file})",
                         f"add it to {project.config_file}, or move it out of the book")
