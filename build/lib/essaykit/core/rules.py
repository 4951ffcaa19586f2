"""The one table of rule codes, shared by the CLI, the Sphinx extension and the README.

Each rule has a stable code with a family prefix, a readable name, a default
severity and a documented why/bad/good example (as ruff and sphinx-lint do).
`essaykit rules` prints this table; `tools/gen_rule_table.py` writes the
README's copy of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from essaykit.core.diagnostics import Diagnostic, Severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    why: str
    bad: str = ""
    good: str = ""


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    why: str,
    bad: str = "",
    good: str = "",
) -> Rule:
    if code in RULES:
        raise ValueError(f"rule code {code} registered twice")
    RULES[code] = Rule(code, name, severity, summary, why, bad, good)
    return RULES[code]


def make(
    code: str,
    path: str,
    line: int,
    column: int,
    message: str,
    hint: str = "",
) -> Diagnostic:
    """Create a diagnostic for a registered rule, with the rule's default severity."""
    registered = RULES[code]
    return Diagnostic(path, max(line, 1), max(column, 1), code, registered.severity, message, hint)


# Front matter and book configuration ---------------------------------------

FM001 = rule(
    "FM001", "missing-front-matter", Severity.ERROR,
    "An essay has no YAML front matter block.",
    "The byline, abstract, contents and citation block are all made from the front matter.",
    bad="# My essay\n\nText…",
    good="---\ntitle: My essay\nauthors:\n  - name: A. Writer\nabstract: One sentence.\n---"
         "\n\nText…",
)
FM002 = rule(
    "FM002", "invalid-front-matter", Severity.ERROR,
    "The front matter is not valid YAML, or is not a mapping.",
    "A YAML slip silently drops the whole front matter in a plain Sphinx build.",
    bad="---\ntitle: A: B\n---",
    good='---\ntitle: "A: B"\n---',
)
FM003 = rule(
    "FM003", "missing-front-matter-field", Severity.ERROR,
    "A required front-matter field (title, authors, abstract) is missing or empty.",
    "Readers need to know what an essay is called, who wrote it and what it argues.",
    bad="---\ntitle: My essay\n---",
    good="---\ntitle: My essay\nauthors:\n  - name: A. Writer\nabstract: One sentence.\n---",
)
FM004 = rule(
    "FM004", "front-matter-type", Severity.ERROR,
    "A front-matter field has the wrong type.",
    "The toolkit cannot lay out a byline from a list where it expects a name, and vice versa.",
    bad="authors: A. Writer",
    good="authors:\n  - name: A. Writer",
)
FM005 = rule(
    "FM005", "unknown-front-matter-key", Severity.ERROR,
    "The front matter holds a key outside the essay schema.",
    "Unknown keys are usually typos; some (`myst:`, `substitutions:`) change how the file is "
    "parsed and can run code, so only the schema's keys are accepted.",
    bad="---\ntitel: My essay\n---",
    good="---\ntitle: My essay\n---",
)
FM006 = rule(
    "FM006", "front-matter-value", Severity.ERROR,
    "A front-matter value is malformed (ORCID, date, status).",
    "A broken ORCID or date ends up printed in the book and in citation data.",
    bad="orcid: 0000-0002-1825-009",
    good="orcid: 0000-0002-1825-0097",
)
FM007 = rule(
    "FM007", "yaml-tag-or-alias", Severity.ERROR,
    "The front matter uses YAML tags, anchors or aliases.",
    "Tags and aliases are not needed for metadata and are the usual vehicle for YAML bombs "
    "and type confusion.",
    bad="authors: &a [...]\neditors: *a",
    good="authors:\n  - name: A. Writer",
)
BOOK001 = rule(
    "BOOK001", "book-config", Severity.ERROR,
    "The book's configuration (book/book.yml) is missing or invalid.",
    "Every command reads the book's title, editors and essay order from this one file.",
    bad="parts:\n  - essays: essays/a.md",
    good="parts:\n  - title: Part one\n    essays:\n      - essays/a.md",
)
BOOK002 = rule(
    "BOOK002", "missing-book-file", Severity.ERROR,
    "The book's order names a file that does not exist.",
    "A missing essay silently disappears from the contents.",
    bad="essays:\n  - essays/missing.md",
    good="essays:\n  - essays/present.md",
)
