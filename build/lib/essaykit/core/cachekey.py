"""One key for every cache essaykit keeps between builds.

What a build stores (Sphinx's environment, the checker's parse, formatted
reference lists, rendered sidebars, the dashboard's chart, the PDFs, the
"nothing changed" fingerprint) depends on essaykit's own code and on the
releases of the packages that made it. Every cache is keyed on
`cache_key(its own inputs)`, which starts from `stack_key()`: Python's
version, the installed releases of the packages below, and essaykit's files.
So upgrading the theme, Sphinx or WeasyPrint rebuilds what they made.

Versions are read from the names of the installed `.dist-info` folders
(`sphinx-9.2.0.dist-info`): listing a folder costs a tenth of a millisecond,
where `importlib.metadata` took 77 ms for the same packages, too much for a
build that has nothing to do.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
from pathlib import Path

# bump to throw away every cache kept by an older layout
SCHEMA = 1

# every package whose output some cache stores (normalised names)
STACK = frozenset({
    "sphinx", "docutils", "myst-parser", "markdown-it-py", "mdit-py-plugins",
    "sphinx-book-theme", "pydata-sphinx-theme", "sphinxcontrib-bibtex", "pybtex",
    "pybtex-docutils", "latexcodec", "weasyprint", "pydyf", "tinycss2", "cssselect2",
    "tinyhtml5", "pyphen", "fonttools", "jinja2", "markupsafe", "pygments", "babel",
    "matplotlib", "pillow", "sphinxext-opengraph", "pyyaml", "accessible-pygments",
})


def normalise(name: str) -> str:
    """A distribution's name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def installed_stack() -> tuple[str, ...]:
    """`name==version` of each STACK package found on `sys.path`."""
    found: set[str] = set()
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info"):
                name, _, version = folder[: -len(".dist-info")].partition("-")
                if normalise(name) in STACK:
                    found.add(f"{normalise(name)}=={version}")
    return tuple(sorted(found))


@functools.cache
def essaykit_files() -> str:
    """A digest of essaykit's own files: names, sizes and modification times."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def stack_key() -> str:
    """What every cache shares: the schema, Python, the releases, essaykit."""
    text = repr((SCHEMA, sys.version, installed_stack(), essaykit_files()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cache_key(*inputs: object) -> str:
    """The key of one cached thing: the shared stack and the thing's own inputs
    (bytes are hashed as they are, anything else by its repr)."""
    digest = hashlib.sha256(stack_key().encode())
    for part in inputs:
        digest.update(b"\0")
        digest.update(part if isinstance(part, bytes) else repr(part).encode())
    return digest.hexdigest()
