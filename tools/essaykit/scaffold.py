"""`essaykit new`: a new essay with valid front matter, added to the book's order.

The essay it writes passes `essaykit check` with no findings at all, in any
valid book. Its syntax examples (citing, glossary terms, cross-references,
footnotes) sit in MyST `%` comments, filled in with a real key, term and essay
of this book where it has them: a comment teaches the syntax and can be copied,
yet never reaches a reader, so an example left in by mistake cannot publish a
citation of a work the essay does not rely on.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path, PurePosixPath

import yaml

from essaykit.core import rules
from essaykit.core.book import BOOK_FILE, Book, load_book
from essaykit.core.diagnostics import EssaykitError
from essaykit.core.yamlsafe import load
from essaykit.print.paths import slugify

MAX_SLUG = 60
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# control characters (tab and newline included: a title is one line) and the
# bidirectional overrides that `essaykit check` refuses in a page (CHK004, CHK005)
GLOSSARY_OPEN = re.compile(r"^(?::{3,}|`{3,})\{glossary\}")
FENCE_CLOSE = re.compile(r"^(?::{3,}|`{3,})\s*$")
# letters that Unicode does not decompose into a Latin base letter plus accents
LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o",
                         "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th",
                         "Þ": "Th", "ð": "d", "Ð": "D"})
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

TEMPLATE = """\
---
title: {title}
# subtitle: An optional second line under the title
authors:
{authors}
abstract: >-
  Replace this with two to four sentences that say what the essay argues.
keywords: []    # a list, such as [co-production, core economy]
date: {date}
status: {status}   # draft while you write, in-review when you submit, then accepted
---

Replace this paragraph with the essay's opening. The title comes from the front
matter above, so the body has no `#` heading; sections start at `##`.

% Lines that start with a percent sign are comments: readers never see them.
% They show how this book's essays are written; delete them when you are done.
%
{examples}
%
% Check this essay, against the whole book, before you submit it:
%   essaykit check {relative}

## A first section

Replace this with the first section, and add sections as you need them.
"""


def new_essay(root: Path, title: str, authors: list[str], *, part: int | None = None,
              slug: str | None = None, today: dt.date | None = None) -> Path:
    """Create <folder>/<slug>.md and append it to a part of book.yml (the last by default).

    The essay goes in the folder of the part's essays (essays/ in a new book).
    Nothing is written unless both the essay and the updated book.yml are valid.
    """
    book = load_book(root)
    clean_title = _one_line(title, "title", 'give a title: essaykit new "My title" --author "Name"')
    names = [_one_line(name, "author", 'give each --author a name, e.g. --author "Ada Writer"')
             for name in authors]
    if not names:
        raise _usage("no author given", 'add --author "Name" (repeat it for co-authors)')
    if not book.parts:
        raise _usage("the book has no parts to add the essay to",
                     "add a part with 'parts:' to book.yml", where=str(BOOK_FILE))
    if part is not None and not 1 <= part <= len(book.parts):
        raise _usage(f"there is no part {part}: the book has {len(book.parts)}",
                     f"choose a part from 1 to {len(book.parts)}", where=str(BOOK_FILE))
    index = len(book.parts) - 1 if part is None else part - 1
    folder = _folder_for(book, index)
    name = _slug(clean_title, slug)
    relative = f"{folder}/{name}.md"
    _refuse_existing(root, relative)
    text = essay_text(book, clean_title, names, relative, today or dt.date.today())
    book_yml = root / BOOK_FILE
    updated = add_to_part(book_yml.read_text(encoding="utf-8"), book, index, relative)
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    book_yml.write_text(updated, encoding="utf-8")
    return target


def essay_text(book: Book, title: str, authors: list[str], relative: str,
               today: dt.date, status: str = "draft") -> str:
    """The new essay's text: front matter, a placeholder body and, in comments,
    the syntax with this book's own key, term and essay (`essaykit init`'s
    example essay is made by it too). A draft is held back from the published
    editions; `essaykit init`'s examples are in review, so the new book's first
    build shows them."""
    return TEMPLATE.format(
        status=status,
        title=_yaml_string(title),
        authors="\n".join(f"  - name: {_yaml_string(n)}\n"
                          "    # affiliation: University of Somewhere   # optional\n"
                          "    # orcid: 0000-0002-1825-0097   # optional: your own ORCID iD"
                          for n in authors),
        date=today.isoformat(),
        examples=_examples(book, relative),
        relative=relative,
    )


def one_line_problem(value: str) -> str | None:
    """Why `value` cannot be a title or a name (None when it can)."""
    if UNPRINTABLE.search(re.sub(r"[\t\n\r]", " ", value)):
        return "holds a control or bidirectional-override character"
    if not value.split():
        return "is empty"
    return None


def _usage(message: str, hint: str, *, where: str = "essays/") -> EssaykitError:
    return EssaykitError([rules.make("BOOK001", where, 1, 1, message, hint)])


def _one_line(value: str, what: str, hint: str) -> str:
    problem = one_line_problem(value)
    if problem == "is empty":
        raise _usage(f"the {what} is empty", hint)
    if problem:
        raise _usage(f"the {what} {problem}", f"type the {what} again as plain text")
    return " ".join(value.split())


def _yaml_string(value: str) -> str:
    """A double-quoted YAML scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _slug(title: str, given: str | None) -> str:
    if given is not None:
        if not SLUG.match(given) or len(given) > MAX_SLUG:
            raise _usage(f"{given!r} is not a usable file name",
                         f"use lower-case letters, digits and hyphens, at most {MAX_SLUG} "
                         "characters, e.g. --slug my-essay")
        return given
    ascii_title = slugify(title.translate(LETTERS))
    if ascii_title == "book" and "book" not in title.lower():  # slugify's fallback: no letters
        raise _usage("the title has no Latin letters or digits to make a file name from",
                     "name the file with --slug, e.g. --slug my-essay")
    if len(ascii_title) > MAX_SLUG:  # cut at a word boundary
        ascii_title = ascii_title[: MAX_SLUG + 1].rsplit("-", 1)[0].strip("-")
    return ascii_title


def _folder_for(book: Book, index: int) -> str:
    """The folder of the part's last essay, else of any essay, else essays/."""
    candidates = list(book.parts[index].essays) + [e for p in book.parts for e in p.essays]
    return str(PurePosixPath(candidates[0]).parent) if candidates else "essays"


def _refuse_existing(root: Path, relative: str) -> None:
    """Refuse a name that exists, even as another spelling of case (CHK009)."""
    target = root / relative
    wanted = target.name.casefold()
    same = [p for p in target.parent.glob("*") if p.name.casefold() == wanted] \
        if target.parent.is_dir() else []
    if same or target.exists():
        existing = (same[0] if same else target).relative_to(root).as_posix()
        raise _usage(f"{existing} exists already; nothing was changed",
                     "edit that essay, or choose another title or --slug", where=relative)


def add_to_part(book_yml: str, book: Book, index: int, relative: str) -> str:
    """book.yml with one essay appended to a part, keeping comments and layout.

    Handles block lists (`- essays/a.md` lines) and flow lists
    (`essays: [essays/a.md]`); the result is re-read and compared, so a layout
    this does not understand is refused rather than written wrongly.
    """
    root_node = yaml.compose(book_yml, Loader=yaml.SafeLoader)
    path: tuple[str | int, ...] = ("parts", index, "essays") if _has_parts(root_node) \
        else ("essays",)
    node = _node_at(root_node, path)
    lines = book_yml.splitlines(keepends=True)
    if node is not None and isinstance(node, yaml.SequenceNode) and node.flow_style:
        updated = _add_to_flow(book_yml, node, relative)
    elif node is not None and isinstance(node, yaml.SequenceNode) and node.value:
        last = node.value[-1]
        item_line = lines[last.start_mark.line]
        indent = item_line[: len(item_line) - len(item_line.lstrip())]
        end = last.end_mark.line + (1 if last.end_mark.column > 0 else 0)
        lines.insert(end, f"{indent}- {relative}\n")
        updated = "".join(lines)
    else:
        updated = book_yml  # the check below refuses it
    expected = list(book.parts[index].essays) + [relative]
    try:
        value = load(updated).value
        got = value["parts"][index]["essays"] if "parts" in value else value["essays"]
    except Exception:  # any failure to re-read means the edit went wrong
        got = None
    if got != expected:
        raise _usage(f"cannot add {relative} to book.yml automatically (an unusual layout)",
                     f"add '- {relative}' to the part's essays by hand", where=str(BOOK_FILE))
    return updated


def _has_parts(node: yaml.Node | None) -> bool:
    return isinstance(node, yaml.MappingNode) and any(
        key.value == "parts" for key, _ in node.value)


def _node_at(node: yaml.Node | None, path: tuple[str | int, ...]) -> yaml.Node | None:
    for step in path:
        if isinstance(step, int) and isinstance(node, yaml.SequenceNode):
            node = node.value[step] if step < len(node.value) else None
        elif isinstance(step, str) and isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), None)
        else:
            return None
    return node


def _add_to_flow(text: str, node: yaml.SequenceNode, relative: str) -> str:
    """`[a, b]` -> `[a, b, relative]`, and `[]` -> `[relative]`."""
    close = node.end_mark.index - 1  # the `]`
    if text[close] != "]":
        return text
    inside = text[node.start_mark.index + 1: close]
    separator = ", " if inside.strip() else ""
    return text[:close].rstrip() + separator + relative + text[close:] if inside.strip() \
        else text[: node.start_mark.index] + f"[{relative}]" + text[close + 1:]


def _examples(book: Book, relative: str) -> str:
    """Comment lines showing the syntax with this book's own key, term and essay."""
    lines: list[str] = []
    key = _first_key(book)
    if key:
        lines += [
            "% Cite a work from the book's bibliography (" + book.bibliography + "):",
            f"%   {{cite:p}}`{key}`   a citation in brackets: (Author, year)",
            f"%   {{cite:t}}`{key}`   a citation in the text: Author (year)",
        ]
    else:
        lines += [
            f"% Cite a work: add its entry to {book.bibliography}, then write",
            "%   {cite:p}`its-key` for (Author, year) or {cite:t}`its-key` for Author (year)",
        ]
    term = _first_term(book)
    if term:
        lines += ["% Link a glossary term where the essay first uses it:",
                  f"%   {{term}}`{term}`"]
    other = next((e for e in book.essays if e != relative), None)
    if other:
        target = _relative_docname(relative, other)
        lines += ["% Refer to another essay of the book:", f"%   {{doc}}`{target}`"]
    lines += [
        "% Label a section, then refer to it from any page:",
        "%   (my-label)=    on the line above the heading, then {ref}`my-label`",
        "% A footnote: text[^note] here, and at the end of the essay:",
        "%   [^note]: The note.",
    ]
    return "\n".join(lines)


def _relative_docname(source: str, target: str) -> str:
    here = PurePosixPath(source).parent
    there = PurePosixPath(target).with_suffix("")
    if there.parent == here:
        return there.name
    return "/" + there.as_posix()  # Sphinx reads a leading / as "from the book's root"


def _first_key(book: Book) -> str:
    """The first entry's key, read with the checker's guarded reader (never raises)."""
    from essaykit.core.bib import read_bib

    bib = read_bib(book.path(book.bibliography), book.bibliography)
    broken = bib.broken
    return next((entry.key for entry in bib.entries if entry.key.lower() not in broken), "")


def _first_term(book: Book) -> str:
    """The first term of the first `{glossary}` directive in the back matter, or ""."""
    for page in book.back:
        try:
            lines = book.path(page).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        inside = False
        for line in lines:
            if GLOSSARY_OPEN.match(line):
                inside = True
            elif inside and FENCE_CLOSE.match(line):
                inside = False
            elif inside and line.strip() and line[0] not in " \t" \
                    and not line.startswith(":"):  # an option such as :sorted:
                return line.split(" : ")[0].strip()
    return ""
