"""Files pulled into pages by MyST's `{include}` directive, read as MyST reads them.

myst-parser parses an included file as MyST Markdown (whatever its suffix) unless
the directive says `:literal:` or `:code:`, cutting it first by `:start-line:`
and `:end-line:` (lines), then `:start-after:` and `:end-before:` (text), in that
order (`myst_parser.mocking.MockIncludeDirective.run`). The options are read
by docutils' own converters for the include directive. Each included file
becomes a document of the book at its own path, so its findings point at its
own lines and its labels and citations count for the book; an included part
of a file is parsed at the lines where it stands in the file.

The path is relative to the page being built in Sphinx, even in a nested include
(relative to the file holding the directive in mystmd; `/path` is from the
project root); a file outside the project is not read (SEC001 reports that path in an
essaykit book), and each file is read once, so an include cycle ends.
In Sphinx, images and links in the included text are relative to the page being
built unless `:relative-images:` (and, for links starting with its prefix,
`:relative-docs:`) say otherwise; they are rewritten to point where Sphinx
points them.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from docutils.parsers.rst.directives.misc import Include
from markdown_it import MarkdownIt

from essaykit.check.parse import parse_document
from essaykit.check.project import Project
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.limits import MAX_PAGE_BYTES
from essaykit.core.model import Directive, Document, Link
from essaykit.core.textsafety import read_source

_LINE_OPTIONS = ("start-line", "end-line")
_SCHEME = ("http:", "https:", "mailto:", "ftp:", "data:", "#", "/", "{")


def read_includes(project: Project, documents: dict[str, Document], parser: MarkdownIt,
                  found: list[Diagnostic]) -> int:
    """Parse every file the pages include (and the files those include), adding each to
    `documents` under its own path; returns how many were added (they are not pages)."""
    # Sphinx resolves every include, nested or not, against the page being built;
    # mystmd against the file that holds the directive
    nested_from_page = project.kind != "mystmd"
    queue = [(doc, doc.folder) for doc in documents.values()]
    added = 0
    while queue:
        doc, base = queue.pop(0)
        for directive in doc.directives:
            if directive.kind != "include" or not directive.argument:
                continue
            if "literal" in directive.options or "code" in directive.options:
                continue  # shown as text, not parsed
            included = _include(project, documents, parser, found, doc, base, directive)
            if included is not None:
                if nested_from_page:
                    _relocate_links(included, base, directive.options)
                documents[included.path] = included
                added += 1
                queue.append((included, base if nested_from_page else included.folder))
    return added


def _include(project: Project, documents: dict[str, Document], parser: MarkdownIt,
             found: list[Diagnostic], doc: Document, base: str,
             directive: Directive) -> Document | None:
    argument = "".join(part.strip() for part in directive.argument.splitlines())
    if argument.startswith("<") and argument.endswith(">"):
        return None  # docutils' own standard includes: not the book's text
    joined = posixpath.normpath(argument.lstrip("/") if argument.startswith("/")
                                else posixpath.join(base, argument))
    if joined.startswith("../") or joined in ("..", "."):
        return None
    if project.kind == "mystmd" and joined.endswith(".tex"):
        return None  # mystmd reads an included .tex file as LaTeX, not Markdown
    path = (project.root / joined)
    try:
        inside = path.resolve().is_relative_to(project.root.resolve())
    except OSError:
        return None
    if not inside or not path.is_file():
        return None  # outside the book (not read), or missing (REF007 says so)
    read = read_source(path, joined, limit=MAX_PAGE_BYTES)
    if read.text is None:
        found.extend(read.findings)
        return None
    part = _cut(read.text, directive.options)
    if isinstance(part, str):
        found.append(rules.make("REF007", doc.path, directive.line, 1,
                                f"{{include}} {argument!r}: {part}",
                                "correct the option, or the included file"))
        return None
    if joined in documents:
        return None  # read once (a page itself, or included before): a cycle ends here
    found.extend(read.findings)
    first, text = part
    included = parse_document(read.text, joined, project.docname(joined), parser,
                              heading_anchors=project.heading_anchors,
                              language=project.language, cells=[(first, text)])
    return included


def _cut(text: str, options: dict[str, str]) -> tuple[int, str] | str:
    """The included part and the 0-based line of the file it starts on, as
    myst-parser cuts it; a message when an option is wrong or its text is missing."""
    spec: dict[str, Callable[[str], object]] = Include.option_spec
    converted: dict[str, object] = {}
    for name in (*_LINE_OPTIONS, "start-after", "end-before"):
        if name in options:
            try:
                converted[name] = spec[name](options[name])
            except (ValueError, TypeError) as err:
                return f":{name}: {err}"
    lines = text.splitlines()
    start_line = converted.get("start-line")
    end_line = converted.get("end-line")
    start = int(start_line) if isinstance(start_line, int) else None
    end = int(end_line) if isinstance(end_line, int) else None
    if start is not None and start < 0:
        start = max(0, len(lines) + start)
    content = "\n".join(lines[start:end])
    first = start or 0
    for name in ("start-after", "end-before"):
        marker = converted.get(name)
        if not isinstance(marker, str) or not marker:
            continue
        at = content.find(marker)
        if at < 0:
            return f":{name}: text {marker!r} is not in the file, so the build stops"
        if name == "start-after":
            first += content.count("\n", 0, at + len(marker))
            content = content[at + len(marker):]
        else:
            content = content[:at]
    return first, content


def _relocate_links(doc: Document, including: str, options: dict[str, str]) -> None:
    """Point relative links where Sphinx points them: images, nested includes and other
    links relative to the page being built (unless :relative-images:, or for links
    starting with :relative-docs:'s prefix, relative to the included file)."""
    if doc.folder == including:
        return
    docs_prefix = options.get("relative-docs")
    relocated = []
    for link in doc.links:
        href = link.href
        relative = not href.startswith(_SCHEME) and ":" not in href.split("/", 1)[0]
        if link.kind == "image":
            relative = relative and "relative-images" not in options
        elif docs_prefix is not None and href.startswith(docs_prefix):
            relative = False
        if relative and href:
            target = posixpath.normpath(posixpath.join(including, href))
            href = posixpath.relpath(target, doc.folder or ".")
            link = Link(href, link.kind, link.line, link.column, link.alt)
        relocated.append(link)
    doc.links[:] = relocated
