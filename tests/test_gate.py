"""The submission gate (issue 5), in two layers.

Layer one: every hostile fixture book under tests/hostile/ checks to exactly its
expected.txt, and `essaykit build` refuses it before Sphinx runs.

Layer two: with the gate switched off (`check=False`), or with plain Sphinx, the
same payloads neither leak a file from outside the book, nor put script into
the site, nor run anything.

Regenerate the expected files after a deliberate change with
ESSAYKIT_UPDATE_EXPECTED=1, then read the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from essaykit.build import BuildFailed, BuildOptions, build
from tests.check_support import run_cli
from tests.conftest import BUILD_BOOKS, copy_book
from tests.hostile_support import (
    HOSTILE,
    LANGUAGES,
    SECOND_LAYER,
    cases,
    expected_file,
    leaks,
    plant_secret,
    prepare,
)

ESSAY = "---\ntitle: {title}\nauthors:\n  - name: A. Writer\nabstract: An essay.\n{extra}---\n\n"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", cases())
def test_check_reports_exactly_the_expected(case: str, language: str, tmp_path: Path) -> None:
    root = prepare(case, tmp_path, language)
    code, out, _ = run_cli(["--root", str(root), "check"])
    expected = expected_file(case, language)
    if os.environ.get("ESSAYKIT_UPDATE_EXPECTED"):
        if expected.name == "expected.txt" or out != (HOSTILE / case / "expected.txt").read_text(
                encoding="utf-8"):
            expected.write_text(out, encoding="utf-8")
        else:
            return  # the same as in the case's own language: no second file
    assert out == expected.read_text(encoding="utf-8")
    assert code == (2 if "CFG001" in out else 1)  # a configuration error is exit 2


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", cases())
def test_build_refuses_before_sphinx_runs(case: str, language: str, tmp_path: Path) -> None:
    root = prepare(case, tmp_path, language)
    with pytest.raises(BuildFailed) as refused:
        build(BuildOptions(root=root, quiet=True))
    assert refused.value.diagnostics, "a refusal names what to fix"
    assert all(d.severity.name == "ERROR" for d in refused.value.diagnostics)
    assert not (root / "_build" / "html").exists()


def test_an_essay_cannot_waive_a_submission_check_inline() -> None:
    text = (HOSTILE / "sec005-raw-html" / "expected.txt").read_text(encoding="utf-8")
    assert "essays/one.md:15:1: SEC005 raw HTML '<iframe" in text  # under an ignore[SEC005]


def test_the_repository_settings_cannot_waive_a_safety_check(tmp_path: Path) -> None:
    root = prepare("sec005-raw-html", tmp_path)
    (root / "pyproject.toml").write_text(
        '[tool.essaykit.per-file-ignores]\n"essays/one.md" = ["SEC005"]\n', encoding="utf-8")
    code, out, _ = run_cli(["--root", str(root), "check"])
    assert code == 2
    assert "pyproject.toml:2:1: CFG001 'SEC005': the safety rules (SEC, CHK) cannot" in out
    assert "essays/one.md:15:1: SEC005 raw HTML" in out  # reported all the same


def test_trust_is_the_editors_lever(tmp_path: Path) -> None:
    root = prepare("sec005-raw-html", tmp_path)
    book_yml = root / "book" / "book.yml"
    book_yml.write_text(book_yml.read_text(encoding="utf-8") + "trusted:\n  - essays/one.md\n",
                        encoding="utf-8")
    code, out, _ = run_cli(["--root", str(root), "check"])
    assert (code, out) == (0, "All checks passed (3 pages checked).\n")


def test_a_person_may_still_narrow_what_check_shows(tmp_path: Path) -> None:
    """--select and --ignore on the command line choose what to look at; the build
    passes neither."""
    root = prepare("sec005-raw-html", tmp_path)
    code, out, _ = run_cli(["--root", str(root), "check", "--ignore", "SEC005"])
    assert (code, out) == (0, "All checks passed (3 pages checked).\n")


# ---- layer two, alone, on the second round's cases ------------------------------

def remote_images_allowed(root: Path) -> tuple[str, ...]:
    from essaykit.core.settings import load_config

    return load_config(root)[0].remote_images


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", SECOND_LAYER)
def test_the_second_layer_alone_publishes_nothing_hostile(case: str, language: str,
                                                          tmp_path: Path) -> None:
    """`essaykit build --no-check` and a plain sphinx-build, with the checker out of
    the way: no file from outside the book, no script, no refresh, no remote image."""
    from sphinx.cmd.build import build_main

    root = prepare(case, tmp_path, language)
    result = build(BuildOptions(root=root, quiet=True, check=False, pdf=False, epub=False))
    allowed = remote_images_allowed(root)
    assert not leaks(root / "_build", allowed), leaks(root / "_build", allowed)
    said = "\n".join(result.warnings)
    assert "Traceback" not in said and "Exception occurred" not in said
    assert "SEC" in said, "the build did not say what it refused"
    # a repository's own conf.py that loads the extension, built by Sphinx itself
    (root / "conf.py").write_text('extensions = ["essaykit.sphinx_ext"]\n', encoding="utf-8")
    status = build_main(["-q", "-b", "html", str(root), str(root / "_plain")])
    assert status == 0
    assert not leaks(root / "_plain", allowed), leaks(root / "_plain", allowed)


# ---- layer two: the gate bypassed ------------------------------------------------

PAYLOADS: dict[str, str] = {
    "files.md": """\
![a secret](../../secret.png)

[the secret](../../secret.txt) and {download}`again <../../secret.txt>`.

```{figure} ../../secret.png
:target: javascript:alert('pwned')

A caption.
```

```{literalinclude} ../../secret.txt
```

```{include} ../../secret.txt
```

```{csv-table} Data
:file: ../../secret.txt
```

```{raw} html
:file: ../../secret.txt
```
""",
    "markup.md": """\
<script>alert('pwned')</script>

Inline <img src="x" onerror="alert('pwned')"> and <a href="javascript:alert('pwned')">a</a>.

```{raw} html
<script>alert('pwned')</script>
```

```{eval-rst}
.. raw:: html

   <script>alert('pwned')</script>

`click <javascript:alert('pwned')>`_
```

```{meta}
:http-equiv=refresh: 0; url=javascript:alert('pwned')
```

![pixel](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)
""",
}


def runs_code(marker: Path) -> str:
    """Front matter that makes plain MyST run a shell command (touching `marker`)."""
    command = f"cycler.__init__.__globals__.os.system('touch {marker}')"
    return (f"myst:\n  enable_extensions: [substitution]\n  substitutions:\n"
            f"    a: \"{{{{ {command} }}}}\"\nsubstitutions:\n  b: \"{{{{ {command} }}}}\"\n")


def hostile_small_book(tmp_path: Path) -> tuple[Path, Path]:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    plant_secret(tmp_path)
    marker = tmp_path / "PWNED"
    essay = root / "essays" / "no-citations.md"
    body = "\n".join(PAYLOADS.values()) + "\nText {{ a }} {{ b }}.\n"
    essay.write_text(ESSAY.format(title="Hostile", extra=runs_code(marker)) + body,
                     encoding="utf-8")
    return root, marker


@pytest.mark.slow
def test_bypassing_the_gate_leaks_nothing_and_runs_nothing(tmp_path: Path) -> None:
    root, marker = hostile_small_book(tmp_path)
    result = build(BuildOptions(root=root, quiet=True, check=False))
    assert not marker.exists(), "a substitution ran a shell command"
    assert not leaks(root / "_build"), leaks(root / "_build")
    refused = "\n".join(result.warnings)
    for code in ("SEC001", "SEC004", "SEC006", "SEC007", "SEC008", "SEC009"):
        assert code in refused, f"the build did not say it refused {code}"
    page = (root / "_build/html/essays/no-citations.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in page  # shown as text, not run
    assert "A caption." in page  # the rest of the essay is still there


@pytest.mark.slow
def test_plain_sphinx_build_is_hardened_too(tmp_path: Path) -> None:
    from sphinx.cmd.build import build_main

    root, marker = hostile_small_book(tmp_path)
    status = build_main(["-q", "-b", "html", str(root), str(root / "_plain")])
    assert status == 0
    assert not marker.exists()
    assert not leaks(root / "_plain"), leaks(root / "_plain")


@pytest.mark.slow
def test_a_bibtex_bomb_stops_sphinx_with_a_clean_message(tmp_path: Path) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    bib = root / "book" / "references.bib"
    # built once with a good .bib, so the guard has a stamp: it must notice the change
    build(BuildOptions(root=root, quiet=True, check=False, pdf=False, epub=False))
    assert (root / "_build/.cache/doctrees/html/essaykit-bib-guard").is_file()
    shutil.copy(HOSTILE / "sec012-bibtex-macro-bomb" / "book" / "references.bib", bib)
    with pytest.raises(BuildFailed) as stopped:
        build(BuildOptions(root=root, quiet=True, check=False, pdf=False))
    assert f"{bib}:17: SEC012 @string{{a16}} expands to 655,360 characters" in str(stopped.value)
    assert "Traceback" not in str(stopped.value)


@pytest.mark.slow
# with the PDF, Sphinx runs in a process of its own (core/apart.py): its refusal
# must come back the same
@pytest.mark.parametrize("pdf", [False, True], ids=["web", "with-pdf"])
def test_a_bibtex_syntax_error_stops_sphinx_at_its_line(pdf: bool, tmp_path: Path) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    bib = root / "book" / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n@misc{broken,\n  title = {Never closed,\n"
                   "  year = 2002\n}\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as stopped:
        build(BuildOptions(root=root, quiet=True, check=False, pdf=pdf, epub=False))
    assert f"{bib}:" in str(stopped.value) and "CIT006" in str(stopped.value)
    assert "Traceback" not in str(stopped.value)
    assert not (root / "_build" / "pdf").exists()


@pytest.mark.slow
def test_trust_is_explicit_and_narrow(tmp_path: Path) -> None:
    root = copy_book(BUILD_BOOKS / "small", tmp_path / "book")
    plant_secret(tmp_path)
    (root / "essays" / "snippet.txt").write_text("Included from the book.\n", encoding="utf-8")
    html = '<div class="editors-note">An editor\'s HTML.</div>\n\n'
    include = "```{include} snippet.txt\n```\n\n```{literalinclude} ../../secret.txt\n```\n"
    for name in ("taster.md", "no-citations.md"):  # the same text in both
        path = root / "essays" / name
        text = path.read_text(encoding="utf-8")
        path.write_text(text + "\n" + html + include, encoding="utf-8")
    book_yml = root / "book" / "book.yml"
    book_yml.write_text(book_yml.read_text(encoding="utf-8") + "trusted:\n  - essays/taster.md\n",
                        encoding="utf-8")
    code, out, _ = run_cli(["--root", str(root), "check", "--select", "SEC"])
    found = [line.split(" (", 1)[0] for line in out.splitlines()[:-1]]
    assert code == 1
    # the trusted essay may use HTML and include a file of the book, never one outside it
    assert [line for line in found if line.startswith("essays/taster.md")] == [
        "essays/taster.md:25:1: SEC001 {literalinclude} '../../secret.txt' is outside the book"]
    # the essay beside it, with the same text, is refused all of it
    assert [line.split(": ")[1].split(" ")[0] for line in found
            if line.startswith("essays/no-citations.md")] == [
        "SEC005", "SEC004", "SEC001", "SEC004"]
    build(BuildOptions(root=root, quiet=True, check=False, pdf=False))
    trusted = (root / "_build/html/essays/taster.html").read_text(encoding="utf-8")
    untrusted = (root / "_build/html/essays/no-citations.html").read_text(encoding="utf-8")
    assert '<div class="editors-note">' in trusted and "Included from the book." in trusted
    assert '<div class="editors-note">' not in untrusted
    assert "Included from the book." not in untrusted
    assert not leaks(root / "_build"), leaks(root / "_build")


READER_EXTENSION = '''\
from docutils import nodes
from docutils.parsers.rst import Directive


class ReadFile(Directive):
    """Another extension's directive that reads the file its argument names."""

    required_arguments = 1

    def run(self):
        with open(self.arguments[0] if self.arguments[0].startswith("/") else
                  self.state.document.settings.env.relfn2path(self.arguments[0])[1]) as f:
            return [nodes.literal_block(text=f.read())]


def setup(app):
    app.add_directive("read-file", ReadFile)
    return {"parallel_read_safe": True}
'''


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_another_extensions_directive_cannot_read_outside_the_book(language: str,
                                                                   tmp_path: Path) -> None:
    """A directive nobody put on the list: refused on an untrusted page, and on a
    trusted page its argument may not lead out of the book, by either layer."""
    from sphinx.cmd.build import build_main

    root = prepare("gate-path-options", tmp_path, language)
    (root / "reader_ext.py").write_text(READER_EXTENSION, encoding="utf-8")
    (root / "conf.py").write_text(
        'import sys, os\nsys.path.insert(0, os.path.dirname(__file__))\n'
        'extensions = ["essaykit.sphinx_ext", "reader_ext"]\n', encoding="utf-8")
    essay = root / "essays" / "one.md"  # trusted
    reads = "\n```{read-file} ../../secret.txt\n```\n\n```{read-file} snippet.txt\n```\n"
    essay.write_text(essay.read_text(encoding="utf-8") + reads, encoding="utf-8")
    other = root / "essays" / "two.md"  # not trusted
    other.write_text(ESSAY.format(title="Two", extra="")
                     + "```{Read-File} snippet.txt\n```\n", encoding="utf-8")
    book_yml = root / "book" / "book.yml"
    book_yml.write_text(book_yml.read_text(encoding="utf-8").replace(
        "  - essays/one.md\nback", "  - essays/one.md\n  - essays/two.md\nback"),
        encoding="utf-8")
    _, out, _ = run_cli(["--root", str(root), "check", "--select", "SEC"])
    assert "essays/one.md:36:1: SEC001 {read-file} '../../secret.txt' is outside the book" in out
    assert "snippet.txt" not in out.split("essays/two.md")[0]  # a file of the book is fine
    assert "essays/two.md:8:1: SEC013 {Read-File} is not a directive essays may use" in out
    warnings = tmp_path / "warnings.txt"
    status = build_main(["-q", "-w", str(warnings), "-b", "html", str(root), str(root / "_plain")])
    assert status == 0
    assert not leaks(root / "_plain"), leaks(root / "_plain")
    said = warnings.read_text(encoding="utf-8")
    assert "SEC001 {read-file} is refused: '../../secret.txt' is outside the book" in said
    assert "SEC013 {Read-File} is refused" in said
    page = (root / "_plain" / "essays" / "one.html").read_text(encoding="utf-8")
    assert "Included from the book." in page  # the trusted page's own file is read


@pytest.mark.slow
def test_docutils_switches_are_set_page_by_page(tmp_path: Path) -> None:
    """One trusted page no longer turns docutils' file insertion and raw output on
    for every page: each page is read with its own."""
    import pickle

    root = prepare("gate-translated-names", tmp_path)
    build(BuildOptions(root=root, quiet=True, check=False, pdf=False, epub=False))
    doctrees = root / "_build" / ".cache" / "doctrees" / "html" / "essays"
    for page, trusted in (("one", False), ("trusted", True)):
        settings = pickle.loads((doctrees / f"{page}.doctree").read_bytes()).settings
        assert settings.file_insertion_enabled is trusted, page
        assert settings.raw_enabled is trusted, page
