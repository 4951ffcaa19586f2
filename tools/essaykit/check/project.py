"""Find the project a path belongs to and what it is made of.

Three shapes are understood, looked for at the starting folder, then upwards, then
(from a repository's root) one folder down:
an essaykit book (`book/book.yml`), a Jupyter Book 1 project (`_toc.yml`,
with `_config.yml`), and a plain Sphinx + MyST project (`conf.py`, read with
`ast` and never executed).
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from essaykit.core import rules
from essaykit.core.book import BOOK_FILE, read_book
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.mdconfig import HEADING_ANCHORS, MYST_EXTENSIONS, TITLE_TO_HEADER

# the source files Sphinx and Jupyter Book 1 (with MyST-NB and jupytext) read as pages
PAGE_SUFFIXES = (".md", ".ipynb", ".rst", ".Rmd")
# myst-parser's default myst_url_schemes: any other scheme is read as a reference
MYST_URL_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})
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
    # myst_url_schemes: a link whose scheme is not listed is a reference to a label or
    # page (`[](eq:label)`); None keeps essaykit's own reading (an unknown scheme is a slip)
    url_schemes: frozenset[str] | None = None
    intersphinx: frozenset[str] = frozenset()  # intersphinx_mapping's keys ({ref}`key:label`)
    other_pages: tuple[str, ...] = ()  # pages in the order the checker does not parse (.rst)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def docname(self, page: str) -> str:
        return str(PurePosixPath(page).with_suffix(""))

    def excluded(self, relative: str) -> bool:
        return any(fnmatch.fnmatch(relative, pattern) for pattern in self.exclude)


def _essaykit(root: Path) -> Project:
    return essaykit_project(root)


def _jupyter_book(root: Path) -> Project:
    from essaykit.check.jupyterbook import jupyter_book_project

    return jupyter_book_project(root)


def _mystmd(root: Path) -> Project:
    from essaykit.check.mystmd import mystmd_project

    return mystmd_project(root)


def _sphinx(root: Path) -> Project:
    from essaykit.check.sphinxconf import sphinx_project

    return sphinx_project(root)


# The kinds of project, by the file that marks a project's root, in order of precedence.
# (Each reader is imported on use: most runs need one.)
PROJECT_KINDS: list[tuple[str, Callable[[Path], Project]]] = [
    (str(BOOK_FILE), _essaykit),
    ("_toc.yml", _jupyter_book),
    ("myst.yml", _mystmd),  # Jupyter Book 2 / mystmd
    ("conf.py", _sphinx),
]


def project_reader(folder: Path) -> Callable[[Path], Project] | None:
    """The reader for the project whose root is `folder`, or None if it is none."""
    return next((read for marker, read in PROJECT_KINDS if (folder / marker).is_file()), None)


def discover(start: Path) -> Project:
    """The project holding `start` (a file or folder): at `start` itself; at the path
    `[tool.essaykit] book` names in the pyproject.toml there; in the folders above
    it; or else (run from a repository's root) in the one folder just below it that
    holds a project."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    read = project_reader(folder)
    if read is not None:
        return read(folder)
    configured = _configured_book(folder)
    if isinstance(configured, Project):
        return configured
    for candidate in folder.parents:
        read = project_reader(candidate)
        if read is not None:
            return read(candidate)
    below = [(child, read) for child in _subfolders(folder)
             if (read := project_reader(child)) is not None]
    if len(below) == 1:
        child, read = below[0]
        return read(child)
    project = Project("none", folder, "")
    if below:
        names = ", ".join(f"{child.name}/" for child, _ in below)
        project.diagnostics.append(rules.make(
            "CFG003", start.name or str(start), 1, 1,
            f"several books below {folder}: {names}",
            "run `essaykit check` on one of them, or name it in pyproject.toml: "
            f'[tool.essaykit] book = "{below[0][0].name}"'))
        return project
    project.diagnostics.append(rules.make(
        "CFG003", start.name or str(start), 1, 1,
        f"no book found at or above {folder}, nor in a folder just below it",
        "run inside an essaykit book (book/book.yml), a Jupyter Book (_toc.yml, or "
        "myst.yml for Jupyter Book 2 / mystmd) or a Sphinx project (conf.py), or name "
        'the book\'s folder in pyproject.toml: [tool.essaykit] book = "docs"',
    ))
    return project


def _configured_book(folder: Path) -> Project | None:
    """The book `[tool.essaykit] book` names, read from `folder`'s own pyproject.toml."""
    config = folder / "pyproject.toml"
    if not config.is_file():
        return None
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # the settings reader reports it
    tool = data.get("tool")
    table = tool.get("essaykit") if isinstance(tool, dict) else None
    book = table.get("book") if isinstance(table, dict) else None
    if not isinstance(book, str) or not book.strip():
        return None
    target = (folder / book).resolve()
    read = project_reader(target) if target.is_dir() else None
    if read is None:
        project = Project("none", folder, "")
        project.diagnostics.append(rules.make(
            "CFG003", "pyproject.toml", 1, 1,
            f"[tool.essaykit] book = {book!r} is not a book's folder",
            "name the folder holding _toc.yml, conf.py or book/book.yml"))
        return project
    return read(target)


def _subfolders(folder: Path) -> list[Path]:
    try:
        children = sorted(folder.iterdir())
    except OSError:
        return []
    return [child for child in children if child.is_dir() and not child.name.startswith(".")
            and child.name not in SKIP_DIRS and not child.is_symlink()]


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
    for option in ([clean] if clean.suffix in PAGE_SUFFIXES else []) + [
            clean.with_name(clean.name + suffix) for suffix in PAGE_SUFFIXES]:
        if (root / option).is_file():
            return option.as_posix()
    return None
