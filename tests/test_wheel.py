"""The package works outside this repository: the wheel, installed in a clean virtual
environment, starts, checks, builds, reports on and serves a book in an empty folder.

What this guards is package data: a template, stylesheet, font or rule text that is
read from the repository rather than from the installed package passes every other
test and fails here. The test is slow (a wheel, a virtual environment, an install and
a full build: a minute or two) and runs with the rest of the suite.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from essaykit.core.version import VERSION
from tests.conftest import REPO

pytestmark = pytest.mark.slow

SOURCES = ("pyproject.toml", "README.md", "tools")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean virtual environment with only the wheel (and its dependencies,
    pinned as this suite runs) installed; returns its bin folder."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"  # a copy, so that building leaves nothing in the repository
    source.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.egg-info", "*.pyc"))
        else:
            shutil.copy2(REPO / name, source / name)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"),
         str(source)], cwd=work)
    (wheel,) = (work / "dist").glob("essaykit-*.whl")
    assert wheel.name.startswith(f"essaykit-{VERSION}-")
    run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work)
    bin_dir = work / "venv" / "bin"
    run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "-c",
         str(constraints()), f"essaykit[serve] @ {wheel.as_uri()}"], cwd=work)
    return bin_dir


def constraints() -> Path:
    """The pins this suite runs under: constraints.txt (make test) or
    constraints-latest.txt (make test-latest, on Python 3.13)."""
    from importlib.metadata import version

    installed = f"sphinx=={version('sphinx')}"
    for name in ("constraints.txt", "constraints-latest.txt"):
        pins = (REPO / name).read_text(encoding="utf-8").lower().splitlines()
        if installed in pins:
            return REPO / name
    return REPO / "constraints.txt"


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None,
        expect: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=600)
    assert done.returncode == expect, f"{command}\n{done.stdout}\n{done.stderr}"
    return done


def outside_env(bin_dir: Path, home: Path) -> dict[str, str]:
    """The environment of a user of the installed package: nothing of this repository."""
    keep = {k: v for k, v in os.environ.items()
            if k in ("LANG", "LC_ALL", "TZ", "SOURCE_DATE_EPOCH", "SSL_CERT_FILE")}
    return {**keep, "HOME": str(home), "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_wheel_holds_every_data_file_of_the_package(installed: Path) -> None:
    wheel = next((installed.parent.parent / "dist").glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    package = REPO / "tools" / "essaykit"
    expected = {f"essaykit/{p.relative_to(package).as_posix()}" for p in package.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert expected - names == set()


def test_the_installed_package_starts_checks_builds_and_serves_a_book(
        installed: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env = outside_env(installed, tmp_path / "home")
    essaykit = str(installed / "essaykit")

    where = run([str(installed / "python"), "-c", "import essaykit; print(essaykit.__file__)"],
                cwd=empty, env=env).stdout
    assert str(installed.parent) in where and str(REPO) not in where

    version = run([essaykit, "--version"], cwd=empty, env=env).stdout
    assert version.startswith(f"essaykit {VERSION} (")

    made = run([essaykit, "init", "mybook", "--title", "Outside In", "--editor", "Ada Editor"],
               cwd=empty, env=env).stdout
    assert "made a new book in mybook" in made
    book = empty / "mybook"

    checked = run([essaykit, "check"], cwd=book, env=env)
    assert "All checks passed" in checked.stdout
    rules = run([essaykit, "rules", "CIT001"], cwd=book, env=env).stdout
    assert "unknown-citation-key" in rules and "Bad" in rules

    built = run([essaykit, "build", "--strict"], cwd=book, env=env)
    assert "no warnings" in built.stdout, built.stdout + built.stderr
    assert (book / "_build/html/book/index.html").is_file()
    assert (book / "_build/html/_static/essaykit.css").is_file()
    epub = book / "_build/epub/outside-in.epub"
    assert zipfile.ZipFile(epub).read("mimetype") == b"application/epub+zip"
    for pdf in ("outside-in.pdf", "outside-in-taster.pdf"):
        reader = PdfReader(book / "_build/pdf" / pdf)
        fonts = {str(font.get("/BaseFont")) for page in reader.pages
                 for font in (page["/Resources"].get("/Font") or {}).values()
                 for font in [font.get_object()]}
        # the fonts that ship in the package, found in the installed copy
        assert {"Libertine", "Biolinum"} <= {font.split("+")[-1] for font in fonts}, fonts

    status = run([essaykit, "status"], cwd=book, env=env).stdout
    assert "An example essay" in status and "findings: 0 errors, 0 warnings" in status
    assert (book / "_build/status/index.html").is_file()

    port = free_port()
    server = subprocess.Popen([essaykit, "serve", "--port", str(port)], cwd=book, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        page = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/book/index.html",
                                            timeout=5) as response:
                    page = response.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        assert "Outside In" in page, server.stdout.read() if server.poll() is not None else ""
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
