"""Text that would be lost without a word: unclosed fences, a second title, nesting
past the parser's limit, and file names the build would overwrite or confuse.

None of these stops Sphinx. Each makes part of an essay vanish, or turns it
into code, or puts one page where another was; the reader never knows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from essaykit.check.index import BookIndex
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.limits import MAX_CONTAINER_DEPTH, MAX_DIRECTIVE_DEPTH
from essaykit.core.trust import escapes

rules.rule(
    "CHK006", "unclosed-fence", Severity.ERROR,
    "A code block or directive fence is never closed.",
    "The parser reads on to the end of the file (or of the block around it): the rest of "
    "the essay silently becomes code, or part of the directive.",
    bad="```python\nprint('hello')\n\n## The next section   (now inside the code block)",
    good="```python\nprint('hello')\n```\n\n## The next section",
)
rules.rule(
    "CHK007", "second-title", Severity.ERROR,
    "An essay whose title comes from its front matter also has a `#` heading.",
    "The page gets two top-level titles; the contents, the PDF outline and the running "
    "heads use only the first, and the section under the second drops out of the contents.",
    bad="---\ntitle: My essay\n---\n\n# My essay\n\nText…",
    good="---\ntitle: My essay\n---\n\nText…\n\n## A section",
)
rules.rule(
    "CHK008", "reserved-name", Severity.ERROR,
    "A page's name collides with a page or folder the build generates itself.",
    "Sphinx writes genindex.html, search.html, _static/ and the like over (or under) the page "
    "of the same name: one of the two silently disappears.",
    bad="search.md,  _static/notes.md",
    good="finding-things.md,  notes/notes.md",
)
rules.rule(
    "CHK009", "name-clash", Severity.ERROR,
    "Two files' names differ only in upper/lower case or in Unicode normalisation.",
    "On macOS and Windows they are the same file, and the web server may think so too: one "
    "essay overwrites the other, depending on the machine that builds the book.",
    bad="essays/Care.md and essays/care.md;  café.md typed two ways",
    good="essays/care.md and essays/care-at-home.md",
)
rules.rule(
    "SEC011", "nesting-too-deep", Severity.ERROR,
    "Lists, block quotes or directives are nested deeper than the limit.",
    f"The Markdown parser silently drops everything past its own nesting limit, and deep "
    f"nesting exhausts the build's recursion; the limits ({MAX_CONTAINER_DEPTH} lists or "
    f"quotes, {MAX_DIRECTIVE_DEPTH} directives) are far above what prose needs.",
    bad="> > > > > > > > > > quoted ten times",
    good="> quoted once",
)

# pages and folders Sphinx's HTML builder writes at the top of the site
RESERVED_PAGES = frozenset({"genindex", "search", "py-modindex", "searchindex", "objects"})
RESERVED_FOLDERS = frozenset({"_static", "_images", "_sources", "_downloads", "_modules"})
# and what essaykit adds: the PDFs' folder and the root page that leads to the front page
ESSAYKIT_RESERVED = frozenset({"pdf", "index"})


@check("CHK006")
def check_open_fences(index: BookIndex) -> Iterator[Diagnostic]:
    for doc in index.documents.values():
        for fence in doc.open_fences:
            until = ("the end of the directive around it" if fence.nested
                     else "the end of the file")
            if not fence.name and fence.markup.startswith(":"):
                # a stray closing line: MyST reads `:::` with no directive as a code block
                yield rules.make("CHK006", doc.path, fence.line, 1,
                                 f"{fence.markup!r} with no directive name starts a code block "
                                 f"here: everything up to {until} is shown as code",
                                 "remove the stray line (each directive is closed once), or "
                                 f"close the block with a line holding only {fence.markup}")
                continue
            what = f"the {{{fence.name}}} directive" if fence.name else "this code block"
            yield rules.make("CHK006", doc.path, fence.line, 1,
                             f"{what} is never closed: everything up to {until} is swallowed "
                             "into it",
                             f"close it with a line holding only {fence.markup}")


@check("CHK007")
def check_second_title(index: BookIndex) -> Iterator[Diagnostic]:
    if not index.project.title_to_header:
        return
    for doc in index.essays:
        title = doc.front_matter.get("title")
        if not isinstance(title, str) or not title.strip():
            continue
        for heading in doc.headings[1:]:
            if heading.level == 1:
                yield rules.make("CHK007", doc.path, heading.line, 1,
                                 f"a second title {heading.text!r}: the title comes from the "
                                 "front matter", "start sections at ## (and drop a repeated "
                                 "title)")


@check("SEC011")
def check_nesting(index: BookIndex) -> Iterator[Diagnostic]:
    for doc in index.documents.values():
        for deep in doc.too_deep:
            if deep.what == "directives":
                message = (f"directives nest {deep.depth} deep here; the limit is "
                           f"{MAX_DIRECTIVE_DEPTH}")
            else:
                message = (f"lists and block quotes nest {deep.depth} deep here; the limit is "
                           f"{MAX_CONTAINER_DEPTH}, and the parser drops text past its own")
            yield rules.make("SEC011", doc.path, deep.line, 1, message,
                             "flatten the structure: use headings and paragraphs")


@check("CHK008")
def check_reserved_names(index: BookIndex) -> Iterator[Diagnostic]:
    essaykit = index.project.kind == "essaykit"
    for page in _source_pages(index):
        docname = index.project.docname(page)
        top = docname.split("/", 1)[0]
        if docname in RESERVED_PAGES or (essaykit and docname in ESSAYKIT_RESERVED):
            yield rules.make("CHK008", page, 1, 1,
                             f"{page!r} would be written where the build puts its own "
                             f"{docname}.html", "rename the file")
        elif "/" in docname and (top in RESERVED_FOLDERS or (essaykit and top == "pdf")):
            yield rules.make("CHK008", page, 1, 1,
                             f"{page!r} is in {top}/, a folder the build writes itself",
                             "move it to another folder")


@check("CHK009")
def check_name_clashes(index: BookIndex) -> Iterator[Diagnostic]:
    names = sorted({*_source_pages(index), *index.project.bibfiles})
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(unicodedata.normalize("NFC", name).casefold(), []).append(name)
    for group in groups.values():
        if len(group) < 2:
            continue
        for name in group:
            others = ", ".join(repr(other) for other in group if other != name)
            reason = ("only in Unicode normalisation (the same letters, encoded differently)"
                      if unicodedata.normalize("NFC", name) in
                      {unicodedata.normalize("NFC", o) for o in group if o != name}
                      else "only in upper/lower case")
            yield rules.make("CHK009", name, 1, 1, f"the name differs from {others} {reason}",
                             "rename one of them")


@check("SEC002")
def check_symlinked_sources(index: BookIndex) -> Iterator[Diagnostic]:
    """Pages and .bib files themselves: a link to a file outside the book publishes it."""
    cache = index.cache.setdefault("real-folders", {})
    for page in [*_source_pages(index), *index.project.bibfiles]:
        if escapes(index.project.root, page, cache):
            yield rules.make("SEC002", page, 1, 1,
                             "this file is a symbolic link leading outside the book",
                             "replace the link with a copy of the file")


def _source_pages(index: BookIndex) -> list[str]:
    return list(dict.fromkeys([*index.project.pages, *index.project.candidates]))

