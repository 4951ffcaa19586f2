"""The pre-commit hooks and the GitHub Actions workflow: their structure, and their
commands run for real on a copy of the book."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, copy_book

WORKFLOW = REPO / ".github/workflows/book.yml"
ESSAYKIT = REPO / ".venv/bin/essaykit"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def workflow() -> dict[str, Any]:
    data: dict[Any, Any] = load(WORKFLOW)
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(job: str) -> list[dict[str, Any]]:
    return list(workflow()["jobs"][job]["steps"])


def step(job: str, name: str) -> dict[str, Any]:
    return next(s for s in steps(job) if s.get("name") == name)


def bad_essay(root: Path) -> int:
    """Add a link to a term the glossary lacks (REF003) at the end of an essay;
    returns its line."""
    essay = root / "essays/third-sector.md"
    text = essay.read_text(encoding="utf-8").rstrip("\n") + "\n\nSee {term}`third sektor`.\n"
    essay.write_text(text, encoding="utf-8")
    return len(text.splitlines())


needs_venv = pytest.mark.skipif(not ESSAYKIT.exists(), reason="needs `make` to have made .venv")


# ---- pre-commit ---------------------------------------------------------------------

def test_the_hook_repository_definition() -> None:
    (hook,) = load(REPO / ".pre-commit-hooks.yaml")
    assert hook["id"] == "essaykit-check"
    assert hook["entry"] == "essaykit check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    for path in ("essays/a.md", "book/references.bib", "book/book.yml", "docs/book/book.yml"):
        assert files.search(path), path
    for path in ("tools/essaykit/cli/main.py", "book/notbook.yml", ".github/workflows/book.yml"):
        assert not files.search(path), path


def test_this_repositorys_hook_config() -> None:
    (repo,) = load(REPO / ".pre-commit-config.yaml")["repos"]
    assert repo["repo"] == "local"
    (hook,) = repo["hooks"]
    assert (hook["language"], hook["entry"], hook["pass_filenames"]) == (
        "system", ".venv/bin/essaykit check", True)
    files = re.compile(hook["files"])
    for path in ("essays/taster.md", "book/references.bib", "book/book.yml",
                 "book/jargon.txt", "book/glossary.md", "pyproject.toml"):
        assert files.search(path), path
    for path in ("README.md", "tools/essaykit/cli/main.py", "tests/books/clean/essays/one.md",
                 "CONTRIBUTING.md"):
        assert not files.search(path), path


@needs_venv
def test_the_hook_entry_stops_a_bad_essay_and_passes_a_good_one(tmp_path: Path) -> None:
    """What pre-commit runs: the entry, with the changed files, from the repository root."""
    (repo,) = load(REPO / ".pre-commit-config.yaml")["repos"]
    entry = repo["hooks"][0]["entry"].split()
    root = copy_book(REPO, tmp_path / "book")
    (root / ".venv").symlink_to(REPO / ".venv")

    def hook(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*entry, *files], cwd=root, capture_output=True, text=True,
                              check=False)

    passed = hook("essays/taster.md", "book/references.bib")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    line = bad_essay(root)
    stopped = hook("essays/third-sector.md")
    assert stopped.returncode == 1
    assert f"essays/third-sector.md:{line}:5: REF003" in stopped.stdout
    # an unchanged essay is not blamed for another's error ...
    assert hook("essays/taster.md").returncode == 0
    # ... but a changed glossary shows what it breaks elsewhere
    assert hook("book/glossary.md").returncode == 1


# ---- the workflow ---------------------------------------------------------------------

def test_workflow_triggers_and_permissions() -> None:
    data = workflow()
    assert set(data["on"]) == {"pull_request", "push", "workflow_dispatch"}
    assert data["on"]["push"]["branches"] == ["main"]
    assert data["permissions"] == {"contents": "read"}
    publish = data["jobs"]["publish"]
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert publish["environment"]["name"] == "github-pages"
    assert publish["needs"] == "build"
    assert "refs/heads/main" in publish["if"] and "pull_request" in publish["if"]
    assert publish["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    assert data["jobs"]["build"]["permissions"] == {"contents": "read", "pages": "read"}


def test_workflow_uses_official_actions_at_major_versions() -> None:
    used = [s["uses"] for job in workflow()["jobs"].values() for s in job["steps"] if "uses" in s]
    assert {u.split("@")[0] for u in used} == {
        "actions/checkout", "actions/setup-python", "actions/configure-pages",
        "actions/upload-artifact", "actions/upload-pages-artifact", "actions/deploy-pages"}
    assert all(re.fullmatch(r"actions/[a-z-]+@v\d+", u) for u in used), used
    python = next(s for s in steps("build") if s.get("uses", "").startswith("actions/setup-py"))
    assert python["with"]["python-version"] == "3.11" and python["with"]["cache"] == "pip"


def test_every_make_target_the_workflow_runs_exists() -> None:
    if shutil.which("make") is None:
        pytest.skip("no make")
    commands = [line.strip() for job in workflow()["jobs"].values() for s in job["steps"]
                for line in s.get("run", "").splitlines()]
    targets = [word for c in commands if c.startswith("make ") for word in c.split()[1:]]
    assert {"check", "book", "test", "lint", "install"} <= set(targets)
    for target in targets:  # -n: print what would run, run nothing; unknown targets fail
        dry = subprocess.run(["make", "-n", "-C", str(REPO), target], capture_output=True,
                             text=True, check=False)
        assert dry.returncode == 0, dry.stderr


def test_the_build_publishes_html_with_the_pdfs_and_the_site_url() -> None:
    build = step("build", "Build the web book and the PDFs")
    assert build["run"] == "make book"
    assert build["env"]["ESSAYKIT_SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert step("build", "Set up GitHub Pages")["id"] == "pages"
    pages = step("build", "Upload the web book for GitHub Pages")
    assert pages["with"]["path"] == "_build/html"  # the build copies the PDFs into html/pdf/
    preview = step("build", "Attach the built book for reviewers")
    assert "_build/html" in preview["with"]["path"] and "_build/pdf" in preview["with"]["path"]


def _run_step(script: str, cwd: Path, temp: Path) -> tuple[int, str, dict[str, str]]:
    output = temp / "github-output"
    output.write_text("")
    env = {**os.environ, "RUNNER_TEMP": str(temp), "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return done.returncode, done.stdout + done.stderr, outputs


@needs_venv
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_pull_request_steps_annotate_the_changed_essay(tmp_path: Path) -> None:
    """The workflow's own shell steps, on a merge commit like the one a pull request gets."""
    root = copy_book(REPO, tmp_path / "book")
    (root / ".venv").symlink_to(REPO / ".venv")
    (root / ".gitignore").write_text(".venv\n")

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
                       cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "contribution")
    line = bad_essay(root)
    git("commit", "-q", "-am", "an essay with a mistake")
    git("checkout", "-q", "main")
    git("merge", "-q", "--no-ff", "-m", "merge", "contribution")  # HEAD^1 is the base

    found = step("build", "Find what the pull request changes")["run"]
    code, log, outputs = _run_step(found, root, tmp_path)
    assert code == 0, log
    assert outputs == {"toolkit": "false"}
    check = step("build", "Check the changed files (annotated on the diff)")["run"]
    assert "--format github" in check
    code, log, _ = _run_step(check, root, tmp_path)
    assert code == 1
    assert (f"::error file=essays/third-sector.md,line={line},col=5,title=REF003 unknown-term::"
            in log)
