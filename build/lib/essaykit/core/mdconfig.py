"""The one MyST configuration essaykit parses essays with.

`essaykit check` and the Sphinx build must read an essay the same way, or a
heading anchor, a fence or a role would mean one thing to the checker and
another to the build. Both take their settings from here: the checker builds
its markdown-it parser with `create_parser()`, and the Sphinx extension sets
`myst_*` from `sphinx_settings()`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from myst_parser.slugs import docutils_slugify, github_slugify, unique_slug

# Only syntax extensions the book needs. `substitution` is left out on purpose:
# it lets a file's front matter inject text (and Jinja) into the build.
MYST_EXTENSIONS: frozenset[str] = frozenset({"colon_fence", "deflist", "smartquotes",
                                             "strikethrough"})
# `## Section` and `### Subsection` get anchors, so `[x](other.md#section)` works.
HEADING_ANCHORS = 3
# The front matter's title becomes the page's `#` heading (and takes the first anchor).
TITLE_TO_HEADER = True

# Extensions the checker understands when it reads other projects' settings;
# anything else in their `myst_enable_extensions` is ignored while checking.
KNOWN_EXTENSIONS: frozenset[str] = frozenset({
    "amsmath", "attrs_block", "attrs_inline", "colon_fence", "deflist", "dollarmath",
    "fieldlist", "html_admonition", "html_image", "linkify", "replacements", "smartquotes",
    "strikethrough", "substitution", "tasklist", "alert", "gfm_autolink",
})

__all__ = [
    "HEADING_ANCHORS", "MYST_EXTENSIONS", "TITLE_TO_HEADER", "checker_parser", "create_parser",
    "heading_slug",
    "docutils_id",
    "md_config", "sphinx_settings", "unique_slug",
]


def md_config(
    extensions: Iterable[str] = MYST_EXTENSIONS, heading_anchors: int = HEADING_ANCHORS
) -> MdParserConfig:
    """myst-parser's own configuration object for these settings."""
    usable = {name for name in extensions if name in KNOWN_EXTENSIONS}
    if "linkify" in usable:
        from myst_parser.parsers.mdit import linkify_available

        if not linkify_available():
            usable.discard("linkify")
    return MdParserConfig(
        enable_extensions=usable, heading_anchors=max(0, min(int(heading_anchors), 7))
    )


@lru_cache(maxsize=8)
def _parser(extensions: frozenset[str], heading_anchors: int) -> MarkdownIt:
    return create_md_parser(md_config(extensions, heading_anchors), RendererHTML)


def create_parser(
    extensions: Iterable[str] = MYST_EXTENSIONS, heading_anchors: int = HEADING_ANCHORS
) -> MarkdownIt:
    """The markdown-it parser myst-parser itself would build (cached per settings)."""
    return _parser(frozenset(extensions), heading_anchors)


@lru_cache(maxsize=8)
def _checker_parser(extensions: frozenset[str], heading_anchors: int) -> MarkdownIt:
    parser = create_md_parser(md_config(extensions, heading_anchors), RendererHTML)
    parser.core.ruler.disable("wordcount")
    return parser


def checker_parser(
    extensions: Iterable[str] = MYST_EXTENSIONS, heading_anchors: int = HEADING_ANCHORS
) -> MarkdownIt:
    """myst-parser's parser, less its word-count rule: the rule only counts the words
    into the parse's env (for Sphinx's reading-time substitutions), which the checker
    never reads, and it costs a sixth of every parse. The tokens are the same."""
    return _checker_parser(frozenset(extensions), heading_anchors)


def sphinx_settings() -> dict[str, object]:
    """The `myst_*` Sphinx settings matching the checker's parser."""
    return {
        "myst_enable_extensions": sorted(MYST_EXTENSIONS),
        "myst_heading_anchors": HEADING_ANCHORS,
        "myst_title_to_header": TITLE_TO_HEADER,
    }


def heading_slug(title: str) -> str:
    """The anchor myst-parser gives a heading (its default, GitHub-style slug)."""
    return github_slugify(title)


_NON_ID = re.compile(r"[^a-z0-9]+")
_ID_ENDS = re.compile(r"^[-0-9]+|-+$")


def docutils_id(title: str) -> str:
    """The id docutils gives a section, which Sphinx also accepts as an anchor."""
    if title.isascii():
        # docutils_slugify, less the steps that change only non-ASCII letters (their
        # translation tables and NFKD cost most of its time, for nothing, on most titles)
        return _ID_ENDS.sub("", _NON_ID.sub("-", " ".join(title.lower().split())))
    return docutils_slugify(title)
