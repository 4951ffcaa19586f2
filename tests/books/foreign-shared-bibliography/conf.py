project = "A book with a shared bibliography"
extensions = ["myst_parser", "sphinxcontrib.bibtex"]
bibtex_bibfiles = ["library.bib", "own.bib"]
