# A plain Sphinx + MyST project: essaykit reads these settings with `ast`, never running them.
import os

project = "Sphinx fixture"
extensions = ["myst_parser", "sphinxcontrib.bibtex"]
root_doc = "index"
bibtex_bibfiles = ["refs.bib"]
exclude_patterns = ["_build", "drafts/*"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 2
html_theme = os.environ.get("THEME", "alabaster")
