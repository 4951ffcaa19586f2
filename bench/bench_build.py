"""Time essaykit's build against plain sphinx-build on the same synthetic book.

For each size, bench/generate.py writes a book; a plain Sphinx project is
made from the same essays (myst-parser, sphinxcontrib-bibtex with a reference
list per essay, sphinx-book-theme, the same MyST settings: what a user would
write without essaykit). Then, interleaved and several times each, in one
run on one machine:

- full:    a clean HTML build (fresh output and caches);
- edit:    a rebuild after appending a sentence to one essay;
- noop:    a rebuild with nothing changed;
- pdf:     (with --pdf) essaykit's book PDF against sphinx-simplepdf's.

Each build runs in its own process; its peak memory (max RSS) is measured by a
wrapper process. It prints medians and the ratio essaykit/baseline. This is a
benchmark, not a test.

    python bench/bench_build.py                     # 10 and 100 essays, 3 runs
    python bench/bench_build.py --sizes 100 500 --runs 3
    python bench/bench_build.py --sizes 100 --pdf   # needs: pip install sphinx-simplepdf
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate  # noqa: E402

BIN = Path(sys.executable).parent
# Runs a command and reports its wall time and the peak RSS of its process tree.
WRAPPER = """
import json, os, resource, subprocess, sys, threading, time
PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root):
    # the summed resident memory of a process and its descendants (the build's
    # typesetting workers run beside it), read from /proc
    parents, rss = {}, {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
                rss[int(entry)] = int(fields[21]) * PAGE
            except (OSError, IndexError, ValueError):
                pass
    tree, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(rss.get(pid, 0) for pid in tree)


start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True)
peak_tree = 0


def sample():
    global peak_tree
    while child.poll() is None and os.path.isdir("/proc/self"):
        peak_tree = max(peak_tree, tree_rss(child.pid))
        time.sleep(0.2)


sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
stderr = child.communicate()[1]
elapsed = time.perf_counter() - start
sampler.join()
children = resource.getrusage(resource.RUSAGE_CHILDREN)
# CPU seconds (user + system) too: unlike wall time, they hardly move when other
# work shares the machine. peak_mb is the largest single process (getrusage);
# tree_mb the largest sum over the build's processes seen at once (sampled).
print(json.dumps({"seconds": elapsed, "peak_mb": children.ru_maxrss / 1024,
                  "tree_mb": peak_tree / 2**20,
                  "cpu": children.ru_utime + children.ru_stime, "code": child.returncode,
                  "stderr": stderr[-2000:]}))
"""
PLAIN_CONF = '''
extensions = ["myst_parser", "sphinxcontrib.bibtex"]
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist", "smartquotes", "strikethrough"]
myst_heading_anchors = 3
myst_title_to_header = True
bibtex_bibfiles = ["references.bib"]
bibtex_reference_style = "author_year"
suppress_warnings = ["bibtex.duplicate_citation"]
html_theme = "sphinx_book_theme"
html_title = "A Synthetic Book"
'''
PLAIN_SIMPLEPDF = '\nextensions.append("sphinx_simplepdf")\n'
REFERENCES = "\n\n## References\n\n```{bibliography}\n:filter: docname in docnames\n```\n"


def plain_project(book: Path, target: Path, simplepdf: bool) -> Path:
    """The same essays as a plain Sphinx + MyST project, without essaykit."""
    (target / "essays").mkdir(parents=True)
    essays = sorted((book / "essays").glob("*.md"))
    for essay in essays:
        text = essay.read_text(encoding="utf-8").rstrip() + REFERENCES
        (target / "essays" / essay.name).write_text(text, encoding="utf-8")
    shutil.copy(book / "book" / "references.bib", target / "references.bib")
    shutil.copy(book / "book" / "glossary.md", target / "glossary.md")
    (target / "bibliography.md").write_text(
        "---\ntitle: Bibliography\n---\n\n```{bibliography}\n:all:\n```\n", encoding="utf-8")
    toc = "\n".join(f"essays/{e.stem}" for e in essays)
    (target / "index.md").write_text(
        f"---\ntitle: A Synthetic Book\n---\n\n```{{toctree}}\n:maxdepth: 1\n\n{toc}\n"
        "glossary\nbibliography\n```\n", encoding="utf-8")
    (target / "conf.py").write_text(PLAIN_CONF + (PLAIN_SIMPLEPDF if simplepdf else ""),
                                    encoding="utf-8")
    return target


def measure(command: list[str]) -> dict[str, float]:
    # sphinx-simplepdf runs the `weasyprint` command: find it in this environment
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    out = subprocess.run([sys.executable, "-c", WRAPPER, *command], capture_output=True,
                         text=True, check=True, env=env)
    result = json.loads(out.stdout)
    if result["code"] != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result['stderr']}")
    return result


def essaykit(root: Path, *extra: str) -> list[str]:
    return [str(BIN / "essaykit"), "--root", str(root), "build", "-q", *extra]


def sphinx(project: Path, builder: str = "html", *extra: str) -> list[str]:
    return [str(BIN / "sphinx-build"), "-q", "-b", builder, str(project),
            str(project / "_build" / builder), *extra]


def edit_one(essay: Path, run: int) -> None:
    with essay.open("a", encoding="utf-8") as handle:
        handle.write(f"\nAn edit made by the benchmark, run {run}.\n")


def bench_size(size: int, runs: int, pdf: bool, workdir: Path) -> list[tuple[str, dict, dict]]:
    book = generate(size, workdir / f"book{size}")
    plain = plain_project(book, workdir / f"plain{size}", simplepdf=pdf)
    middle = f"essay-{(size + 1) // 2:04d}.md"
    times: dict[tuple[str, str], list[dict]] = {}

    def record(work: str, side: str, command: list[str]) -> None:
        result = measure(command)
        times.setdefault((work, side), []).append(result)
        # as it goes: a run stopped half-way still says what it measured
        print(f"{size} essays, {side} {work}: {result['seconds']:.2f} s wall, "
              f"{result['cpu']:.2f} s CPU, {result['peak_mb']:.0f} MB",
              file=sys.stderr, flush=True)

    for run in range(runs):
        # full builds: fresh output and caches for both
        shutil.rmtree(book / "_build", ignore_errors=True)
        shutil.rmtree(plain / "_build", ignore_errors=True)
        record("full", "baseline", sphinx(plain))
        record("full", "essaykit", essaykit(book, "--html-only"))
        # one essay edited
        edit_one(plain / "essays" / middle, run)
        edit_one(book / "essays" / middle, run)
        record("edit", "baseline", sphinx(plain))
        record("edit", "essaykit", essaykit(book, "--html-only"))
        # nothing changed
        record("noop", "baseline", sphinx(plain))
        record("noop", "essaykit", essaykit(book, "--html-only"))
        if pdf:
            record("pdf", "baseline", sphinx(plain, "simplepdf"))
            record("pdf", "essaykit", essaykit(book, "--pdf-only"))
    rows = []
    for work in ("full", "edit", "noop", "pdf"):
        if (work, "baseline") in times:
            rows.append((work, _median(times[(work, "baseline")]),
                         _median(times[(work, "essaykit")])))
    return rows


def _median(results: list[dict]) -> dict:
    return {"seconds": statistics.median(r["seconds"] for r in results),
            "peak_mb": max(r["peak_mb"] for r in results)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pdf", action="store_true",
                        help="also compare book PDFs with sphinx-simplepdf (must be installed)")
    parser.add_argument("--keep", type=Path, default=None, help="work here and keep the books")
    args = parser.parse_args(argv)
    if args.pdf and shutil.which("sphinx-build") and subprocess.run(
            [sys.executable, "-c", "import sphinx_simplepdf"], capture_output=True).returncode:
        print("--pdf needs sphinx-simplepdf: pip install sphinx-simplepdf", file=sys.stderr)
        return 2
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="essaykit-bench-"))
    print(f"{'essays':>6}  {'work':<5} {'baseline s':>10} {'essaykit s':>10} {'ratio':>6} "
          f"{'base MB':>8} {'ek MB':>7}")
    try:
        for size in args.sizes:
            for work, base, ours in bench_size(size, args.runs, args.pdf, workdir):
                print(f"{size:>6}  {work:<5} {base['seconds']:>10.2f} {ours['seconds']:>10.2f} "
                      f"{ours['seconds'] / base['seconds']:>6.2f} {base['peak_mb']:>8.0f} "
                      f"{ours['peak_mb']:>7.0f}", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
