"""The live preview's edit loop: from a file's save to the page's new text being served.

Starts `essaykit serve` on a generated book (each program on its own copy),
waits for the first build, then saves an edit to one essay again and again,
each time timing until the server returns the page with the new sentence.
With `--baseline OTHER/.venv/bin/essaykit` (an earlier essaykit, whose serve
ran sphinx-autobuild), both servers run side by side and the saves alternate
between them, so that a busy moment of the machine falls on both; medians are
reported, and the ratio new / baseline. Between saves the loop waits
(`--pause`), as a writer does: the new serve prepares the next build then.
A benchmark, not a test.

    python bench/bench_serve.py 500 --edits 7
    python bench/bench_serve.py 500 --edits 7 --baseline /work/main/.venv/bin/essaykit
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from generate import generate  # noqa: E402

HERE = Path(sys.executable).with_name("essaykit")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def page_text(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8", "replace"))
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return ""  # not up yet, or caught while Sphinx rewrites the file: ask again


class Server:
    def __init__(self, name: str, program: str, root: Path, essay: str) -> None:
        self.name, self.root = name, root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/essays/{essay}.html"
        self.essay = root / "essays" / f"{essay}.md"
        self.log = open(root.parent / f"{name}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [program, "--root", str(root), "serve", "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.times: list[float] = []

    def wait_until_up(self, limit: float) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if "</html>" in page_text(self.url):
                return
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name}: the server stopped; see {self.log.name}")
            time.sleep(0.5)
        raise SystemExit(f"{self.name}: no page after {limit:.0f} s; see {self.log.name}")

    def save_and_time(self, marker: str, limit: float = 120.0) -> float:
        with self.essay.open("a", encoding="utf-8") as handle:
            handle.write(f"\nThe benchmark saved the sentence {marker}.\n")
        saved = time.perf_counter()
        while time.perf_counter() - saved < limit:
            if marker in page_text(self.url):
                elapsed = time.perf_counter() - saved
                self.times.append(elapsed)
                return elapsed
            time.sleep(0.02)
        raise SystemExit(f"{self.name}: {marker} not served after {limit:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--pause", type=float, default=6.0,
                        help="seconds between saves (a writer reading the page)")
    parser.add_argument("--baseline", default=None,
                        help="another essaykit's command, served side by side")
    parser.add_argument("--keep", action="store_true", help="keep the books and logs")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    source = work / "source"
    generate(args.size, source)
    # the earlier serve (sphinx-autobuild) needed a conf.py; the same one for both
    (source / "conf.py").write_text('extensions = ["essaykit.sphinx_ext"]\n', encoding="utf-8")
    programs = {"essaykit": str(HERE)}
    if args.baseline:
        programs["baseline"] = args.baseline
    essay = sorted((source / "essays").glob("*.md"))[args.size // 2].stem
    servers = []
    try:
        for name, program in programs.items():
            root = work / name / "book"
            shutil.copytree(source, root)
            servers.append(Server(name, program, root, essay))
        for server in servers:  # the first builds, one after the other
            started = time.perf_counter()
            server.wait_until_up(limit=60.0 * max(5, args.size // 20))
            print(f"{server.name}: first build served after {time.perf_counter() - started:.0f} s",
                  flush=True)
        time.sleep(args.pause)
        for edit in range(args.edits):
            for server in servers if edit % 2 == 0 else reversed(servers):
                elapsed = server.save_and_time(f"m{edit}x{server.port}z")
                print(f"{server.name}: save {edit + 1} served after {elapsed:.2f} s", flush=True)
                time.sleep(args.pause)
    finally:
        for server in servers:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"books and logs kept in {work}")
    print(f"\n{args.size} essays, {args.edits} saves each, median (min–max), from save to served:")
    medians = {}
    for server in servers:
        medians[server.name] = statistics.median(server.times)
        print(f"  {server.name:<9} {medians[server.name]:.2f} s "
              f"({min(server.times):.2f}–{max(server.times):.2f})")
    if "baseline" in medians:
        print(f"  ratio essaykit / baseline: {medians['essaykit'] / medians['baseline']:.2f}")


if __name__ == "__main__":
    main()
