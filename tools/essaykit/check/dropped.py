"""Text MyST drops without a word: angle brackets read as an HTML tag.

MyST passes raw HTML through to the page. Written `<Provide a Zoom link>` or
`{ref}Title<label>` (a role without its backticks), the angle brackets make an
HTML tag that no browser knows, and the words inside them never appear. Sphinx
does not warn. Known HTML elements (`<br>`, `<img ...>`, `<kbd>`) and comments
are left alone: those are written on purpose.

In an essaykit book every HTML tag is already an error (SEC005), so this rule
runs on the books essaykit did not write.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from essaykit.check.index import BookIndex
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.model import Document, Html

rules.rule(
    "TXT001", "text-read-as-html", Severity.ERROR,
    "Text in angle brackets that MyST reads as an HTML tag no browser knows, so it "
    "disappears from the page.",
    "MyST passes HTML through as it is; a tag the browser does not know shows nothing, and "
    "neither Sphinx nor Jupyter Book warns. Checked on books essaykit did not write (an "
    "essaykit book reports every HTML tag as SEC005).",
    bad="Add the meeting's address here: <Provide a Zoom link>\n\n"
        "See {ref}Installing<install>.",
    good="Add the meeting's address here: \\<Provide a Zoom link\\>\n\n"
         "See {ref}`Installing <install>`.",
)

# the elements of HTML (the living standard, with the obsolete ones browsers still
# render), SVG's and MathML's top elements: a tag naming one of these is written on purpose
HTML_ELEMENTS = frozenset("""
a abbr acronym address area article aside audio b base bdi bdo big blink blockquote body br
button canvas caption center cite code col colgroup data datalist dd del details dfn dialog
dir div dl dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3
h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend li link main map
mark marquee menu meta meter nav nobr noframes noscript object ol optgroup option output p
param picture plaintext pre progress q rb rp rt rtc ruby s samp script search section select
slot small source span strike strong style sub summary sup table tbody td template textarea
tfoot th thead time title tr track tt u ul var video wbr xmp svg math
""".split())
TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9:-]*)")
ROLE_BEFORE = re.compile(r"\{[\w:.+-]+\}[^`\s{}]*\s*$")


@check("TXT001")
def check_dropped_text(index: BookIndex) -> Iterator[Diagnostic]:
    if index.project.kind == "essaykit":
        return
    for doc in index.documents.values():
        for html in doc.html:
            finding = _dropped(doc, html)
            if finding is not None:
                yield finding


def _dropped(doc: Document, html: Html) -> Diagnostic | None:
    text = html.text.strip()
    if text.startswith(("<!--", "<?", "<!")):
        return None  # a comment, a processing instruction, a declaration: hidden on purpose
    match = TAG.match(text)
    if match is None or match.group(1).lower() in HTML_ELEMENTS:
        return None
    tag = text.split(">", 1)[0] + ">" if ">" in text else text
    shown = tag if len(tag) <= 50 else tag[:47] + "..."
    line = doc.lines[html.line - 1] if 0 < html.line <= len(doc.lines) else ""
    before = line[:html.column - 1]
    role = ROLE_BEFORE.search(before)
    if role:
        hint = (f"a role needs backticks: write {role.group().split('}')[0]}}}`"
                f"{role.group().split('}', 1)[1].strip()} {tag}`")
    else:
        hint = "escape the brackets (\\< and \\>) or write the text without them"
    return rules.make("TXT001", doc.path, html.line, html.column,
                      f"this text will not appear on the page: MyST reads {shown!r} as an "
                      "HTML tag", hint)
