"""`essaykit build`: the web book, the PDFs and the EPUB, built aside and swapped in
only on success.

Every build writes into a staging folder next to the output. Only when Sphinx
and WeasyPrint have all succeeded does the staging folder replace the
previous output, so a failed build leaves the published book exactly as it was.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from essaykit import collector
from essaykit.core.book import Book, load_book, site_url_problem
from essaykit.core.cachekey import cache_key
from essaykit.core.diagnostics import Diagnostic, Severity
from essaykit.print.paths import epub_filename, pdf_filename

if TYPE_CHECKING:
    from sphinx.application import Sphinx

    from essaykit.check.runner import CheckResult
    from essaykit.dashboard.changes import BuildManifest, ChangeReport
    from essaykit.dashboard.status import CollectionStatus

Reporter = Callable[[str], None]


@dataclass
class BuildOptions:
    root: Path
    outdir: Path | None = None
    html: bool = True
    pdf: bool = True
    epub: bool = True
    site_url: str = ""  # where the web book is published; "" for book.yml's `url:`
    strict: bool = False  # warnings fail the build, as sphinx-build -W
    check: bool = True  # run the pre-build gate
    quiet: bool = False
    drafts: bool = False  # include `status: draft` essays, marked, for the editors' preview


@dataclass
class BuildResult:
    outdir: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unchanged: bool = False  # nothing changed since the last successful build
    held_back: tuple[str, ...] = ()  # drafts left out of every edition
    status: CollectionStatus | None = None  # the editors' dashboard, as data
    changes: ChangeReport | None = None  # what changed since the last successful build


class BuildFailed(Exception):
    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(message)
        self.diagnostics = diagnostics or []


def build(options: BuildOptions, report: Reporter | None = None) -> BuildResult:
    from essaykit.collector import tuned_for_build

    with tuned_for_build():
        return _build(options, report)


def _build(options: BuildOptions, report: Reporter | None = None) -> BuildResult:
    say = report or (lambda _message: None)
    root = options.root.resolve()
    whole = load_book(root)  # the editors' dashboard counts the drafts too
    held = () if options.drafts else whole.drafts()
    book = whole.without(held)
    problem = site_url_problem(options.site_url) if options.site_url else None
    if problem:
        raise BuildFailed(f"{problem}; nothing was built")
    outdir = (options.outdir or root / "_build").resolve()
    result = BuildResult(outdir, held_back=held)
    if held:
        say(f"held back {len(held)} draft(s) (status: draft): {', '.join(held)}; "
            "--drafts to preview them")
    cache = outdir / ".cache"
    fingerprint = source_fingerprint(root, options)
    if _unchanged(cache, fingerprint, outdir, options):
        result.unchanged = True
        _record_outputs(book, outdir, result)
        say("nothing changed since the last build")
        return result
    # the checker's parse also feeds the dashboard and the change report, so it runs
    # even with --no-check; only the refusal to build on errors is skipped then
    started = time.perf_counter()
    if options.pdf:
        # apart, as every heavy step of a build that typesets is: the checker's
        # parse of the whole book would stay in this process (some 170 MB at
        # 500 essays) beside the typesetting
        from essaykit.core.apart import run_apart

        checked = run_apart(check_and_summarise, root, whole, cache, options.check, say=say)
    else:
        checked = check_and_summarise(root, whole, cache, options.check, say)
    result.timings["check"] = time.perf_counter() - started
    if options.check:
        result.diagnostics = checked.diagnostics
        errors = [d for d in result.diagnostics if d.severity >= Severity.ERROR]
        if errors:
            raise BuildFailed(f"{len(errors)} error(s) in the book's sources; nothing was built",
                              errors)
    assert checked.status is not None and checked.built_now is not None
    result.status, built_now = checked.status, checked.built_now
    outdir.mkdir(parents=True, exist_ok=True)
    (cache / FINGERPRINT).unlink(missing_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=outdir))
    try:
        if options.html:
            started = time.perf_counter()
            say("building the web book (Sphinx, html)")
            result.warnings += sphinx_run(root, cache / "work" / "html", cache / "doctrees",
                                          "html", options, say)
            shutil.copytree(cache / "work" / "html", staging / "html")
            result.timings["html"] = time.perf_counter() - started
            # the web run's Sphinx application, freed before the print run loads its own
            collector.release()
        if options.pdf:
            started = time.perf_counter()
            say("writing the print edition (Sphinx, essaykit-print)")
            result.warnings += sphinx_run(root, cache / "work" / "print", cache / "doctrees",
                                          "essaykit-print", options, say)
            shutil.copytree(cache / "work" / "print", staging / "print")
            result.timings["print-html"] = time.perf_counter() - started
            # the print run's Sphinx application, freed before WeasyPrint starts
            collector.release()
            typeset(book, staging, outdir, result, say)
        if options.epub:
            started = time.perf_counter()
            say("writing the EPUB edition (Sphinx, epub)")
            work = cache / "work" / "epub"
            # Sphinx packs every file in its output folder: start empty, so that
            # nothing of an earlier build (a removed essay's page) goes in
            shutil.rmtree(work, ignore_errors=True)
            result.warnings += run_sphinx(root, work, cache / "doctrees", "epub", options)
            (staging / "epub").mkdir()
            shutil.copy2(work / epub_filename(book), staging / "epub" / epub_filename(book))
            result.timings["epub"] = time.perf_counter() - started
        if options.html and not (options.site_url or book.url):
            say("no site URL (book.yml url:, --site-url or ESSAYKIT_SITE_URL): "
                "no sitemap.xml and no og:url")
        if options.strict and result.warnings:
            raise BuildFailed(f"{len(result.warnings)} warning(s) and --strict is on; "
                              "the previous output is unchanged")
        stage_status_page(book, staging, cache, result)
        publish(book, staging, outdir, result, options)
        (cache / FINGERPRINT).write_text(fingerprint, encoding="utf-8")
    except BaseException:
        # Sphinx's caches now hold what failed; a later incremental build would
        # not see the pages again (nor warn again), so the next build starts clean.
        shutil.rmtree(cache, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    result.changes = record_changes(built_now, outdir)
    return result


FINGERPRINT = "fingerprint"
# What a build reads besides the book's own folders: its configuration files.
CONFIG_SUFFIXES = (".py", ".toml", ".yml", ".yaml", ".cfg")


def source_fingerprint(root: Path, options: BuildOptions) -> str:
    """A digest of everything a build reads: sources, configuration, essaykit
    itself and the releases it runs on (`code_version`).

    Sizes and modification times, not contents: stat-ing a 500-essay book takes
    milliseconds, and an editor's save always changes the time.
    """
    import hashlib

    digest = hashlib.sha256(code_version().encode())
    digest.update(repr((options.html, options.pdf, options.epub, options.site_url,
                        options.strict, options.check, str(options.outdir),
                        options.drafts)).encode())
    folders = [root / "book", root / "essays"]
    files = [p for p in root.iterdir() if p.is_file() and p.suffix in CONFIG_SUFFIXES]
    for folder in folders:
        files.extend(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(files):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def code_version() -> str:
    """The key every cache shares: essaykit's files and the installed releases of
    the packages whose output is kept (essaykit.core.cachekey). Sphinx's
    environment is read again when it changes (`essaykit_code_version`)."""
    from essaykit.core.cachekey import stack_key

    return stack_key()


def _unchanged(cache: Path, fingerprint: str, outdir: Path, options: BuildOptions) -> bool:
    marker = cache / FINGERPRINT
    try:
        previous = marker.read_text(encoding="utf-8")
    except OSError:
        return False
    wanted = ([STATUS] + (["html"] if options.html else [])
              + (["pdf", "print"] if options.pdf else []) + (["epub"] if options.epub else []))
    return previous == fingerprint and all((outdir / name).is_dir() for name in wanted)


@dataclass
class Checked:
    """What a build keeps of the checker's run: its findings, and the dashboard's
    numbers and the change report's record (None when errors stop the build)."""
    diagnostics: list[Diagnostic]
    status: CollectionStatus | None
    built_now: BuildManifest | None


def check_and_summarise(root: Path, whole: Book, cache: Path, stop_on_errors: bool,
                        say: Reporter) -> Checked:
    """The book checked, and what the dashboard and the change report need taken
    from the checker's parse, which is then let go: kept through the Sphinx run,
    every parsed page of a 500-essay book doubled the build's peak memory."""
    from essaykit.collector import tuned_for_build

    with tuned_for_build():  # a no-op inside the build's own; needed when apart
        checked = check_book(root, cache / "parsed")
        diagnostics = list(checked.diagnostics)
        if stop_on_errors and any(d.severity >= Severity.ERROR for d in diagnostics):
            return Checked(diagnostics, None, None)
        status, built_now = summarise(whole, checked, cache / "status-facts.pickle")
    return Checked(diagnostics, status, built_now)


def pre_build_gate(root: Path, parsed: Path | None = None) -> list[Diagnostic]:
    """The same diagnostics as `essaykit check`, run before Sphinx sees anything."""
    return list(check_book(root, parsed).diagnostics)


def check_book(root: Path, parsed: Path | None = None) -> CheckResult:
    """The whole book checked. With `parsed`, pages unchanged since the last build
    are not parsed again (the checks themselves still run over the whole book)."""
    from essaykit.check import run_check
    from essaykit.check.parsecache import ParseCache

    cache = ParseCache(parsed, code_version()) if parsed is not None else None
    return run_check(root, parse_cache=cache)


STATUS = "status"  # the editors' dashboard: _build/status/, outside the web book


def summarise(book: Book, checked: CheckResult, memo_file: Path | None = None
              ) -> tuple[CollectionStatus, BuildManifest]:
    """The dashboard's numbers and this build's record for the next change report.

    With `memo_file`, each essay's counts are kept there between builds and only
    essays whose text (or the book's shared files) changed are counted again.
    """
    import pickle

    from essaykit.dashboard.changes import snapshot
    from essaykit.dashboard.status import FactsMemo, collection_status

    memo: FactsMemo = {}
    if memo_file is not None:
        try:
            loaded = pickle.loads(memo_file.read_bytes())
            memo = loaded if isinstance(loaded, dict) else {}
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError,
                IndexError, TypeError, ValueError):
            memo = {}  # none yet, or from another version: count everything
    context = shared_inputs_digest(book, checked)
    status = collection_status(book, checked, memo if memo_file else None, context)
    if memo_file is not None:
        try:
            memo_file.parent.mkdir(parents=True, exist_ok=True)
            partial = memo_file.with_suffix(".partial")
            partial.write_bytes(pickle.dumps(memo, pickle.HIGHEST_PROTOCOL))
            os.replace(partial, memo_file)
        except OSError:
            pass  # a memo that cannot be written only costs time next build
    return status, snapshot(book, checked.diagnostics)


def shared_inputs_digest(book: Book, checked: CheckResult) -> str:
    """A digest of what an essay's dashboard counts depend on besides its own text:
    essaykit's code, the book's other pages (the glossary), and the files of
    book/ and the book's top folder (book.yml, the jargon list, configuration)."""
    import hashlib

    essays = set(book.essays)
    digest = hashlib.sha256(code_version().encode())
    for page, doc in sorted(checked.documents.items()):
        if page not in essays:
            digest.update(f"{page}\0".encode())
            digest.update("\n".join(doc.lines).encode("utf-8", "surrogatepass"))
    files = [p for p in book.root.iterdir() if p.is_file()]
    if (book.root / "book").is_dir():
        files.extend(p for p in (book.root / "book").rglob("*") if p.is_file())
    for path in sorted(files):
        relative = path.relative_to(book.root).as_posix()
        if relative in essays:
            continue
        digest.update(f"{relative}\0".encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def stage_status_page(book: Book, staging: Path, cache: Path, result: BuildResult) -> None:
    """The dashboard into staging/status/, and into the staged web book if book.yml
    asks for it to be public (it is linked from nowhere either way)."""
    from essaykit.dashboard.page import write_status_page

    assert result.status is not None
    write_status_page(result.status, staging / STATUS, cache / "matplotlib", book.language)
    if book.status_page == "public" and (staging / "html").is_dir():
        shutil.copytree(staging / STATUS, staging / "html" / STATUS)


def record_changes(current: BuildManifest, outdir: Path) -> ChangeReport:
    """Compare with the last successful build's manifest, then make this build the last."""
    from essaykit.dashboard.changes import compare, read_manifest, write_manifest

    report = compare(read_manifest(outdir), current)
    try:
        write_manifest(outdir, current)
    except OSError:  # the book is built; the next report will just cover more
        pass
    return report


class _Tee(io.TextIOBase):
    """Show Sphinx's warnings as they come and keep them for the summary."""

    def __init__(self, stream: TextIO | None):
        self.stream = stream
        self.lines: list[str] = []

    def write(self, text: str) -> int:
        if self.stream is not None:
            self.stream.write(text)
        self.lines.extend(line for line in text.splitlines() if line.strip())
        return len(text)


def sphinx_run(root: Path, outdir: Path, cache: Path, builder: str,
               options: BuildOptions, say: Reporter) -> list[str]:
    """One Sphinx run; apart (`core/apart.py`) when the PDF is to be typeset after
    it, so that what the run leaves in memory is not beside the typesetting."""
    if not options.pdf:
        return run_sphinx(root, outdir, cache, builder, options)
    from essaykit.core.apart import run_apart

    return run_apart(sphinx_step, root, outdir, cache, builder, options, say=say)


def sphinx_step(root: Path, outdir: Path, cache: Path, builder: str,
                options: BuildOptions, say: Reporter) -> list[str]:
    """`run_sphinx` in a process of its own, with the build's collector settings."""
    from essaykit.collector import tuned_for_build

    with tuned_for_build():
        return run_sphinx(root, outdir, cache, builder, options)


def run_sphinx(root: Path, outdir: Path, cache: Path, builder: str,
               options: BuildOptions) -> list[str]:
    from sphinx.errors import SphinxError
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    warnings = _Tee(sys.stderr)
    status = None if options.quiet else sys.stdout
    try:
        with patch_docutils(root), docutils_namespace():
            app = sphinx_app(root, outdir, cache / builder, builder, options, status, warnings)
            app.build()
    except SphinxError as err:
        raise BuildFailed(f"Sphinx stopped: {err}") from None
    if app.statuscode:
        raise BuildFailed(f"Sphinx failed building {builder}; the previous output is unchanged")
    return warnings.lines


def sphinx_app(root: Path, outdir: Path, doctrees: Path, builder: str, options: BuildOptions,
               status: TextIO | None, warning: io.TextIOBase | TextIO) -> Sphinx:
    """Sphinx, set up for this book as every essaykit build sets it up (inside
    docutils' namespace, which the caller holds until the build is done)."""
    from sphinx.application import Sphinx

    # the gate has already reported the checker's findings: not twice
    overrides: dict[str, object] = {"essaykit_check": False,
                                    "essaykit_code_version": code_version()}
    if options.site_url:
        overrides["essaykit_site_url"] = options.site_url
    if options.drafts:
        overrides["essaykit_drafts"] = True
    confdir: str | None = str(root)
    if not (root / "conf.py").is_file():
        # a book needs no conf.py of its own: the extension has the defaults
        confdir = None
        overrides["extensions"] = ["essaykit.sphinx_ext"]
    return Sphinx(str(root), confdir, str(outdir), str(doctrees), builder,
                  confoverrides=overrides, status=status,
                  warning=warning,  # type: ignore[arg-type]
                  freshenv=False, keep_going=True, verbosity=0)


def typeset(book: Book, staging: Path, outdir: Path, result: BuildResult,
            say: Reporter) -> None:
    """WeasyPrint each edition, in a process of its own (`core/apart.py`): the
    memory the Sphinx runs left in this one is not beside the typesetting's."""
    from essaykit.core.apart import run_apart

    for edition in run_apart(typeset_editions, book, staging, outdir, say=say):
        if edition.seconds is not None:
            result.timings[f"pdf-{edition.name}"] = edition.seconds
        result.warnings += edition.warnings
        for warning in edition.warnings:
            print(f"{edition.filename}: {warning}", file=sys.stderr)


@dataclass
class TypesetEdition:
    name: str  # "book" or "taster"
    filename: str
    seconds: float | None  # None: kept from the last build
    warnings: list[str] = field(default_factory=list)


def typeset_editions(book: Book, staging: Path, outdir: Path,
                     say: Reporter) -> list[TypesetEdition]:
    """Each edition's PDF into staging/pdf/, unless its print HTML and stylesheet
    are as last time."""
    from essaykit.print.pieces import write_pdf_in_pieces

    pdfdir = staging / "pdf"
    pdfdir.mkdir()
    editions = ["book"] + (["taster"] if book.taster else [])
    typeset: list[TypesetEdition] = []
    for edition in editions:
        started = time.perf_counter()
        target = pdfdir / pdf_filename(book, edition)
        source = staging / "print" / f"{edition}.html"
        digest = cache_key("pdf", source.read_bytes(),
                           (staging / "print" / "print.css").read_bytes())
        stamp = outdir / ".cache" / f"pdf-{edition}.sha256"
        previous = outdir / "pdf" / target.name
        if previous.is_file() and stamp.is_file() and stamp.read_text() == digest:
            shutil.copy2(previous, target)
            say(f"{target.name}: print edition unchanged, PDF kept")
            typeset.append(TypesetEdition(edition, target.name, None))
            continue
        say(f"typesetting {target.name} (WeasyPrint)")
        # the pieces typeset by the last builds are kept there, each under the
        # digest of what made it: an edit typesets the pieces it changed
        typeset_pdf = write_pdf_in_pieces(source, target, outdir / ".cache" / "pieces" / edition,
                                          say)
        elapsed = time.perf_counter() - started
        for note in typeset_pdf.notes:
            say(f"  note: {note}")
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest)
        say(f"  {typeset_pdf.pages} pages in {elapsed:.1f} s")
        typeset.append(TypesetEdition(edition, target.name, elapsed, typeset_pdf.warnings))
    return typeset


def publish(book: Book, staging: Path, outdir: Path, result: BuildResult,
            options: BuildOptions) -> None:
    """Swap the staged outputs into place, one folder at a time."""
    for edition in ("pdf", "epub"):
        staged = staging / edition
        source = staged if staged.is_dir() else outdir / edition
        if (staging / "html").is_dir() and source.is_dir():
            # the web book links the PDFs and the EPUB; keep the last ones when
            # only html was rebuilt
            shutil.copytree(source, staging / "html" / edition, dirs_exist_ok=True)
        if staged.is_dir() and not (staging / "html").is_dir() and (outdir / "html").is_dir():
            # built without the web book: the published web book links the new files
            shutil.copytree(staged, outdir / "html" / edition, dirs_exist_ok=True)
    if not (staging / "html").is_dir() and (outdir / "html").is_dir():
        # the web book was not rebuilt: its copy of the dashboard follows book.yml
        published = outdir / "html" / STATUS
        shutil.rmtree(published, ignore_errors=True)
        if book.status_page == "public" and (staging / STATUS).is_dir():
            shutil.copytree(staging / STATUS, published)
    for name in ("html", "print", "pdf", "epub", STATUS):
        new = staging / name
        if not new.is_dir():
            continue
        final = outdir / name
        retired = staging / f"{name}.previous"
        if final.exists():
            os.replace(final, retired)
        os.replace(new, final)
        result.outputs[name] = final
    _record_outputs(book, outdir, result)


def _record_outputs(book: Book, outdir: Path, result: BuildResult) -> None:
    for name in ("html", "print", "pdf", "epub", STATUS):
        if (outdir / name).is_dir():
            result.outputs[name] = outdir / name
    for edition in ("book", "taster"):
        pdf = outdir / "pdf" / pdf_filename(book, edition)
        if pdf.is_file():
            result.outputs[f"pdf-{edition}"] = pdf
    epub = outdir / "epub" / epub_filename(book)
    if epub.is_file():
        result.outputs["epub-book"] = epub
