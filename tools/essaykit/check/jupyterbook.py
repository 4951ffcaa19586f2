"""A Jupyter Book 1 project: `_config.yml` for settings, `_toc.yml` for the order.

Both are read with the strict YAML loader, so each entry keeps its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from essaykit.check.project import Project, markdown_files, resolve_page
from essaykit.check.sphinxconf import intersphinx_keys, url_schemes
from essaykit.core import rules
from essaykit.core.yamlsafe import Located, StrictYamlError, load

# Jupyter Book 1's own default for `parse.myst_enable_extensions`
JB_EXTENSIONS = frozenset({"colon_fence", "dollarmath", "linkify", "substitution", "tasklist"})
# Jupyter Book 1's default `parse.myst_url_schemes`: `[](content:label)` is a reference
JB_URL_SCHEMES = frozenset({"mailto", "http", "https"})
JB_EXCLUDE = ("_build", "_build/**", "**.ipynb_checkpoints", ".DS_Store", "Thumbs.db")


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


def jupyter_book_project(root: Path) -> Project:
    root = root.resolve()
    # Jupyter Book numbers figures unless its _config.yml says otherwise
    project = Project("jupyter-book", root, "_toc.yml", heading_anchors=0,
                      extensions=JB_EXTENSIONS, title_to_header=False, numbered_figures=True)
    config = _load(root / "_config.yml", "_config.yml", project)
    settings: dict[str, Any] = config.value if config and isinstance(config.value, dict) else {}
    bibfiles = settings.get("bibtex_bibfiles", [])
    project.bibfiles = tuple(str(b) for b in bibfiles) if isinstance(bibfiles, list) else ()
    exclude = settings.get("exclude_patterns", [])
    project.exclude = JB_EXCLUDE + (tuple(str(e) for e in exclude)
                                    if isinstance(exclude, list) else ())
    parse = settings.get("parse") if isinstance(settings.get("parse"), dict) else {}
    extensions = parse.get("myst_enable_extensions") if isinstance(parse, dict) else None
    if isinstance(extensions, list):
        project.extensions = frozenset(str(e) for e in extensions)
    schemes = parse.get("myst_url_schemes") if isinstance(parse, dict) else None
    sphinx = settings.get("sphinx") if isinstance(settings.get("sphinx"), dict) else {}
    sphinx_config = sphinx.get("config") if isinstance(sphinx, dict) else None
    if isinstance(sphinx_config, dict):
        anchors = sphinx_config.get("myst_heading_anchors")
        if isinstance(anchors, int) and 0 <= anchors <= 7:
            project.heading_anchors = anchors
        project.title_to_header = sphinx_config.get("myst_title_to_header") is True
        # sphinx.config is passed to Sphinx last, so it wins over parse:
        schemes = sphinx_config.get("myst_url_schemes", schemes)
        project.intersphinx = intersphinx_keys(sphinx_config.get("intersphinx_mapping"))
    project.url_schemes = JB_URL_SCHEMES if schemes is None else url_schemes(schemes)

    toc = _load(root / "_toc.yml", "_toc.yml", project)
    order: list[str] = []
    if toc is not None and isinstance(toc.value, dict):
        _walk_toc(toc.value, (), toc, root, project, order)
    elif toc is not None:
        project.diagnostics.append(rules.make("CFG001", "_toc.yml", 1, 1,
                                              "_toc.yml must be a mapping with a 'root'", ""))
    project.root_doc = order[0] if order else ""
    markdown = [page for page in order if page.endswith((".md", ".Rmd", ".ipynb"))]
    project.pages = tuple(dict.fromkeys(markdown))
    project.other_pages = tuple(dict.fromkeys(page for page in order if page not in markdown))
    project.essays = tuple(page for page in project.pages if page != project.root_doc)
    if settings.get("only_build_toc_files") is True:
        # (sphinx-external-toc's external_toc_exclude_missing): Sphinx reads no other page
        return project
    every = markdown_files(root, root, exclude=project.exclude)
    project.candidates = tuple(path for path in every if path not in order)
    return project


def _walk_toc(node: dict[Any, Any], at: tuple[object, ...], toc: Located, root: Path,
              project: Project, order: list[str]) -> None:
    for key in ("root", "file"):
        value = node.get(key)
        if isinstance(value, str):
            page = resolve_page(root, "", value)
            if page is None:
                project.diagnostics.append(rules.make(
                    "BOOK002", "_toc.yml", toc.line_of(*at, key), 1,
                    f"{value!r} does not exist", "create the file or remove it from _toc.yml"))
            else:
                order.append(page)
    for key in ("parts", "chapters", "sections", "subtrees", "entries"):
        items = node.get(key)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict):
                    _walk_toc(item, at + (key, index), toc, root, project, order)
