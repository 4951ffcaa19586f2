"""Time `essaykit check` against the floor: merely parsing the same files.

The floor reads every page of the book and parses it with myst-parser's
markdown-it parser, as myst-parser builds it for the book's settings (the
checker's parser is the same less its word-count rule, which writes only a
word count nothing in the checker reads; the tokens are identical). The ratio
to the checker's own parser is printed too, as a stricter floor. All are
timed in-process, in this one run, for books of 10, 100 and 1,000 essays made
by bench/generate.py; each is run several times and the median is reported.

    python bench/bench_check.py                 # 10, 100, 1000 essays
    python bench/bench_check.py --sizes 10 100 --runs 3
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate  # noqa: E402

from essaykit.check import run_check  # noqa: E402
from essaykit.core.mdconfig import (  # noqa: E402
    HEADING_ANCHORS,
    MYST_EXTENSIONS,
    checker_parser,
    create_parser,
)


def parse_all(root: Path, parser: Any) -> None:
    for path in sorted((root / "essays").glob("*.md")) + sorted((root / "book").glob("*.md")):
        parser.parse(path.read_text(encoding="utf-8"), {})


def floor(root: Path) -> None:
    """The issue's floor: myst-parser's markdown-it parser, as myst-parser builds it."""
    parse_all(root, create_parser(MYST_EXTENSIONS, HEADING_ANCHORS))


def checker_floor(root: Path) -> None:
    """A stricter floor: the checker's own parser (myst-parser's less word counting)."""
    parse_all(root, checker_parser(MYST_EXTENSIONS, HEADING_ANCHORS))


def check(root: Path) -> None:
    result = run_check(root)
    if result.exit_code != 0:
        raise SystemExit(f"the synthetic book should be clean: {result.diagnostics[:3]}")


def timed(function: Callable[[Path], None], root: Path, runs: int) -> float:
    samples = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        function(root)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    print(f"{'essays':>7} {'floor (s)':>10} {'check (s)':>10} {'ratio':>6} "
          f"{'ratio vs checker parser':>24} {'check ms/essay':>15}")
    with tempfile.TemporaryDirectory(prefix="essaykit-bench-") as tmp:
        for size in args.sizes:
            root = generate(size, Path(tmp) / f"book{size}")
            check(root)  # warm up: imports, the parser's cache
            runs = args.runs if size < 1000 else max(3, args.runs // 2 + 1)
            parse_time = timed(floor, root, runs)
            check_time = timed(check, root, runs)
            own_parse_time = timed(checker_floor, root, runs)
            print(f"{size:>7} {parse_time:>10.3f} {check_time:>10.3f} "
                  f"{check_time / parse_time:>6.2f} {check_time / own_parse_time:>24.2f} "
                  f"{1000 * check_time / size:>15.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
