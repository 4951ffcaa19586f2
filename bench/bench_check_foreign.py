"""Time `essaykit check` on books we did not write against myst-parser's parse of them.

The floor reads every page the checker reads (the book's order and the other pages
its build would read) and parses it with myst-parser's markdown-it parser, as
myst-parser builds it for the book's own settings (`create_parser`, the floor of
bench_check.py); a notebook is read with nbformat and each markdown cell parsed,
as MyST-NB does. The check is `run_check` on the book, at its default settings.
The two are timed in turn (floor, check, floor, check, ...) so that both see the
same machine, and the medians are compared. A second floor adds what myst-parser
parses when it renders a page: the Markdown bodies of its directives (notes,
figures' captions, tabs...), which the checker parses too; books heavy in
directives cost the checker more than the first floor shows.

With no path, a synthetic Jupyter Book 2 / mystmd project is made from
bench/generate.py's essays: a myst.yml with toc and bibliography, every other
essay turned into a notebook (a markdown cell per section, a code cell between).

    python bench/bench_check_foreign.py                       # synthetic, 100 essays
    python bench/bench_check_foreign.py --essays 300 --runs 7
    python bench/bench_check_foreign.py /path/to/book ...     # real books
    python bench/bench_check_foreign.py --cpu ...             # CPU time, on a busy machine
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat
from markdown_it.token import Token
from myst_parser.parsers.directives import parse_directive_text
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate  # noqa: E402

from essaykit.check import run_check  # noqa: E402
from essaykit.check.parse import LITERAL_DIRECTIVES, _AnyDirective, directive_of  # noqa: E402
from essaykit.check.project import Project, discover  # noqa: E402
from essaykit.core.mdconfig import create_parser  # noqa: E402


def floor(project: Project, *, bodies: bool = False) -> int:
    """myst-parser's parse of every page the checker reads; returns the pages parsed.
    With `bodies`, also the Markdown bodies of directives, which myst-parser parses
    when it renders them (read with its own parse_directive_text)."""
    parser = create_parser(project.extensions, project.heading_anchors)
    count = 0
    for page in dict.fromkeys(project.pages + project.candidates):
        path = project.root / page
        if page.endswith(".md"):
            texts = [path.read_text(encoding="utf-8")]
        elif page.endswith(".ipynb"):
            notebook = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
            texts = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
        else:
            continue
        env: dict[str, object] = {}
        while texts:
            tokens = parser.parse(texts.pop(), env)
            if bodies:
                texts.extend(_bodies(tokens))
        count += 1
    return count


def _bodies(tokens: list[Token]) -> list[str]:
    found = []
    for token in tokens:
        named = directive_of(token.info) if token.type in ("fence", "colon_fence") else None
        if named is None or named[0] in LITERAL_DIRECTIVES:
            continue
        try:
            parsed = parse_directive_text(_AnyDirective, named[1], token.content)
        except Exception:
            continue
        found.append("\n".join(parsed.body))
    return found


def floor_with_bodies(project: Project) -> int:
    return floor(project, bodies=True)


def check(root: Path) -> int:
    return len(run_check(root).diagnostics)


def synthetic(essays: int, target: Path) -> Path:
    """A mystmd project made of generate.py's essays, every other one a notebook (links
    to those pages follow them)."""
    root = generate(essays, target)
    paths = sorted((root / "essays").glob("*.md"))
    notebooks = {path.name for number, path in enumerate(paths) if number % 2}
    toc = ["    - file: book/index.md"]
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for name in notebooks:
            text = text.replace(f"({name}#", f"({name[:-3]}.ipynb#")
        if path.name in notebooks:
            # a cell per section, the label with its heading, a code cell between
            sections = re.split(r"\n(?=## Section [2-9] |\(essay-\d+-start\)=)", text)
            cells = [new_markdown_cell(sections[0])]
            for section in sections[1:]:
                cells.append(new_code_cell("values = [1, 2, 3]\nsum(values)"))
                cells.append(new_markdown_cell(section))
            notebook = new_notebook(cells=cells)
            for index, cell in enumerate(notebook.cells):
                cell["id"] = f"c{index}"
            path.unlink()
            path = path.with_suffix(".ipynb")
            path.write_text(nbformat.writes(notebook), encoding="utf-8")
        else:
            path.write_text(text, encoding="utf-8")
        toc.append(f"    - file: {path.relative_to(root).as_posix()}")
    toc.append("    - file: book/glossary.md")
    (root / "book" / "book.yml").unlink()
    (root / "myst.yml").write_text(
        "version: 1\nproject:\n  title: Synthetic\n  bibliography:\n"
        "    - book/references.bib\n  toc:\n" + "\n".join(toc) + "\n", encoding="utf-8")
    return root


def measure(root: Path, runs: int, clock: Callable[[], float] = time.perf_counter
            ) -> tuple[int, float, float, float]:
    project = discover(root)
    pages = floor(project)
    check(root)  # warm up: imports, the parser's cache
    floors: list[float] = []
    bodies: list[float] = []
    checks: list[float] = []
    for _ in range(runs):
        for function, argument, samples in ((floor, project, floors),
                                            (check, root, checks),
                                            (floor_with_bodies, project, bodies)):
            gc.collect()
            started = clock()
            function(argument)  # type: ignore[operator]
            samples.append(clock() - started)
    return (pages, statistics.median(floors), statistics.median(checks),
            statistics.median(bodies))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", nargs="*", type=Path)
    parser.add_argument("--essays", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu", action="store_true",
                        help="time the process's CPU time, not the wall clock (on a shared "
                             "machine the wall clock also times the neighbours)")
    args = parser.parse_args(argv)
    print(f"{'book':<36} {'pages':>6} {'floor (s)':>10} {'check (s)':>10} {'ratio':>6} "
          f"{'floor+bodies (s)':>17} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="essaykit-bench-foreign-") as tmp:
        books = args.books or [synthetic(args.essays, Path(tmp) / "jb2")]
        for root in books:
            pages, floor_time, check_time, bodies_time = measure(
                root.resolve(), args.runs, time.process_time if args.cpu else time.perf_counter)
            name = (root.resolve().parent.name + "/" + root.name)[-36:] if args.books \
                else f"synthetic mystmd, {args.essays} essays"
            print(f"{name:<36} {pages:>6} {floor_time:>10.3f} {check_time:>10.3f} "
                  f"{check_time / floor_time:>6.2f} {bodies_time:>17.3f} "
                  f"{check_time / bodies_time:>6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
