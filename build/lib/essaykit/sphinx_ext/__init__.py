"""The essaykit Sphinx extension: `extensions = ["essaykit.sphinx_ext"]` in conf.py.

Kept to a few lines so that importing it is cheap; the work is in `.main`.
"""

from __future__ import annotations

from typing import Any


def setup(app: Any) -> dict[str, Any]:
    from essaykit.sphinx_ext.main import setup as _setup

    return _setup(app)
