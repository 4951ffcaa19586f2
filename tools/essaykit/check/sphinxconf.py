"""A plain Sphinx + MyST project, from its conf.py read with `ast` (never run).

Only literal top-level assignments are understood (`root_doc = "index"`,
`bibtex_bibfiles = ["refs.bib"]`, ...); a value computed at run time is
left at Sphinx's default. The reading order is the toctree tree from the
root document, which the checker reads from the parsed pages themselves.
"""

from __future__ import annotations

import ast
from pathlib import Path

from essaykit.check.project import MYST_URL_SCHEMES, Project, markdown_files
from essaykit.core import rules

WANTED = frozenset({
    "root_doc", "master_doc", "bibtex_bibfiles", "exclude_patterns", "myst_enable_extensions",
    "myst_heading_anchors", "myst_title_to_header", "numfig", "language", "myst_url_schemes",
    "intersphinx_mapping",
})
DEFAULT_EXCLUDE = ("_build", "_build/**", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints")


def read_conf(path: Path) -> tuple[dict[str, object], list[str], int]:
    """Literal settings from conf.py; an error message and its line if it does not parse."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as err:
        return {}, [f"conf.py does not parse: {err.msg}"], err.lineno or 1
    except (OSError, UnicodeDecodeError, ValueError) as err:
        return {}, [f"cannot read conf.py: {err}"], 1
    settings: dict[str, object] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value = list(node.targets), node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id in WANTED and value is not None:
                try:
                    settings[target.id] = ast.literal_eval(value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue  # computed at run time: keep Sphinx's default
    return settings, [], 1


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(str(item) for item in value if isinstance(item, str))
    return ()


def url_schemes(value: object) -> frozenset[str]:
    """myst_url_schemes as myst-parser reads it: a list of schemes or a mapping of
    scheme to link template; unset, myst-parser's own default."""
    if isinstance(value, (list, tuple, dict)):
        return frozenset(str(scheme).lower() for scheme in value if isinstance(scheme, str))
    return MYST_URL_SCHEMES


def intersphinx_keys(value: object) -> frozenset[str]:
    """The inventory names of intersphinx_mapping ({ref}`name:label` goes there)."""
    return frozenset(str(key) for key in value) if isinstance(value, dict) else frozenset()


def sphinx_project(root: Path) -> Project:
    root = root.resolve()
    settings, errors, line = read_conf(root / "conf.py")
    project = Project("sphinx", root, "conf.py", heading_anchors=0,
                      extensions=frozenset(), title_to_header=False)
    for message in errors:
        project.diagnostics.append(rules.make("CFG001", "conf.py", line, 1, message,
                                              "fix conf.py"))
    root_doc = settings.get("root_doc", settings.get("master_doc", "index"))
    project.root_doc = f"{root_doc if isinstance(root_doc, str) else 'index'}.md"
    project.bibfiles = _strings(settings.get("bibtex_bibfiles"))
    project.exclude = DEFAULT_EXCLUDE + _strings(settings.get("exclude_patterns"))
    project.extensions = frozenset(_strings(settings.get("myst_enable_extensions")))
    anchors = settings.get("myst_heading_anchors", 0)
    project.heading_anchors = anchors if isinstance(anchors, int) and 0 <= anchors <= 7 else 0
    project.title_to_header = settings.get("myst_title_to_header") is True
    project.numbered_figures = settings.get("numfig") is True
    project.url_schemes = url_schemes(settings.get("myst_url_schemes"))
    project.intersphinx = intersphinx_keys(settings.get("intersphinx_mapping"))
    language = settings.get("language")
    project.language = language if isinstance(language, str) and language else "en"
    every = markdown_files(root, root, exclude=project.exclude)
    if project.root_doc not in every:
        project.diagnostics.append(rules.make(
            "BOOK002", "conf.py", 1, 1, f"the root document {project.root_doc!r} does not exist",
            "create it or set root_doc in conf.py"))
        project.pages = tuple(every)
    else:
        project.pages = (project.root_doc,) + tuple(p for p in every if p != project.root_doc)
    project.essays = tuple(page for page in project.pages if page != project.root_doc)
    return project
