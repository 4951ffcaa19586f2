"""`essaykit init --from-jupyter-book PATH`: a Jupyter Book 1 collection made into an
essaykit book, every page left where it is and unchanged.

It reads `_config.yml` (title, author, bibtex_bibfiles, language) and `_toc.yml`
(the order: root, parts with captions, chapters and their sections) and adds
what essaykit needs beside them: `book/book.yml` naming the pages by their
paths, the front page, the contributors page (and a bibliography page when the
book has none), and a `conf.py` whose `include_patterns` reads the book's
folders. Pages holding a glossary or a bibliography go to the back matter. A
notebook or reST page cannot be an essaykit page; it is left out and named.
Nothing that exists is overwritten; the pages themselves are not touched, so
what they still lack (essays' front matter, mostly) is what `essaykit check`
reports next.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from jinja2 import Environment, StrictUndefined

from essaykit.core.yamlsafe import StrictYamlError, load
from essaykit.start.book import NewBook, StartRefused, template_files

BACK_MATTER = re.compile(r"^(?:`{3,}|:{3,})\{(glossary|bibliography)\}", re.MULTILINE)
PAGE_SUFFIXES = (".md", ".ipynb", ".rst")


@dataclass
class Order:
    """The book's pages as _toc.yml orders them, sorted into essaykit's places."""

    front: list[str] = field(default_factory=list)
    parts: list[tuple[str, list[str]]] = field(default_factory=list)
    back: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # notebooks, reST, missing files


def from_jupyter_book(root: Path, spec: NewBook | None = None, *,
                      today: dt.date | None = None) -> tuple[list[tuple[str, str]], Order]:
    """Add essaykit's files to the Jupyter Book at `root`; return what was made and the
    order found. `spec` overrides _config.yml's title, author and language."""
    today = today or dt.date.today()
    config = _read(root, "_config.yml")
    toc = _read(root, "_toc.yml")
    title = (spec.title if spec and spec.title else str(config.get("title") or "")).strip()
    editors = spec.editors if spec and spec.editors else _authors(config.get("author"))
    language = spec.language if spec and spec.language != "en" else _language(config)
    book = NewBook(title or root.resolve().name, editors, spec.subtitle if spec else "",
                   language).validated()
    bibfiles = config.get("bibtex_bibfiles")
    bibliography = str(bibfiles[0]) if isinstance(bibfiles, list) and bibfiles else ""
    order = _order(root, toc)
    has_bibliography_page = any(
        "{bibliography}" in (root / page).read_text(encoding="utf-8") for page in order.back)
    files: dict[str, str] = {}
    templates = dict(template_files())
    environment = Environment(undefined=StrictUndefined, keep_trailing_newline=True,
                              autoescape=False)
    environment.filters["yaml"] = _yaml
    for relative in ("book/index.md", "book/contributors.md", "conf.py") + (
            () if has_bibliography_page else ("book/bibliography.md",)):
        source = templates[relative]
        text = source.read_text(encoding="utf-8")
        files[relative] = environment.from_string(text).render(title=book.title) \
            if source.name.endswith(".jinja") else text
    if not bibliography:
        bibliography = "book/references.bib"
        files[bibliography] = "% The book's bibliography, in BibTeX.\n"
    order.back += ([] if has_bibliography_page else ["book/bibliography.md"]) + \
        ["book/contributors.md"]
    files["conf.py"] += _include_patterns(order)
    files["book/book.yml"] = _book_yml(book, today, order, bibliography)
    clashes = sorted(relative for relative in files if (root / relative).exists())
    if clashes:
        raise StartRefused(f"{', '.join(clashes)} exists already; essaykit init has changed "
                           "nothing", "move it aside, or add essaykit's files by hand (see "
                           "the manual: existing projects)")
    made: list[tuple[str, str]] = []
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        made.append((relative, ""))
    return made, order


def _read(root: Path, name: str) -> dict[str, Any]:
    path = root / name
    if not path.is_file():
        raise StartRefused(f"{root} has no {name}: it is not a Jupyter Book 1 project",
                           "give the folder that holds _config.yml and _toc.yml")
    try:
        value = load(path.read_text(encoding="utf-8")).value
    except (OSError, UnicodeDecodeError) as err:
        raise StartRefused(f"{name}: cannot read it: {err}", "check the file") from err
    except StrictYamlError as err:
        raise StartRefused(f"{name}:{err.line}:{err.column}: {err.message}",
                           "fix the YAML, then run essaykit init --from-jupyter-book again"
                           ) from err
    if not isinstance(value, dict):
        raise StartRefused(f"{name} is not a mapping of settings", "check the file")
    return value


def _authors(value: object) -> tuple[str, ...]:
    names = [name.strip() for name in re.split(r",|\band\b|&", str(value or ""))]
    return tuple(name for name in names if name) or ("The Editors",)


def _language(config: dict[str, Any]) -> str:
    sphinx = config.get("sphinx") if isinstance(config.get("sphinx"), dict) else {}
    settings = sphinx.get("config") if isinstance(sphinx, dict) else None
    value = settings.get("language") if isinstance(settings, dict) else None
    return str(value).replace("_", "-") if isinstance(value, str) and value else "en"


def _order(root: Path, toc: dict[str, Any]) -> Order:
    order = Order()

    def page(value: object) -> str | None:
        if not isinstance(value, str):
            return None
        path = PurePosixPath(value)
        candidates = [path] if path.suffix in PAGE_SUFFIXES else \
            [path.with_suffix(suffix) for suffix in PAGE_SUFFIXES]
        found = next((c for c in candidates if (root / c).is_file()), None)
        if found is None or found.suffix != ".md":
            order.left_out.append(str(found or value))
            return None
        return found.as_posix()

    def flatten(items: object) -> list[str]:
        pages: list[str] = []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict):
                found = page(item.get("file"))
                pages += [found] if found else []
                for key in ("sections", "chapters", "entries"):
                    pages += flatten(item.get(key))
        return pages

    root_page = page(toc.get("root"))
    order.front += [root_page] if root_page else []
    if isinstance(toc.get("parts"), list):
        for number, part in enumerate(toc["parts"], 1):
            if isinstance(part, dict):
                order.parts.append((str(part.get("caption") or f"Part {number}"),
                                    flatten(part.get("chapters"))))
    else:
        order.parts.append(("", flatten(toc.get("chapters") or toc.get("sections"))))
    for _, pages in order.parts:
        for found in list(pages):
            if BACK_MATTER.search((root / found).read_text(encoding="utf-8")):
                pages.remove(found)
                order.back.append(found)
    order.parts = [(title, pages) for title, pages in order.parts if pages]
    return order


def _yaml(value: object) -> str:
    return json.dumps(str(value), ensure_ascii=False)


def _book_yml(book: NewBook, today: dt.date, order: Order, bibliography: str) -> str:
    def pages(paths: list[str], indent: str) -> list[str]:
        return [f"{indent}- {_yaml(path)}" for path in paths]

    lines = [
        "# Made by `essaykit init --from-jupyter-book` from _config.yml and _toc.yml.",
        "# essaykit reads this file, not those two: from now on the book's order is here.",
        "# Every page stays where it was. Each key is in essaykit's manual.",
        f"title: {_yaml(book.title)}",
        *([f"subtitle: {_yaml(book.subtitle)}"] if book.subtitle else []),
        "editors:", *[f"  - name: {_yaml(name)}" for name in book.editors],
        f"year: {today.year}", f"language: {_yaml(book.language)}", "",
        "front:", *pages(order.front, "  "), "",
    ]
    if len(order.parts) == 1 and not order.parts[0][0]:
        lines += ["essays:", *pages(order.parts[0][1], "  ")]
    else:
        lines.append("parts:")
        for title, essays in order.parts:
            lines += [f"  - title: {_yaml(title)}", "    essays:", *pages(essays, "      ")]
    lines += ["", "back:", *pages(order.back, "  "), "", f"bibliography: {_yaml(bibliography)}"]
    return "\n".join(lines) + "\n"


def _include_patterns(order: Order) -> str:
    """The extension reads book/ and essays/ by default; this book's pages live elsewhere."""
    patterns = {"book/**"}
    for path in [*order.front, *[p for _, ps in order.parts for p in ps], *order.back]:
        parent = PurePosixPath(path).parent
        patterns.add(path if parent == PurePosixPath(".") else f"{parent.as_posix()}/**")
    return ("\n# The book's pages, where the Jupyter Book kept them (the extension's default\n"
            "# reads only book/ and essays/).\n"
            f"include_patterns = {json.dumps(sorted(patterns))}\n")
