"""The document model: what the checker knows about one parsed page.

Every position is 1-based and is the parser's: lines come from markdown-it's
token maps, and columns from finding the token's own markup on that line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

# `text <target>`, the explicit-title form every Sphinx cross-reference role accepts
_EXPLICIT = re.compile(r"^(?P<title>.*?)\s*<(?P<target>[^<>]*)>\s*$", re.DOTALL)


@dataclass(frozen=True)
class Role:
    """A MyST role such as {cite:p}`key` or {term}`text <Term>`."""

    name: str
    content: str
    line: int
    column: int
    target: str = field(init=False, compare=False)  # `Term` in {term}`text <Term>`

    def __init__(self, name: str, content: str, line: int, column: int) -> None:
        # written by hand (dataclass keeps it): a page holds hundreds of roles, and one
        # update of the instance's dict costs a third of a frozen dataclass's setattrs
        match = _EXPLICIT.match(content) if "<" in content else None
        target = match.group("target") if match else content
        self.__dict__.update(name=name, content=content, line=line, column=column,
                             target=" ".join(target.split()))

    @property
    def title(self) -> str:
        match = _EXPLICIT.match(self.content)
        return " ".join((match.group("title") if match else self.content).split())


@dataclass(frozen=True)
class Link:
    """A Markdown link, autolink or image; `line`/`column` point at its target."""

    href: str
    kind: str  # "link", "autolink" or "image"
    line: int
    column: int
    alt: str | None = None  # an image's alternative text ("" when it has none)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int
    slug: str  # myst-parser's anchor, "" when deeper than heading_anchors
    section_id: str  # the docutils id of the section


@dataclass(frozen=True)
class Label:
    """An explicit target: `(label)=` or a directive's `:name:` option."""

    name: str
    line: int
    column: int
    # Sphinx's {ref} shows the title of a heading, figure or table; a label on
    # anything else needs {ref}`text <label>`
    titled: bool = True
    # the namespace Sphinx keeps it in: "" for std labels, "equation" (math's :label:,
    # `$$ $$ (label)`), "proof" (sphinx-proof's :label:); the same name in two is no clash
    kind: str = ""

    @property
    def key(self) -> str:
        return normalise_label(self.name)


@dataclass(frozen=True)
class Directive:
    name: str
    argument: str
    options: dict[str, str]
    line: int
    option_lines: dict[str, int] = field(default_factory=dict, compare=False)
    # the directive docutils runs for `name` (lower-cased, through the book's language)
    canonical: str = ""

    @property
    def kind(self) -> str:
        return self.canonical or self.name


@dataclass(frozen=True)
class Html:
    """Raw HTML the parser met: an HTML block, or an inline tag or comment."""

    text: str
    line: int
    column: int


@dataclass(frozen=True)
class OpenFence:
    """A code or directive fence that is never closed: the parser reads on to the end
    of the file (or of the directive around it)."""

    line: int
    markup: str
    name: str  # the directive's name; "" for a code block
    nested: bool


@dataclass(frozen=True)
class TooDeep:
    """The first place where lists/quotes or directives nest deeper than the limit."""

    line: int
    depth: int
    what: str  # "containers" or "directives"


@dataclass(frozen=True)
class Suppression:
    """`% essaykit: ignore[CODE, ...]`: silences those codes on `target_line`."""

    codes: tuple[str, ...]
    line: int
    target_line: int


@dataclass(frozen=True)
class TocEntry:
    target: str
    line: int
    glob: bool = False


@dataclass(frozen=True)
class GlossaryEntry:
    terms: tuple[str, ...]
    line: int  # the line of the first term
    term_lines: tuple[int, ...]


@dataclass
class Prose:
    """The running text of one paragraph, heading or cell, as the parser saw it.

    Code, roles and URLs are replaced by U+FFFC so that no word spans them.
    `anchors` maps offsets in `text` back to (line, column) in the source.
    `terms` holds the {term} roles with their offset, so that a linked use and a
    plain use of the same term can be put in reading order.
    """

    text: str
    in_heading: bool
    anchors: list[tuple[int, int, int]] = field(default_factory=list)  # (offset, line, column)
    terms: list[tuple[int, Role]] = field(default_factory=list)
    source_lines: tuple[str, ...] = ()

    def locate(self, offset: int, word: str = "") -> tuple[int, int]:
        """The 1-based (line, column) of the text at `offset`."""
        line, column, start = 1, 1, 0
        for anchor_offset, anchor_line, anchor_column in self.anchors:
            if anchor_offset > offset:
                break
            start, line, column = anchor_offset, anchor_line, anchor_column
        guess = column + (offset - start)
        if word and 0 < line <= len(self.source_lines):
            source = self.source_lines[line - 1].lower()
            found = source.find(word.lower(), max(column - 1, 0))
            if found < 0:
                found = source.find(word.lower())
            if found >= 0:
                return line, found + 1
        return line, max(guess, 1)


_NAME = attrgetter("name")


@dataclass(eq=False)  # pages are compared by identity: field-by-field would be slow
class Document:
    """One page of the book, parsed once."""

    path: str  # posix, relative to the project root
    docname: str
    lines: list[str]
    roles: list[Role] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    directives: list[Directive] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    toctree: list[TocEntry] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    prose: list[Prose] = field(default_factory=list)
    html: list[Html] = field(default_factory=list)
    open_fences: list[OpenFence] = field(default_factory=list)
    too_deep: list[TooDeep] = field(default_factory=list)
    front_matter: dict[str, object] = field(default_factory=dict)
    cache: dict[str, object] = field(default_factory=dict, repr=False)  # per-page results

    @property
    def folder(self) -> str:
        head, _, _ = self.path.rpartition("/")
        return head

    def role_names(self) -> frozenset[str]:
        """The names of the roles on this page (made once: a check that looks for rare
        roles skips the pages without them)."""
        cached = self.cache.get("role-names")
        if not isinstance(cached, frozenset):
            cached = self.cache["role-names"] = frozenset(map(_NAME, self.roles))
        return cached

    def anchors(self, *, local: bool) -> frozenset[str]:
        """Ids a link can point at: from this page itself (`local`) or from another.
        (Made once per page: every link to the page asks.)"""
        key = "anchors-local" if local else "anchors"
        cached = self.cache.get(key)
        if isinstance(cached, frozenset):
            return cached
        found = {label.key for label in self.labels}
        for heading in self.headings:
            if heading.slug:
                found.add(heading.slug)
                found.add(heading.section_id)
            elif local and heading.section_id:
                found.add(heading.section_id)
        found.discard("")
        self.cache[key] = frozen = frozenset(found)
        return frozen


@lru_cache(maxsize=4096)  # a book names the same few terms and labels thousands of times
def normalise_label(name: str) -> str:
    """Sphinx compares labels and terms lower-cased, with whitespace collapsed."""
    return " ".join(name.split()).lower()
