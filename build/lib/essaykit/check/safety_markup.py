"""Submission rules (SEC) for what a page reads and what it puts into the page.

An untrusted essay may show its own images and offer its own downloads; it may
not read any other file into the page, fetch anything at build time, or put
HTML, script or `<meta>` tags into the site. The editor relaxes the markup
rules for named files with book.yml's `trusted:` list; no file, trusted or
not, may reach outside the book.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from essaykit.check.index import BookIndex
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.model import Document, Html
from essaykit.core.trust import SCRIPT_SCHEME, Target, Where, is_trusted, locate

rules.rule(
    "SEC001", "file-outside-book", Severity.ERROR,
    "A page names a file outside the book's folder, or a hidden file (.git, .env).",
    "Images, downloads and included files are copied into the published site: a `../` path "
    "publishes whatever file on the editor's machine it names.",
    bad="![map](../../../home/editor/.ssh/id_rsa)",
    good="![map](figures/map.png)   (the file kept beside the essay)",
)
rules.rule(
    "SEC002", "symlink-out-of-book", Severity.ERROR,
    "A page, bibliography or file a page names is a symbolic link that leads outside the book.",
    "The path looks as if it stays in the book, but the build follows the link and publishes "
    "the file it leads to.",
    bad="essays/figures/map.png -> /etc/passwd",
    good="essays/figures/map.png   (a real file, copied into the book)",
)
rules.rule(
    "SEC003", "remote-resource", Severity.ERROR,
    "A page loads an image from the web, or asks the build to fetch a URL (`:url:`).",
    "A remote image lets its owner track every reader and change the picture after review; "
    "a `:url:` option makes the editor's machine fetch whatever the essay names.",
    bad="![chart](https://tracker.example/pixel.png)",
    good="![chart](figures/chart.png)   (or allow the host in remote-images)",
)
rules.rule(
    "SEC004", "file-inclusion", Severity.ERROR,
    "An untrusted page uses `include` or `literalinclude`.",
    "Including reads another file into the page; an essay's content belongs in the essay.",
    bad="```{literalinclude} ../conf.py\n```",
    good="Paste the text into the essay, or ask the editor to trust the page in book.yml.",
)
rules.rule(
    "SEC005", "raw-html", Severity.ERROR,
    "An untrusted page holds raw HTML (a block, an inline tag or an HTML comment).",
    "HTML goes into the site as it is: `<script>`, `onerror=` and `<iframe>` run in every "
    "reader's browser. The build shows it as text instead.",
    bad='<img src="x" onerror="alert(1)">',
    good="![A description](figures/photo.png)   and, for a comment, % a MyST comment",
)
rules.rule(
    "SEC006", "raw-markup", Severity.ERROR,
    "An untrusted page uses the `raw` directive or a raw role.",
    "Raw output bypasses every check and goes into the HTML or LaTeX as it is.",
    bad="```{raw} html\n<script src=\"https://evil.example/x.js\"></script>\n```",
    good="Write it in Markdown, or ask the editor to trust the page in book.yml.",
)
rules.rule(
    "SEC007", "eval-rst", Severity.ERROR,
    "An untrusted page uses `eval-rst`.",
    "reStructuredText inside an essay escapes the Markdown checks (raw, include, meta).",
    bad="```{eval-rst}\n.. raw:: html\n\n   <script>...</script>\n```",
    good="Write it in MyST Markdown.",
)
rules.rule(
    "SEC008", "html-meta", Severity.ERROR,
    "An untrusted page sets HTML `<meta>` tags (the `meta` directive).",
    "Meta tags can redirect the page (http-equiv=refresh) or change how the site is indexed "
    "and shared; that is the editor's decision.",
    bad="```{meta}\n:http-equiv=refresh: 0; url=https://evil.example\n```",
    good="Put the essay's description in its abstract.",
)
rules.rule(
    "SEC009", "script-url", Severity.ERROR,
    "A link, image, option or bibliography field uses a javascript:, vbscript: or data: URL.",
    "These URLs run code or smuggle a document in when a reader clicks.",
    bad="[the report](javascript:alert(document.cookie))",
    good="[the report](https://example.org/report.pdf)",
)

INCLUDES = frozenset({"include", "literalinclude"})
# option names that name a file or URL to read, in any directive
FILE_OPTIONS = frozenset({"file", "url", "source", "path", "filename", "image", "download",
                          "literal"})
RAW_ROLE = re.compile(r"^raw(-[\w-]+)?$")
SCRIPT_IN_TEXT = re.compile(r"(?:\]\(\s*<?|\]:\s*<?|<)\s*((?:javascript|vbscript|data):)",
                            re.IGNORECASE)


@lru_cache(maxsize=256)
def _is_raw_role(name: str) -> bool:
    return RAW_ROLE.match(name) is not None  # (once per name, not per role)


def _trusted(index: BookIndex, doc: Document) -> bool:
    return is_trusted(doc.path, index.project.trusted)


@check("SEC004", "SEC006", "SEC007", "SEC008")
def check_directives(index: BookIndex) -> Iterator[Diagnostic]:
    """include, literalinclude, raw, eval-rst and meta only in trusted pages."""
    for doc in index.documents.values():
        if not doc.directives or _trusted(index, doc):
            continue
        for directive in doc.directives:
            name, where = directive.name, (doc.path, directive.line, 1)
            if name in INCLUDES:
                yield rules.make("SEC004", *where, f"{{{name}}} reads another file into the page",
                                 "put the text in the essay itself, or ask the editor to trust "
                                 "this page (book.yml, trusted:)")
            elif name == "raw":
                yield rules.make("SEC006", *where, "{raw} puts unchecked output into the page",
                                 "write it in Markdown")
            elif name == "eval-rst":
                yield rules.make("SEC007", *where, "{eval-rst} runs reStructuredText that "
                                 "escapes the essay's checks", "write it in MyST Markdown")
            elif name == "meta":
                yield rules.make("SEC008", *where, "{meta} sets the page's HTML meta tags",
                                 "leave meta tags to the editor; describe the essay in its "
                                 "abstract")


@check("SEC006")
def check_raw_roles(index: BookIndex) -> Iterator[Diagnostic]:
    """Raw roles ({raw-html}`...`) only in trusted pages."""
    for doc in index.documents.values():
        if _trusted(index, doc) or not any(map(_is_raw_role, doc.role_names())):
            continue
        for role in doc.roles:
            if _is_raw_role(role.name):
                yield rules.make("SEC006", doc.path, role.line, role.column,
                                 f"{{{role.name}}} puts unchecked output into the page",
                                 "write it in Markdown")


@check("SEC005")
def check_html(index: BookIndex) -> Iterator[Diagnostic]:
    """Raw HTML, inline or block, only in trusted pages."""
    for doc in index.documents.values():
        if doc.html and not _trusted(index, doc):
            for html in doc.html:
                yield _html_finding(doc, html)


def _html_finding(doc: Document, html: Html) -> Diagnostic:
    text = " ".join(html.text.split())
    if text.startswith("<!--"):
        return rules.make("SEC005", doc.path, html.line, html.column,
                          "HTML comment: HTML is not allowed in essays, so the build would "
                          "show it as text", "write the comment as a MyST comment line: % ...")
    shown = text if len(text) <= 40 else text[:37] + "..."
    return rules.make("SEC005", doc.path, html.line, html.column,
                      f"raw HTML {shown!r} would go into the site unchecked",
                      "write it in Markdown: ![alt](image.png), [text](url), **bold**")


@check("SEC001", "SEC002", "SEC003", "SEC009")
def check_paths(index: BookIndex) -> Iterator[Diagnostic]:
    """Every file a page names stays in the book; no fetching, no script URLs."""
    for doc in index.documents.values():
        for directive in doc.directives:
            if directive.name in INCLUDES and directive.argument:
                # (an image's or figure's argument is among the page's links)
                yield from _target(index, doc, directive.argument, directive.line, 1,
                                   f"{{{directive.name}}}")
            for key, value in directive.options.items():
                line = directive.option_lines.get(key, directive.line)
                if key in FILE_OPTIONS and value:
                    yield from _target(index, doc, value, line, 1,
                                       f"{{{directive.name}}} :{key}:", rooted=False,
                                       fetch=True)
                elif SCRIPT_SCHEME.match(value):
                    yield _script(doc.path, line, 1, f"option :{key}:", value)
        for role in doc.roles if "download" in doc.role_names() else ():
            if role.name == "download" and role.target:
                yield from _target(index, doc, role.target, role.line, role.column,
                                   "{download}")
        for link in doc.links:
            if link.kind == "include":
                continue  # the directive's own argument, checked above
            yield from _target(index, doc, link.href, link.line, link.column,
                               "image" if link.kind == "image" else "link",
                               image=link.kind == "image", link=link.kind != "image")
        if doc.cache.get("script-hint"):
            yield from _script_text(doc)


def _target(index: BookIndex, doc: Document, value: str, line: int, column: int, what: str,
            *, image: bool = False, link: bool = False, rooted: bool = True,
            fetch: bool = False) -> Iterator[Diagnostic]:
    if value.startswith("#"):
        return  # an anchor on this page
    seen: dict[tuple[str, str, bool], Target] = index.cache.setdefault("located", {})
    key = (doc.folder, _place(value), rooted)
    found = seen.get(key)
    if found is None:
        found = seen[key] = locate(index.project.root, doc.folder, value, rooted=rooted,
                                   cache=index.cache.setdefault("real-folders", {}))
    where = (doc.path, line, column)
    if found.where is Where.SCRIPT:
        yield _script(doc.path, line, column, what, value)
    elif found.where is Where.REMOTE:
        if fetch:
            yield rules.make("SEC003", *where, f"{what} makes the build fetch {value!r}",
                             "download the file, check it, and keep it in the book")
        elif image and not index.config.remote_image_allowed(value):
            yield rules.make("SEC003", *where, f"remote image {value!r}",
                             "keep a copy beside the essay, or allow the host in "
                             "[tool.essaykit] remote-images")
    elif found.where is Where.OUTSIDE:
        yield rules.make("SEC001", *where, f"{what} {value!r} is outside the book",
                         "copy the file into the book, beside the essay"
                         if not link else "link to the web address instead")
    elif found.where is Where.HIDDEN:
        yield rules.make("SEC001", *where,
                         f"{what} {value!r} is a hidden file, which is never part of the book",
                         "use a file that is not hidden, beside the essay")
    elif found.where is Where.SYMLINK:
        yield rules.make("SEC002", *where,
                         f"{what} {value!r} is a symbolic link leading outside the book",
                         "replace the link with a copy of the file")


def _place(value: str) -> str:
    """What `locate` reads of `value`: the text before any "#", when no scheme or
    percent-escape could make the rest matter (a page's links to one essay's headings
    then cost one look at that essay, not one per heading)."""
    if ":" in value or "%" in value:
        return value
    return value.strip().split("#", 1)[0]


def _script(path: str, line: int, column: int, what: str, value: str) -> Diagnostic:
    scheme = value.strip().split(":", 1)[0].strip().lower()
    shown = value if len(value) <= 40 else value[:37] + "..."
    return rules.make("SEC009", path, line, column, f"{what} uses a {scheme}: URL ({shown!r})",
                      "link to an https:// address")


def _script_text(doc: Document) -> Iterator[Diagnostic]:
    """Links the parser refused to make (it leaves them as text) still say what was meant."""
    for prose in doc.prose:
        for match in SCRIPT_IN_TEXT.finditer(prose.text):
            scheme = match.group(1).rstrip(": \t").lower()
            line, column = prose.locate(match.start(1), match.group(1))
            yield rules.make("SEC009", doc.path, line, column,
                             f"a link to a {scheme}: URL (the build shows it as text)",
                             "link to an https:// address")
