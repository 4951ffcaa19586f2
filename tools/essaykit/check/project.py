"""Find the project a path belongs to and what it is made of.

Three shapes are understood, looked for from the starting folder upwards:
an essaykit book (`book/book.yml`), a Jupyter Book 1 project (`_toc.yml`,
with `_config.yml`), and a plain Sphinx + MyST project (`conf.py`, read with
`ast` and never executed).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from essaykit.core import rules
from essaykit.core.book import BOOK_FILE, read_book
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.mdconfig import HEADING_ANCHORS, MYST_EXTENSIONS, TITLE_TO_HEADER

SKIP_DIRS = frozenset({"_build", "node_modules", "__pycache__", "venv", "site-packages"})


@dataclass
class Project:
    kind: str  # "essaykit", "jupyter-book", "mystmd", "sphinx" or "none"
    root: Path
    config_file: str  # shown path of the file that defines the order
    pages: tuple[str, ...] = ()  # in reading order; posix paths relative to root
    essays: tuple[str, ...] = ()  # the pages jargon and essay front matter are checked on
    root_doc: str = ""
    candidates: tuple[str, ...] = ()  # other .md files Sphinx would also read
    bibfiles: tuple[str, ...] = ()
    jargon: str | None = None
    extensions: frozenset[str] = MYST_EXTENSIONS
    heading_anchors: int = HEADING_ANCHORS
    title_to_header: bool = TITLE_TO_HEADER
    front_matter_schema: bool = False
    autolink_terms: bool = False  # does the build link first uses of terms itself?
    numbered_figures: bool = False  # Sphinx's numfig: can {numref} show a number?
    exclude: tuple[str, ...] = ()
    trusted: tuple[str, ...] = ()  # book.yml's allow-list: files and folders the editor trusts
    language: str = "en"  # docutils reads directive and role names in this language too
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def docname(self, page: str) -> str:
        return str(PurePosixPath(page).with_suffix(""))

    def excluded(self, relative: str) -> bool:
        return any(fnmatch.fnmatch(relative, pattern) for pattern in self.exclude)


def discover(start: Path) -> Project:
    """The project holding `start` (a file or folder)."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / BOOK_FILE).is_file():
            return essaykit_project(candidate)
        if (candidate / "_toc.yml").is_file():
            from essaykit.check.jupyterbook import jupyter_book_project

            return jupyter_book_project(candidate)
        if (candidate / "myst.yml").is_file():
            from essaykit.check.mystmd import mystmd_project

            return mystmd_project(candidate)
        if (candidate / "conf.py").is_file():
            from essaykit.check.sphinxconf import sphinx_project

            return sphinx_project(candidate)
    project = Project("none", folder, "")
    project.diagnostics.append(rules.make(
        "CFG003", start.name or str(start), 1, 1,
        f"no book found at or above {folder}",
        "run inside an essaykit book (book/book.yml), a Jupyter Book (_toc.yml, or "
        "myst.yml for Jupyter Book 2 / mystmd) or a Sphinx project (conf.py)",
    ))
    return project


def essaykit_project(root: Path) -> Project:
    book, problems = read_book(root)
    project = Project("essaykit", root.resolve(), str(BOOK_FILE), front_matter_schema=True,
                      autolink_terms=True, root_doc="book/index.md")
    project.diagnostics.extend(problems)
    if (root / "conf.py").is_file():
        from essaykit.check.sphinxconf import read_conf

        settings, _, _ = read_conf(root / "conf.py")
        project.numbered_figures = settings.get("numfig") is True
    else:
        settings = {}
    if book is None:
        return project
    project.pages = tuple(page for page in book.pages if (root / page).is_file())
    found = set(project.pages)
    project.essays = tuple(page for page in book.essays
                           if page in found or (root / page).is_file())
    project.bibfiles = (book.bibliography,) if book.bibliography else ()
    project.jargon = book.jargon
    project.trusted = book.trusted
    language = settings.get("language")  # conf.py's own setting wins, as in the build
    project.language = language if isinstance(language, str) and language else book.language
    folders = sorted({PurePosixPath(page).parent.as_posix() for page in book.pages} - {"."})
    project.candidates = tuple(
        path for folder in folders for path in markdown_files(root, root / folder)
        if path not in found
    )
    return project


def markdown_files(root: Path, folder: Path, *, recursive: bool = True,
                   exclude: tuple[str, ...] = ()) -> list[str]:
    """The .md files under `folder`, as posix paths relative to `root`, sorted."""
    if not folder.is_dir():
        return []
    found: list[str] = []
    pattern = "**/*.md" if recursive else "*.md"
    for path in folder.glob(pattern):
        relative = path.relative_to(root)
        parts = relative.parts
        if any(part.startswith(".") or part in SKIP_DIRS for part in parts[:-1]):
            continue
        shown = relative.as_posix()
        if any(fnmatch.fnmatch(shown, pattern) for pattern in exclude) or not path.is_file():
            continue
        found.append(shown)
    return sorted(found)


def resolve_page(root: Path, base: str, target: str) -> str | None:
    """The page a toctree or _toc.yml entry names, as a path relative to `root`
    (with `.md` added when missing), or None when it does not resolve to a file."""
    target = target.strip()
    joined = PurePosixPath(target.lstrip("/")) if target.startswith("/") else \
        PurePosixPath(base) / target
    parts: list[str] = []
    for part in joined.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part not in (".", ""):
            parts.append(part)
    if not parts:
        return None
    clean = PurePosixPath(*parts)
    for option in ([clean] if clean.suffix in (".md", ".ipynb", ".rst") else []) + [
        clean.with_name(clean.name + ".md"), clean.with_name(clean.name + ".ipynb"),
        clean.with_name(clean.name + ".rst"),
    ]:
        if (root / option).is_file():
            return option.as_posix()
    return None
