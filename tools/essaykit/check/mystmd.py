"""A Jupyter Book 2 / mystmd project: `myst.yml` for settings and the table of contents.

Read as mystmd reads it (its guide: configuration, table of contents, citations,
cross-references, glossaries): `version: 1`; `project:` with `toc:` (`file`,
`children`, `pattern` globs, `url` and title-only entries; without a toc, every
.md and .ipynb file, index first, as mystmd's implicit toc), `bibliography:`
(without one, every .bib file in the project), `abbreviations:` (acronyms
defined there are defined), `references:` (the keys `xref:` links may name),
`exclude:`; `extends:` of local files. The file is read with the strict YAML
loader, so each entry keeps its line.

mystmd's own syntax (citations, labels, links) is read in mystmd_syntax.py.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from essaykit.check.project import SKIP_DIRS, Project
from essaykit.core import rules
from essaykit.core.yamlsafe import Located, StrictYamlError, load

CONFIG_FILE = "myst.yml"
# mystmd reads these MyST extensions always
MYSTMD_EXTENSIONS = frozenset({"alert", "amsmath", "colon_fence", "deflist", "dollarmath",
                               "strikethrough", "tasklist"})
MYSTMD_EXCLUDE = ("_build", "_build/**", "node_modules", "node_modules/**")



@dataclass
class MystProject(Project):
    abbreviations: frozenset[str] = frozenset()
    references: frozenset[str] = frozenset()  # keys `xref:` links may name
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
