"""The core every front end shares: the book's model and metadata, front matter,
diagnostics and the rule table, settings, the MyST configuration, BibTeX and
safe YAML reading, the trust policy and limits.

`check/`, `sphinx_ext/`, `print/`, `dashboard/` and the CLI import from here;
nothing here imports from them.
"""
