"""`essaykit init`: the new book passes every check and builds with no warning; it
says what it made; it asks only in a terminal; and it never overwrites anything."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from essaykit.build import BuildOptions, build
from essaykit.check import run_check
from essaykit.cli import init as cli_init
from essaykit.cli.main import build_parser, command_parsers, main
from essaykit.core.book import load_book
from essaykit.core.version import VERSION
from essaykit.start import NewBook, StartRefused, start_book
from essaykit.start import book as start
from tests.conftest import REPO

OPTIONS = ["--title", "Small Acts", "--editor", "Ada Editor", "--editor", "Bea Editor"]


def init(*args: str) -> int:
    return main(["init", *args])


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def findings(root: Path) -> list[str]:
    return [d.format_text() for d in run_check(root).diagnostics]


@pytest.fixture
def new_book(tmp_path: Path) -> Path:
    root = tmp_path / "my-book"
    assert init(str(root), *OPTIONS, "--subtitle", "Essays on small things",
                "--language", "en-GB") == 0
    return root


def test_the_new_book_has_every_file_and_no_findings_at_all(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new_book = tmp_path / "my-book"
    assert init(str(new_book), *OPTIONS) == 0
    out = capsys.readouterr().out
    for relative, purpose in start.PURPOSE.items():
        assert (new_book / relative).is_file(), relative
        assert re.search(rf"^  {re.escape(relative)} +{re.escape(purpose)}$", out, re.M), relative
    assert set(snapshot(new_book)) == set(start.PURPOSE)  # and nothing else
    assert findings(new_book) == []
    assert "essaykit check" in out and "essaykit build" in out  # what to do next


def test_book_yml_holds_what_the_editor_gave(new_book: Path) -> None:
    book = load_book(new_book)
    assert book.title == "Small Acts"
    assert book.subtitle == "Essays on small things"
    assert [e.name for e in book.editors] == ["Ada Editor", "Bea Editor"]
    assert book.language == "en-GB"
    assert book.essays == ("essays/taster.md", "essays/example-essay.md")
    assert book.back == ("book/glossary.md", "book/bibliography.md", "book/contributors.md")
    readme = (new_book / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# Small Acts\n\n*Essays on small things*\n")
    assert "edited by Ada Editor and Bea Editor" in readme
    requirements = (new_book / "requirements.txt").read_text(encoding="utf-8")
    assert f"essaykit[serve]=={VERSION}" in requirements.splitlines()


def test_the_example_essay_is_what_essaykit_new_writes(new_book: Path) -> None:
    essay = (new_book / "essays/example-essay.md").read_text(encoding="utf-8")
    assert "{cite:p}`orwell1946politics`" in essay  # the new book's own example key
    assert "{doc}`taster`" in essay
    assert main(["--root", str(new_book), "new", "A second essay", "--author", "C. Writer"]) == 0
    assert findings(new_book) == []
    assert "essays/a-second-essay.md" in load_book(new_book).essays


@pytest.mark.parametrize("title", [
    'Quotes "and" \\back\\slash: colon # hash', "Ça, c'est «l'essai» — über Straße!",
    "- a dash: and a colon", "yes", "2026", "{braces} [brackets] *stars* `ticks`"])
def test_awkward_titles_and_names_survive_the_yaml(tmp_path: Path, title: str) -> None:
    root = tmp_path / "b"
    assert init(str(root), "--title", title, "--editor", f"Zoë {title}") == 0
    book = load_book(root)
    assert book.title == title
    assert book.editors[0].name == f"Zoë {title}"
    assert not [f for f in findings(root) if ":FM" in f or "BOOK" in f]


def test_the_current_folder_by_default_and_what_may_be_there_already(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "here"
    (root / ".git").mkdir(parents=True)  # `git init` first, a virtual environment, a licence
    (root / ".git/HEAD").write_text("ref: refs/heads/main\n")
    (root / ".venv").mkdir()
    (root / "LICENSE").write_text("MIT\n")
    monkeypatch.chdir(root)
    assert init(*OPTIONS) == 0
    assert (root / "book/book.yml").is_file()
    assert (root / "LICENSE").read_text() == "MIT\n"
    assert findings(root) == []


@pytest.mark.parametrize(("existing", "named"), [
    ("notes.txt", "notes.txt"),
    ("README.md", "README.md"),
    (".gitignore", ".gitignore"),
    (".github/workflows/book.yml", ".github/workflows/book.yml"),
    ("book/book.yml", "book"),
])
def test_a_folder_that_is_not_empty_is_refused_and_left_alone(
        tmp_path: Path, existing: str, named: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "full"
    (root / existing).parent.mkdir(parents=True, exist_ok=True)
    (root / existing).write_text("mine\n")
    before = snapshot(root)
    assert init(str(root), *OPTIONS) == 2
    err = capsys.readouterr().err
    assert f"is not empty ({named}" in err and "has changed nothing" in err
    assert snapshot(root) == before
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == sorted(
        {existing, *(p.as_posix() for p in Path(existing).parents if p != Path("."))})


def test_a_file_in_the_way_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "book").write_text("a file\n")
    assert init(str(tmp_path / "book"), *OPTIONS) == 2
    assert "exists and is not a folder" in capsys.readouterr().err
    assert (tmp_path / "book").read_text() == "a file\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--title", "  ", "--editor", "A"], "the title is empty"),
    (["--title", "T", "--editor", ""], "an editor's name is empty"),
    (["--title", "Bad\u202eTitle", "--editor", "A"], "control or bidirectional"),
    (["--title", "T", "--editor", "A", "--language", "English!"], "not a language tag"),
    (["--title", "T", "--editor", "A", "--subtitle", "x\x07y"], "the subtitle holds"),
])
def test_unusable_values_are_usage_errors_and_write_nothing(
        tmp_path: Path, args: list[str], message: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert init(str(tmp_path / "b"), *args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "b").exists()


def test_without_a_terminal_it_does_not_ask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("A title\n"))  # not a terminal
    assert init(str(tmp_path / "b"), "--editor", "A") == 2
    captured = capsys.readouterr()
    assert "give --title (there is no terminal to ask in)" in captured.err
    assert captured.out == ""  # no prompt was shown
    assert init(str(tmp_path / "b")) == 2
    assert "give --title and --editor" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_with_terminal(argv: list[str], typed: str) -> tuple[int, str]:
    args = build_parser().parse_args(["init", *argv])
    out = io.StringIO()
    return cli_init.init_command(args, out=out, stdin=Terminal(typed)), out.getvalue()


def test_in_a_terminal_it_asks_for_what_is_missing(tmp_path: Path) -> None:
    code, out = run_with_terminal([str(tmp_path / "b")],
                                  "\nAsked Title\n\nFirst Editor\nSecond Editor\n\n")
    assert code == 0
    assert "The book's title: " in out and "Editor 2: " in out
    book = load_book(tmp_path / "b")
    assert (book.title, book.subtitle) == ("Asked Title", "")
    assert [e.name for e in book.editors] == ["First Editor", "Second Editor"]
    # what was given is not asked again
    code, out = run_with_terminal([str(tmp_path / "c"), "--title", "Given", "--subtitle", ""],
                                  "Only Editor\n\n")
    assert code == 0 and "title: " not in out and "subtitle (" not in out
    assert load_book(tmp_path / "c").title == "Given"


def test_end_of_input_at_a_prompt_stops_cleanly(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run_with_terminal([str(tmp_path / "b")], "A title\n")
    assert code == 2
    assert "nothing was written" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def test_a_failure_half_way_removes_what_was_made(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    real = start._write_new
    calls: list[str] = []

    def failing(root: Path, relative: str, text: str, folders: list[Path]) -> Path:
        calls.append(relative)
        if len(calls) == 6:
            raise OSError("disk full")
        return real(root, relative, text, folders)

    monkeypatch.setattr(start, "_write_new", failing)
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept/.git").mkdir()
    with pytest.raises(OSError, match="disk full"):
        start_book(tmp_path / "kept", NewBook("T", ("A",)))
    assert [p.name for p in (tmp_path / "kept").iterdir()] == [".git"]  # only what was there
    calls.clear()
    with pytest.raises(OSError):
        start_book(tmp_path / "new/deeper", NewBook("T", ("A",)))
    assert not (tmp_path / "new").exists()  # folders it made are removed too


def test_the_library_refuses_with_a_message_and_a_hint(tmp_path: Path) -> None:
    with pytest.raises(StartRefused) as refused:
        start_book(tmp_path, NewBook("T", ()))
    assert refused.value.message == "the book needs at least one editor"
    assert "--editor" in refused.value.hint


# ---- the files that make a repository pleasant ------------------------------------------

def load(path: Path) -> Any:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and True in data:
        data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def test_the_workflow_checks_builds_and_publishes_with_real_commands(new_book: Path) -> None:
    workflow = load(new_book / ".github/workflows/book.yml")
    ours = load(REPO / ".github/workflows/book.yml")
    assert workflow["on"] == ours["on"] and workflow["permissions"] == ours["permissions"]
    assert workflow["jobs"]["publish"] == ours["jobs"]["publish"]
    used = {s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s}
    assert used <= {s["uses"] for job in ours["jobs"].values() for s in job["steps"]
                    if "uses" in s}  # the same actions at the same versions as ours
    runs = "\n".join(s.get("run", "") for s in workflow["jobs"]["build"]["steps"])
    assert "pip install -r requirements.txt" in runs
    assert "essaykit check --format github" in runs and "essaykit build" in runs
    commands = set(re.findall(r"\bessaykit ([a-z]+)", runs))
    known = set(command_parsers())
    assert commands and commands <= known


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_workflows_pull_request_step_annotates_a_changed_essay(
        new_book: Path, tmp_path: Path) -> None:
    step = next(s for s in load(new_book / ".github/workflows/book.yml")["jobs"]["build"]["steps"]
                if s.get("name", "").startswith("Check the changed files"))

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
                       cwd=new_book, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "contribution")
    essay = new_book / "essays/example-essay.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nSee {term}`nothing`.\n",
                     encoding="utf-8")
    git("commit", "-q", "-am", "a mistake")
    git("checkout", "-q", "main")
    git("merge", "-q", "--no-ff", "-m", "merge", "contribution")
    bin_dir = Path(shutil.which("essaykit") or REPO / ".venv/bin/essaykit").parent
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "RUNNER_TEMP": str(tmp_path)}
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=new_book,
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "::error file=essays/example-essay.md,line=" in done.stdout
    assert "title=REF003 unknown-term::" in done.stdout


def test_the_pre_commit_hook_runs_the_check_on_book_files(new_book: Path) -> None:
    (repo,) = load(new_book / ".pre-commit-config.yaml")["repos"]
    (hook,) = repo["hooks"]
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == (
        "essaykit check", "system", True)
    files = re.compile(hook["files"])
    for path in ("essays/example-essay.md", "book/references.bib", "book/book.yml",
                 "book/jargon.txt"):
        assert files.search(path), path
    for path in ("README.md", "conf.py", ".github/workflows/book.yml"):
        assert not files.search(path), path


def test_gitignore_keeps_out_what_the_build_makes(new_book: Path) -> None:
    ignored = (new_book / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "_build/" in ignored and ".venv/" in ignored


@pytest.mark.slow
def test_the_new_book_builds_every_edition_with_no_warning(new_book: Path) -> None:
    result = build(BuildOptions(root=new_book, quiet=True, strict=True))
    assert result.warnings == []
    for name in ("html", "pdf-book", "pdf-taster", "epub-book"):
        assert result.outputs[name].exists(), name
    front = (result.outdir / "html/book/index.html").read_text(encoding="utf-8")
    assert "Small Acts" in front and "Ada Editor" in front
    taster = (result.outdir / "html/essays/taster.html").read_text(encoding="utf-8")
    assert "Orwell" in taster and "1946" in taster  # the example citation is resolved
