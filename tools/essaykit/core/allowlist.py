"""What an untrusted page may write: the directives, roles and options essays use.

Anything not listed here is refused on a page the editor has not trusted, by
both layers: `essaykit check` reports it at its line, and the Sphinx extension
puts nothing of it into the page. A new extension's directive is therefore
refused until someone decides it is safe and lists it (an allowlist, not a
denylist).

Names are resolved as docutils resolves them: lower-cased, then looked up in the
book's language table and in English (`{Include}`, `{einfügen}` in a German book
and `{inclure}` in a French one are all `include`). Names registered under their
own English name (Sphinx's and essaykit's directives) come first, as in docutils.

Whatever the trust, a path-valued option or argument must stay inside the book:
`PATH_OPTIONS` and `PATH_ARGUMENTS` say where a directive reads a file or URL from.
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import ModuleType

from docutils.parsers.rst.languages import get_language

_COMMON = frozenset({"class", "name"})
_IMAGE = frozenset({"alt", "height", "width", "scale", "align", "target", "loading"})
_ADMONITION = _COMMON

# directive (canonical name) -> the options an untrusted page may give it
DIRECTIVES: dict[str, frozenset[str]] = {
    **{name: _ADMONITION for name in (
        "admonition", "attention", "caution", "danger", "error", "hint", "important", "note",
        "tip", "warning", "seealso", "epigraph", "highlights", "pull-quote", "compound",
        "container", "rubric")},
    "topic": _COMMON,
    "sidebar": _COMMON | {"subtitle"},
    "image": _COMMON | _IMAGE,
    "figure": _COMMON | _IMAGE | {"figclass", "figwidth"},
    "table": _COMMON | {"align", "width", "widths"},
    "list-table": _COMMON | {"align", "width", "widths", "header-rows", "stub-columns"},
    # an essay's own data file; never a URL (`:url:` is refused as a fetch)
    "csv-table": _COMMON | {"align", "width", "widths", "header-rows", "stub-columns",
                            "header", "file", "encoding", "delim", "quote", "escape",
                            "keepspace"},
    "code": _COMMON | {"number-lines", "force"},
    "code-block": _COMMON | {"caption", "dedent", "emphasize-lines", "force", "lineno-start",
                             "linenos"},
    "sourcecode": _COMMON | {"caption", "dedent", "emphasize-lines", "force", "lineno-start",
                             "linenos"},
    "math": _COMMON | {"label", "nowrap", "no-wrap"},
    "glossary": frozenset({"sorted"}),
    "bibliography": frozenset({"all", "cited", "enumtype", "filter", "keyprefix",
                               "labelprefix", "list", "notcited", "start", "style"}),
    "toctree": _COMMON | {"caption", "glob", "hidden", "includehidden", "maxdepth",
                          "numbered", "reversed", "titlesonly"},
    # Sphinx's index entries (the book's index): text only, escaped wherever it is shown
    "index": frozenset({"name"}),
    "essaykit-titlepage": frozenset(),
    "essaykit-contents": frozenset({"hidden"}),
    "essaykit-contributors": frozenset(),
}

# roles (canonical name) an untrusted page may use
ROLES: frozenset[str] = frozenset({
    "term", "doc", "ref", "numref", "download", "abbr", "abbreviation", "acronym", "sub",
    "subscript", "sup", "superscript", "emphasis", "strong", "literal", "code", "math", "kbd",
    "dfn", "guilabel", "menuselection", "file", "samp", "title-reference", "index",
    *(f"{kind}:{form}" for kind in ("cite", "footcite") for form in (
        "p", "t", "ps", "ts", "ct", "cp", "cts", "cps", "author", "authors", "year", "years",
        "label", "labels", "empty", "text", "texts")),
    "cite", "footcite",
})

# the directives the specific SEC rules name; everything else off the list is SEC013
INCLUDES = frozenset({"include", "literalinclude"})
RAW = "raw"
META = "meta"
EVAL_RST = "eval-rst"  # myst-parser's own fence name, matched exactly as it matches it

# directive -> options whose value is a file or URL the build reads (on every page)
PATH_OPTIONS: dict[str, frozenset[str]] = {
    "literalinclude": frozenset({"diff"}),
    "csv-table": frozenset({"file", "url"}),
    "raw": frozenset({"file", "url"}),
    "include": frozenset(),
}
# options that name a file or URL in any directive not listed above (other extensions)
GENERIC_PATH_OPTIONS = frozenset({"file", "url", "source", "path", "filename", "image",
                                  "download", "literal", "diff"})
# directives whose argument is a file the build reads or copies
PATH_ARGUMENTS = frozenset({"include", "literalinclude", "image", "figure"})
# `:url:`-like options make the build fetch; they are never allowed
FETCH_OPTIONS = frozenset({"url"})


def argument_may_be_a_path(canonical: str) -> bool:
    """Whether `canonical`'s argument may name a file: the file directives, and any
    directive off the list, whose argument nobody has read (another extension's
    `{graphviz} ../../secret.dot` on a trusted page)."""
    return canonical in PATH_ARGUMENTS or canonical not in DIRECTIVES


def path_options(canonical: str) -> frozenset[str]:
    """The options of `canonical` whose values the build reads as files or URLs."""
    return PATH_OPTIONS.get(canonical, GENERIC_PATH_OPTIONS)


# a language tag (BCP 47's shape): docutils imports a module named after it
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


@lru_cache(maxsize=64)
def _language(code: str) -> ModuleType | None:
    """docutils' table of names for `code`; None for a code that is not a language tag
    (`..` would be imported as a package of its own) or that docutils does not know."""
    if not LANGUAGE_TAG.match(code or "en"):
        return None
    try:
        return get_language(code or "en")  # type: ignore[no-any-return]
    except (ImportError, ValueError, LookupError, TypeError):
        return None


def _resolve(name: str, language: str, kind: str, registered: frozenset[str]) -> str:
    normal = name.lower()  # as docutils: every capitalisation is the same name
    if normal in registered:
        return normal
    for code in (language.replace("_", "-"), "en"):
        module = _language(code)
        table = getattr(module, kind, None) if module is not None else None
        canonical = table.get(normal) if isinstance(table, dict) else None
        if canonical:
            return str(canonical)
    return normal


# names Sphinx, myst-parser and essaykit register under themselves, looked up first
_REGISTERED_DIRECTIVES = frozenset(DIRECTIVES) | INCLUDES | {RAW, META}
_REGISTERED_ROLES = ROLES | {RAW}


@lru_cache(maxsize=4096)
def canonical_directive(name: str, language: str = "en") -> str:
    """The directive docutils runs for `name` in a book in `language`."""
    return _resolve(name, language, "directives", _REGISTERED_DIRECTIVES)


@lru_cache(maxsize=4096)
def canonical_role(name: str, language: str = "en") -> str:
    """The role docutils runs for `name` in a book in `language`."""
    return _resolve(name, language, "roles", _REGISTERED_ROLES)


def aliases(canonical: str, language: str, kind: str = "directives") -> frozenset[str]:
    """Every name that resolves to `canonical` in `language` (and English), for the
    second layer to register its guarded version under each of them."""
    names = {canonical}
    for code in (language.replace("_", "-"), "en"):
        module = _language(code)
        table = getattr(module, kind, None) if module is not None else None
        if isinstance(table, dict):
            names.update(str(key) for key, value in table.items() if value == canonical)
    return frozenset(names)


def directive_allowed(canonical: str) -> bool:
    return canonical in DIRECTIVES


def options_not_allowed(canonical: str, options: object) -> list[str]:
    """The options an untrusted page gave `canonical` that it may not."""
    allowed = DIRECTIVES.get(canonical, frozenset())
    return [key for key in (options if isinstance(options, dict) else {}) if key not in allowed]


def role_allowed(canonical: str) -> bool:
    return canonical in ROLES


__all__ = ["DIRECTIVES", "EVAL_RST", "FETCH_OPTIONS", "INCLUDES", "LANGUAGE_TAG", "META",
           "PATH_ARGUMENTS", "RAW", "ROLES", "aliases", "argument_may_be_a_path",
           "canonical_directive", "canonical_role",
           "directive_allowed", "options_not_allowed", "path_options", "role_allowed"]
