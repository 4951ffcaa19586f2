"""`essaykit check`: citations, cross-references, glossary coverage and front matter.

    from essaykit.check import run_check
    result = run_check(Path("."))
    for diagnostic in result.diagnostics: ...

The heavy modules load on first use, so `essaykit.core.mdconfig` can be
imported by the Sphinx configuration without pulling in the checker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from essaykit.check.glossary_rules import CoverageRow
    from essaykit.check.runner import CheckResult, check_document_text, run_check

__all__ = ["CheckResult", "CoverageRow", "check_document_text", "load_rules", "run_check"]


def load_rules() -> None:
    """Register every check and rule (for `essaykit rules` and the README table)."""
    from essaykit.check import runner  # noqa: F401 - importing registers the rule families


def __getattr__(name: str) -> Any:
    if name in ("CheckResult", "run_check", "check_document_text"):
        from essaykit.check import runner

        return getattr(runner, name)
    if name == "CoverageRow":
        from essaykit.check.glossary_rules import CoverageRow

        return CoverageRow
    raise AttributeError(name)
