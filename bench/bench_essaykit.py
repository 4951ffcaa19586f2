"""essaykit's own HTML (or, with --pdf, book PDF) build at one or more sizes.

Each build is a child process: wall time and peak RSS.
Per size and run: a full build (fresh output and caches), a rebuild after
appending a line to the middle essay, and a rebuild with nothing changed.
Sizes are interleaved run by run, so that a busy moment of the machine does
not fall on one size only; medians are reported, and the ratio of each full
build to the smallest size's. A benchmark, not a test.

    python bench/bench_essaykit.py 500                    # one size, one run
    python bench/bench_essaykit.py 100 500 --runs 3       # linearity: 500 vs 100
    python bench/bench_essaykit.py 500 --book DIR         # an existing book
    python bench/bench_essaykit.py 100 500 --baseline OLD/.venv/bin/essaykit
        # and another essaykit (an earlier commit's), interleaved run by run,
        # each on its own copy of the book: ratios new / baseline
    python bench/bench_essaykit.py 100 --pdf --baseline OLD/.venv/bin/essaykit
        # the same for `essaykit build --pdf-only` (print HTML and both PDFs):
        # full, after a one-essay edit, nothing changed; peak memory

Without the plain-Sphinx baseline (bench_build.py runs it: at 500 essays it takes
most of an hour).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_build import essaykit, measure  # noqa: E402
from generate import generate  # noqa: E402

WORKS = ("full", "edit", "noop")


def timed_build(root: Path, program: str | None = None,
                edition: str = "--html-only") -> dict[str, float]:
    """Wall time and peak RSS of one `essaykit build --html-only` (or `--pdf-only`), in
    its own process."""
    command = essaykit(root, edition)
    if program:
        command[0] = program
    result = measure(command)
    return {"wall": result["seconds"], "peak_mb": result["peak_mb"], "cpu": result["cpu"],
            "tree_mb": result["tree_mb"]}


def one_run(root: Path, run: int, program: str | None = None,
            edition: str = "--html-only") -> dict[str, dict[str, float]]:
    shutil.rmtree(root / "_build", ignore_errors=True)
    results = {"full": timed_build(root, program, edition)}
    essays = sorted((root / "essays").glob("*.md"))
    with essays[len(essays) // 2].open("a", encoding="utf-8") as essay:
        essay.write(f"\nA line added by the benchmark in run {run}.\n")
    results["edit"] = timed_build(root, program, edition)
    results["noop"] = timed_build(root, program, edition)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--book", type=Path, default=None,
                        help="an existing book (one size only)")
    parser.add_argument("--baseline", default=None,
                        help="another essaykit executable to run interleaved, for ratios")
    parser.add_argument("--pdf", action="store_true",
                        help="time the print edition (--pdf-only) instead of the web book")
    args = parser.parse_args()
    edition = "--pdf-only" if args.pdf else "--html-only"
    if args.book and len(args.sizes) != 1:
        parser.error("--book goes with one size")
    workdir = Path(tempfile.mkdtemp(prefix="essaykit-bench-"))
    roots = {size: args.book or generate(size, workdir / f"book{size}") for size in args.sizes}
    programs: dict[str, str | None] = {"new": None}
    if args.baseline:
        programs["baseline"] = args.baseline
        for size, root in list(roots.items()):
            shutil.copytree(root, workdir / f"baseline{size}")
    samples: dict[tuple[str, int, str], list[dict[str, float]]] = {}
    try:
        for run in range(args.runs):
            # alternate which goes first, so neither always meets a warm or busy machine
            order = list(programs) if run % 2 == 0 else list(reversed(programs))
            for size, root in roots.items():
                for label in order:
                    book = root if label == "new" else workdir / f"baseline{size}"
                    for work, result in one_run(book, run, programs[label], edition).items():
                        samples.setdefault((label, size, work), []).append(result)
                        print(f"run {run + 1}: {label} {size} essays, {work}: "
                              f"{result['wall']:.2f} s", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(samples, args.sizes, list(programs))


def report(samples: dict[tuple[str, int, str], list[dict[str, float]]], sizes: list[int],
           labels: list[str]) -> None:
    smallest = min(sizes)
    for label in labels:
        if len(labels) > 1:
            print(f"\n{label}:")
        full_smallest = statistics.median(r["wall"] for r in samples[(label, smallest, "full")])
        # peak MB: the largest process; all MB: the build's processes together
        print(f"{'essays':>6} {'work':<5} {'median s':>9} {'cpu s':>7} {'peak MB':>8} "
              f"{'all MB':>7} {'full / ' + str(smallest):>10}")
        for size in sizes:
            for work in WORKS:
                runs = samples[(label, size, work)]
                wall = statistics.median(r["wall"] for r in runs)
                cpu = statistics.median(r["cpu"] for r in runs)
                peak = max(r["peak_mb"] for r in runs)
                together = max(r["tree_mb"] for r in runs)
                ratio = f"{wall / full_smallest:10.2f}" if work == "full" else ""
                print(f"{size:>6} {work:<5} {wall:>9.2f} {cpu:>7.2f} {peak:>8.0f} "
                      f"{together:>7.0f} {ratio}")
    if "baseline" in labels:
        print("\nnew / baseline (medians):")
        for size in sizes:
            for work in WORKS:
                new_runs, old_runs = samples[("new", size, work)], samples[("baseline", size, work)]
                new, old = (statistics.median(r["wall"] for r in runs)
                            for runs in (new_runs, old_runs))
                cpu_new, cpu_old = (statistics.median(r["cpu"] for r in runs)
                                    for runs in (new_runs, old_runs))
                peak_new, peak_old = (max(r["peak_mb"] for r in runs)
                                      for runs in (new_runs, old_runs))
                print(f"{size:>6} {work:<5} time {new / old:5.2f}   cpu {cpu_new / cpu_old:5.2f}"
                      f"   peak memory {peak_new / peak_old:5.2f}")


if __name__ == "__main__":
    main()
