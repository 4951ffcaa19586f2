"""`essaykit init`: a new, complete book that passes `essaykit check` and builds
with no warning, in a new or empty folder.

Nothing that exists is overwritten: the folder must be new, or hold nothing but
hidden entries (`.git`, `.venv`) and a licence, and none of the files the book
needs may be there already. Every file is created with "x" (exclusive) mode, and
if anything fails half-way the files and folders made so far are removed again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from jinja2 import Environment, StrictUndefined

from essaykit.core.book import load_book, read_book
from essaykit.core.text import join_names
from essaykit.core.version import VERSION
from essaykit.scaffold import essay_text, one_line_problem

TEMPLATES = "files"
EXAMPLE_ESSAY = "essays/example-essay.md"
EXAMPLE_TITLE = "An example essay"
# a BCP 47 tag as book.yml's `language:` takes it: en, en-GB, pt-BR, zh-Hant-TW
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# what may already be in the folder: a licence, and hidden entries such as .git or .venv
ALLOWED_ALREADY = re.compile(r"^(\..+|(LICEN[CS]E|COPYING)(\.\w+)?)$", re.IGNORECASE)

# what each file is for, in the order `essaykit init` lists them
PURPOSE = {
    "book/book.yml": "the title, editors, language and the order of the pages",
    "book/index.md": "the front page: title page and contents, made from book.yml",
    "book/introduction.md": "the introduction (front matter)",
    "essays/taster.md": "the taster, also built as a PDF of its own",
    EXAMPLE_ESSAY: "an example essay, as `essaykit new` writes one",
    "book/glossary.md": "the glossary, empty",
    "book/jargon.txt": "the jargon watch-list, empty",
    "book/references.bib": "the bibliography, with one example entry",
    "book/bibliography.md": "the page listing every work cited",
    "book/contributors.md": "the contributors page, made from the essays' authors",
    "conf.py": "the Sphinx configuration (the essaykit extension)",
    "requirements.txt": "the essaykit release the book is built with",
    "README.md": "how to set up, write, check and build, for editors and contributors",
    ".gitignore": "keeps _build/ and .venv/ out of git",
    ".pre-commit-config.yaml": "checks what each commit changes",
    ".github/workflows/book.yml": "checks pull requests; builds and publishes to GitHub Pages",
}


class StartRefused(Exception):
    """`essaykit init` cannot start a book here; nothing was written."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class NewBook:
    """What the editor tells `essaykit init`."""

    title: str
    editors: tuple[str, ...]
    subtitle: str = ""
    language: str = "en"

    def validated(self) -> NewBook:
        """The same, each value on one line; StartRefused names what is wrong."""
        title = _one_line(self.title, "the title", '--title "The Book\'s Title"')
        subtitle = _one_line(self.subtitle, "the subtitle", "") if self.subtitle.strip() else ""
        if not self.editors:
            raise StartRefused("the book needs at least one editor",
                               'give each editor with --editor "Name" (repeat it)')
        editors = tuple(_one_line(name, "an editor's name", '--editor "Ada Editor"')
                        for name in self.editors)
        language = self.language.strip()
        if not LANGUAGE.match(language):
            raise StartRefused(f"{self.language!r} is not a language tag",
                               "give a BCP 47 tag such as en, en-GB, fr or pt-BR")
        return NewBook(title, editors, subtitle, language)


def _one_line(value: str, what: str, example: str) -> str:
    problem = one_line_problem(value)
    if problem:
        raise StartRefused(f"{what} {problem}",
                           f"type it again as plain text, e.g. {example}" if example else
                           "type it again as plain text")
    return " ".join(value.split())


def start_book(target: Path, spec: NewBook, *, today: dt.date | None = None
               ) -> list[tuple[str, str]]:
    """Write a new book into `target`; return each file made and what it is for.

    Raises StartRefused, having written nothing, when the folder is not new or
    empty or when a value is unusable.
    """
    spec = spec.validated()
    today = today or dt.date.today()
    templates = dict(template_files())
    planned = [*templates, EXAMPLE_ESSAY]
    _refuse_unless_empty(target, planned)
    context = {
        "title": spec.title, "subtitle": spec.subtitle, "editors": spec.editors,
        "editors_text": join_names(list(spec.editors)), "language": spec.language,
        "year": today.year, "today": today.isoformat(), "version": VERSION,
    }
    environment = Environment(undefined=StrictUndefined, keep_trailing_newline=True,
                              autoescape=False)  # Markdown, YAML and BibTeX, not HTML
    environment.filters["yaml"] = _yaml_string
    made: list[Path] = []
    created_folders: list[Path] = []
    try:
        created_folders += _make_folder(target)
        for relative, source in templates.items():
            text = source.read_text(encoding="utf-8")
            if source.name.endswith(".jinja"):
                text = environment.from_string(text).render(context)
            made.append(_write_new(target, relative, text, created_folders))
        # the example essay is what `essaykit new` would write in this very book
        book, _ = read_book(target)  # its one problem: the example essay is not written yet
        if book is None:
            raise StartRefused("the new book/book.yml cannot be read (a bug in essaykit)",
                               "please report it")
        text = essay_text(book, EXAMPLE_TITLE, list(spec.editors), EXAMPLE_ESSAY, today,
                          status="in-review")
        made.append(_write_new(target, EXAMPLE_ESSAY, text, created_folders))
        load_book(target)  # the result must be a valid book
    except BaseException:
        for path in reversed(made):
            path.unlink(missing_ok=True)
        for folder in reversed(created_folders):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        raise
    order = list(PURPOSE)
    return sorted(((relative, PURPOSE.get(relative, "")) for relative in planned),
                  key=lambda item: order.index(item[0]) if item[0] in order else len(order))


def template_files() -> Iterator[tuple[str, Traversable]]:
    """(the path in the new book, the template) for every file in `files/`."""
    def walk(folder: Traversable, prefix: PurePosixPath) -> Iterator[tuple[str, Traversable]]:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name == "__pycache__":
                continue
            name = "." + entry.name[len("dot-"):] if entry.name.startswith("dot-") \
                else entry.name
            if entry.is_dir():
                yield from walk(entry, prefix / name)
            else:
                yield (prefix / name.removesuffix(".jinja")).as_posix(), entry

    yield from walk(files("essaykit.start").joinpath(TEMPLATES), PurePosixPath())


def _refuse_unless_empty(target: Path, planned: list[str]) -> None:
    shown = Path.cwd() if str(target) in ("", ".") else target
    if target.exists() and not target.is_dir():
        raise StartRefused(f"{shown} exists and is not a folder",
                           "give the name of a new folder, e.g. essaykit init my-book")
    if not target.is_dir():
        return
    others = sorted(entry.name for entry in target.iterdir()
                    if not ALLOWED_ALREADY.match(entry.name))
    clashes = [relative for relative in planned
               if (target / relative).exists() or (target / relative).is_symlink()]
    if clashes or others:
        listed = ", ".join((clashes + others)[:8]) + (" ..." if len(clashes + others) > 8 else "")
        raise StartRefused(
            f"{shown} is not empty ({listed}); essaykit init writes only into a new or empty "
            "folder and has changed nothing",
            "choose a new folder, e.g. essaykit init my-book; to check an existing Sphinx or "
            "Jupyter Book project, run essaykit check in it")


def _make_folder(folder: Path) -> list[Path]:
    """mkdir -p, returning the folders it created (to remove them on failure)."""
    missing = [folder, *[p for p in folder.parents if not p.exists()]]
    missing = [p for p in missing if not p.exists()]
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def _write_new(root: Path, relative: str, text: str, created_folders: list[Path]) -> Path:
    path = root / relative
    created_folders += _make_folder(path.parent)
    with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
        handle.write(text)
    return path


def _yaml_string(value: object) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(str(value), ensure_ascii=False)
