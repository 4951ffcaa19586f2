"""The checker's findings as Sphinx warnings, with the same codes.

A plain `sphinx-build` of the book reports what `essaykit check` reports,
each as a warning of type "essaykit" and subtype the rule's code, so that
`suppress_warnings = ["essaykit.GLO002"]` silences one rule. `essaykit build`
has already run the same check as its gate and turns this off.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sphinx.util import logging

from essaykit.core.diagnostics import Severity
from essaykit.sphinx_ext.state import book_of

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)


def report_findings(app: Sphinx) -> None:
    if not app.config.essaykit_check:
        return
    from essaykit.check import run_check

    root = book_of(app.env).root
    result = run_check(root)
    for finding in result.diagnostics:
        docname = finding.path[:-3] if finding.path.endswith(".md") else None
        location: object
        if docname is not None and docname in app.project.docnames:
            location = (docname, finding.line)
        else:
            location = f"{root / finding.path}:{finding.line}"
        message = f"{finding.code} {finding.message}"
        if finding.hint:
            message += f" ({finding.hint})"
        if finding.severity >= Severity.WARNING:
            logger.warning(message, location=location, type="essaykit", subtype=finding.code)
        else:
            logger.info(message, location=location)
