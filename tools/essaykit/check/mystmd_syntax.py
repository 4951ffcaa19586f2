"""mystmd's syntax, on top of what myst-parser's tokens already give a page.

Read as mystmd's guide describes it (citations, cross-references, glossaries):
`[@key]`, `[@a; @b]`, `[-@key]` and `[e.g. @key, p. 3]` are citations (a
bracketed `@` is always one, as mystmd reads it); a bare `@key` is a citation
only when the key is in the bibliography (mystmd would try `@username` too and
warn, which is no help to anyone); `@label` is a cross-reference; a DOI, cited
or linked, cites the .bib entry with that DOI. `:label:` on any directive,
`+++ {"label": ...}`, math labels and a page's front-matter `label:` are labels.
`<#label>` is a link; `![](#label)` embeds; `xref:key` links must name a key of
`references:`; links myst.yml's error_rules ignore are not checked. A glossary
is a definition list.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace

from essaykit.check import references  # noqa: F401 - registers REF004 before the check below
from essaykit.check.citations import is_cite_role, normalise_doi
from essaykit.check.index import BookIndex
from essaykit.check.mystmd import MystProject
from essaykit.check.notebooks import code_cell_labels
from essaykit.check.parse import front_matter
from essaykit.check.parse_inline import OBJECT
from essaykit.check.project import Project
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.bib import BibFile
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.model import Document, GlossaryEntry, Label, Link, Role, normalise_label
from essaykit.core.settings import Config

# a bracketed citation group: "[@a; @b]", "[e.g. @a, p. 3]", "[-@a]"; no brackets inside
_GROUP = re.compile(r"\[([^\[\]]*)\]")
# pandoc's citation key: starts with a letter, digit or _, then those and internal
# punctuation; the @ stands at the start or after a space, "[", "(", ";" or "-"
_KEY = re.compile(r"(?:(?<=[\s\[(;])|^)-?@(\w(?:[\w:.#$%&+?<>~/-]*\w)?)")
_ANGLE_LINK = re.compile(r"<(#[^<>\s]+)>")
_LINK_TERM = re.compile(r"^\[([^\]]+)\]\([^)]*\)$")
_IS_DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?10\.\d+/", re.IGNORECASE)
_INLINE_CODE = re.compile(r"(`+)[^`].*?\1")
_DOLLAR_LABEL = re.compile(r"\$\$\s*\(([^()\s]+)\)\s*$")  # dollarmath's `$$ (label)`
_MATH_LABEL = re.compile(r"\\label\{([^{}\s]+)\}")


def read_mystmd_syntax(project: Project, config: Config, documents: Mapping[str, Document],
                       bibs: list[BibFile]) -> Config:
    """Add mystmd's labels, citations and embeds to each parsed page, drop the links
    myst.yml's error_rules silence, and add the project's abbreviations to the acronyms
    the book defines."""
    keys = {entry.key.lower() for bib in bibs for entry in bib.entries}
    dois = {normalise_doi(entry.fields["doi"]): entry.key for bib in bibs
            for entry in bib.entries if entry.fields.get("doi", "").strip()}
    for doc in documents.values():
        before = len(doc.labels)
        known = {(label.key, label.line) for label in doc.labels}
        add_labels(doc)
        # (a label the shared reader already took, at the same place, is not a second one)
        doc.labels[:] = [label for number, label in enumerate(doc.labels)
                         if number < before or (label.key, label.line) not in known]
        if doc.glossary:
            read_glossary(doc)
    labels = {label.key for doc in documents.values() for label in doc.labels}
    ignored = project.ignored_links if isinstance(project, MystProject) else ()
    for doc in documents.values():
        add_citations(doc, keys, labels, dois)
        angle_links(doc)
        read_links(doc, labels, ignored)
    if isinstance(project, MystProject) and project.abbreviations:
        config = replace(config, known_acronyms=config.known_acronyms | project.abbreviations)
    return config


def add_labels(doc: Document) -> None:
    """mystmd's labels beyond `(label)=` and `:name:`: `:label:` on any directive,
    `+++ {"label": ...}` block metadata, `$$ (label)` and `\\label{...}` in math,
    `#| label:` in a notebook's code cell, and the page's own `label:`."""
    for directive in doc.directives:
        name = directive.options.get("label", "").strip()
        if name and "name" not in directive.options:
            line = directive.option_lines.get("label", directive.line)
            doc.labels.append(Label(name, line, 1))
    for number, text in enumerate(doc.lines, 1):
        if text.startswith("+++") and "label" in text:
            try:
                meta = json.loads(text[3:].strip() or "{}")
            except ValueError:
                continue
            if isinstance(meta, dict) and isinstance(meta.get("label"), str):
                doc.labels.append(Label(meta["label"], number, 1))
        elif "$$" in text and (match := _DOLLAR_LABEL.search(text)):
            doc.labels.append(Label(match.group(1), number, match.start(1) + 1))
        elif "\\label{" in text:
            for match in _MATH_LABEL.finditer(_INLINE_CODE.sub(_blank, text)):
                doc.labels.append(Label(match.group(1), number, match.start(1) + 1))
    for name, line in code_cell_labels(doc):
        doc.labels.append(Label(name, line, 1))
    if doc.lines and doc.lines[0].strip() == "---":  # a page's own label
        label = front_matter("\n".join(doc.lines)).get("label")
        if isinstance(label, str) and label.strip():
            line = next((n for n, text in enumerate(doc.lines, 1)
                         if text.startswith("label:")), 1)
            doc.labels.append(Label(label.strip(), line, 1))
    for directive in doc.directives:
        name = directive.options.get("label", "").strip()
        if name and directive.kind == "figure" and not directive.argument:
            for letter, line in zip("abcdefghijklmnopqrstuvwxyz",
                                    _body_images(doc, directive.line), strict=False):
                doc.labels.append(Label(f"{name}-{letter}", line, 1))


def _body_images(doc: Document, line: int) -> list[int]:
    """The lines of the images in the body of the figure directive at `line`: mystmd
    makes each a subfigure, labelled after the figure, `-a`, `-b`, ..."""
    opening = doc.lines[line - 1].lstrip()
    fence = opening[:len(opening) - len(opening.lstrip(opening[:1]))]
    found = []
    for number in range(line, len(doc.lines)):
        text = doc.lines[number].strip()
        if text == fence:
            break
        if text.startswith("!["):
            found.append(number + 1)
    return found


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def read_glossary(doc: Document) -> None:
    """mystmd's glossary is a definition list: a term, then `: definition` lines, which
    may run on at the margin. Sphinx's reading (every line at the margin a term, terms
    in a row sharing one definition) would take those lines for terms and run the
    entries together; keep only the lines that are terms, each entry its own. A term
    written as a link, `[Gauge](https://...)`, is its link text."""
    terms = [(_LINK_TERM.sub(r"\1", term), line) for entry in doc.glossary
             for term, line in zip(entry.terms, entry.term_lines, strict=False)
             if not term.startswith(":") and not _runs_on(doc, line)]
    groups: list[list[tuple[str, int]]] = []
    for term, line in terms:
        previous = groups[-1][-1][1] if groups else 0
        if groups and not any(text.startswith(":")
                              for text in doc.lines[previous:line - 1]):
            groups[-1].append((term, line))  # terms in a row share a definition
        else:
            groups.append([(term, line)])
    doc.glossary[:] = [GlossaryEntry(tuple(term for term, _ in group), group[0][1],
                                     tuple(line for _, line in group)) for group in groups]


def _runs_on(doc: Document, line: int) -> bool:
    """Whether the line continues a definition above it (no blank line between): then
    it is run-on text, not a term."""
    number = line - 2
    while number >= 0 and doc.lines[number].strip():
        if doc.lines[number].startswith(": "):
            return True
        number -= 1
    return False


def add_citations(doc: Document, keys: set[str], labels: set[str],
                  dois: Mapping[str, str]) -> None:
    """Each `@key` of the page as a citation role, at the key's line and column. An
    `@label` is a cross-reference (mystmd tries labels first). A DOI (cited, or linked)
    cites the .bib entry with that DOI; one not in the .bib mystmd fetches from
    doi.org, so it is not checked."""
    roles: list[Role] = []
    for role in doc.roles:
        if is_cite_role(role.name) and _IS_DOI.search(role.content):
            for part in re.split(r"[;,\s]+", role.content.strip()):
                key = dois.get(normalise_doi(part)) if _IS_DOI.match(part) else part
                if key:  # (a DOI not in the .bib is fetched by mystmd: nothing to check)
                    roles.append(Role(role.name, key, role.line, role.column))
        else:
            roles.append(role)
    doc.roles[:] = roles
    for link in doc.links:  # a link to a DOI is a citation of the entry with that DOI
        key = dois.get(normalise_doi(link.href)) if _IS_DOI.match(link.href) else None
        if key:
            doc.roles.append(Role("cite:p", key, link.line, link.column))
    for prose in doc.prose:
        text = prose.text
        if "@" not in text:
            continue
        bracketed: set[int] = set()
        for group in _GROUP.finditer(text):
            if "@" not in group.group(1) or text[group.end():group.end() + 1] == "(":
                continue
            for match in _KEY.finditer(group.group(1)):
                bracketed.add(group.start(1) + match.start(1))
        cited: list[tuple[int, int]] = []  # spans of the keys read as citations
        for match in _KEY.finditer(text):
            key = match.group(1)
            if _IS_DOI.match(key):
                if match.start(1) in bracketed or dois.get(normalise_doi(key)):
                    cited.append(match.span(1))
                key = dois.get(normalise_doi(key), "")
                if key:
                    line, column = prose.locate(match.start(1), match.group(1))
                    doc.roles.append(Role("cite:p", key, line, column))
                continue
            key = key.rstrip(".:")  # sentence punctuation after a bare key
            if normalise_label(key) in labels:
                cited.append(match.span(1))
                continue
            if match.start(1) not in bracketed and key.lower() not in keys:
                continue  # a bare @word: a citation only when the key exists
            line, column = prose.locate(match.start(1), key)
            doc.roles.append(Role("cite:p", key, line, column))
            cited.append((match.start(1), match.start(1) + len(key)))
        for start, end in cited:  # markup, not words: no acronym or term is read in a key
            text = text[:start] + OBJECT * (end - start) + text[end:]
        prose.text = text


def angle_links(doc: Document) -> None:
    """`<#label>`: a link to a label in mystmd; markdown-it leaves it as text (it is no
    autolink to CommonMark), so it is read from the prose, and is markup, not words."""
    for prose in doc.prose:
        if "<#" not in prose.text:
            continue
        text = prose.text
        for match in _ANGLE_LINK.finditer(prose.text):
            line, column = prose.locate(match.start(), match.group())
            doc.links.append(Link(match.group(1), "link", line, column + 1))
            text = text[:match.start()] + OBJECT * len(match.group()) + text[match.end():]
        prose.text = text


def read_links(doc: Document, labels: set[str], ignored: tuple[str, ...]) -> None:
    """`![](#label)` and `![](xref:...)` embed content (no image: no alt text to ask
    for, but the target must exist); a link target that is a whole label, written
    without `#`, resolves to it; links myst.yml's error_rules ignore are not checked."""
    kept = []
    for link in doc.links:
        href = link.href.strip()
        if any(fnmatch.fnmatch(href, pattern) for pattern in ignored):
            continue
        if link.kind == "image" and href.startswith(("#", "xref:")):
            link = Link(href, "link", link.line, link.column)
        elif link.kind == "link" and ":" in href and "#" not in href \
                and normalise_label(href) in labels:
            link = Link("#" + href, "link", link.line, link.column)
        kept.append(link)
    doc.links[:] = kept


@check("REF004")
def check_xref_keys(index: BookIndex) -> Iterator[Diagnostic]:
    """`xref:key` links name a project of myst.yml's `references:`."""
    project = index.project
    if not isinstance(project, MystProject) or project.remote_extends:
        return  # (a remote configuration may define any key)
    for doc in index.documents.values():
        for link in doc.links:
            if not link.href.startswith("xref:"):
                continue
            key = re.split(r"[/#]", link.href[len("xref:"):], maxsplit=1)[0]
            if key not in project.references:
                known = ", ".join(sorted(project.references)) or "none"
                yield rules.make("REF004", doc.path, link.line, link.column,
                                 f"xref:{key} names no project in myst.yml's references "
                                 f"(known: {known})",
                                 f"add {key}: <url> under project.references in myst.yml")
