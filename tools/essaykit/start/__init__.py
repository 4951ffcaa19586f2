"""Starting a book: `essaykit init` (a new book from the templates in `files/`).

The templates are package data, laid out as the new book is: a name ending in
`.jinja` is rendered (and loses the suffix), any other file is copied as it
is, and a path part starting `dot-` becomes a hidden one (`dot-gitignore` is
`.gitignore`), so that git and packaging treat the templates as plain files.
"""

from essaykit.start.book import NewBook, StartRefused, start_book

__all__ = ["NewBook", "StartRefused", "start_book"]
