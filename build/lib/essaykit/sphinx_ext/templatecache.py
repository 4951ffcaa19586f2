"""The theme's Jinja templates compiled once, not in every build.

pydata-sphinx-theme and sphinx-book-theme have dozens of templates, and Jinja
compiles each one to Python the first time a build uses it: about a tenth of a
second of every rebuild, however small. Jinja's own bytecode cache keeps the
compiled code beside Sphinx's doctrees, keyed on each template's name and a
checksum of its source, so a changed template is compiled again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import FileSystemBytecodeCache

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", cache_compiled_templates)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def cache_compiled_templates(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is None or environment.bytecode_cache is not None:
        return
    folder = Path(app.doctreedir) / "essaykit-jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # compiled every time, as before
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))
