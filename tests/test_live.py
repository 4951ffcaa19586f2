"""`essaykit serve`: Sphinx kept warm between saves, and what a save then shows
is what a clean build of the same files shows."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from essaykit.build import BuildOptions, run_sphinx
from essaykit.live.warm import Inputs, Rebuild, Worker

from .conftest import BUILD_BOOKS, copy_book

pytestmark = pytest.mark.slow


def served_pages(outdir: Path) -> dict[str, bytes]:
    """The web book as a reader gets it; Sphinx's incremental search index may keep
    words no page uses any more (with no pages), so those are dropped."""
    found = {p.relative_to(outdir).as_posix(): p.read_bytes() for p in sorted(outdir.rglob("*"))
             if p.is_file() and not p.name.startswith(".buildinfo")}
    raw = found["searchindex.js"].decode()
    data = json.loads(raw[raw.index("(") + 1:raw.rindex(")")])
    for table in ("terms", "titleterms"):
        data[table] = {word: where for word, where in data[table].items() if where != []}
    found["searchindex.js"] = json.dumps(data, sort_keys=True).encode()
    return found


def clean_preview(source: Path, tmp: Path) -> dict[str, bytes]:
    """What a cold build of the same files gives, with the preview's settings."""
    root = copy_book(source, tmp / "clean")
    run_sphinx(root, root / "_build" / "out", root / "_build" / "doctrees", "html",
               BuildOptions(root=root, drafts=True, quiet=True))
    return served_pages(root / "_build" / "out")


def worker_for(root: Path) -> Worker:
    return Worker(root, root / "_build" / "live", root / "_build" / ".live")


@pytest.fixture
def previewed(tmp_path: Path) -> Iterator[tuple[Path, Worker]]:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    worker = worker_for(root)
    try:
        worker.ready_next()
        first = worker.rebuild()
        assert first.built, first.reason
        yield root, worker
    finally:
        worker.close()  # a prepared Sphinx holds docutils' registries: give them back


def test_a_worker_gives_docutils_registries_back(tmp_path: Path) -> None:
    """Sphinx registers its nodes and directives with docutils for as long as an
    application is prepared; once the worker closes, the next Sphinx in the same
    process must find docutils as it was (no "already registered" warnings)."""
    import io

    worker = worker_for(copy_book(BUILD_BOOKS / "small", tmp_path / "book"))
    worker.ready_next()
    worker.close()
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "next")
    warnings = io.StringIO()
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace

    with docutils_namespace():
        Sphinx(str(root), str(root), str(root / "_build" / "out"), str(root / "_build" / "dt"),
               "html", status=None, warning=warnings)
    assert "already registered" not in warnings.getvalue()


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_saved_page_is_built_by_the_sphinx_that_was_ready_and_equals_a_clean_build(
        previewed: tuple[Path, Worker], tmp_path: Path) -> None:
    root, worker = previewed
    worker.ready_next()  # as the worker does while the writer reads
    append(root / "essays/no-citations.md",
           "\nA sentence saved while the preview was up cites {cite:t}`rogers2003diffusion`.\n")
    result = worker.rebuild()
    assert (result.built, result.warm) == (True, True), result.reason
    ours = served_pages(worker.outdir)
    assert b"A sentence saved while the preview was up" in ours["essays/no-citations.html"]
    reference = clean_preview(root, tmp_path)
    assert ours.keys() == reference.keys()
    assert [name for name in ours if ours[name] != reference[name]] == []


def test_a_changed_title_starts_sphinx_afresh_and_reaches_every_page(
        previewed: tuple[Path, Worker], tmp_path: Path) -> None:
    """Sphinx reads the essays' front matter (titles, bylines, drafts) while it
    starts: a prepared Sphinx that read the old title must not build."""
    root, worker = previewed
    worker.ready_next()
    essay = root / "essays/no-citations.md"
    essay.write_text(essay.read_text(encoding="utf-8").replace(
        "title: An Essay Without Citations", "title: A Title Changed Live"), encoding="utf-8")
    result = worker.rebuild()
    assert (result.built, result.warm) == (True, False), result.reason
    ours = served_pages(worker.outdir)
    assert b"A Title Changed Live" in ours["book/contributors.html"]
    reference = clean_preview(root, tmp_path)
    assert [name for name in ours if ours[name] != reference.get(name)] == []


def test_a_save_the_safety_rules_refuse_leaves_the_last_good_preview_and_no_trace(
        previewed: tuple[Path, Worker], tmp_path: Path) -> None:
    root, worker = previewed
    page = worker.outdir / "essays/no-citations.html"
    before = page.read_bytes()
    essay = root / "essays/no-citations.md"
    good = essay.read_text(encoding="utf-8")
    worker.ready_next()
    append(essay, '\n<script>alert("hostile")</script>\n\nRefused words.\n')
    refused = worker.rebuild()
    assert not refused.built
    assert "safety" in refused.reason
    assert any(d.code.startswith("SEC") for d in refused.diagnostics)
    assert page.read_bytes() == before  # the last good preview stays up
    # the refused save left nothing behind: the next good save equals a clean build
    worker.ready_next()
    essay.write_text(good + "\nA good save after a refused one.\n", encoding="utf-8")
    again = worker.rebuild()
    assert again.built, again.reason
    ours = served_pages(worker.outdir)
    assert b"Refused words" not in ours["essays/no-citations.html"]
    reference = clean_preview(root, tmp_path)
    assert [name for name in ours if ours[name] != reference.get(name)] == []


def test_a_broken_book_yml_is_reported_and_the_preview_recovers(
        previewed: tuple[Path, Worker]) -> None:
    root, worker = previewed
    yml = root / "book/book.yml"
    good = yml.read_text(encoding="utf-8")
    worker.ready_next()
    yml.write_text(good + "parts: [unclosed\n", encoding="utf-8")
    broken = worker.rebuild()
    assert not broken.built
    assert "Traceback" not in broken.reason
    assert broken.reason or broken.diagnostics
    worker.ready_next()
    yml.write_text(good, encoding="utf-8")
    fixed = worker.rebuild()
    assert fixed.built, fixed.reason


def test_what_sphinx_reads_while_starting_is_told_apart_from_page_text(tmp_path: Path) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    essay, yml = root / "essays/no-citations.md", root / "book/book.yml"
    before = Inputs.read(root)
    append(essay, "\nMore text below the front matter.\n")
    assert before.same_start(Inputs.read(root, before))
    essay.write_text(essay.read_text(encoding="utf-8").replace("title:", "title: New"),
                     encoding="utf-8")
    assert not before.same_start(Inputs.read(root, before))
    for changed in (lambda: append(yml, "\n"), lambda: (root / "essays/new.md").write_text("x")):
        fresh = Inputs.read(root)
        changed()
        assert not fresh.same_start(Inputs.read(root, fresh))
    # what the build writes is not an input
    fresh = Inputs.read(root)
    (root / "_build" / "live").mkdir(parents=True)
    (root / "_build" / "live" / "page.html").write_text("out")
    assert fresh.same_start(Inputs.read(root, fresh))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


def wait_for(predicate, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def test_serve_rebuilds_on_save_and_tells_the_browser_to_reload(tmp_path: Path) -> None:
    """The command as a writer runs it: a save reaches the served page, and the
    page's reload socket says so; the built files carry no reload script."""
    from websockets.sync.client import connect

    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", "from essaykit.cli.main import run; run()",
               "--root", str(root), "serve", "--port", str(port)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as server:
        try:
            assert wait_for(lambda: "An Essay Without Citations" in fetch(
                f"{base}/essays/no-citations.html"), 240), "the preview never came up"
            page = fetch(f"{base}/essays/no-citations.html")
            assert "/_essaykit/live" in page  # served with the reload script ...
            built = (root / "_build/live/essays/no-citations.html").read_text(encoding="utf-8")
            assert "/_essaykit/live" not in built  # ... which is not in the built file
            with connect(f"ws://127.0.0.1:{port}/_essaykit/live") as socket_:
                append(root / "essays/no-citations.md", "\nWords saved just now.\n")
                assert socket_.recv(timeout=120) == "reload"
            assert "Words saved just now" in fetch(f"{base}/essays/no-citations.html")
        finally:
            server.terminate()
            output, _ = server.communicate(timeout=30)
    assert "Traceback" not in output, output
    assert "preview rebuilt" in output, output


def test_describe_names_what_happened() -> None:
    import io

    from essaykit.live.warm import describe

    out = io.StringIO()
    describe(Rebuild(True, 1.23, warm=True), out)
    describe(Rebuild(False, 0.5, reason="2 safety error(s): the last good preview stays up"),
             out)
    lines = out.getvalue().splitlines()
    assert lines == ["essaykit: preview rebuilt in 1.2 s (Sphinx was ready)",
                     "essaykit: not rebuilt: 2 safety error(s): the last good preview stays up"]
