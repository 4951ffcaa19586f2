"""The manual (docs/): it builds with no warning, every command's --help and every
rule are in it, its configuration reference covers every key essaykit reads, and
its examples are valid; the README keeps its quick start and links to it."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from essaykit.check import load_rules
from essaykit.cli.main import build_parser, command_parsers
from essaykit.core import rules
from essaykit.core.book import BOOK_KEYS, read_book
from essaykit.core.frontmatter import ESSAY_FIELDS, parse_meta
from essaykit.core.settings import SETTINGS, load_config
from tests.conftest import REPO

DOCS = REPO / "docs"


def text_of(page: Path) -> str:
    """A built page's text, tags dropped and white space made single spaces."""
    body = re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))
    text = html.unescape(body).translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))
    return squeeze(text)  # smart quotes back to straight ones


def squeeze(text: str) -> str:
    """No white space at all: the page puts spaces where tags were, the source does not."""
    return "".join(text.split())


@pytest.fixture
def manual_extension(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(DOCS / "_ext"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b",
                           "html", str(DOCS), str(out)], capture_output=True, text=True,
                          check=False, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout + done.stderr  # no warning at all
    assert done.stderr.strip() == ""
    return out


@pytest.mark.slow
def test_every_command_and_its_help_is_in_the_manual(built: Path,
                                                     manual_extension: None) -> None:
    from essaykit_manual import help_text  # docs/_ext, the manual's own extension

    page = text_of(built / "commands.html")
    assert squeeze(help_text(build_parser())) in page
    for name, parser in command_parsers().items():
        assert f"essaykit{name}" in page, name
        assert squeeze(help_text(parser)) in page, name


@pytest.mark.slow
def test_every_rule_is_in_the_manual(built: Path) -> None:
    load_rules()
    page = text_of(built / "rules.html")
    for code, rule in rules.RULES.items():
        assert f"{code}{rule.name}" in page, code
        assert squeeze(rule.summary.replace("`", "")) in page, code  # code spans rendered


@pytest.mark.slow
def test_every_key_is_in_the_configuration_reference(built: Path) -> None:
    page = text_of(built / "configuration.html")
    for setting in (*BOOK_KEYS, *SETTINGS):
        shown = f"{setting.key} {setting.kind} {setting.default}".replace("`", "")
        assert squeeze(shown) in page, setting.key  # code spans rendered
    for key in ESSAY_FIELDS:
        assert key in page


@pytest.mark.slow
def test_every_chapter_is_reachable(built: Path) -> None:
    index = (built / "index.html").read_text(encoding="utf-8")
    for page in sorted(DOCS.glob("*.md")):
        if page.stem != "index":
            assert f'href="{page.stem}.html"' in index, page.name


def test_book_yml_reference_lists_exactly_what_read_book_reads() -> None:
    source = (REPO / "tools/essaykit/core/book.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:data\.get|need_str|path_list)\("([a-z_]+)"', source))
    read |= set(re.findall(r'_word_target\(data, "([a-z_]+)"', source))
    read |= set(re.findall(r'"([a-z_]+)" in data', source))
    assert read and read == {setting.key for setting in BOOK_KEYS}


def test_each_tool_essaykit_example_is_valid(tmp_path: Path) -> None:
    for setting in SETTINGS:
        (tmp_path / "pyproject.toml").write_text(
            f"[tool.essaykit]\n{setting.example}\n", encoding="utf-8")
        config, problems = load_config(tmp_path)
        assert problems == [], setting.key


def test_each_book_yml_example_is_yaml_for_its_key() -> None:
    for setting in BOOK_KEYS:
        value = yaml.safe_load(setting.example)
        assert isinstance(value, dict) and list(value) == [setting.key], setting.key


def yaml_blocks(page: str, first_key: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return [block for block in re.findall(r"```(?:yaml|markdown)\n(.*?)```", text, re.S)
            if block.lstrip("-\n").startswith(first_key)]


def test_the_editors_guide_book_yml_is_a_valid_book(tmp_path: Path) -> None:
    (example,) = yaml_blocks("editors-guide.md", "title:")
    (tmp_path / "book").mkdir()
    (tmp_path / "book/book.yml").write_text(example, encoding="utf-8")
    data = yaml.safe_load(example)
    pages = ["book/index.md", *data["front"], data["taster"], *data["back"],
             *[e for part in data["parts"] for e in part["essays"]]]
    for page in pages:
        (tmp_path / page).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / page).write_text("---\ntitle: A page\n---\n", encoding="utf-8")
    (tmp_path / data["bibliography"]).write_text("", encoding="utf-8")
    book, problems = read_book(tmp_path)
    assert problems == [] and book is not None
    assert book.title == "Beyond the Quick Win"


def test_the_contributors_guide_front_matter_is_valid() -> None:
    (example,) = yaml_blocks("contributors-guide.md", "title:")
    meta, problems = parse_meta(example, "essays/example.md", schema="essay")
    assert problems == [] and meta is not None
    assert meta.authors[0].name == "Ada Writer"


def test_the_readme_keeps_its_quick_start_and_links_to_the_manual() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make book" in readme and "make test" in readme
    assert "make docs" in readme and "docs/" in readme
    assert "essaykit init" in readme
