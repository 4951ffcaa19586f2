"""What running a build step apart (`essaykit.core.apart.run_apart`) costs by
itself: a spawned process, its imports of Sphinx and essaykit's build and
extension, and the round trip of a result, against the same imports where
they are already made (the cost a step pays in the build's own process).
A benchmark, not a test.

    python bench/bench_apart.py --runs 5
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from essaykit.core.apart import run_apart


def import_build_modules(say: Callable[[str], None]) -> int:
    import sphinx.application  # noqa: F401

    import essaykit.build  # noqa: F401
    import essaykit.sphinx_ext  # noqa: F401

    return 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    apart, here = [], []
    for _ in range(args.runs):  # interleaved: a busy moment falls on both
        started = time.perf_counter()
        run_apart(import_build_modules, say=print)
        apart.append(time.perf_counter() - started)
        started = time.perf_counter()
        import_build_modules(print)
        here.append(time.perf_counter() - started)
    print(f"apart:        median {statistics.median(apart):.3f} s "
          f"({min(apart):.3f}-{max(apart):.3f}), {args.runs} runs")
    print(f"in process:   median {statistics.median(here):.3f} s")
    print(f"what apart adds: {statistics.median(apart) - statistics.median(here):.3f} s a step")


if __name__ == "__main__":  # spawned processes import this module again
    main()
