# The essaykit manual: MyST Markdown built by Sphinx with sphinx-book-theme, the
# stack essaykit itself publishes with. `make docs` builds it into _build/docs/.
# Its reference chapters are generated from essaykit when it is built
# (_ext/essaykit_manual.py), so they cannot fall behind the code.

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

from essaykit.core.version import VERSION  # noqa: E402

project = "essaykit"
author = "the essaykit contributors"
copyright = "the essaykit contributors"
version = release = VERSION
language = "en"

extensions = ["myst_parser", "essaykit_manual"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build", "_ext"]

html_theme = "sphinx_book_theme"
html_title = f"essaykit {VERSION}"
html_theme_options = {"show_toc_level": 2}
