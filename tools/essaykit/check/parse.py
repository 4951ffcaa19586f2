"""Parse a page once with myst-parser's markdown-it and collect what the rules need.

Directive bodies that MyST would parse as Markdown (notes, figures' captions,
glossary definitions, nested directives) are parsed here too, with the same
parser, and their line numbers shifted back into the file; literal bodies
(code, math, raw) are left alone, so a role inside them is not a role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from docutils.parsers.rst import Directive as DocutilsDirective
from docutils.parsers.rst import directives as docutils_directives
from markdown_it import MarkdownIt
from markdown_it.token import Token
from myst_parser.parsers.directives import is_option_line, parse_directive_text

from essaykit.check.glossary import parse_glossary
from essaykit.check.parse_inline import Inline
from essaykit.check.suppress import parse_suppression
from essaykit.core.allowlist import EVAL_RST, PATH_ARGUMENTS, canonical_directive
from essaykit.core.frontmatter import split
from essaykit.core.limits import MAX_CONTAINER_DEPTH, MAX_DIRECTIVE_DEPTH
from essaykit.core.model import (
    Directive,
    Document,
    Html,
    Label,
    Link,
    OpenFence,
    Prose,
    Suppression,
    TocEntry,
    TooDeep,
)
from essaykit.core.yamlsafe import StrictYamlError, load

# directives whose body is not Markdown
LITERAL_DIRECTIVES = frozenset({
    "code", "code-block", "sourcecode", "code-cell", "literalinclude", "math", "raw",
    "csv-table", "mermaid", "graphviz", "digraph", "graph", "plantuml", "bibliography",
    "eval-rst", "jupyter-execute", "ipython", "ditaa", "productionlist", "parsed-literal",
    "highlight", "doctest", "testcode", "testoutput", "toctree", "glossary", "tableofcontents",
    # knitr's code chunks in jupytext's R Markdown: ```{r}, ```{python}
    "r", "python", "julia", "bash", "sql",
})
CONTAINERS_OPEN = frozenset({"blockquote_open", "bullet_list_open", "ordered_list_open"})
CONTAINERS_CLOSE = frozenset({"blockquote_close", "bullet_list_close", "ordered_list_close"})
NEWLINES = re.compile(r"\r\n?")
# the block tokens the walker reads (`blocks` below handles each of these)
BLOCK_KINDS = frozenset({"heading_open", "heading_close", "inline", "fence", "colon_fence",
                         "myst_target", "myst_line_comment", "html_block", "math_block_label",
                         *CONTAINERS_OPEN, *CONTAINERS_CLOSE})


def normalise_newlines(text: str) -> str:
    """markdown-it's own normalisation, so that our line numbers are its line numbers."""
    if "\r" in text:  # (a search in C: most files need neither step)
        text = NEWLINES.sub("\n", text)
    return text.replace("\0", "\ufffd") if "\0" in text else text


def parse_document(
    text: str, path: str, docname: str, parser: MarkdownIt, *, heading_anchors: int,
    title: str | None = None, language: str = "en",
    cells: Sequence[tuple[int, str]] | None = None,
) -> Document:
    """Parse one page. `title` is the front matter's title when the build turns it into
    the page's `#` heading (myst_title_to_header), so that it takes the first anchor.
    `cells` are parts of `text` to parse instead of the whole, each (0-based first line
    in `text`, its text), each on its own: a notebook's markdown cells (as MyST-NB and
    mystmd parse them), or the part of a file that an {include} takes."""
    text = normalise_newlines(text)
    if text.startswith("\ufeff"):
        text = text[1:]  # Sphinx reads sources as utf-8-sig: a BOM is not text
    document = Document(path=path, docname=docname, lines=text.split("\n"))
    walker = _Walker(document, parser, heading_anchors, language)
    if cells is not None:
        for first, cell in cells:
            walker.blocks(parser.parse(normalise_newlines(cell), walker.env), first)
        return document
    tokens = parser.parse(text, walker.env)
    if title and title.strip() and tokens and tokens[0].type == "front_matter":
        # as myst-parser does with "# {title}": a level-1 heading before the page itself
        before = len(document.prose)
        for token in parser.parseInline(title.strip(), walker.env):
            Inline(walker, token, 0, 1).run()
        # the title is front matter, not body text: word counts leave it out
        document.cache["title-prose"] = len(document.prose) - before
    walker.blocks(tokens, 0)
    return document


def front_matter(text: str) -> dict[str, object]:
    """The page's front matter as a mapping ({} when absent or unreadable)."""
    block = split(normalise_newlines(text))
    if not block.present:
        return {}
    try:
        value = load(block.yaml_text).value
    except (StrictYamlError, ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


class _AnyOptions(dict[str, Any]):
    """An option spec that takes every option as text: the checker must see every
    option written, including those the real directive would drop with a warning."""

    def __missing__(self, key: str) -> Any:
        return docutils_directives.unchanged


class _AnyDirective(DocutilsDirective):
    """What the checker knows of a directive it does not run: one argument (the whole
    first line), options, a body. myst-parser reads its text as it reads any directive's."""

    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = _AnyOptions(name=docutils_directives.unchanged)


def directive_of(info: str) -> tuple[str, str] | None:
    """A fence's directive name and first line, read as myst-parser's renderer reads a
    fence's info string (`{name} rest`), or None for a code block."""
    parts = info.strip().split(maxsplit=1)
    name = parts[0] if parts else ""
    if len(name) < 3 or not (name.startswith("{") and name.endswith("}")):
        return None
    return name[1:-1], parts[1] if len(parts) > 1 else ""


def read_directive(first_line: str, content: str) -> tuple[dict[str, str], dict[str, int],
                                                            list[str], int]:
    """A directive's options, the content line of each, its body lines and the content
    line the body starts on, with myst-parser's own reading of directive text."""
    first = content.split("\n", 1)[0]
    if not first.startswith("---") and not is_option_line(first):
        # no options block (most directives): myst-parser's reading comes to the body
        # less a first blank line, which this gives without its option tokenizer
        blank = bool(content) and not first.strip()
        return {}, {}, content.split("\n")[1 if blank else 0:], 1 if blank else 0
    try:
        parsed = parse_directive_text(_AnyDirective, first_line, content)
    except Exception:  # (myst-parser reports it at build time; the text is still read)
        return {}, {}, content.split("\n"), 0
    options = {str(key): "" if value is None else str(value)
               for key, value in parsed.options.items()}
    offset = max(parsed.body_offset, 0)
    head = content.split("\n")[:offset]
    where: dict[str, int] = {}
    for key in options:
        for index, line in enumerate(head):
            text = line.lstrip()
            text = text[1:] if text.startswith(":") else text
            if text.startswith(key) and text[len(key):].lstrip().startswith(":"):
                where[key] = index
                break
        else:
            where[key] = 0
    # the body as the file holds it: str.splitlines() also splits at \x1c-\x1e and
    # U+2028, which would move every line number after them
    return options, where, content.split("\n")[offset:], offset


# directives whose caption or title Sphinx's {ref} can show
CAPTIONED_DIRECTIVES = frozenset({"figure", "table", "list-table", "csv-table", "code-block",
                                  "literalinclude", "glossary"})


def _gives_title(token: Token | None, language: str = "en") -> bool:
    """Whether a `(label)=` placed before this token gives {ref} a title to show."""
    if token is None:
        return False
    if token.type == "heading_open":
        return True
    if token.type in ("fence", "colon_fence"):
        found = directive_of(token.info)
        return found is not None and \
            canonical_directive(found[0], language) in CAPTIONED_DIRECTIVES
    return False


def _unquote(value: str) -> str:
    """An option value as MyST reads it: quotes around it are YAML's, not the value's."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _option_labels(name: str, options: dict[str, str]) -> list[tuple[str, str]]:
    """The labels a directive's options define: `:name:` on any directive, and `:label:`,
    which {math}, sphinx-exercise's {exercise}/{solution} and sphinx-proof's {prf:...}
    directives read as their label."""
    found = []
    for key in ("name", "label"):
        value = _unquote(options.get(key, ""))
        if value and not (key == "label" and name in ("code-cell", "glue:figure")):
            found.append((key, value))
    return found


def _label_kind(directive: str, key: str) -> str:
    """Where Sphinx keeps a directive's label: math's in the equations, sphinx-proof's
    in its own domain, every other (and every `:name:`) among the std labels."""
    if key != "label":
        return ""
    if directive == "math":
        return "equation"
    return "proof" if directive.startswith("prf:") else ""


class _Walker:
    def __init__(self, document: Document, parser: MarkdownIt, heading_anchors: int,
                 language: str = "en"):
        self.doc = document
        self.language = language
        self.parser = parser
        self.heading_anchors = heading_anchors
        self.slugs: set[str] = set()
        self.env: dict[str, Any] = {}
        self.source_lines = tuple(document.lines)
        self.depth = 0  # directives around the tokens being walked

    # ---- blocks -------------------------------------------------------
    def blocks(self, tokens: list[Token], offset: int) -> None:
        level = 0
        containers = 0
        for position, token in enumerate(tokens):
            kind = token.type
            if kind not in BLOCK_KINDS:
                continue  # most tokens (paragraph_open, td_close...) say nothing to check
            if kind == "heading_open":
                level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
            elif kind == "heading_close":
                level = 0
            elif kind == "inline" and token.map is not None:
                self.inline(token, offset + token.map[0], level)
            elif kind in ("fence", "colon_fence") and token.map is not None:
                self.fence(token, offset + token.map[0])
            elif kind == "myst_target" and token.map is not None:
                following = tokens[position + 1] if position + 1 < len(tokens) else None
                self.doc.labels.append(Label(token.content, offset + token.map[0] + 1, 1,
                                             titled=_gives_title(following, self.language)))
            elif kind == "math_block_label" and token.map is not None and token.info:
                # `$$ ... $$ (label)`: dollarmath's labelled equation
                # (at the closing line, where the label is written)
                self.doc.labels.append(Label(token.info, offset + token.map[1], 1,
                                             kind="equation"))
            elif kind == "myst_line_comment" and token.map is not None:
                self.comment(token, offset)
            elif kind == "html_block" and token.map is not None:
                line = offset + token.map[0]
                source = self.source_lines[line] if line < len(self.source_lines) else ""
                column = len(source) - len(source.lstrip(" \t>")) + 1
                self.doc.html.append(Html(token.content, line + 1, column))
            elif kind in CONTAINERS_OPEN:
                containers += 1
                if containers > MAX_CONTAINER_DEPTH and token.map is not None:
                    self.too_deep(offset + token.map[0] + 1, containers, "containers")
            elif kind in CONTAINERS_CLOSE:
                containers -= 1

    def too_deep(self, line: int, depth: int, what: str) -> None:
        if not any(found.what == what for found in self.doc.too_deep):  # the first is enough
            self.doc.too_deep.append(TooDeep(line, depth, what))

    def nested(self, text: str, first: int, line: int) -> None:
        """Parse a directive's Markdown body, unless directives already nest too deep."""
        if self.depth >= MAX_DIRECTIVE_DEPTH:
            self.too_deep(line, self.depth + 1, "directives")
            return
        self.depth += 1
        try:
            self.blocks(self.parser.parse(text, self.env), first)
        finally:
            self.depth -= 1

    def closed(self, token: Token, line0: int) -> bool:
        """Whether a fence has its closing line (markdown-it reads an unclosed one to
        the end of the file, or of the block around it)."""
        assert token.map is not None
        if token.map[1] - token.map[0] < 2 or not token.markup:
            return False
        last = line0 + token.map[1] - token.map[0] - 1
        if last >= len(self.source_lines):
            return False
        closing = self.source_lines[last].strip().lstrip(">").strip()
        mark = token.markup[0]
        return len(closing) >= len(token.markup) and closing == mark * len(closing)

    def comment(self, token: Token, offset: int) -> None:
        assert token.map is not None
        target = offset + token.map[1] + 1
        for index, text in enumerate(token.content.split("\n")):
            codes = parse_suppression(text)
            if codes:
                line = offset + token.map[0] + index + 1
                self.doc.suppressions.append(Suppression(codes, line, target))

    def fence(self, token: Token, line0: int) -> None:
        found = directive_of(token.info)
        if not self.closed(token, line0):
            self.doc.open_fences.append(OpenFence(line0 + 1, token.markup,
                                                  found[0] if found else "",
                                                  self.depth > 0))
        if not found:
            return  # a code block: nothing in it is markup
        written, first_line = found
        argument = first_line.strip()
        options: dict[str, str] = {}
        where: dict[str, int] = {}
        body, used = token.content.split("\n"), 0
        if written == EVAL_RST:  # myst-parser matches this one name exactly
            name = EVAL_RST
        else:
            name = canonical_directive(written, self.language)
            options, where, body, used = read_directive(first_line, token.content)
        self.doc.directives.append(Directive(written, argument, options, line0 + 1,
                                             {key: line0 + 2 + at for key, at in where.items()},
                                             name))
        for key, label in _option_labels(name, options):
            self.doc.labels.append(Label(label, line0 + 2 + where[key], 1,
                                         titled=key == "label" or name in CAPTIONED_DIRECTIVES,
                                         kind=_label_kind(name, key)))
        if name == "figure-md" and argument:  # its argument is its label
            self.doc.labels.append(Label(argument, line0 + 1, 1, titled=True))
        # (a {code-cell}'s figure name is a label: check/mystnb.py reads it)
        if name in PATH_ARGUMENTS and argument:
            is_image = "image" in name or name == "figure"
            self.doc.links.append(Link(argument, "image" if is_image else "include",
                                       line0 + 1, 1,
                                       alt=options.get("alt", "") if is_image else None))
        first = line0 + 1 + used
        lines = body
        if name == "glossary":
            entries, definitions = parse_glossary(lines, first)
            self.doc.glossary.extend(entries)
            for text, start in definitions:
                self.nested(text, start, line0 + 1)
        elif name == "toctree":
            self.toctree(lines, first, "glob" in options)
        elif name not in LITERAL_DIRECTIVES:
            self.nested("\n".join(lines), first, line0 + 1)

    def toctree(self, lines: list[str], first: int, glob: bool) -> None:
        for index, line in enumerate(lines):
            entry = line.strip()
            if not entry:
                continue
            explicit = re.match(r"^.*<(?P<target>[^<>]+)>$", entry)
            target = explicit.group("target").strip() if explicit else entry
            self.doc.toctree.append(TocEntry(target, first + index + 1, glob))

    # ---- inline -------------------------------------------------------
    def inline(self, token: Token, line0: int, heading_level: int) -> None:
        children = token.children
        if heading_level == 0 and children and len(children) == 1 and \
                children[0].type == "text":
            # plain text (a table cell, a short paragraph): what Inline would record
            text = children[0].content
            if text and not text.isspace():
                self.doc.prose.append(Prose(text, False, [(0, line0 + 1, 1)], [],
                                            self.source_lines))
            return
        Inline(self, token, line0, heading_level).run()

    def column(self, line: int, content: str, position: int) -> int:
        """1-based column in the source of `content[position]`, which is on `line`."""
        start = content.rfind("\n", 0, position) + 1
        end = content.find("\n", position)
        if end < 0:
            end = len(content)
        source = self.source_lines[line] if 0 <= line < len(self.source_lines) else ""
        if end - start == len(source) and content.startswith(source, start):
            return position - start + 1  # the line as it stands (most are), found uncopied
        piece = content[start:end]
        prefix = source.find(piece) if piece else -1
        if prefix < 0:
            prefix = len(source) - len(source.lstrip())
        return prefix + (position - start) + 1
