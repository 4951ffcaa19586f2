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
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from essaykit.check.index import BookIndex
from essaykit.check.project import SKIP_DIRS, Project
from essaykit.check.references import MYSTMD_LINK_SCHEMES as LINK_SCHEMES  # noqa: F401
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.bib import BibFile
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.model import Document, Label, Role
from essaykit.core.settings import Config
from essaykit.core.yamlsafe import Located, StrictYamlError, load

CONFIG_FILE = "myst.yml"
# mystmd reads these MyST extensions always
MYSTMD_EXTENSIONS = frozenset({"amsmath", "colon_fence", "deflist", "dollarmath",
                               "strikethrough", "tasklist"})
PAGE_SUFFIXES = (".md", ".ipynb")
MYSTMD_EXCLUDE = ("_build", "_build/**", "node_modules", "node_modules/**")

# a bracketed citation group: "[@a; @b]", "[e.g. @a, p. 3]", "[-@a]"; no brackets inside
_GROUP = re.compile(r"\[([^\[\]]*)\]")
# pandoc's citation key: starts with a letter, digit or _, then those and internal
# punctuation; the @ stands at the start or after a space, "[", "(", ";" or "-"
_KEY = re.compile(r"(?:(?<=[\s\[(;])|^)-?@(\w(?:[\w:.#$%&+?<>~/-]*\w)?)")
_DOI = re.compile(r"^10\.\d+/")


@dataclass
class MystProject(Project):
    abbreviations: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()  # keys `xref:` links may name
    reference_line: int = 1  # where `references:` is written (or myst.yml's first line)


def mystmd_project(root: Path) -> MystProject:
    root = root.resolve()
    project = MystProject("mystmd", root, CONFIG_FILE, heading_anchors=6,
                          extensions=MYSTMD_EXTENSIONS, title_to_header=True,
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
    abbreviations = {**merged.get("abbreviations", {}), **_mapping(section, "abbreviations")}
    project.abbreviations = frozenset(str(key) for key in abbreviations)
    references = {**merged.get("references", {}), **_mapping(section, "references")}
    project.references = frozenset(str(key) for key in references)
    project.reference_line = config.line_of("project", "references")
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
    def key(path: str) -> list[object]:
        parts = PurePosixPath(path).parts
        stem = PurePosixPath(path).stem.lower()
        first = 0 if stem in ("index", "readme", "main") else 1
        return [*(_natural(p) for p in parts[:-1]), first, _natural(parts[-1])]

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
    """Add mystmd's citations and `:label:` labels to each parsed page, and the
    project's abbreviations to the acronyms the book defines."""
    keys = {entry.key.lower() for bib in bibs for entry in bib.entries}
    for doc in documents.values():
        add_labels(doc)
        add_citations(doc, keys)
    if isinstance(project, MystProject) and project.abbreviations:
        config = replace(config, known_acronyms=config.known_acronyms | project.abbreviations)
    return config


def add_labels(doc: Document) -> None:
    """mystmd takes `:label:` on any directive as its label (as `:name:` in Sphinx)."""
    for directive in doc.directives:
        name = directive.options.get("label", "").strip()
        if name and "name" not in directive.options:
            line = directive.option_lines.get("label", directive.line)
            doc.labels.append(Label(name, line, 1))


def add_citations(doc: Document, keys: set[str]) -> None:
    """Each `@key` of the page as a citation role, at the key's line and column."""
    for prose in doc.prose:
        text = prose.text
        if "@" not in text:
            continue
        bracketed: set[int] = set()
        for group in _GROUP.finditer(text):
            if "@" not in group.group(1) or text[group.end():group.end() + 1] == "(":
                continue  # a link's text (markdown-it kept the brackets: no link) or none
            for match in _KEY.finditer(group.group(1)):
                bracketed.add(group.start(1) + match.start(1))
        for match in _KEY.finditer(text):
            key = match.group(1)
            if _DOI.match(key):
                continue
            key = key.rstrip(".:")  # sentence punctuation after a bare key
            if match.start(1) not in bracketed and key.lower() not in keys:
                continue  # a bare @word: a citation only when the key exists
            line, column = prose.locate(match.start(1), key)
            doc.roles.append(Role("cite:p", key, line, column))


@check("REF004")
def check_xref_keys(index: BookIndex) -> Iterator[Diagnostic]:
    """`xref:key` links name a project of myst.yml's `references:`."""
    project = index.project
    if not isinstance(project, MystProject):
        return
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
