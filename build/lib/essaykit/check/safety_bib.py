"""Submission rules for the bibliography: what was refused before pybtex read it,
and URL fields that would become live script links."""

from __future__ import annotations

import re
from collections.abc import Iterator

from essaykit.check import safety_markup  # noqa: F401 - registers SEC009
from essaykit.check.index import BookIndex
from essaykit.check.registry import check
from essaykit.core import rules
from essaykit.core.bib import BibFile
from essaykit.core.diagnostics import Diagnostic
from essaykit.core.trust import SCRIPT_SCHEME

LINK_FIELDS = ("url", "doi", "howpublished", "eprint")


@check("SEC010", "SEC012", "CHK002", "CHK003", "CHK004", "CHK005")
def check_bib_sources(index: BookIndex) -> Iterator[Diagnostic]:
    """Size, bytes and macro expansion, found while reading each .bib."""
    for bib in index.bibs:
        yield from bib.findings


@check("SEC009")
def check_bib_urls(index: BookIndex) -> Iterator[Diagnostic]:
    """url and doi fields are web addresses, never javascript:, vbscript: or data:."""
    for bib in index.bibs:
        for entry in bib.entries:
            for name in LINK_FIELDS:
                value = entry.fields.get(name, "")
                if value and SCRIPT_SCHEME.match(re.sub(r"[{}\\\\]", "", value)):
                    scheme = value.strip(" {").split(":", 1)[0].strip().lower()
                    yield rules.make("SEC009", bib.path, _field_line(bib, entry.line, name), 1,
                                     f"@{entry.type}{{{entry.key}}}: {name} is a {scheme}: URL",
                                     "give the work's https:// address (or its DOI, 10.xxxx/...)")


def _field_line(bib: BibFile, first: int, name: str) -> int:
    pattern = re.compile(rf"^\s*{re.escape(name)}\s*=", re.IGNORECASE)
    for number in range(first, min(first + 200, len(bib.lines)) + 1):
        if pattern.match(bib.lines[number - 1]):
            return number
    return first
