"""Formatters: diagnostics, the coverage table and the rule list as text.

Pure functions from data to strings; the CLI decides where they go.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from essaykit.check.glossary_rules import CoverageRow
from essaykit.core import rules
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.core.version import VERSION

FORMATS = ("text", "json", "github")
GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def format_text(diagnostics: Iterable[Diagnostic]) -> list[str]:
    return [d.format_text() for d in diagnostics]


def as_record(diagnostic: Diagnostic) -> dict[str, object]:
    """The JSON form of one finding. Keys are stable; new keys are only ever added."""
    rule = rules.RULES.get(diagnostic.code)
    return {
        "path": diagnostic.path,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "code": diagnostic.code,
        "name": rule.name if rule else "",
        "severity": str(diagnostic.severity),
        "message": diagnostic.message,
        "hint": diagnostic.hint,
        "essaykit_version": VERSION,
    }


def format_json(diagnostics: Iterable[Diagnostic]) -> list[str]:
    """One JSON object per line (JSON Lines)."""
    return [json.dumps(as_record(d), ensure_ascii=False) for d in diagnostics]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: Iterable[Diagnostic]) -> list[str]:
    """GitHub Actions workflow commands, which annotate the pull request's diff."""
    lines = []
    for d in diagnostics:
        rule = rules.RULES.get(d.code)
        title = f"{d.code} {rule.name}" if rule else d.code
        message = f"{d.message} ({d.hint})" if d.hint else d.message
        lines.append(
            f"::{GITHUB_LEVEL[d.severity]} file={_escape_property(d.path)},line={d.line},"
            f"col={d.column},title={_escape_property(title)}::{_escape_data(message)}"
        )
    return lines


def format_diagnostics(diagnostics: Sequence[Diagnostic], fmt: str) -> list[str]:
    return {"text": format_text, "json": format_json, "github": format_github}[fmt](diagnostics)


def summary(counts: dict[str, int], pages: int, total: int = 0) -> str:
    """The last line; `total` is the book's page count when only some pages were chosen."""
    def plural(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    checked = plural(pages, "page")
    if total and total != pages:  # some pages, checked against the whole book
        checked = f"{pages} of {plural(total, 'page')}"
    if not any(counts.values()):
        return f"All checks passed ({checked} checked)."
    parts = [plural(counts.get("error", 0), "error"), plural(counts.get("warning", 0), "warning")]
    if counts.get("info"):
        parts.append(plural(counts["info"], "note"))
    return f"Found {', '.join(parts)} in {checked}."


def format_coverage(rows: Sequence[CoverageRow], fmt: str) -> list[str]:
    if fmt == "json":
        return [json.dumps(row.as_dict()) for row in rows]
    width = max([len("essay")] + [len(row.path) for row in rows])
    lines = [f"{'essay':<{width}}  {'used':>5}  {'defined':>7}  {'linked':>6}  {'coverage':>8}"]
    for row in rows:
        lines.append(f"{row.path:<{width}}  {row.used:>5}  {row.defined:>7}  {row.linked:>6}  "
                     f"{row.coverage:>7.1f}%")
    if rows:
        total = CoverageRow("total", sum(r.used for r in rows), sum(r.defined for r in rows),
                            sum(r.linked for r in rows))
        lines.append(f"{total.path:<{width}}  {total.used:>5}  {total.defined:>7}  "
                     f"{total.linked:>6}  {total.coverage:>7.1f}%")
    return lines


def selected_rules(prefixes: Sequence[str] = ()) -> list[rules.Rule]:
    chosen = [r for code, r in sorted(rules.RULES.items())
              if not prefixes or any(code.startswith(p.upper()) for p in prefixes)]
    return chosen


def format_rule_list(chosen: Sequence[rules.Rule]) -> list[str]:
    width = max((len(r.name) for r in chosen), default=4)
    return [f"{r.code:<8}{r.name:<{width + 2}}{str(r.severity):<9}{r.summary}" for r in chosen]


def format_rule_docs(chosen: Sequence[rules.Rule]) -> list[str]:
    lines: list[str] = []
    for r in chosen:
        lines += [f"{r.code} {r.name} ({r.severity})", f"    {r.summary}", f"    Why: {r.why}"]
        for label, example in (("Bad", r.bad), ("Good", r.good)):
            if example:
                lines.append(f"    {label}:")
                lines += [f"        {line}" for line in example.splitlines()]
        lines.append("")
    return lines


def rule_table_markdown() -> str:
    """The README's rule table, from the registry."""
    rows = ["| Code | Name | Severity | What it finds |", "| --- | --- | --- | --- |"]
    for _, r in sorted(rules.RULES.items()):
        summary_text = r.summary.replace("|", "\\|")
        rows.append(f"| `{r.code}` | `{r.name}` | {r.severity} | {summary_text} |")
    return "\n".join(rows) + "\n"
