"""Cross-reference rules (REF): every role, link, image and URL points somewhere real."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from posixpath import splitext
from urllib.parse import unquote

from essaykit.check.index import BookIndex
from essaykit.check.jargon import essay_text
from essaykit.check.project import PAGE_SUFFIXES
from essaykit.check.registry import check
from essaykit.check.urls import url_problem, urls_in_prose
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.model import Document, Label, Link, normalise_label

rules.rule(
    "REF001", "unknown-label", Severity.ERROR,
    "A {ref} or {numref} names a label that no page defines.",
    "Sphinx renders the raw label text where the link should be.",
    bad="see {ref}`fig-traps`   % no (fig-traps)= anywhere",
    good="(fig-traps)=\n```{figure} traps.png\n...\n```\n\nsee {numref}`fig-traps`",
)
rules.rule(
    "REF002", "unknown-document", Severity.ERROR,
    "A {doc} names a page that does not exist.",
    "The link silently becomes plain text in the build.",
    bad="{doc}`capabilities.md`",
    good="{doc}`capabilities`",
)
rules.rule(
    "REF003", "unknown-term", Severity.ERROR,
    "A {term} names a term the glossary does not define.",
    "The reader who follows the link finds nothing, and the build warns.",
    bad="{term}`coproduction`",
    good="{term}`co-production`",
)
rules.rule(
    "REF004", "broken-link", Severity.ERROR,
    "A Markdown link points at a page, heading anchor or label that does not exist.",
    "Anchors are made from heading text, so renaming a heading breaks every link to it.",
    bad="[the capabilities essay](capabilities.md#what-people-can-do)",
    good="[the capabilities essay](capabilities.md#what-people-can-do-and-be)",
)
rules.rule(
    "REF005", "duplicate-label", Severity.ERROR,
    "The same label is defined twice; both places are reported.",
    "A reference to it lands on whichever Sphinx saw last.",
    bad="(fig-map)=  % in two essays",
    good="(care-fig-map)=  and  (scale-fig-map)=",
)
rules.rule(
    "REF007", "missing-file", Severity.ERROR,
    "An image, figure, include or download names a file that does not exist.",
    "The build shows a broken image or fails to copy the download.",
    bad="![Map](images/mpa.png)",
    good="![Map](images/map.png)",
)
rules.rule(
    "REF009", "ref-without-title", Severity.ERROR,
    "A {ref} without link text points at a label that is not on a heading, figure or table.",
    "Sphinx can only fill in the link text from a title; it drops the link and warns.",
    bad="(start)=\nSome paragraph.\n\nSee {ref}`start`.",
    good="(start)=\nSome paragraph.\n\nSee {ref}`the opening <start>`.",
)
rules.rule(
    "REF010", "numref-without-numbering", Severity.ERROR,
    "A {numref} in a book whose figures and tables are not numbered.",
    "Without Sphinx's numfig there is no number to show: Sphinx drops the link and warns, "
    "and a strict build fails.",
    bad="see {numref}`fig-map`",
    good="see {ref}`fig-map`   (shows the caption; or set numfig = True in conf.py)",
)
rules.rule(
    "REF008", "malformed-url", Severity.ERROR,
    "A URL is malformed: a doubled scheme, no host, unbalanced brackets, broken link syntax.",
    "Readers (and the link checker) cannot follow it.",
    bad="[nef](https://https://neweconomics.org)",
    good="[nef](https://neweconomics.org)",
)

# link schemes mystmd resolves itself (its xref: keys are checked in mystmd.py)
MYSTMD_LINK_SCHEMES = frozenset({"wiki", "doi", "github", "gh", "rrid", "ror", "xref", "myst"})
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
EXTERNAL_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel", "data"})
BROKEN_LINK = re.compile(r"\]\(")
SCRIPT_TARGET = re.compile(r"\s*<?\s*(javascript|vbscript|data):", re.IGNORECASE)
SEPARATOR_SLIP = re.compile(r"^(https?|ftp)(//|:/(?!/))", re.IGNORECASE)
ROLE_TARGET_LABELS = frozenset({"ref", "numref"})
# the labels Sphinx defines itself, on every project (its index pages and the search)
SPHINX_LABELS = frozenset({"genindex", "modindex", "search", "py-modindex"})
# the roles check_roles looks at (citations, the commonest, are CIT's)
CHECKED_ROLES = ROLE_TARGET_LABELS | {"doc", "term", "download"}


def _suggest(word: str, options: Iterable[str], folder: str = "") -> str:
    """A "did you mean" hint; paths are shown relative to `folder`, as the author writes them."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not close:
        return ""
    best = close[0]
    if folder and best.startswith(folder + "/"):
        best = best[len(folder) + 1:]
    return f"did you mean {best!r}?"


@check("REF001", "REF002", "REF003", "REF007", "REF009", "REF010")
def check_roles(index: BookIndex) -> Iterator[Diagnostic]:
    """{ref}, {numref}, {doc}, {term} and {download} targets all exist."""
    for doc in index.documents.values():
        for role in doc.roles:
            if role.name not in CHECKED_ROLES:
                continue
            target = role.target
            if not target or target.startswith("!"):
                continue
            target = target.lstrip("~")
            if _external(index, target, role.name):
                continue  # in another project's inventory (intersphinx): not ours to check
            if role.name == "numref" and not index.project.numbered_figures:
                yield rules.make("REF010", doc.path, role.line, role.column,
                                 "{numref} needs numbered figures, and this book has none",
                                 f"write {{ref}}`{target}` to show the caption instead, or "
                                 "set numfig = True in conf.py")
            if role.name in ROLE_TARGET_LABELS and normalise_label(target) not in index.labels \
                    and not _builtin_label(index, target):
                yield rules.make("REF001", doc.path, role.line, role.column,
                                 f"unknown label {target!r}",
                                 _suggest(normalise_label(target), index.labels)
                                 or _not_an_inventory(index, target)
                                 or "define it with (label)= before the target")
            elif (role.name == "ref" and role.target == role.content
                  and normalise_label(target) in index.labels
                  and not any(label.titled
                              for _, label in index.labels[normalise_label(target)])):
                yield rules.make("REF009", doc.path, role.line, role.column,
                                 f"label {target!r} is not on a heading, figure or table, "
                                 "so {ref} has no title to show",
                                 f"give the link text: {{ref}}`text <{target}>`")
            elif role.name == "doc" and index.docname_join(doc, target) not in index.docnames:
                bare = index.docname_join(doc, target)
                root, suffix = splitext(bare)
                hint = ("drop the .md suffix" if suffix == ".md" and root in index.by_docname
                        else _suggest(bare, index.by_docname, doc.folder)
                        or "check the page's path")
                yield rules.make("REF002", doc.path, role.line, role.column,
                                 f"unknown document {target!r}", hint)
            elif role.name == "term" and normalise_label(target) not in index.glossary:
                yield rules.make("REF003", doc.path, role.line, role.column,
                                 f"{target!r} is not a glossary term",
                                 _suggest(normalise_label(target), index.glossary)
                                 or "add it to the glossary")
            elif role.name == "download" and not SCHEME.match(target):  # a URL: downloaded
                resolved = index.resolve_path(doc, target)
                if resolved is not None and not index.exists(resolved):  # outside: SEC001
                    yield rules.make("REF007", doc.path, role.line, role.column,
                                     f"download {target!r} does not exist",
                                     "check the file's path, relative to this page")


@check("REF004", "REF007", "REF008")
def check_links(index: BookIndex) -> Iterator[Diagnostic]:
    """Markdown links, autolinks and images resolve, and URLs are well-formed."""
    for doc in index.documents.values():
        for link in doc.links:
            yield from _check_link(index, doc, link)


def _check_link(index: BookIndex, doc: Document, link: Link) -> Iterator[Diagnostic]:
    href = link.href.strip()
    where = (doc.path, link.line, link.column)
    if not href:
        yield rules.make("REF004", *where, "the link has no target", "write [text](target)")
        return
    scheme_match = SCHEME.match(href)
    scheme = scheme_match.group(1).lower() if scheme_match else ""
    if scheme in EXTERNAL_SCHEMES or SEPARATOR_SLIP.match(href) or link.kind == "autolink":
        problem = None if scheme == "data" else url_problem(unquote(href))
        if problem:
            yield rules.make("REF008", *where, f"malformed URL {href!r}: {problem}",
                             "copy the address again from the browser")
        return
    if scheme in ("inv", "path") or (scheme == "attachment" and doc.path.endswith(".ipynb")) \
            or (scheme in MYSTMD_LINK_SCHEMES and index.project.kind == "mystmd"):
        return  # (mystmd's xref: keys are checked in mystmd.py)
    if scheme == "project":
        href = href[len("project:"):]
    elif scheme and len(scheme) > 1 and index.project.url_schemes is not None:
        if scheme in index.project.url_schemes:
            return  # a URL the build leaves alone (myst_url_schemes lists its scheme)
        # myst-parser reads a link whose scheme is not in myst_url_schemes as a
        # reference: to a label (which may hold a colon), else a page
        if not (normalise_label(href) in index.labels or _builtin_label(index, href)
                or href.partition("#")[0] in index.docnames):
            yield rules.make("REF004", *where, f"{href!r} is not a label or page",
                             _suggest(normalise_label(href), index.labels) or
                             f"myst_url_schemes does not list {scheme + ':'!r}, so MyST reads "
                             "this as a reference; define the label, or list the scheme")
        return
    elif scheme and len(scheme) > 1:
        yield rules.make("REF004", *where, f"unknown link scheme {scheme + ':'!r} in {href!r}",
                         "links to the web start with https://")
        return
    path, _, anchor = href.partition("#")
    path, anchor = unquote(path), unquote(anchor)
    if not path:
        if not _anchor_exists(index, doc, anchor):
            yield rules.make("REF004", *where, f"no heading or label {anchor!r} for '#{anchor}'",
                             _suggest(anchor, doc.anchors(local=True))
                             or "link to a heading's anchor or a (label)=")
        return
    resolved = index.resolve_path(doc, path)
    if resolved is None:
        return  # SEC001 (file-outside-book) reports it
    suffix = _suffix(resolved)
    if link.kind in ("image", "include") or (suffix and suffix != ".md"):
        if suffix == ".*" and index.project.kind != "essaykit":
            # Sphinx picks the file by builder (figure.png, figure.svg, figure.pdf ...)
            if not index.any_suffix(resolved[:-2]):
                yield rules.make("REF007", *where, f"no file matches {path!r}",
                                 "Sphinx looks for the name with any image suffix; check the "
                                 "path, relative to this page")
            return
        if suffix in PAGE_SUFFIXES and resolved in index.project.other_pages:
            return  # a notebook page of the book
        if not index.exists(resolved):
            what = "image" if link.kind == "image" else "file"
            yield rules.make("REF007", *where, f"{what} {path!r} does not exist",
                             "check the file's path, relative to this page")
        return
    if suffix == ".md":
        if not index.exists(resolved):
            yield rules.make("REF004", *where, f"no page {path!r}",
                             _suggest(resolved, index.documents, doc.folder)
                             or "check the page's path")
            return
        target = index.documents.get(resolved)
        if anchor and target is not None and normalise_label(anchor) not in target.anchors(
                local=target is doc) and anchor not in target.anchors(local=target is doc):
            yield rules.make("REF004", *where, f"{path!r} has no heading or label {anchor!r}",
                             _suggest(anchor, target.anchors(local=False))
                             or "check the heading's anchor (its text, lower-cased, "
                                "spaces as hyphens)")
        return
    # no suffix: MyST resolves it as a label, a page or a file
    if not (normalise_label(path) in index.labels or resolved in index.docnames
            or index.exists(resolved) or _builtin_label(index, path)):
        yield rules.make("REF004", *where, f"{path!r} is not a page, label or file",
                         _suggest(normalise_label(path), index.labels) or
                         "link to a page with its .md file name")


def _builtin_label(index: BookIndex, target: str) -> bool:
    """A label Sphinx defines on every project (not in an essaykit book, whose build
    writes its own pages there)."""
    return index.project.kind != "essaykit" and target in SPHINX_LABELS


def _external(index: BookIndex, target: str, role: str) -> bool:
    """`{ref}`name:label`` and `{doc}`name:page``, where `name` is an intersphinx
    inventory: Sphinx looks the target up in that project, not this one."""
    if ":" not in target or not index.project.intersphinx or role not in (
            "ref", "numref", "doc", "term"):
        return False
    return target.split(":", 1)[0] in index.project.intersphinx


def _not_an_inventory(index: BookIndex, target: str) -> str:
    """A hint for a missing label in a book with intersphinx inventories: `name:label`
    whose `name` is not one, or a bare label that may be another project's."""
    if not index.project.intersphinx:
        return ""
    known = ", ".join(sorted(index.project.intersphinx))
    if ":" not in target:
        # Sphinx also looks an unprefixed label up in the inventories; say how to be sure
        return (f"define it with (label)=; if it is another project's, name its inventory "
                f"({known}): {{ref}}`name:{target}`")
    return (f"{target.split(':', 1)[0]!r} is not in intersphinx_mapping ({known}); "
            "if the label is this book's, define it with (label)=")


@lru_cache(maxsize=4096)
def _suffix(path: str) -> str:
    return splitext(path)[1]  # (once per file: a book links to the same pages many times)


def _anchor_exists(index: BookIndex, doc: Document, anchor: str) -> bool:
    return (anchor in doc.anchors(local=True)
            or normalise_label(anchor) in index.labels
            or normalise_label(anchor) in index.glossary)


@check("REF008")
def check_urls_in_prose(index: BookIndex) -> Iterator[Diagnostic]:
    """Bare URLs in the text and broken link syntax (`](` left in the text)."""
    for doc in index.documents.values():
        joined = essay_text(doc).joined  # (one look for the whole page first)
        if "/" not in joined and ":" not in joined:
            continue
        for prose in doc.prose:
            if "/" not in prose.text and ":" not in prose.text:
                continue
            broken = [m.start() for m in BROKEN_LINK.finditer(prose.text)]
            for offset in broken:
                if SCRIPT_TARGET.match(prose.text, offset + 2):
                    continue  # markdown-it refused a script URL: SEC009 reports it
                line, column = prose.locate(offset, "](")
                yield rules.make("REF008", doc.path, line, column,
                                 "broken link syntax: '](' left in the text",
                                 "check the link's brackets and parentheses are balanced")
            for offset, url in urls_in_prose(prose.text):
                problem = url_problem(url)
                if problem and offset - 2 not in broken:
                    line, column = prose.locate(offset, url[:12])
                    yield rules.make("REF008", doc.path, line, column,
                                     f"malformed URL {url!r}: {problem}",
                                     "copy the address again from the browser")


@check("REF005")
def check_duplicate_labels(index: BookIndex) -> Iterator[Diagnostic]:
    """Each label is defined once; both places of a clash are reported."""
    for every in index.labels.values():
        if len(every) < 2:
            continue
        kinds: dict[str, list[tuple[Document, Label]]] = {}
        for place in every:
            kinds.setdefault(place[1].kind, []).append(place)
        for doc, label, places in [(d, lab, same) for same in kinds.values() if len(same) > 1
                                   for d, lab in same]:
            others = ", ".join(f"{d.path}:{lab.line}" for d, lab in places if lab is not label)
            yield rules.make("REF005", doc.path, label.line, label.column,
                             f"label {label.name!r} is also defined at {others}",
                             "give each target its own label")
