"""Index rules (IDX): every entry of the book's index names a page.

The index lists glossary terms, the authors of cited works and the entries
writers mark with `{index}`. An entry names no page when it is a `see:` or
`seealso:` cross-reference to a term the index does not have, or when it is
written on a page that is held back as a draft (`status: draft`), which the
published book leaves out. Entries are read with Sphinx's own parser of index
entries (`process_index_entry`, `split_index_msg`), as the build reads them.
"""

from __future__ import annotations

from collections.abc import Iterator

from sphinx.util.index_entries import split_index_msg
from sphinx.util.nodes import process_index_entry

from essaykit.check.index import BookIndex
from essaykit.check.parse import front_matter
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.model import Document

rules.rule(
    "IDX001", "index-entry-without-page", Severity.WARNING,
    "An index entry names no page: a `see:`/`seealso:` entry points to a term that has no "
    "entry of its own in the index, or an `{index}` entry is on a page held back as a draft.",
    "A reader who turns to the index finds a dead end: \"budgets, see councils\" where "
    "\"councils\" is not listed, or an entry whose page the book does not print.",
    bad="```{index} see: budgets; councils\n```   % and nothing indexes 'councils'",
    good="```{index} see: budgets; councils\n```\n... {index}`councils` elsewhere in the book",
)

CROSS_REFERENCES = ("see", "seealso")
DRAFT = "draft"


def entries_of(doc: Document) -> Iterator[tuple[int, int, str, str]]:
    """Each index entry of the page: (line, column, type, value), as Sphinx reads them."""
    for directive in doc.directives:
        if directive.kind != "index":
            continue
        for offset, text in enumerate(directive.argument.split("\n")):
            if text.strip():
                for kind, value, *_ in _parsed(text):
                    yield directive.line + offset, 1, kind, value
    for role in doc.roles:
        if role.name != "index":
            continue
        explicit = role.target if role.target != " ".join(role.content.split()) else None
        text = explicit if explicit is not None else role.content.removeprefix("!")
        parsed = _parsed(text) if explicit is not None else [("single", text, "", "", None)]
        for kind, value, *_ in parsed:
            yield role.line, role.column, kind, value


def is_draft(doc: Document) -> bool:
    """The page's front matter says `status: draft` (held back from the published book)."""
    status = doc.front_matter.get("status")
    if status is None:  # essays' models keep only the title: read the front matter itself
        status = front_matter("\n".join(doc.lines)).get("status")
    return str(status or "").strip().lower() == DRAFT


def _parsed(text: str) -> list[tuple[str, str, str, str, str | None]]:
    try:
        return process_index_entry(text, "")  # type: ignore[return-value]
    except ValueError:  # an unknown entry type: Sphinx warns at build time
        return []


def _parts(kind: str, value: str) -> list[str]:
    try:
        return [part for part in split_index_msg(kind, value) if part]
    except ValueError:
        return []


def _known_terms(index: BookIndex) -> set[str]:
    """Every term with an entry of its own: glossary terms, `{index}` entries, the
    authors of cited works."""
    known: set[str] = set()
    cited: set[str] = set()
    for doc in index.pages:
        for entry in doc.glossary:
            known.update(term.lower() for term in entry.terms)
        for _line, _column, kind, value in entries_of(doc):
            parts = _parts(kind, value)
            if kind == "single" and parts:
                known.add(parts[0].lower())
            elif kind in ("pair", "triple"):
                known.update(part.lower() for part in parts)
            elif kind in CROSS_REFERENCES and parts:
                known.add(parts[0].lower())
        for role in doc.roles:
            if role.name.startswith("cite"):
                cited.update(key.strip().lower() for key in role.target.split(","))
    for key in cited:
        work = index.entries.get(key)
        if work is not None:
            people = work.persons.get("author") or work.persons.get("editor") or ()
            known.update(" ".join(person.replace("{", "").replace("}", "").split()).lower()
                         for person in people)
            for organisation in ("organization", "institution"):
                if work.fields.get(organisation):
                    known.add(work.fields[organisation].replace("{", "").replace("}", "")
                              .lower())
    return known


@check("IDX001")
def check_index_entries_name_a_page(index: BookIndex) -> Iterator[Diagnostic]:
    known: set[str] | None = None
    for doc in index.pages:
        if "index" not in doc.role_names() and not any(
                d.kind == "index" for d in doc.directives):
            continue
        draft = is_draft(doc)
        for line, column, kind, value in entries_of(doc):
            if draft:
                yield rules.make("IDX001", doc.path, line, column,
                                 f"index entry {value!r} is on a page held back as a draft: "
                                 "the published index cannot name its page",
                                 "index it on a page the book publishes, or publish the page")
                continue
            if kind not in CROSS_REFERENCES:
                continue
            parts = _parts(kind, value)
            if len(parts) < 2:
                continue
            if known is None:
                known = _known_terms(index)
            if parts[1].lower() not in known:
                yield rules.make("IDX001", doc.path, line, column,
                                 f"index entry {parts[0]!r} says {kind} {parts[1]!r}, which has "
                                 "no entry of its own in the index",
                                 f"index {parts[1]!r} where the book discusses it, or point "
                                 "the entry to a term the index has")
