"""The `init` subcommand: a thin front end over `essaykit.start`.

It asks for the title and the editors only when they are not given and stdin
is a terminal; a script or CI gets a usage error (exit 2) instead of a prompt.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, TextIO


def register(subparsers: Any) -> None:
    """Add the subcommand to `essaykit`'s parser (what `add_subparsers()` returned)."""
    init = subparsers.add_parser(
        "init", help="start a new book in a new or empty folder",
        description="Start a new book: book.yml with the title and editors, a front page, an "
                    "introduction, an empty glossary and jargon list, a bibliography with one "
                    "example entry, a taster and an example essay, conf.py, a README, "
                    ".gitignore, a pre-commit configuration and a GitHub Actions workflow. "
                    "The result passes `essaykit check` and builds with no warning. Nothing "
                    "is overwritten: the folder must be new or empty. Without --title or "
                    "--editor, essaykit asks for them when run in a terminal.",
    )
    init.add_argument("folder", nargs="?", type=Path, default=Path("."), metavar="DIR",
                      help="the new book's folder (default: the current folder, if empty)")
    init.add_argument("--title", default=None, help="the book's title")
    init.add_argument("--subtitle", default=None, help="a second line under the title")
    init.add_argument("--editor", action="append", default=[], metavar="NAME",
                      help="an editor's name (repeat for each editor)")
    init.add_argument("--language", default="en",
                      help="the book's language as a BCP 47 tag (default: en; e.g. en-GB, fr)")
    init.add_argument("--from-jupyter-book", type=Path, default=None, metavar="PATH",
                      help="make the Jupyter Book 1 project at PATH (_config.yml, _toc.yml) an "
                      "essaykit book, its pages left where they are; the title, editors and "
                      "language come from _config.yml unless given")
    init.set_defaults(handler=init_command)


def init_command(args: argparse.Namespace, out: TextIO | None = None,
                 stdin: TextIO | None = None) -> int:
    """Run `essaykit init`; returns the exit code."""
    from essaykit.start import NewBook, StartRefused, start_book

    out = out or sys.stdout
    stdin = stdin or sys.stdin
    if args.from_jupyter_book is not None:
        return _from_jupyter_book(args, out)
    title, subtitle, editors = args.title, args.subtitle, list(args.editor)
    if title is None or not editors:
        if not stdin.isatty():
            missing = [name for name, absent in (("--title", title is None),
                                                 ("--editor", not editors)) if absent]
            print(f"essaykit init: give {' and '.join(missing)} (there is no terminal to ask "
                  'in), e.g. essaykit init my-book --title "The Title" --editor "Ada Editor"',
                  file=sys.stderr)
            return 2
        try:
            title, subtitle, editors = _ask(title, subtitle, editors, stdin, out)
        except EOFError:
            print("\nessaykit init: stopped; nothing was written", file=sys.stderr)
            return 2
    folder: Path = args.folder
    try:
        made = start_book(folder, NewBook(title or "", tuple(editors), subtitle or "",
                                          args.language))
    except StartRefused as refused:
        print(f"essaykit init: {refused.message}\n  ({refused.hint})", file=sys.stderr)
        return 2
    shown = _shown(folder)
    print(f"essaykit: made a new book in {shown}:", file=out)
    width = max(len(relative) for relative, _ in made)
    for relative, purpose in made:
        print(f"  {relative:<{width}}  {purpose}".rstrip(), file=out)
    steps = [(f"cd {shown}", "")] if folder.resolve() != Path.cwd().resolve() else []
    steps += [("essaykit check", "passes with no findings"),
              ("essaykit build", "the web book, the PDFs and the EPUB, into _build/"),
              ('essaykit new "Title" --author "Name"', "start an essay")]
    print("next:", file=out)
    for command, comment in steps:
        print(f"  {command:<38}  # {comment}" if comment else f"  {command}", file=out)
    return 0


def _from_jupyter_book(args: argparse.Namespace, out: TextIO) -> int:
    from essaykit.start import NewBook, StartRefused
    from essaykit.start.jupyterbook import from_jupyter_book

    if args.folder != Path("."):
        print("essaykit init: give either DIR or --from-jupyter-book PATH, not both "
              "(the Jupyter Book's folder becomes the essaykit book)", file=sys.stderr)
        return 2
    root: Path = args.from_jupyter_book
    given = NewBook(args.title or "", tuple(args.editor), args.subtitle or "", args.language)
    try:
        made, order = from_jupyter_book(root, given)
    except StartRefused as refused:
        print(f"essaykit init: {refused.message}\n  ({refused.hint})", file=sys.stderr)
        return 2
    essays = sum(len(pages) for _, pages in order.parts)
    print(f"essaykit: made {_shown(root)} an essaykit book ({essays} essays in "
          f"{len(order.parts)} part(s); every page left where it was):", file=out)
    for relative, _ in made:
        print(f"  {relative}", file=out)
    if order.left_out:
        print(f"left out (essaykit pages are Markdown): {', '.join(order.left_out)}", file=out)
    print("next: essaykit check (essays need front matter: title, authors, abstract; "
          "see the manual's chapter on existing projects), then essaykit build", file=out)
    return 0


def _ask(title: str | None, subtitle: str | None, editors: list[str], stdin: TextIO,
         out: TextIO) -> tuple[str, str | None, list[str]]:
    def ask(prompt: str) -> str:
        print(prompt, end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            raise EOFError
        return line.strip()

    while not title:
        title = ask("The book's title: ")
    if subtitle is None:
        subtitle = ask("Its subtitle (Enter for none): ")
    if not editors:
        print("The editors' names, one a line; an empty line when done.", file=out)
        while True:
            name = ask(f"Editor {len(editors) + 1}: ")
            if not name and editors:
                break
            if name:
                editors.append(name)
    return title, subtitle, editors


def _shown(folder: Path) -> str:
    """The folder as the editor would type it: relative when it is below here."""
    try:
        relative = os.path.relpath(folder.resolve(), Path.cwd())
    except ValueError:  # another drive on Windows
        return str(folder)
    return str(folder.resolve()) if relative.startswith("..") else relative
