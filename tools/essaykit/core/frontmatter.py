"""Essay front matter: split it from the body, validate it against the schema.

The schema is small and strict. Unknown keys are refused because some keys
that MyST understands (`myst:`, `substitutions:`) change how a file is parsed
and can run code; only the keys below reach Sphinx.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.yamlsafe import Located, StrictYamlError, load

ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
STATUSES = ("draft", "in-review", "accepted")


@dataclass(frozen=True)
class Author:
    name: str
    affiliation: str = ""
    orcid: str = ""


@dataclass(frozen=True)
class EssayMeta:
    title: str
    authors: tuple[Author, ...]
    subtitle: str = ""
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    date: str = ""
    status: str = "draft"
    status_declared: bool = False  # `status:` written, not the default


@dataclass
class FrontMatter:
    """The raw block: its text, the line its YAML starts on, the body after it."""

    yaml_text: str
    yaml_first_line: int
    body: str
    body_first_line: int
    present: bool


def split(text: str) -> FrontMatter:
    """Split `---` fenced front matter from the body, as MyST does."""
    if text.startswith("\ufeff"):
        text = text[1:]
    # Only the lines up to the closing fence matter, and a file has hundreds more: split
    # the head of the text, and a longer head only when the block does not end in it.
    size = 4096
    while True:
        whole = size >= len(text)
        lines = (text if whole else text[:size]).splitlines(keepends=True)
        if not lines or (lines[0].rstrip() != "---" and (whole or len(lines) > 1)):
            return FrontMatter("", 1, text, 1, False)
        # the head's last line may be cut short (even between "\r" and "\n")
        for index in range(1, len(lines) if whole else len(lines) - 1):
            if lines[index].rstrip() == "---":
                start = len(lines[0])
                end = start + sum(map(len, lines[1:index]))
                return FrontMatter(text[start:end], 2, text[end + len(lines[index]):],
                                   index + 2, True)
        if whole:
            # no closing fence: MyST treats the first line as a thematic break, so the
            # whole file is body; the schema check reports the missing front matter
            return FrontMatter("", 1, text, 1, False)
        size *= 4


# field name -> (expected python type, readable type, required)
ESSAY_FIELDS: dict[str, tuple[type | tuple[type, ...], str, bool]] = {
    "title": (str, "a string", True),
    "subtitle": (str, "a string", False),
    "authors": (list, "a list of authors", True),
    "abstract": (str, "a string", True),
    "keywords": (list, "a list of strings", False),
    "date": ((str, dt.date), "a date (YYYY-MM-DD)", False),
    "status": (str, f"one of {', '.join(STATUSES)}", False),
}
PAGE_FIELDS: dict[str, tuple[type | tuple[type, ...], str, bool]] = {
    "title": (str, "a string", True),
    "subtitle": (str, "a string", False),
    "authors": (list, "a list of authors", False),
    "abstract": (str, "a string", False),
}
AUTHOR_FIELDS = {"name": True, "affiliation": False, "orcid": False}
# keys MyST itself reads: each changes how the file is parsed, so each is refused
PARSER_KEYS = {
    key: f"{key!r} would change how this file is parsed ({why}); the build ignores it"
    for key, why in (
        ("myst", "per-file MyST settings can switch on extensions, including ones that run "
                 "code"),
        ("mystnb", "per-file notebook settings can execute code"),
        ("substitutions", "substitutions are Jinja templates, which can run code on the "
                          "editor's machine"),
        ("html_meta", "it writes HTML <meta> tags into the page"),
    )
}


def parse_meta(
    text: str, path: str, *, schema: str = "essay"
) -> tuple[EssayMeta | None, list[Diagnostic]]:
    """Validate front matter. Returns the metadata (None if unusable) and findings."""
    fields = ESSAY_FIELDS if schema == "essay" else PAGE_FIELDS
    block = split(text)
    if not block.present:
        return None, [
            rules.make(
                "FM001", path, 1, 1, "no front matter",
                "start the file with a '---' block holding title, authors and abstract",
            )
        ]
    try:
        located = load(block.yaml_text, first_line=block.yaml_first_line)
    except StrictYamlError as err:
        return None, [rules.make(err.code, path, err.line, err.column, err.message,
                                 "fix the YAML between the '---' lines")]
    data = located.value
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [rules.make("FM002", path, block.yaml_first_line, 1,
                                 "front matter must be a mapping of keys to values",
                                 "write 'key: value' lines")]
    found: list[Diagnostic] = []
    for key in data:
        if key not in fields:
            allowed = ", ".join(fields)
            found.append(rules.make(
                "FM005", path, located.line_of(key), 1,
                PARSER_KEYS.get(str(key), f"unknown front-matter key {key!r}"),
                f"allowed keys: {allowed}",
            ))
    for key, (expected, readable, required) in fields.items():
        value = data.get(key)
        if value is None or value == "" or value == []:
            if required:
                found.append(rules.make(
                    "FM003", path, block.yaml_first_line, 1,
                    f"front matter has no {key!r}", f"add '{key}:' with {readable}",
                ))
            continue
        if not isinstance(value, expected) or isinstance(value, bool):
            found.append(rules.make(
                "FM004", path, located.line_of(key), 1,
                f"{key!r} must be {readable}, not {type(value).__name__}",
                f"write {key} as {readable}",
            ))
    authors = _authors(data.get("authors"), located, path, found)
    keywords = data.get("keywords") or []
    if isinstance(keywords, list):
        for index, keyword in enumerate(keywords):
            if not isinstance(keyword, str):
                found.append(rules.make(
                    "FM004", path, located.line_of("keywords", index), 1,
                    "keywords must be strings", "quote the keyword",
                ))
    date = data.get("date", "")
    if isinstance(date, str) and date:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            found.append(rules.make("FM006", path, located.line_of("date"), 1,
                                    f"date {date!r} is not YYYY-MM-DD", "write e.g. 2026-11-25"))
    status = data.get("status", "draft")
    if isinstance(status, str) and status not in STATUSES and "status" in fields:
        found.append(rules.make("FM006", path, located.line_of("status"), 1,
                                f"status {status!r} is not one of {', '.join(STATUSES)}",
                                "use draft, in-review or accepted"))
    if any(d.severity >= rules.Severity.ERROR for d in found):
        return None, found
    meta = EssayMeta(
        title=str(data["title"]).strip(),
        subtitle=str(data.get("subtitle") or "").strip(),
        authors=tuple(authors),
        abstract=" ".join(str(data.get("abstract") or "").split()),
        keywords=tuple(str(k) for k in keywords if isinstance(k, str)),
        date=str(date) if date else "",
        status=str(status),
        status_declared="status" in data,
    )
    return meta, found


def _authors(
    value: Any, located: Located, path: str, found: list[Diagnostic]
) -> list[Author]:
    if not isinstance(value, list):
        return []
    authors: list[Author] = []
    for index, item in enumerate(value):
        line = located.line_of("authors", index)
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            found.append(rules.make("FM004", path, line, 1,
                                    "each author must be a mapping with at least 'name'",
                                    "write '- name: A. Writer'"))
            continue
        for key in item:
            if key not in AUTHOR_FIELDS:
                found.append(rules.make("FM005", path, located.line_of("authors", index, key), 1,
                                        f"unknown author key {key!r}",
                                        "allowed keys: name, affiliation, orcid"))
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            found.append(rules.make("FM003", path, line, 1, "an author has no 'name'",
                                    "add 'name:' to the author"))
            continue
        affiliation = item.get("affiliation") or ""
        orcid = item.get("orcid") or ""
        if not isinstance(affiliation, str):
            found.append(rules.make("FM004", path, located.line_of("authors", index, "affiliation"),
                                    1, "'affiliation' must be a string", "quote it"))
            affiliation = ""
        if orcid and (not isinstance(orcid, str) or not ORCID.match(orcid)):
            found.append(rules.make("FM006", path, located.line_of("authors", index, "orcid"), 1,
                                    f"ORCID {orcid!r} is not of the form 0000-0000-0000-0000",
                                    "copy the ORCID iD from orcid.org without the URL"))
            orcid = ""
        authors.append(Author(name.strip(), affiliation.strip(), str(orcid)))
    return authors
