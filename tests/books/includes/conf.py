project = "Include fixture"
extensions = ["myst_parser", "sphinxcontrib.bibtex"]
bibtex_bibfiles = ["refs.bib"]
myst_heading_anchors = 2
# the included parts are read through {include}, never as pages of their own
exclude_patterns = ["parts/*", "_build"]
