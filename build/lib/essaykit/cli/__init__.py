"""essaykit's command line: `essaykit build`, `check`, `status` and the rest.

Thin front ends over the core, the checker, the Sphinx extension and the
dashboard; `main.py` holds the parser and the entry point.
"""

from essaykit.cli.main import main, run

__all__ = ["main", "run"]
