"""A Jupyter Book 2 / mystmd project: `myst.yml` for settings and the table of contents.

Read as mystmd reads it (its guide: configuration, table of contents, citations,
cross-references, glossaries): `version: 1`; `project:` with `toc:` (`file`,
`children`, `pattern` globs, `url` and title-only entries; without a toc, every
.md and .ipynb file, index first, as mystmd's implicit toc), `bibliography:`
(without one, every .bib file in the project), `abbreviations:` (acronyms
defined there are defined), `references:` (the keys `xref:` links may name),
`exclude:`; `extends:` of local files. The file is read with the strict YAML
loader, so each entry keeps its line.

mystmd's own syntax, on top of what myst-parser's tokens already give:
`[@key]`, `[@a; @b]`, `[-@key]` and `[e.g. @key, p. 3]` are citations (a
bracketed `@` is always one, as mystmd reads it); a bare `@key` is a citation
only when the key is in the bibliography (mystmd would try `@username` too and
warn, which is no help to anyone); a DOI cited as `@10.x/y` is not checked
against the .bib. `:label:` on any directive is a label. `xref:key` links must
name a key of `references:`; `wiki:`, `doi:`, `github:`, `rrid:`, `ror:` links
are mystmd's own link schemes.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from essaykit.check import references  # noqa: F401 - registers REF004 before the check below
from essaykit.check.citations import is_cite_role, normalise_doi
from essaykit.check.index import BookIndex
from essaykit.check.notebooks import code_cell_labels
from essaykit.check.parse import front_matter
from essaykit.check.parse_inline import OBJECT
from essaykit.check.project import SKIP_DIRS, Project
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.bib import BibFile
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.model import Document, GlossaryEntry, Label, Link, Role, normalise_label
from essaykit.core.settings import Config
from essaykit.core.yamlsafe import Located, StrictYamlError, load

CONFIG_FILE = "myst.yml"
# mystmd reads these MyST extensions always
MYSTMD_EXTENSIONS = frozenset({"alert", "amsmath", "colon_fence", "deflist", "dollarmath",
                               "strikethrough", "tasklist"})
MYSTMD_EXCLUDE = ("_build", "_build/**", "node_modules", "node_modules/**")

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


@dataclass
class MystProject(Project):
    abbreviations: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()  # keys `xref:` links may name
    reference_line: int = 1  # where `references:` is written (or myst.yml's first line)
    ignored_links: tuple[str, ...] = ()  # error_rules' link-resolves keys set to ignore
    remote_extends: bool = False  # extends: a URL (not fetched: its settings are unknown)


def mystmd_project(root: Path) -> MystProject:
    root = root.resolve()
    # (title_to_header off: mystmd shows the front matter's title above the page, and
    # a `#` heading in the body is a section of its own)
    project = MystProject("mystmd", root, CONFIG_FILE, heading_anchors=6,
                          extensions=MYSTMD_EXTENSIONS, title_to_header=False,
                          numbered_figures=True)
    config = _load(root / CONFIG_FILE, CONFIG_FILE, project)
    if config is None:
        return project
    settings = config.value if isinstance(config.value, dict) else {}
    if settings.get("version") != 1:
        project.diagnostics.append(rules.make(
            "CFG001", CONFIG_FILE, config.line_of("version"), 1,
            f"myst.yml's version is {settings.get('version')!r}; mystmd reads version 1",
            "write 'version: 1' at the top of myst.yml"))
    section = settings.get("project")
    section = section if isinstance(section, dict) else {}
    merged = _extended(root, settings, project)
    extends = settings.get("extends", [])
    project.remote_extends = any("://" in str(name) for name in (
        extends if isinstance(extends, list) else [extends]))
    abbreviations = {**merged.get("abbreviations", {}), **_mapping(section, "abbreviations")}
    project.abbreviations = frozenset(str(key) for key in abbreviations)
    xref_keys = {**merged.get("references", {}), **_mapping(section, "references")}
    project.references = frozenset(str(key) for key in xref_keys)
    project.reference_line = config.line_of("project", "references")
    project.ignored_links = _ignored_links(section)
    exclude = section.get("exclude", [])
    exclude = [exclude] if isinstance(exclude, str) else exclude
    project.exclude = MYSTMD_EXCLUDE + tuple(str(e) for e in exclude
                                             if isinstance(exclude, list))
    every = page_files(root, project.exclude)
    toc = section.get("toc")
    order: list[str] = []
    if isinstance(toc, list):
        _walk_toc(toc, ("project", "toc"), config, root, project, order, every)
    else:
        order = implicit_order(every)
    project.pages = tuple(dict.fromkeys(order))
    project.root_doc = project.pages[0] if project.pages else ""
    project.essays = project.pages[1:]
    bibliography = section.get("bibliography")
    bibliography = [bibliography] if isinstance(bibliography, str) else bibliography
    if isinstance(bibliography, list):
        project.bibfiles = tuple(str(b) for b in bibliography
                                 if isinstance(b, str) and "://" not in b)
    else:  # mystmd reads every .bib in the project
        project.bibfiles = tuple(sorted(
            path for path in _files(root, ("*.bib",)) if not project.excluded(path)))
    return project


def _load(path: Path, shown: str, project: Project) -> Located | None:
    try:
        return load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        project.diagnostics.append(rules.make("CFG001", shown, 1, 1, f"cannot read: {err}", ""))
    except StrictYamlError as err:
        project.diagnostics.append(rules.make("CFG001", shown, err.line, err.column,
                                              err.message, "fix the YAML"))
    return None


def _ignored_links(section: Mapping[str, Any]) -> tuple[str, ...]:
    """The link targets myst.yml tells mystmd not to check (`error_rules`, rule
    `link-resolves`, severity `ignore`): globs, `**` crossing slashes."""
    found: list[str] = []
    rules_ = section.get("error_rules")
    for item in rules_ if isinstance(rules_, list) else []:
        if isinstance(item, dict) and item.get("rule") == "link-resolves" \
                and item.get("severity") == "ignore":
            keys = item.get("keys", [])
            found.extend(str(key) for key in (keys if isinstance(keys, list) else [keys]))
    return tuple(found)


def _mapping(section: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = section.get(key)
    return value if isinstance(value, dict) else {}


def _extended(root: Path, settings: Mapping[str, Any], project: Project) -> dict[str, Any]:
    """`abbreviations` and `references` from the local files `extends:` names (a URL is
    not fetched: the checker reads no network)."""
    extends = settings.get("extends", [])
    extends = [extends] if isinstance(extends, str) else extends
    merged: dict[str, Any] = {"abbreviations": {}, "references": {}}
    if not isinstance(extends, list):
        return merged
    for name in extends:
        if not isinstance(name, str) or "://" in name:
            continue
        path = (root / name).resolve()
        if not path.is_relative_to(root):
            continue
        located = _load(path, name, project)
        if located is None or not isinstance(located.value, dict):
            continue
        section = located.value.get("project")
        if isinstance(section, dict):
            for key in merged:
                merged[key].update(_mapping(section, key))
    return merged


def _files(root: Path, patterns: tuple[str, ...]) -> list[str]:
    found = []
    for pattern in patterns:
        for path in root.rglob(pattern):
            parts = path.relative_to(root).parts
            if any(part.startswith((".", "_")) or part in SKIP_DIRS for part in parts[:-1]):
                continue
            if path.is_file():
                found.append(path.relative_to(root).as_posix())
    return found


def page_files(root: Path, exclude: tuple[str, ...]) -> list[str]:
    """Every page mystmd would find in the project: .md and .ipynb files, less hidden
    folders, `_build`, `node_modules` and `exclude:`."""
    return sorted(path for path in _files(root, ("*.md", "*.ipynb"))
                  if not any(fnmatch.fnmatch(path, pattern) for pattern in exclude)
                  and not PurePosixPath(path).name.startswith((".", "_")))


def _natural(text: str) -> list[object]:
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", text)]


def implicit_order(pages: list[str]) -> list[str]:
    """mystmd's implicit toc: folder by folder, an index (or README) first, the rest in
    natural order (child9 before child10)."""
    def key(path: str) -> tuple[object, ...]:
        parts = PurePosixPath(path).parts
        stem = PurePosixPath(path).stem.lower()
        first = 0 if stem in ("index", "readme", "main") else 1
        # a folder's pages after the pages beside it
        return tuple(_natural(p) for p in parts[:-1]), first, _natural(parts[-1])

    return sorted(pages, key=key)


def _walk_toc(items: list[Any], at: tuple[object, ...], config: Located, root: Path,
              project: Project, order: list[str], every: list[str]) -> None:
    listed = {str(PurePosixPath(item["file"])) for item in _flatten(items)
              if isinstance(item.get("file"), str)}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        where = at + (index,)
        name = item.get("file")
        if isinstance(name, str):
            page = PurePosixPath(name.lstrip("./") if name.startswith("./") else name)
            if (root / page).is_file():
                order.append(page.as_posix())
            else:
                project.diagnostics.append(rules.make(
                    "BOOK002", CONFIG_FILE, config.line_of(*where, "file"), 1,
                    f"toc entry {name!r} names no file",
                    "create the file or remove it from myst.yml's toc"))
        pattern = item.get("pattern")
        if isinstance(pattern, str):
            matched = [page for page in every if fnmatch.fnmatch(page, pattern.lstrip("./"))
                       and page not in listed]
            matched = implicit_order(matched)
            if item.get("sort") == "descending":
                matched.reverse()
            order.extend(matched)
        children = item.get("children")
        if isinstance(children, list):
            _walk_toc(children, where + ("children",), config, root, project, order, every)


def _flatten(items: list[Any]) -> Iterator[dict[str, Any]]:
    for item in items:
        if isinstance(item, dict):
            yield item
            children = item.get("children")
            if isinstance(children, list):
                yield from _flatten(children)


# ---- syntax ------------------------------------------------------------------------

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
