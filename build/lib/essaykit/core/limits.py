"""Resource limits for submitted sources, shared by the checker and the Sphinx build.

Each is far above what an essay needs and far below what hurts: a hostile file
must not exhaust memory or recursion, and an honest one never meets a limit.
"""

from __future__ import annotations

# An essay of 20,000 words is about 150 kB; a .bib of 2,000 entries about 1 MB.
MAX_PAGE_BYTES = 2_000_000
MAX_BIB_BYTES = 10_000_000
# Lists and block quotes inside one another. markdown-it stops reading (and silently
# drops the rest of the file) at 20 levels of its own; 8 containers stay clear of it.
MAX_CONTAINER_DEPTH = 8
# Directives inside directives: each level is a nested parse in MyST and in docutils.
MAX_DIRECTIVE_DEPTH = 8
# Characters BibTeX @string macros may expand to, in one .bib file, all told.
MAX_MACRO_EXPANSION = 1_000_000
