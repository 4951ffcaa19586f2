"""`essaykit check` and `essaykit rules` end to end: formats, exit codes, modes, config."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from essaykit.check import check_document_text, run_check
from essaykit.check import registry as check_registry
from essaykit.core.version import VERSION
from tests.check_support import BOOKS, run_cli

RECORD_KEYS = ["path", "line", "column", "code", "name", "severity", "message", "hint",
               "essaykit_version"]


def copy_case(case: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(BOOKS / case, tmp_path / case))


@pytest.mark.parametrize(("case", "code"), [
    ("clean", 0), ("glo001-unused-entry", 0), ("cit001-unknown-key", 1), ("config-error", 2)])
def test_exit_codes(case: str, code: int) -> None:
    assert run_cli(["--root", str(BOOKS / case), "check"])[0] == code


def test_not_a_book_is_a_usage_error(tmp_path: Path) -> None:
    code, out, _ = run_cli(["--root", str(tmp_path), "check"])
    assert code == 2
    assert "CFG003 no book found" in out


def test_unknown_code_on_the_command_line_is_a_usage_error() -> None:
    code, out, _ = run_cli(["--root", str(BOOKS / "clean"), "check", "--select", "CIT,NOPE"])
    assert code == 2
    assert "--select:1:1: CFG001 'NOPE' is not a rule code or prefix" in out


def test_json_format_is_one_stable_object_per_line() -> None:
    code, out, err = run_cli(["--root", str(BOOKS / "ref001-unknown-label"), "check",
                              "--format", "json"])
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [list(r) for r in records] == [RECORD_KEYS] * 2
    assert records[0] == {
        "path": "essays/one.md", "line": 9, "column": 1, "code": "REF001",
        "name": "unknown-label", "severity": "error", "message": "unknown label 'sec-tw'",
        "hint": "did you mean 'sec-two'?", "essaykit_version": VERSION}
    assert err.strip() == "Found 2 errors, 0 warnings in 4 pages."


def test_github_format_annotates_with_escaped_properties() -> None:
    _, out, _ = run_cli(["--root", str(BOOKS / "cit002-uncited-entry"), "check",
                         "--format", "github"])
    lines = out.splitlines()
    assert lines[0] == (
        "::warning file=book/references.bib,line=15,col=1,title=CIT002 uncited-entry::"
        "entry 'sen1999development' is never cited (cite it, or remove it from the bibliography)")
    assert lines[-1] == "Found 0 errors, 1 warning in 3 pages."
    _, out, _ = run_cli(["--root", str(BOOKS / "ref008-malformed-url"), "check",
                         "--format", "github"])
    assert "::error file=essays/one.md,line=13,col=16,title=REF008 malformed-url::" in out


def test_single_essay_mode_reports_only_that_essay(tmp_path: Path) -> None:
    root = copy_case("ref005-duplicate-label", tmp_path)
    code, out, _ = run_cli(["check", str(root / "essays" / "two.md")])
    assert out.splitlines() == [
        "essays/two.md:8:1: REF005 label 'sec-two' is also defined at essays/one.md:10 "
        "(give each target its own label)",
        "Found 1 error, 0 warnings in 1 of 4 pages.",
    ]
    assert code == 1
    # the shared bibliography is still read: the essay's citations resolve
    root = copy_case("cit002-uncited-entry", tmp_path)
    code, out, _ = run_cli(["check", str(root / "essays" / "one.md")])
    assert (code, out) == (0, "All checks passed (1 of 3 pages checked).\n")


def write_book(folder: Path, kind: str) -> Path:
    """A one-page book of `kind` ("jupyter-book" or "sphinx") in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "jupyter-book":
        (folder / "_config.yml").write_text("title: A book\n", encoding="utf-8")
        (folder / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
        (folder / "intro.md").write_text("# Intro\n\nSee {ref}`nowhere`.\n", encoding="utf-8")
    else:
        (folder / "conf.py").write_text("project = 'A'\n", encoding="utf-8")
        (folder / "index.md").write_text("# Index\n\nSee {ref}`nowhere`.\n", encoding="utf-8")
    return folder


def test_a_book_one_folder_below_the_repository_root_is_found(tmp_path: Path) -> None:
    write_book(tmp_path / "lectures", "jupyter-book")
    (tmp_path / "_notebook_repo").mkdir()  # a folder that holds no book
    code, out, _ = run_cli(["check", str(tmp_path)])
    # paths as seen from where the command ran, so they can be opened from there
    assert out.splitlines() == [
        "lectures/intro.md:3:5: REF001 unknown label 'nowhere' (define it with (label)= "
        "before the target)",
        "Found 1 error, 0 warnings in 1 page.",
    ]
    assert code == 1


def test_several_books_below_ask_which(tmp_path: Path) -> None:
    write_book(tmp_path / "book-a", "sphinx")
    write_book(tmp_path / "book-b", "jupyter-book")
    code, out, _ = run_cli(["check", str(tmp_path)])
    assert code == 2
    assert "CFG003 several books below" in out and "book-a/, book-b/" in out
    assert '[tool.essaykit] book = "book-a"' in out


def test_the_book_named_in_the_repository_pyproject_is_checked(tmp_path: Path) -> None:
    write_book(tmp_path / "docs" / "source", "sphinx")  # two levels down: named
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.essaykit]\nbook = "docs/source"\n'
        'ignore = ["REF001"]\n', encoding="utf-8")
    code, out, _ = run_cli(["check", str(tmp_path)])
    # and [tool.essaykit] in the repository's root applies to the book below it
    assert (code, out) == (0, "All checks passed (1 page checked).\n")
    result = run_check(tmp_path / "docs" / "source")
    assert result.diagnostics == [] and result.project_kind == "sphinx"
    (tmp_path / "pyproject.toml").write_text('[tool.essaykit]\nbook = "nothing-here"\n',
                                             encoding="utf-8")
    code, out, _ = run_cli(["check", str(tmp_path)])
    assert code == 2 and "book = 'nothing-here' is not a book's folder" in out


def test_repository_settings_are_not_read_outside_the_repository(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.essaykit]\nignore = ["REF001"]\n',
                                             encoding="utf-8")
    book = write_book(tmp_path / "repo" / "docs", "sphinx")
    (tmp_path / "repo" / ".git").mkdir()
    # the pyproject.toml above the repository belongs to something else
    assert [d.code for d in run_check(book).diagnostics] == ["REF001"]
    # a bad setting in the repository's pyproject.toml is reported where it is
    (tmp_path / "repo" / "pyproject.toml").write_text(
        '[tool.essaykit]\ncontributor-safety = "yes"\n', encoding="utf-8")
    found = run_check(book).diagnostics
    assert [(d.path, d.line, d.code) for d in found][:1] == [("../pyproject.toml", 2, "CFG001")]


def test_checking_one_page_of_a_foreign_book_says_of_how_many(tmp_path: Path) -> None:
    book = write_book(tmp_path / "docs", "sphinx")
    (book / "other.md").write_text("# Other\n\nSee {ref}`elsewhere`.\n", encoding="utf-8")
    (book / "index.md").write_text("# Index\n\n```{toctree}\nother\n```\n", encoding="utf-8")
    code, out, _ = run_cli(["check", str(book / "index.md")])
    assert (code, out) == (0, "All checks passed (1 of 2 pages checked).\n")
    code, out, _ = run_cli(["check", str(book / "other.md")])
    assert out.splitlines()[-1] == "Found 1 error, 0 warnings in 1 of 2 pages."


def test_contributor_safety_cannot_be_turned_off_in_an_essaykit_book(tmp_path: Path) -> None:
    root = copy_case("clean", tmp_path)
    (root / "pyproject.toml").write_text("[tool.essaykit]\ncontributor-safety = false\n",
                                         encoding="utf-8")
    code, out, _ = run_cli(["--root", str(root), "check"])
    assert code == 2
    assert "pyproject.toml:2:1: CFG001 an essaykit book always runs the contributor-safety" \
        in out


def test_single_essay_mode_rejects_paths_outside_the_book(tmp_path: Path) -> None:
    code, out, _ = run_cli(["--root", str(BOOKS / "clean"), "check",
                            str(BOOKS / "clean" / "essays" / "nothing.md")])
    assert code == 2
    assert "CFG003 no such file" in out
    stray = tmp_path / "stray.md"
    stray.write_text("# stray\n")
    code, out, _ = run_cli(["--root", str(BOOKS / "clean"), "check", str(stray)])
    assert code == 2
    assert "not inside the book" in out


def test_select_and_ignore_on_the_command_line() -> None:
    book = str(BOOKS / "ref004-broken-link")
    assert run_cli(["--root", book, "check", "--select", "CIT"])[0] == 0
    code, out, _ = run_cli(["--root", book, "check", "--ignore", "REF004", "--ignore", "SEC001"])
    assert (code, out) == (0, "All checks passed (4 pages checked).\n")
    code, out, _ = run_cli(["--root", book, "check", "--select", "REF", "--ignore", "ref0"])
    assert code == 0


def test_suppression_comment_silences_only_the_next_line(tmp_path: Path) -> None:
    root = copy_case("clean", tmp_path)
    essay = root / "essays" / "one.md"
    text = essay.read_text()
    essay.write_text(text + "\n% essaykit: ignore[CIT001]\nSee {cite:p}`tbc2026`.\n\n"
                            "See {cite:p}`tbc2027`.\n")
    code, out, _ = run_cli(["--root", str(root), "check"])
    assert code == 1
    assert "tbc2026" not in out
    assert "CIT001 unknown citation key 'tbc2027'" in out


def test_coverage_table_as_json() -> None:
    _, out, _ = run_cli(["--root", str(BOOKS / "glo004-undefined-acronym"), "check",
                         "--coverage", "--format", "json", "--select", "GLO"])
    rows = [json.loads(line) for line in out.splitlines() if '"coverage"' in line]
    assert rows == [{"path": "essays/one.md", "used": 6, "defined": 3, "linked": 1,
                     "coverage": 50.0}]


def test_list_rules_and_rules_command() -> None:
    code, out, _ = run_cli(["check", "--list-rules"])
    assert code == 0
    assert out.splitlines()[0].startswith("ACC001  image-without-alt-text")
    assert any(line.startswith("CIT001  unknown-citation-key  ") for line in out.splitlines())
    code, out, _ = run_cli(["rules", "CIT001"])
    assert code == 0
    assert out.splitlines()[:2] == ["CIT001 unknown-citation-key (error)",
                                    "    A citation names a key that is not in the bibliography."]
    assert "    Bad:" in out and "    Good:" in out and "    Why:" in out
    assert run_cli(["rules", "NOPE"])[0] == 2


def test_unreadable_page_is_a_diagnostic(tmp_path: Path) -> None:
    root = copy_case("clean", tmp_path)
    (root / "essays" / "two.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    code, out, _ = run_cli(["--root", str(root), "check", "--select", "CHK"])
    assert code == 1
    assert out.startswith("essays/two.md:2:11: CHK002 not UTF-8: byte(s) e9 ")


def test_a_crashing_check_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(index: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(check_registry, "CHECKS", [(("CIT001",), broken),
                                                   *check_registry.CHECKS])
    from essaykit.check import runner

    monkeypatch.setattr(runner, "CHECKS", check_registry.CHECKS)
    result = run_check(BOOKS / "cit001-unknown-key")
    codes = [d.code for d in result.diagnostics]
    assert "CHK001" in codes and codes.count("CIT001") == 2
    assert result.exit_code == 1


def test_api_result_and_unsaved_text() -> None:
    result = run_check(BOOKS / "clean")
    assert (result.diagnostics, result.exit_code, result.project_kind) == ([], 0, "essaykit")
    assert [row.path for row in result.coverage] == ["essays/one.md", "essays/two.md"]
    text = (BOOKS / "clean" / "essays" / "two.md").read_text() + "\n{cite:p}`two2099`\n"
    result = check_document_text(BOOKS / "clean", "essays/two.md", text)
    assert [(d.path, d.code) for d in result.diagnostics] == [("essays/two.md", "CIT001")]
    assert [row.path for row in result.coverage] == ["essays/two.md"]


def test_output_is_stable_across_runs() -> None:
    first = run_cli(["--root", str(BOOKS / "ref008-malformed-url"), "check", "--format", "json"])
    second = run_cli(["--root", str(BOOKS / "ref008-malformed-url"), "check", "--format", "json"])
    assert first == second


def test_conf_py_is_read_never_run(tmp_path: Path) -> None:
    root = copy_case("sphinx-project", tmp_path)
    marker = tmp_path / "ran"
    conf = root / "conf.py"
    conf.write_text(f"open({str(marker)!r}, 'w').write('x')\nraise SystemExit(3)\n"
                    + conf.read_text())
    code, out, _ = run_cli(["--root", str(root), "check", "--coverage"])
    assert not marker.exists()
    assert out == (BOOKS / "sphinx-project" / "expected.txt").read_text()
    assert code == 1


def test_broken_conf_py_is_a_configuration_error(tmp_path: Path) -> None:
    root = copy_case("sphinx-project", tmp_path)
    (root / "conf.py").write_text("project = (\n")
    code, out, _ = run_cli(["--root", str(root), "check"])
    assert code == 2
    assert "conf.py:1:1: CFG001 conf.py does not parse" in out


def test_missing_jargon_list_and_bibliography(tmp_path: Path) -> None:
    root = copy_case("glo003-undefined-jargon", tmp_path)
    (root / "book" / "jargon.txt").unlink()
    (root / "book" / "references.bib").unlink()
    code, out, _ = run_cli(["--root", str(root), "check"])
    assert code == 2
    assert ("book/book.yml:10:1: CFG002 the jargon watch-list 'book/jargon.txt' "
            "does not exist") in out
    assert "book/book.yml:9:1: CFG002 the bibliography 'book/references.bib' does not exist" in out


def test_rule_table_generator(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_rule_table", Path(__file__).parents[1] / "tools" / "gen_rule_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n\nNo markers here.\n")
    assert module.main(["--write", "--readme", str(readme)]) == 2
    assert "no '<!-- rules:start -->'" in capsys.readouterr().err
    readme.write_text("# T\n\n<!-- rules:start -->\nold\n<!-- rules:end -->\n\nafter\n")
    assert module.main(["--check", "--readme", str(readme)]) == 1
    assert module.main(["--write", "--readme", str(readme)]) == 0
    assert module.main(["--check", "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert "| `CIT001` | `unknown-citation-key` | error |" in text
    assert text.endswith("<!-- rules:end -->\n\nafter\n") and "\nold\n" not in text


def test_readme_rule_table_is_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gen_rule_table", Path(__file__).parents[1] / "tools" / "gen_rule_table.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = Path(__file__).parents[1] / "README.md"
    assert module.main(["--check", "--readme", str(readme)]) == 0, \
        "README's rule table is stale: run python tools/gen_rule_table.py --write"


@pytest.mark.parametrize("named", ["book/references.bib", "book/book.yml", "book/glossary.md"])
def test_naming_a_file_other_pages_depend_on_checks_the_whole_book(tmp_path: Path,
                                                                   named: str) -> None:
    """A pre-commit hook passes only the changed files: a changed bibliography, order or
    glossary must still show what it broke on the essays that use it."""
    root = copy_case("clean", tmp_path)
    essay = root / "essays/two.md"
    essay.write_text(essay.read_text().replace("cahn2000nomore", "cahn2000gone"))
    code, out, _ = run_cli(["--root", str(root), "check", str(root / named)])
    assert code == 1
    assert "essays/two.md:16:53: CIT001 unknown citation key 'cahn2000gone'" in out


def test_naming_an_unrelated_page_still_reports_only_on_it(tmp_path: Path) -> None:
    root = copy_case("clean", tmp_path)
    essay = root / "essays/two.md"
    essay.write_text(essay.read_text().replace("cahn2000nomore", "cahn2000gone"))
    code, out, _ = run_cli(["--root", str(root), "check", str(root / "essays/one.md")])
    assert (code, "CIT001" in out) == (0, False)


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`essaykit rules | head -1`: the pipe closes while essaykit still writes."""
    import subprocess
    import sys

    script = ("import sys; from essaykit.cli.main import run; "
              "sys.argv = ['essaykit', 'rules']; run()")
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(10)
        process.stdout.close()  # the reader has gone
        err = process.stderr.read().decode()
        process.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
