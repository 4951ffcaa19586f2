"""Walk one inline token (a paragraph, heading or cell) of a parsed page.

Split from `parse` for size: the block walker there hands each inline token
here, and this records its roles, links, images, raw HTML, headings and prose,
each at its line and column in the source.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markdown_it.token import Token

from essaykit.core.mdconfig import docutils_id, heading_slug, unique_slug
from essaykit.core.model import Heading, Html, Link, Prose, Role

if TYPE_CHECKING:
    from essaykit.check.parse import _Walker

OBJECT = "\ufffc"  # stands for code, roles and images in prose


class Inline:
    """Walks one inline token's children, tracking where each sits in the source."""

    # one of these per paragraph, heading or cell: slots keep it cheap to make and read
    __slots__ = ("walker", "doc", "content", "children", "line", "cursor", "line_start",
                 "prefixes", "heading_level", "parts", "size", "anchors", "terms",
                 "heading_text", "pending_link")

    def __init__(self, walker: _Walker, token: Token, line0: int, heading_level: int):
        self.walker = walker
        self.doc = walker.doc
        self.content = token.content
        self.children = token.children or []
        self.line = line0  # 0-based
        self.cursor = 0
        self.line_start = 0  # offset in `content` where the current line starts
        self.prefixes: dict[int, int] = {}  # line -> source columns before `content`
        self.heading_level = heading_level
        self.parts: list[str] = []
        self.size = 0
        # the Prose's (made at the end): (offset in prose, 1-based line, 1-based column
        # within the parsed line) where each text starts, and the {term} roles by offset
        self.anchors: list[tuple[int, int, int]] = []
        self.terms: list[tuple[int, Role]] = []
        self.heading_text: list[str] = []
        self.pending_link: tuple[str, int, int] = ("", line0 + 1, 1)

    def find_on_line(self, needle: str) -> int:
        content = self.content
        end = content.find("\n", self.cursor)
        return content.find(needle, self.cursor, len(content) if end < 0 else end)

    def advance(self, stop: int) -> None:
        cursor = self.cursor
        content = self.content
        if stop < cursor:
            stop = cursor
        elif stop > len(content):
            stop = len(content)
        newlines = content.count("\n", cursor, stop)
        if newlines:
            self.line += newlines
            self.line_start = content.rfind("\n", 0, stop) + 1
        self.cursor = stop

    def here(self, position: int) -> tuple[int, int]:
        """1-based (line, column) in the source of `content[position]` on the current line."""
        prefix = self.prefixes.get(self.line)
        if prefix is None:
            prefix = self.prefixes[self.line] = self.walker.column(
                self.line, self.content, self.line_start) - 1
        return self.line + 1, prefix + position - self.line_start + 1

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)

    def run(self) -> None:
        in_autolink = False
        parts = self.parts
        anchors = self.anchors
        heading = self.heading_level > 0
        for child in self.children:
            kind = child.type
            if kind == "text":
                if heading:
                    self.heading_text.append(child.content)
                if in_autolink:
                    continue
                anchors.append((self.size, self.line + 1, self.cursor - self.line_start + 1))
                parts.append(child.content)
                self.size += len(child.content)
            elif kind == "softbreak" or kind == "hardbreak":
                newline = self.content.find("\n", self.cursor)
                if newline >= 0:
                    self.cursor = self.line_start = newline + 1
                self.line += 1
                parts.append(" ")
                self.size += 1
            elif kind == "myst_role":
                self.role(child)
            elif kind == "code_inline":
                self.code(child)
            elif kind == "link_open":
                in_autolink = child.markup == "autolink" or child.info == "auto"
                self.link_open(child, in_autolink)
            elif kind == "link_close":
                if not in_autolink:
                    self.link_close()
                in_autolink = False
            elif kind == "image":
                self.image(child)
            elif kind == "html_inline":
                self.html(child)
            elif kind in ("footnote_ref", "math_inline", "math_inline_double"):
                position = self.find_on_line(child.content or "[^")
                if position >= 0:
                    self.advance(position + max(len(child.content), 1))
                self.add(OBJECT)
        text = "".join(parts)
        if self.terms or (text and not text.isspace()):  # (strip() would copy it)
            self.doc.prose.append(Prose(text, heading, anchors, self.terms,
                                        self.walker.source_lines))
        if heading:
            self.add_heading()

    def html(self, child: Token) -> None:
        position = self.find_on_line(child.content.split("\n", 1)[0])
        line, column = self.here(position) if position >= 0 else (self.line + 1, 1)
        self.doc.html.append(Html(child.content, line, column))
        if position >= 0:
            self.advance(position + len(child.content))
        self.add(OBJECT)

    def role(self, child: Token) -> None:
        # the commonest markup in an essay: find_on_line, here and advance, written out
        name = str(child.meta.get("name", ""))
        text = child.content
        content = self.content
        cursor = self.cursor
        marker = "{" + name + "}`"
        end = content.find("\n", cursor)
        position = content.find(marker, cursor, len(content) if end < 0 else end)
        if position < 0:
            role = Role(name, text, self.line + 1, 1)
        else:
            prefix = self.prefixes.get(self.line)
            if prefix is None:
                prefix = self.prefixes[self.line] = self.walker.column(
                    self.line, content, self.line_start) - 1
            role = Role(name, text, self.line + 1, prefix + position - self.line_start + 1)
            start = position + len(marker) - 1  # the first backtick
            ticks = 1
            while content.startswith("`", start + ticks):
                ticks += 1
            stop = min(start + ticks + len(text) + ticks, len(content))
            newlines = content.count("\n", cursor, stop)
            if newlines:
                self.line += newlines
                self.line_start = content.rfind("\n", 0, stop) + 1
            self.cursor = stop
        self.doc.roles.append(role)
        if name == "term":
            self.terms.append((self.size, role))
        self.parts.append(OBJECT)
        self.size += 1

    def code(self, child: Token) -> None:
        markup = child.markup or "`"
        position = self.find_on_line(markup)
        if position >= 0:
            after = position + len(markup) + max(len(child.content) - 1, 0)
            closing = self.content.find(markup, after)
            self.advance(closing + len(markup) if closing >= 0 else position + len(markup))
        self.add(OBJECT)
        self.heading_text.append(child.content)
        if len(child.content) < 80:  # a name (a file, a command), not a program
            spans = self.doc.cache.get("code-spans")
            if not isinstance(spans, set):
                spans = self.doc.cache["code-spans"] = set()
            spans.add(" ".join(child.content.split()).lower())

    def link_open(self, child: Token, autolink: bool) -> None:
        href = str(child.attrGet("href") or "")
        if autolink:
            position = self.find_on_line("<")
            line, column = self.here(position + 1) if position >= 0 else (self.line + 1, 1)
            self.doc.links.append(Link(href, "autolink", line, column))
            if position >= 0:
                closing = self.content.find(">", position)
                self.advance(closing + 1 if closing >= 0 else position + 1)
            self.add(OBJECT)
            return
        position = self.find_on_line("[")
        line, column = self.here(position) if position >= 0 else (self.line + 1, 1)
        self.pending_link = (href, line, column)
        if position >= 0:
            self.advance(position + 1)

    def link_close(self) -> None:
        href, line, column = self.pending_link
        position = self.find_on_line("](")
        if position >= 0:
            line, column = self.here(position + 2)
            closing = self.content.find(")", position)
            self.advance(closing + 1 if closing >= 0 else position + 2)
        self.doc.links.append(Link(href, "link", line, column))

    def image(self, child: Token) -> None:
        src = str(child.attrGet("src") or "")
        position = self.find_on_line("![")
        line, column = self.here(position) if position >= 0 else (self.line + 1, 1)
        if position >= 0:
            middle = self.content.find("](", position)
            if middle >= 0:
                self.advance(middle)
                line, column = self.here(middle + 2)
                closing = self.content.find(")", middle)
                self.advance(closing + 1 if closing >= 0 else middle + 2)
        self.doc.links.append(Link(src, "image", line, column, alt=child.content))
        self.add(OBJECT)

    def add_heading(self) -> None:
        title = "".join(self.heading_text)
        slug = ""
        if self.heading_level <= self.walker.heading_anchors:
            slug = unique_slug(heading_slug(title), self.walker.slugs)
            if slug:
                self.walker.slugs.add(slug)
        self.doc.headings.append(Heading(self.heading_level, title, self.prose_line(), slug,
                                         docutils_id(title)))

    def prose_line(self) -> int:
        return self.anchors[0][1] if self.anchors else self.line + 1
