# Sphinx configuration for the book. `essaykit build` uses it, and so does a
# plain `sphinx-build . _build/html`. The essaykit extension reads
# book/book.yml and sets up MyST, sphinxcontrib-bibtex and sphinx-book-theme
# with the book's defaults; set anything here to override them.

extensions = ["essaykit.sphinx_ext"]
