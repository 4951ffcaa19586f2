"""Files pulled in by {include}: checked at their own lines, their labels and citations
counted for the book, cut as myst-parser cuts them, never read outside the book."""

from __future__ import annotations

from pathlib import Path

from essaykit.check import run_check
from essaykit.check.includes import _cut
from tests.check_support import BOOKS, run_cli

TEXT = "zero\none\n<!-- a -->two\nthree\n<!-- b -->four\n"


def test_cut_lines_then_markers_keeps_the_file_lines() -> None:
    assert _cut(TEXT, {}) == (0, TEXT.rstrip("\n"))
    assert _cut(TEXT, {"start-line": "1", "end-line": "3"}) == (1, "one\n<!-- a -->two")
    assert _cut(TEXT, {"start-line": "-2"}) == (3, "three\n<!-- b -->four")
    first, part = _cut(TEXT, {"start-after": "<!-- a -->", "end-before": "<!-- b -->"})
    assert (first, part) == (2, "two\nthree\n")
    assert TEXT.split("\n")[first].endswith(part.split("\n")[0])  # at its own line


def test_cut_reports_a_missing_marker_and_a_bad_number() -> None:
    assert "is not in the file" in str(_cut(TEXT, {"start-after": "nowhere"}))
    assert str(_cut(TEXT, {"start-line": "two"})).startswith(":start-line:")


def _project(tmp_path: Path, pages: dict[str, str]) -> Path:
    root = tmp_path / "book"
    (root / "parts").mkdir(parents=True)
    (root / "conf.py").write_text('exclude_patterns = ["parts/*"]\n', encoding="utf-8")
    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return root


def test_include_outside_the_book_is_never_read(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "book/index.md": "# Home\n\n```{include} ../secret.md\n```\n",
        "secret.md": "(secret-label)=\nSee {ref}`missing-in-secret`.\n"})
    found = [(d.path, d.code) for d in run_check(root).diagnostics]
    assert not [d for d in found if "secret" in d[0]]  # nothing of it is read
    # a project that turns the contributor-safety rules on is also told about the path
    (root / "pyproject.toml").write_text("[tool.essaykit]\ncontributor-safety = true\n",
                                         encoding="utf-8")
    found = [(d.path, d.code) for d in run_check(root).diagnostics]
    assert ("index.md", "SEC001") in found
    assert not [d for d in found if "secret" in d[0]]


def test_an_include_cycle_ends(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "book/index.md": "# Home\n\n```{include} parts/a.md\n```\n\n{ref}`B <in-b>`\n",
        "book/parts/a.md": "(in-a)=\nA\n\n```{include} parts/b.md\n```\n",
        "book/parts/b.md": "(in-b)=\nB {ref}`nowhere`\n\n```{include} parts/a.md\n```\n"})
    found = [(d.path, d.line, d.code) for d in run_check(root).diagnostics
             if not d.code.startswith("SEC")]
    assert found == [("parts/b.md", 2, "REF001")]  # in-b resolves; b's own finding is b's


def test_mystmd_resolves_nested_includes_from_the_file(tmp_path: Path) -> None:
    root = tmp_path
    (root / "myst.yml").write_text("version: 1\nproject:\n  toc:\n    - file: index.md\n",
                                   encoding="utf-8")
    (root / "parts").mkdir()
    (root / "index.md").write_text("# Home\n\n```{include} parts/a.md\n```\n[](#deep)\n",
                                   encoding="utf-8")
    (root / "parts/a.md").write_text("```{include} b.md\n```\n", encoding="utf-8")
    (root / "parts/b.md").write_text("(deep)=\nDeep.\n", encoding="utf-8")
    assert [d for d in run_check(root).diagnostics if not d.code.startswith("SEC")] == []


def test_fixture_counts_included_labels_and_citations() -> None:
    code, out, _ = run_cli(["--root", str(BOOKS / "includes"), "check"])
    assert "index.md" not in out  # shared-method and shared-figure are defined by includes
    assert "marsh2018" not in out.replace("did you mean 'marsh2018'", "")
    assert "reed2022" not in out  # cited only in an included file: still cited
    assert "parts/method.md:9:57: CIT001 unknown citation key 'marsh2081'" in out
    assert "parts/table.md:7:46: REF001 unknown label 'no-label-here'" in out
    for outside in ("before-the-marker", "after-the-marker", "skipped-by-start-line"):
        assert outside not in out
    assert "no such marker" in out and code == 1


def test_mystmd_reads_an_included_tex_file_as_latex_not_markdown(tmp_path: Path) -> None:
    (tmp_path / "myst.yml").write_text("version: 1\nproject:\n  toc:\n    - file: index.md\n",
                                       encoding="utf-8")
    (tmp_path / "index.md").write_text("# Home\n\n```{include} eq.tex\n```\n", encoding="utf-8")
    (tmp_path / "eq.tex").write_text("E = mc^2 [see](nowhere.md)\n", encoding="utf-8")
    assert [d for d in run_check(tmp_path).diagnostics if not d.code.startswith("SEC")] == []
    (tmp_path / "eq.md").write_text("[see](nowhere.md)\n", encoding="utf-8")
    (tmp_path / "index.md").write_text("# Home\n\n```{include} eq.md\n```\n", encoding="utf-8")
    assert [(d.path, d.code) for d in run_check(tmp_path).diagnostics
            if not d.code.startswith("SEC")] == [("eq.md", "REF004")]
