"""The console script owns logging: libraries' INFO records stay out of a build's output."""

from __future__ import annotations

import subprocess
import sys

import pytest

# What Sphinx does when it loads the theme: import accessible-pygments, which
# calls logging.basicConfig(level=INFO); then a library logs at INFO and WARNING.
COMMAND = """
import importlib
import logging
cli = importlib.import_module("essaykit.cli.main")  # the module, not its main()

def a_build():
    import a11y_pygments
    logging.getLogger("fontTools.subset").info("maxp pruned")
    logging.getLogger("essaykit.test").warning("a real warning")
    return 0

if {through_run}:
    cli.main = a_build
    cli.run()
else:
    a_build()
"""


@pytest.mark.parametrize("through_run", [True, False])
def test_info_records_of_libraries_are_not_printed(through_run: bool) -> None:
    pytest.importorskip("a11y_pygments")
    done = subprocess.run([sys.executable, "-c", COMMAND.format(through_run=through_run)],
                          capture_output=True, text=True, timeout=60)
    assert "a real warning" in done.stderr
    if through_run:
        assert "maxp pruned" not in done.stderr
    else:  # without the console script's logging, the theme's dependency prints it
        assert "maxp pruned" in done.stderr
