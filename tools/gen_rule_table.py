"""Write the README's table of `essaykit check` rules from the rule registry.

    python tools/gen_rule_table.py            # print the table
    python tools/gen_rule_table.py --write    # replace it in README.md
    python tools/gen_rule_table.py --check    # exit 1 if README.md is out of date

The table goes between the lines `<!-- rules:start -->` and `<!-- rules:end -->`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from essaykit.check import load_rules
from essaykit.check.output import rule_table_markdown

START, END = "<!-- rules:start -->", "<!-- rules:end -->"
README = Path(__file__).resolve().parents[1] / "README.md"


def replace_table(text: str, table: str) -> str | None:
    """`text` with the table between the markers replaced; None if the markers are missing."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return None
    return text[:start + len(START)] + "\n\n" + table + "\n" + text[end:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help="update README.md in place")
    action.add_argument("--check", action="store_true", help="fail if README.md is stale")
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    load_rules()
    table = rule_table_markdown()
    if not (args.write or args.check):
        sys.stdout.write(table)
        return 0
    try:
        text = args.readme.read_text(encoding="utf-8")
    except OSError as err:
        print(f"gen_rule_table: cannot read {args.readme}: {err}", file=sys.stderr)
        return 2
    updated = replace_table(text, table)
    if updated is None:
        print(f"gen_rule_table: {args.readme} has no '{START}' ... '{END}' markers; add them "
              "where the rule table belongs", file=sys.stderr)
        return 2
    if args.check:
        if updated != text:
            print(f"gen_rule_table: the rule table in {args.readme} is out of date; run "
                  "python tools/gen_rule_table.py --write", file=sys.stderr)
            return 1
        return 0
    if updated != text:
        args.readme.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
