"""`essaykit status` and the build's change report: thin formatting over the core.

The numbers come from `essaykit.dashboard.status` and `essaykit.dashboard.changes`; this module only
turns them into lines of text (or JSON) for the terminal.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from essaykit.dashboard.changes import ChangeReport
from essaykit.dashboard.page import duration
from essaykit.dashboard.status import CollectionStatus, PieceStatus

TITLE_WIDTH = 40


def register(subparsers: Any) -> None:
    """Add the subcommand to `essaykit`'s parser (what `add_subparsers()` returned)."""
    status = subparsers.add_parser(
        "status", help="the editors' dashboard: where each essay stands",
        description="Per essay: status, words and reading time against the book's target, "
                    "citations, glossary coverage and open check findings; then the totals. "
                    "Always exits 0 unless book.yml itself is unusable (exit 2).",
    )
    status.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) or json (one object, for scripts)")
    status.add_argument("--html", action="store_true",
                        help="also write the dashboard page to OUT/status/index.html")
    status.add_argument("--out", type=Path, default=None,
                        help="output folder for --html (default: the book's _build)")
    status.set_defaults(handler=status_command)


def status_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from essaykit.core.book import find_root
    from essaykit.dashboard.status import compute_status

    out = out or sys.stdout
    root = Path(args.root).resolve() if getattr(args, "root", None) else find_root(Path.cwd())
    status = compute_status(root)
    if args.format == "json":
        print(json.dumps(status.as_dict(), indent=2, ensure_ascii=False), file=out)
    else:
        print("\n".join(format_status(status)), file=out)
    if args.html:
        from essaykit.core.book import load_book
        from essaykit.dashboard.page import write_status_page

        outdir = (args.out or root / "_build").resolve()
        page = write_status_page(status, outdir / "status", outdir / ".cache" / "matplotlib",
                                 load_book(root).language)
        # with --format json, stdout stays one JSON document
        print(f"essaykit: wrote {page}", file=sys.stderr if args.format == "json" else out)
    return 0


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1].rstrip() + "\u2026"


def _target(piece: PieceStatus) -> str:
    if piece.target is None:
        return "-"
    if piece.length == "under":
        return f"under {piece.target.min:,}"
    if piece.length == "over":
        return f"over {piece.target.max:,}"
    return "within"


def _findings(counts: dict[str, int]) -> str:
    shown = [f"{counts[key]}{letter}" for key, letter in
             (("error", "E"), ("warning", "W"), ("info", "N")) if counts[key]]
    return " ".join(shown) or "-"


def format_status(status: CollectionStatus) -> list[str]:
    """The terminal table: one row per piece, then the totals in a few lines."""
    header = ("#", "essay", "status", "words", "read", "target", "works", "cites",
              "glossary", "findings")
    rows: list[tuple[str, ...]] = []
    number = 0
    for piece in status.pieces:
        if piece.kind != "taster":
            number += 1
        rows.append((
            "T" if piece.kind == "taster" else str(number),
            _cut(piece.title, TITLE_WIDTH),
            piece.status,
            f"{piece.words:,}",
            f"{piece.reading_minutes} min",
            _target(piece),
            str(piece.works_cited),
            str(piece.citations),
            f"{piece.glossary.coverage:.0f}%" if piece.glossary else "-",
            _findings(piece.findings.as_dict()),
        ))
    right = {0, 3, 4, 6, 7, 8}
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
                         for i, cell in enumerate(cells)).rstrip()

    lines = [status.book_title, "", line(header), line(tuple("-" * w for w in widths))]
    lines += [line(row) for row in rows]
    if not rows:
        lines.append("(no essays in book.yml yet)")
    lines.append("")
    lines += format_totals(status)
    return lines


def format_totals(status: CollectionStatus) -> list[str]:
    essays = sum(1 for p in status.pieces if p.kind == "essay")
    taster = " and the taster" if any(p.kind == "taster" for p in status.pieces) else ""
    by_status = ", ".join(f"{count} {name}" for name, count in status.by_status.items())
    by_length = ", ".join(f"{count} {name}{' target' if name == 'within' else ''}"
                          for name, count in status.by_length.items())
    findings = status.findings
    elsewhere = status.findings_elsewhere.total
    return [
        f"{essays} essay{'' if essays == 1 else 's'}{taster}: {status.words:,} words, "
        f"about {duration(status.reading_minutes)} of reading "
        f"at {status.words_per_minute} words a minute",
        f"status:   {by_status}",
        f"length:   {by_length or 'no essays'}",
        f"cited:    {status.works_cited} works, {status.citations} citations",
        f"findings: {_plural(findings.error, 'error')}, {_plural(findings.warning, 'warning')}, "
        f"{_plural(findings.info, 'note')}"
        + (f" ({elsewhere} outside the essays; see essaykit check)" if elsewhere else ""),
    ]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def format_changes(report: ChangeReport) -> list[str]:
    """A few lines for the end of `essaykit build`."""
    if report.first_build:
        return ["first build: no earlier build to compare with"]
    if not report.changed:
        return ["since the last build: no essay, source or finding changed"]
    parts = []
    if report.added:
        parts.append(f"{_plural(len(report.added), 'essay')} added ({', '.join(report.added)})")
    if report.edited:
        noun = "" if report.added else (" essay" if len(report.edited) == 1 else " essays")
        parts.append(f"{len(report.edited)}{noun} edited ({', '.join(report.edited)})")
    if report.removed:
        noun = "" if report.added or report.edited else \
            (" essay" if len(report.removed) == 1 else " essays")
        parts.append(f"{len(report.removed)}{noun} removed ({', '.join(report.removed)})")
    if report.other_files:
        parts.append(f"{_plural(len(report.other_files), 'other file')} changed "
                     f"({', '.join(report.other_files)})")
    parts.append(_plural(len(report.new_findings), "new finding"))
    lines = ["since the last build: " + "; ".join(parts)]
    lines += [f"  {f.path}: {f.code} {f.message} ({f.severity})" for f in report.new_findings]
    return lines
