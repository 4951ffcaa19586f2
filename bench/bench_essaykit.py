"""essaykit's own build at one size, without the plain-Sphinx baseline.

At 500 essays the baseline takes most of an hour (bench_build.py runs it); this
measures essaykit alone, each build a child process: wall time, CPU time and
peak RSS for a full HTML build, a rebuild after appending a line to the middle
essay, and a rebuild with nothing changed. A benchmark, not a test.

    python bench/bench_essaykit.py 500            # writes /tmp/essaykit-bench-500
    python bench/bench_essaykit.py 500 --book DIR
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate  # noqa: E402

ESSAYKIT = Path(sys.executable).parent / "essaykit"


def timed_build(root: Path) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([str(ESSAYKIT), "--root", str(root), "build", "-q", "--html-only"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far (KiB on Linux)
    return {"wall s": round(wall, 2), "cpu s": round(cpu, 2),
            "peak MB so far": after.ru_maxrss // 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("essays", type=int)
    parser.add_argument("--book", type=Path, default=None)
    args = parser.parse_args()
    root = args.book or Path(f"/tmp/essaykit-bench-{args.essays}")
    if not (root / "book" / "book.yml").is_file():
        generate(args.essays, root)
    shutil.rmtree(root / "_build", ignore_errors=True)
    print(args.essays, "full", timed_build(root), flush=True)
    essays = sorted((root / "essays").glob("*.md"))
    middle = essays[len(essays) // 2]
    with middle.open("a", encoding="utf-8") as essay:
        essay.write(f"\nA line added by the benchmark at {time.time()}.\n")
    print(args.essays, "edit", timed_build(root), flush=True)
    print(args.essays, "noop", timed_build(root), flush=True)


if __name__ == "__main__":
    main()
