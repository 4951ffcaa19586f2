"""The environment saved again once the web book is written, so that an
incremental build's search index is a clean build's.

Sphinx saves its environment after reading and before writing. The search
index's entries taken from the book's index (glossary terms, `{index}`
entries) are gathered while pages are written, so they never reach the saved
environment, and the next incremental build's searchindex.js lists only the
entries of the pages it rewrote: after one essay's body changed, searching
for a glossary term no longer found the glossary (sphinx-doc/sphinx#12599,
open upstream). Saved once more after a successful web build, the
environment holds every page's entries, and a rebuild keeps those of the
pages it does not rewrite. It costs one more save of the environment.
"""

from __future__ import annotations

import os
import pickle
from typing import TYPE_CHECKING, Any

from essaykit import compat

if TYPE_CHECKING:
    from sphinx.application import Sphinx

SEARCHED_BUILDERS = frozenset({"html", "dirhtml"})


def setup(app: Sphinx) -> dict[str, Any]:
    # last: after every listener that puts the environment back as it was (shown.py)
    app.connect("build-finished", save_environment_again, priority=950)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def save_environment_again(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.name not in SEARCHED_BUILDERS:
        return
    target = compat.environment_file(app)
    if not target.is_file():
        return  # Sphinx saved nothing (nothing was read): nothing to complete
    partial = target.with_name(target.name + ".partial")
    with open(partial, "wb") as handle:
        pickle.dump(app.env, handle, pickle.HIGHEST_PROTOCOL)
    os.replace(partial, target)  # never a half-written environment
