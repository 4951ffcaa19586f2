"""The checks: small functions, each declaring the rule codes it reports.

A check takes the indexed book and yields diagnostics. The runner calls a
check only when one of its codes is selected, so ignoring a family also saves
its time. Rule documentation (name, why, bad/good) lives in the one table in
`essaykit.core.rules`; each family module registers its rules beside its checks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from essaykit.check.index import BookIndex

Check = Callable[["BookIndex"], Iterable[Diagnostic]]
CHECKS: list[tuple[tuple[str, ...], Check]] = []


def check(*codes: str) -> Callable[[Check], Check]:
    """Register a check reporting `codes` (each must already be a registered rule)."""
    for code in codes:
        if code not in rules.RULES:
            raise ValueError(f"check reports unregistered rule {code}")

    def register(function: Check) -> Check:
        CHECKS.append((codes, function))
        return function

    return register


# Configuration and the checker itself ------------------------------------------

CFG001 = rules.rule(
    "CFG001", "invalid-configuration", Severity.ERROR,
    "The checker's configuration ([tool.essaykit], conf.py, _config.yml, _toc.yml) is invalid.",
    "A typo in a rule code or a setting would otherwise silently check less than you think.",
    bad='[tool.essaykit]\nignore = ["CIT0001"]',
    good='[tool.essaykit]\nignore = ["CIT001"]',
)
CFG002 = rules.rule(
    "CFG002", "missing-configured-file", Severity.ERROR,
    "A file the configuration names (bibliography, jargon watch-list) does not exist.",
    "Without the bibliography every citation looks unknown; without the watch-list no jargon "
    "is checked, and nobody notices.",
    bad="jargon: book/jargon.txt   # but there is no such file",
    good="jargon: book/jargon.txt   # and the file lists one term per line",
)
CFG003 = rules.rule(
    "CFG003", "no-project", Severity.ERROR,
    "No book was found, or a path given on the command line is not in it.",
    "The checker resolves every reference against the whole book, so it must find the book.",
    bad="essaykit check ~/Downloads/essay.md",
    good="essaykit check essays/essay.md   # inside the book",
)
CHK001 = rules.rule(
    "CHK001", "internal-error", Severity.ERROR,
    "The checker failed on this file. This is a bug in essaykit: please report it.",
    "A crash must not hide the other findings, so it is reported like any other.",
)
CHK002 = rules.rule(
    "CHK002", "unreadable-file", Severity.ERROR,
    "A page cannot be read as UTF-8 text.",
    "Sphinx cannot build a page it cannot read.",
    bad="an essay saved as Windows-1252",
    good="an essay saved as UTF-8",
)
