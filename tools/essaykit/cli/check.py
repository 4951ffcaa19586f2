"""The `check` and `rules` subcommands: thin layers over `essaykit.check`.

The main CLI wires them in with `register(subparsers)`; each subcommand sets
`handler` (a function taking the parsed arguments and returning the exit
code), so `main()` can end with `return args.handler(args)`.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from essaykit.check import load_rules
from essaykit.check.output import (
    FORMATS,
    format_coverage,
    format_diagnostics,
    format_rule_docs,
    format_rule_list,
    selected_rules,
    summary,
)


def register(subparsers: Any) -> None:
    """Add the subcommand to `essaykit`'s parser (what `add_subparsers()` returned)."""
    check = subparsers.add_parser(
        "check", help="check citations, cross-references, glossary coverage and front matter",
        description="Check the whole book, or just the pages given, against the whole book. "
                    "Exit 0 when there are no errors, 1 when there are, 2 for usage or "
                    "configuration errors. The book is found at PATH (or here), above it, "
                    "or in the one folder below it (a repository's root); [tool.essaykit] "
                    "book = \"docs\" names a deeper one.",
        epilog="Profiles: an essaykit book (book/book.yml) gets every rule. A Sphinx "
               "(conf.py) or Jupyter Book (_toc.yml) project gets the rules true for any "
               "book: the contributor-safety rules (SEC) only with [tool.essaykit] "
               "contributor-safety = true (for a project taking outside contributions); "
               "first-use glossary links (GLO002) only with autolink-terms = false; "
               "acronyms (GLO004) learned from the book's glossary, tables and 'Long Name "
               "(ACR)'; text MyST drops as an unknown HTML tag reported as TXT001.",
    )
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="pages (or folders) to report on; default: the whole book")
    check.add_argument("--format", choices=FORMATS, default="text",
                       help="text (default), json (one object per line) or github (annotations)")
    check.add_argument("--select", action="append", metavar="CODES",
                       help="report only these codes or prefixes (comma-separated; "
                            "replaces [tool.essaykit] select)")
    check.add_argument("--ignore", action="append", metavar="CODES",
                       help="never report these codes or prefixes (adds to [tool.essaykit] "
                            "ignore)")
    check.add_argument("--coverage", action="store_true",
                       help="also print each essay's jargon coverage table")
    check.add_argument("--list-rules", action="store_true",
                       help="list the rules and exit")
    check.set_defaults(handler=check_command)

    rules_parser = subparsers.add_parser("rules", help="explain the checker's rules",
                                         description="Print each rule's why and bad/good example.")
    rules_parser.add_argument("codes", nargs="*", metavar="CODE",
                              help="codes or prefixes to show (default: all)")
    rules_parser.set_defaults(handler=rules_command)


def _codes(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def check_command(args: argparse.Namespace, out: TextIO | None = None,
                  err: TextIO | None = None) -> int:
    """Run `essaykit check`; returns the exit code."""
    from essaykit.check import run_check

    out = out or sys.stdout
    err = err or sys.stderr
    load_rules()
    if args.list_rules:
        print("\n".join(format_rule_list(selected_rules())), file=out)
        return 0
    paths = [Path(p) for p in args.paths]
    # `--root` belongs to the main parser; without it the book is found from PATH or here
    given = getattr(args, "root", None)
    root = Path(given) if given else (paths[0] if paths else Path.cwd())
    result = run_check(root, paths or None, select=_codes(args.select),
                       ignore=_codes(args.ignore))
    diagnostics = result.diagnostics
    start = root.resolve()
    if start.is_dir() and result.root != start and result.root.is_relative_to(start):
        # the book was found below the folder given (a repository's root): paths as
        # seen from there, so they can be opened from where the command ran
        below = result.root.relative_to(start).as_posix()
        diagnostics = [dataclasses.replace(d, path=f"{below}/{d.path}") for d in diagnostics]
    lines = format_diagnostics(diagnostics, args.format)
    if lines:
        print("\n".join(lines), file=out)
    if args.coverage:
        print("\n".join(format_coverage(result.coverage, args.format)), file=out)
    # JSON output stays machine-readable: its summary goes to stderr
    print(summary(result.counts, result.pages, result.total_pages),
          file=err if args.format == "json" else out)
    return result.exit_code


def rules_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run `essaykit rules`; returns the exit code."""
    out = out or sys.stdout
    load_rules()
    chosen = selected_rules(args.codes)
    if not chosen:
        print(f"no rule matches {' '.join(args.codes)}", file=sys.stderr)
        return 2
    print("\n".join(format_rule_docs(chosen)).rstrip(), file=out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """A stand-alone entry point (`python -m essaykit.cli.check check ...`)."""
    parser = argparse.ArgumentParser(prog="essaykit")
    parser.add_argument("--root", type=Path, default=None, help="the book's folder")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
