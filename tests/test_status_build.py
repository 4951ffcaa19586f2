"""The build's side of the dashboard: _build/status/, the public option, the change report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from essaykit.build import BuildFailed, BuildOptions, BuildResult, build
from essaykit.cli.main import main
from essaykit.dashboard.changes import MANIFEST, Finding
from essaykit.scaffold import new_essay

pytestmark = pytest.mark.slow


def html_build(root: Path) -> BuildResult:
    return build(BuildOptions(root=root, pdf=False, quiet=True))


def links_to_status(html_folder: Path) -> list[str]:
    """Pages of the web book (other than the dashboard itself) that mention it."""
    return [str(page) for page in html_folder.rglob("*.html")
            if "status" not in page.relative_to(html_folder).parts
            and "status/index.html" in page.read_text(encoding="utf-8")]


def test_build_writes_the_dashboard_outside_the_web_book(
    small_book_build: tuple[Path, BuildResult],
) -> None:
    root, result = small_book_build
    page = root / "_build" / "status" / "index.html"
    assert page.is_file()
    assert result.outputs["status"] == page.parent
    assert not (root / "_build" / "html" / "status").exists()
    assert links_to_status(root / "_build" / "html") == []
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "An Essay Without Citations" in html and "<svg" in html
    assert result.status is not None and len(result.status.pieces) == 3
    # the manifest of this build sits beside the outputs, not in the cache a failure wipes
    assert (root / "_build" / MANIFEST).is_file()
    assert not (root / "_build" / ".cache" / MANIFEST).exists()
    assert result.changes is not None and result.changes.first_build


def test_public_status_page_is_copied_into_the_web_book_unlinked(small_book: Path) -> None:
    book_yml = small_book / "book" / "book.yml"
    book_yml.write_text(book_yml.read_text(encoding="utf-8") + "status_page: public\n",
                        encoding="utf-8")
    html_build(small_book)
    published = small_book / "_build" / "html" / "status" / "index.html"
    assert published.read_bytes() == (small_book / "_build/status/index.html").read_bytes()
    assert links_to_status(small_book / "_build" / "html") == []
    # back to private: a PDF-only build (which leaves the web book) takes the copy out
    book_yml.write_text(book_yml.read_text(encoding="utf-8").replace(
        "status_page: public\n", ""), encoding="utf-8")
    build(BuildOptions(root=small_book, html=False, quiet=True))
    assert not published.exists()
    assert (small_book / "_build" / "status" / "index.html").is_file()


def test_change_report_across_builds(small_book: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    assert main(["--root", str(small_book), "build", "--html-only", "-q"]) == 0
    assert "essaykit: first build: no earlier build to compare with" in capsys.readouterr().out

    # an essay added, one edited (with a new warning), one taken out of the book
    added = new_essay(small_book, "A Fresh Essay", ["Fay Writer"])
    edited = small_book / "essays" / "no-citations.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe DWP agrees.\n",
                      encoding="utf-8")
    book_yml = small_book / "book" / "book.yml"
    book_yml.write_text(book_yml.read_text(encoding="utf-8").replace(
        "  - title: First things\n    essays:\n      - essays/two-authors.md\n", ""),
        encoding="utf-8")
    assert main(["--root", str(small_book), "build", "--html-only", "-q"]) == 0
    out = capsys.readouterr().out
    report = next(line for line in out.splitlines() if "since the last build" in line)
    new_path = added.relative_to(small_book).as_posix()
    assert report.startswith(f"essaykit: since the last build: 1 essay added ({new_path}); "
                             "1 edited (essays/no-citations.md); "
                             "1 removed (essays/two-authors.md); ")
    assert "book/book.yml" in report
    assert "essays/no-citations.md: GLO004 acronym 'DWP'" in out

    # text added above the warning moves it down a line: it is not new
    edited.write_text(edited.read_text(encoding="utf-8").replace(
        "Plain prose", "A new opening line.\n\nPlain prose"), encoding="utf-8")
    result = html_build(small_book)
    assert result.changes is not None
    assert result.changes.edited == ("essays/no-citations.md",)
    assert not result.changes.added and not result.changes.removed
    assert result.changes.new_findings == ()

    # nothing changed: no report at all
    again = html_build(small_book)
    assert again.unchanged and again.changes is None


def test_failed_build_leaves_the_manifest_and_the_next_report_covers_both(
    small_book: Path,
) -> None:
    html_build(small_book)
    manifest = small_book / "_build" / MANIFEST
    before = manifest.read_bytes()
    essay = small_book / "essays" / "no-citations.md"
    original = essay.read_text(encoding="utf-8")
    essay.write_text(original + "\nSee {cite:p}`nosuch2001`.\n", encoding="utf-8")
    with pytest.raises(BuildFailed):
        html_build(small_book)
    assert manifest.read_bytes() == before
    essay.write_text(original + "\nThe ONS counts.\n", encoding="utf-8")
    result = html_build(small_book)
    assert result.changes is not None and not result.changes.first_build
    assert result.changes.edited == ("essays/no-citations.md",)
    assert [f.code for f in result.changes.new_findings] == ["GLO004"]
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    assert ["essays/no-citations.md", "GLO004",
            result.changes.new_findings[0].message, "warning"] in recorded["findings"]


def test_unreadable_manifest_counts_as_a_first_build(small_book: Path) -> None:
    (small_book / "_build").mkdir()
    (small_book / "_build" / MANIFEST).write_text("{not json", encoding="utf-8")
    result = html_build(small_book)
    assert result.changes is not None and result.changes.first_build
    assert json.loads((small_book / "_build" / MANIFEST).read_text())["version"] == 1


def test_finding_ignores_line_and_column() -> None:
    from essaykit.core import rules

    a = rules.make("GLO004", "essays/x.md", 3, 1, "acronym 'DWP' is not expanded", "")
    b = rules.make("GLO004", "essays/x.md", 9, 7, "acronym 'DWP' is not expanded", "")
    assert Finding.of(a) == Finding.of(b)
