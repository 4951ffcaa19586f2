"""The live preview's builder: Sphinx kept warm between saves.

A rebuild in a fresh process spends most of its time before it reads a page:
starting Python, importing Sphinx, the theme and the extensions, loading the
pickled environment, setting up the builder. `essaykit serve` does that work
ahead of time in a process of its own (the *worker*): after each build it
starts the next Sphinx application at once, while the writer is still
reading, and when a file is saved it forks that prepared application and
builds. Each build runs in a fresh child, so nothing one build changes in
memory can reach the next: the next application is set up from the files,
the same way a cold `sphinx-build` would be.

A prepared application is only used when what Sphinx read while starting is
unchanged: the configuration, book.yml, the bibliography and every page's
front matter (titles, bylines, drafts). A save that changes any of them is
built by a freshly started application instead (slower, never stale).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import sys
import time
import traceback
from contextlib import ExitStack
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from essaykit.core.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from sphinx.application import Sphinx

# What the live preview refuses to build on: the contributor-safety rules, as the
# gate of `essaykit build` does (other errors are shown, and the preview still builds)
BLOCKING = ("SEC", "CHK")
SKIPPED_FOLDERS = frozenset({"_build", "__pycache__", "node_modules", "venv"})


@dataclass(frozen=True)
class Rebuild:
    """What one save did to the live preview."""

    built: bool  # False: the last good preview stays up (see `reason`)
    seconds: float
    warm: bool = False  # a prepared Sphinx built it (only pages' text had changed)
    reason: str = ""
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class Inputs:
    """What Sphinx and essaykit read while an application starts: every file of
    the book by size and time, and for pages only their front matter (the text
    below it is read when the page is built, not before)."""

    stats: dict[str, tuple[int, int]]
    heads: dict[str, str]  # page -> its front matter, as written

    @classmethod
    def read(cls, root: Path, earlier: Inputs | None = None) -> Inputs:
        stats: dict[str, tuple[int, int]] = {}
        heads: dict[str, str] = {}
        for folder, folders, files in os.walk(root):
            folders[:] = [name for name in folders
                          if not name.startswith(".") and name not in SKIPPED_FOLDERS]
            for name in files:
                path = os.path.join(folder, name)
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                stats[path] = (stat.st_size, stat.st_mtime_ns)
                if name.endswith(".md"):
                    if earlier is not None and earlier.stats.get(path) == stats[path]:
                        heads[path] = earlier.heads[path]  # unchanged: not read again
                    else:
                        heads[path] = front_matter_of(path)
        return cls(stats, heads)

    def same_start(self, now: Inputs) -> bool:
        """Would Sphinx start from `now` as it started from these?"""
        if self.stats.keys() != now.stats.keys() or self.heads != now.heads:
            return False
        return all(now.stats[path] == stat for path, stat in self.stats.items()
                   if path not in self.heads)


def front_matter_of(path: str) -> str:
    from essaykit.core.frontmatter import split

    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return split(handle.read()).yaml_text
    except OSError:
        return "\0unreadable"


@dataclass
class Prepared:
    """A Sphinx application set up for the next build, and what it was set up from."""

    app: Sphinx | None
    inputs: Inputs
    namespace: ExitStack  # docutils' registries, held until the build is done
    problem: str = ""  # why Sphinx could not start (a broken conf.py, book.yml)

    def close(self) -> None:
        self.namespace.close()


REFUSED = 3  # the forked build's exit code when the gate said no


@dataclass
class Worker:
    """The worker process's side: prepares Sphinx, forks a build for each save and
    runs the gate beside it.

    The gate (every rule of `essaykit check`) and Sphinx's reading of the changed
    pages run at the same time, on two cores; the build waits for the gate's
    verdict at the end of reading (`env-updated`), before anything it read is
    saved or written. A save the safety rules refuse leaves no trace: the child
    goes, and the last good preview stays up.
    """

    root: Path
    outdir: Path  # the web book, as served
    cache: Path  # Sphinx's environment and the checker's parsed pages: not served
    drafts: bool = True
    status: TextIO | None = None  # Sphinx's progress (None: quiet)
    prepared: Prepared | None = field(default=None, init=False)
    inputs: Inputs | None = field(default=None, init=False)  # as last read
    verdict: int | None = field(default=None, init=False)  # in a forked build: the pipe to read

    @property
    def doctrees(self) -> Path:
        return self.cache / "doctrees"

    def read_inputs(self) -> Inputs:
        self.inputs = Inputs.read(self.root, self.inputs)
        return self.inputs

    def prepare(self) -> Prepared:
        from sphinx.errors import SphinxError
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        from essaykit.build import BuildOptions, sphinx_app
        from essaykit.collector import tuned_for_build

        inputs = self.read_inputs()  # before Sphinx reads: a save while it starts is seen
        namespace = ExitStack()
        namespace.enter_context(patch_docutils(str(self.root)))
        namespace.enter_context(docutils_namespace())
        options = BuildOptions(root=self.root, drafts=self.drafts, quiet=self.status is None)
        try:
            with tuned_for_build():
                app = sphinx_app(self.root, self.outdir, self.doctrees, "html", options,
                                 self.status, sys.stderr)
        except SphinxError as err:
            return Prepared(None, inputs, namespace, f"Sphinx stopped: {err}")
        except Exception as err:  # a conf.py that raises: the writer sees why, the server stays
            return Prepared(None, inputs, namespace,
                            f"Sphinx could not start: {type(err).__name__}: {err}")
        # after every other listener, so that their work overlaps the gate's too
        app.connect("env-updated", self.await_verdict, priority=1000)
        return Prepared(app, inputs, namespace)

    def rebuild(self) -> Rebuild:
        started = time.perf_counter()
        ready, self.prepared = self.prepared, None
        warm = ready is not None and ready.app is not None \
            and ready.inputs.same_start(self.read_inputs())
        if ready is not None and not warm:
            ready.close()
        prepared = ready if ready is not None and warm else self.prepare()
        try:
            if prepared.app is None:
                return Rebuild(False, time.perf_counter() - started, reason=prepared.problem,
                               diagnostics=tuple(self.gate()))
            build = ForkedBuild(self, prepared.app)
            findings = self.gate()
            blocking = [d for d in findings
                        if d.severity >= Severity.ERROR and d.code.startswith(BLOCKING)]
            code = build.finish(allowed=not blocking)
        finally:
            prepared.close()
        seconds = time.perf_counter() - started
        if blocking:
            return Rebuild(False, seconds, warm, f"{len(blocking)} safety error(s): the last "
                           "good preview stays up", tuple(findings))
        if code:
            return Rebuild(False, seconds, warm, "Sphinx failed; the last good preview stays up",
                           tuple(findings))
        return Rebuild(True, seconds, warm, diagnostics=tuple(findings))

    def gate(self) -> list[Diagnostic]:
        """Every rule, as `essaykit check` runs them; pages unchanged since the
        last save are not parsed again."""
        from essaykit.build import check_book

        return list(check_book(self.root, self.cache / "parsed").diagnostics)

    def await_verdict(self, _app: Sphinx, _env: object) -> None:
        """In the forked build, at the end of reading: go on only if the gate passed."""
        if self.verdict is None:
            return  # built in this process (no fork): the gate has already passed
        answer = b""
        try:
            answer = os.read(self.verdict, 1)
        except OSError:
            pass
        if answer != b"y":
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(REFUSED)  # nothing read is saved, nothing is written

    def ready_next(self) -> None:
        """Set up the next application now, while nobody waits for it."""
        if self.prepared is None:
            self.prepared = self.prepare()

    def close(self) -> None:
        """Let the prepared application go, and docutils' registries with it."""
        if self.prepared is not None:
            self.prepared.close()
            self.prepared = None


class ForkedBuild:
    """A build in a forked child of the worker. The child's memory is a copy:
    whatever the build changes goes when the child does."""

    def __init__(self, worker: Worker, app: Sphinx) -> None:
        self.worker, self.app = worker, app
        self.pid: int | None = None
        if not hasattr(os, "fork"):  # no fork (Windows): built in `finish`, after the gate
            return
        read_end, self.tell = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            os.close(self.tell)
            worker.verdict = read_end
            code = 1
            try:
                code = _build(app)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                # a forked child leaves without running the parent's exit handlers
                os._exit(code)
        os.close(read_end)

    def finish(self, *, allowed: bool) -> int:
        """Tell the child the gate's verdict and wait for it; its exit code."""
        if self.pid is None:
            return _build(self.app) if allowed else REFUSED
        try:
            os.write(self.tell, b"y" if allowed else b"n")
        except OSError:
            pass  # the child has already stopped (Sphinx failed while reading)
        finally:
            os.close(self.tell)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def _build(app: Sphinx) -> int:
    from sphinx.errors import SphinxError

    from essaykit.collector import tuned_for_build

    try:
        with tuned_for_build():
            app.build()
    except SphinxError as err:
        print(f"essaykit: Sphinx stopped: {err}", file=sys.stderr)
        return 1
    except Exception:  # a bug, in essaykit or an extension: say where
        traceback.print_exc()
        return 1
    return 1 if app.statuscode else 0


# The main process's side ------------------------------------------------------------

def work(connection: Connection, root: str, outdir: str, cache: str, drafts: bool,
         verbose: bool) -> None:
    """The worker process: a build for each request, the next one prepared between."""
    worker = Worker(Path(root), Path(outdir), Path(cache), drafts,
                    sys.stdout if verbose else None)
    try:
        while True:
            worker.ready_next()
            try:
                request = connection.recv()
            except EOFError:
                return  # the server has gone
            if request != "build":
                return
            connection.send(worker.rebuild())
    except KeyboardInterrupt:
        return
    finally:
        worker.close()


class WarmBuilder:
    """The server's handle on the worker process."""

    def __init__(self, root: Path, outdir: Path, cache: Path, *, drafts: bool = True,
                 verbose: bool = False) -> None:
        self.root, self.outdir = root, outdir
        # spawned, not forked: the server has threads (the file watcher), the worker must not
        context = multiprocessing.get_context("spawn")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=work, args=(child, str(root), str(outdir), str(cache), drafts, verbose),
            name="essaykit-live-worker", daemon=True)
        self.process.start()
        child.close()

    def rebuild(self) -> Rebuild:
        started = time.perf_counter()
        try:
            self.connection.send("build")
            result: Rebuild = self.connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            return Rebuild(False, time.perf_counter() - started,
                           reason="the build process stopped; restart essaykit serve")
        return result

    def stop(self) -> None:
        try:
            self.connection.send("stop")
        except (OSError, BrokenPipeError):
            pass
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.process.terminate()
        self.connection.close()


def describe(result: Rebuild, stream: TextIO | io.StringIO, *, first: bool = False) -> None:
    """One line for the writer's terminal, and the findings worth their attention."""
    from essaykit.core.diagnostics import sort_diagnostics

    shown = [d for d in sort_diagnostics(list(result.diagnostics))
             if d.severity >= Severity.ERROR]
    for diagnostic in shown:
        print(diagnostic.format_text(), file=stream)
    warnings = sum(1 for d in result.diagnostics if d.severity < Severity.ERROR)
    checked = (f"; {len(shown)} error(s), {warnings} warning(s) (essaykit check for all)"
               if result.diagnostics else "")
    if result.built:
        how = ("" if first else " (Sphinx was ready)" if result.warm
               else " (Sphinx started afresh: settings or front matter changed)")
        done = "built" if first else "rebuilt"
        print(f"essaykit: preview {done} in {result.seconds:.1f} s{how}{checked}", file=stream)
    else:
        print(f"essaykit: not rebuilt: {result.reason}{checked}", file=stream)
