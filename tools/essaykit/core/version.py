"""essaykit's version: declared once, here.

pyproject.toml reads it (`[tool.setuptools.dynamic]`), `essaykit --version`
prints it, and the JSON outputs and the editors' dashboard carry it, so a bug
report or a CI log says which essaykit made what it shows.
"""

from __future__ import annotations

import platform

VERSION = "0.1.0"

# the packages whose releases most change what a build makes, for --version
REPORTED = ("sphinx", "myst-parser", "sphinx-book-theme", "weasyprint")


def version_report() -> str:
    """`essaykit 0.1.0 (Python 3.11.9, Sphinx 8.2.3, ...)`: what a bug report needs."""
    from importlib.metadata import PackageNotFoundError, version

    found = [f"Python {platform.python_version()}"]
    for name in REPORTED:
        try:
            found.append(f"{_display(name)} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{_display(name)} not installed")
    return f"essaykit {VERSION} ({', '.join(found)})"


def _display(name: str) -> str:
    return {"sphinx": "Sphinx", "weasyprint": "WeasyPrint"}.get(name, name)

