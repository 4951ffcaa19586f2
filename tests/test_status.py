"""`essaykit status`: the numbers, the terminal table, the JSON, the HTML page, book.yml's
targets. (The build's side of it -- the page in _build/status, the change report --
is in test_status_build.py.)"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest

from essaykit.cli.main import main
from essaykit.core.book import WordTarget, read_book
from essaykit.dashboard.page import render_status_page
from essaykit.dashboard.status import READING_WORDS_PER_MINUTE, compute_status, reading_minutes

DESK = Path(__file__).parent / "status_books" / "desk"
EXPECTED = json.loads((DESK / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DESK, tmp_path / "desk"))


def test_numbers_match_the_hand_count() -> None:
    status = compute_status(DESK)
    assert [p.path for p in status.pieces] == EXPECTED["order"]
    for piece in status.pieces:
        want = EXPECTED["pieces"][piece.path]
        assert piece.kind == want["kind"], piece.path
        assert piece.status == want["status"], piece.path
        assert piece.words == want["words"], piece.path
        assert piece.length == want["length"], piece.path
        assert piece.works_cited == want["works_cited"], piece.path
        assert piece.citations == want["citations"], piece.path
        assert piece.glossary is not None
        assert (piece.glossary.used, piece.glossary.defined) == \
            (want["glossary"]["used"], want["glossary"]["defined"]), piece.path
        assert piece.findings.as_dict() == want["findings"], piece.path
    totals = status.as_dict()["totals"]
    assert isinstance(totals, dict)
    for key, value in EXPECTED["totals"].items():
        assert totals[key] == value, key


def test_taster_is_judged_against_its_own_target() -> None:
    status = compute_status(DESK)
    taster = status.pieces[0]
    assert taster.target == WordTarget(15, 30)
    assert all(p.target == WordTarget(10, 25) for p in status.pieces[1:])
    assert status.pieces[2].part == "Finished" and taster.part == ""


def test_reading_time_uses_brysbaerts_rate_rounded_up() -> None:
    assert READING_WORDS_PER_MINUTE == 238
    assert reading_minutes(0) == 0
    assert reading_minutes(238) == 1
    assert reading_minutes(239) == 2
    assert reading_minutes(3344) == 15


def test_word_count_follows_edits(desk: Path) -> None:
    essay = desk / "essays" / "three.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nThree more words.\n\n"
                     "```\nnot words\n```\n", encoding="utf-8")
    three = next(p for p in compute_status(desk).pieces if p.path == "essays/three.md")
    assert three.words == 8
    assert three.length == "under"


def test_no_target_when_book_yml_sets_none(desk: Path) -> None:
    book_yml = desk / "book" / "book.yml"
    text = book_yml.read_text(encoding="utf-8")
    book_yml.write_text(text.split("target_words:")[0], encoding="utf-8")
    status = compute_status(desk)
    assert {p.length for p in status.pieces} == {"no target"}
    assert status.by_length == {"no target": 4}


def run_cli(*argv: str) -> tuple[int, str, str]:
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_terminal_table() -> None:
    code, out, _ = run_cli("--root", str(DESK), "status")
    assert code == 0  # findings, even errors, do not make the dashboard fail
    lines = out.splitlines()
    assert lines[0] == "The Editor's Desk"
    header = next(line for line in lines if line.startswith("#"))
    assert header.split() == ["#", "essay", "status", "words", "read", "target", "works",
                              "cites", "glossary", "findings"]
    rule = lines.index(header) + 1  # the dashes under the header
    assert set(lines[rule]) == {"-", " "}
    rows = lines[rule + 1:lines.index("", rule)]
    cells = {re.split(r"\s{2,}", row)[1]: re.split(r"\s{2,}", row) for row in rows}
    assert list(cells) == ["A Taste of Things", "The First Essay Has Many Title Words",
                           "The Third", "A Second Essay"]
    assert cells["The First Essay Has Many Title Words"] == [
        "1", "The First Essay Has Many Title Words", "in-review", "26", "1 min", "over 25",
        "2", "3", "100%", "-"]
    assert cells["The Third"][5] == "under 10"
    assert cells["A Second Essay"][-2:] == ["0%", "1E 1W"]
    assert "3 essays and the taster: 63 words, about 1 min of reading" in out
    assert "status:   1 draft, 1 in-review, 2 accepted" in out
    assert "cited:    3 works, 5 citations" in out
    assert "findings: 1 error, 2 warnings, 0 notes (1 outside the essays" in out


def test_json_output_is_one_document() -> None:
    code, out, _ = run_cli("--root", str(DESK), "status", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["book"] == "The Editor's Desk"
    assert data["words_per_minute"] == 238
    by_path = {piece["path"]: piece for piece in data["pieces"]}
    assert by_path["essays/one.md"]["authors"] == ["Bea Writer", "Cy Writer"]
    assert by_path["essays/one.md"]["target"] == {"min": 10, "max": 25}
    assert by_path["essays/two.md"]["findings"] == {"error": 1, "warning": 1, "info": 0}
    assert data["totals"]["words"] == 63


def test_status_html_writes_the_page(desk: Path) -> None:
    code, out, _ = run_cli("--root", str(desk), "status", "--html")
    assert code == 0
    page = desk / "_build" / "status" / "index.html"
    assert page.is_file() and str(page) in out
    assert not (desk / "_build" / "html").exists()
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html and "<script" not in html.lower()
    assert 'class="badge status-in-review">In review<' in html
    # sources are never touched
    assert not any(p.name.endswith(".tmp") for p in desk.rglob("*"))


@pytest.mark.parametrize("yaml_text, message, line", [
    ("target_words: 3000", "'target_words' must be a range of words with 'min' and 'max'", 1),
    ("target_words:\n  min: 4000\n  max: 3000", "target_words.min (4000) is above its max", 2),
    ("target_words:\n  min: 100", "target_words.max must be a whole number of words above 0; "
                                  "it is missing", 1),
    ("taster_target_words:\n  min: many\n  max: 300",
     "taster_target_words.min must be a whole number", 2),
    ("target_words:\n  min: 1\n  max: 2\n  most: 3", "'target_words' has an unknown key 'most'",
     4),
    ("target_words:\n  min: 0\n  max: 2", "target_words.min must be a whole number", 2),
    ("status_page: yes", "'status_page' must be private or public", 1),
])
def test_invalid_target_config_is_reported_at_its_line(desk: Path, yaml_text: str,
                                                       message: str, line: int) -> None:
    book_yml = desk / "book" / "book.yml"
    base = book_yml.read_text(encoding="utf-8").split("target_words:")[0]
    book_yml.write_text(base + yaml_text + "\n", encoding="utf-8")
    first = len(base.splitlines()) + line
    _, problems = read_book(desk)
    matching = [p for p in problems if message in p.message]
    assert matching, problems
    assert matching[0].path == "book/book.yml" and matching[0].line == first
    code, out, err = run_cli("--root", str(desk), "status")
    assert code == 2 and out == ""
    assert f"book/book.yml:{first}:1: BOOK001 " in err and "Traceback" not in err


def test_hostile_title_is_escaped_in_page_and_chart(desk: Path, tmp_path: Path) -> None:
    essay = desk / "essays" / "three.md"
    hostile = '<script>alert(1)</script> & <img src=x onerror="alert(2)"> $x^2$'
    essay.write_text(essay.read_text(encoding="utf-8").replace(
        "title: The Third", f"title: '{hostile}'"), encoding="utf-8")
    status = compute_status(desk)
    assert status.pieces[2].title == hostile
    html = render_status_page(status, tmp_path / "mpl")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<svg" in html, "the chart survives a hostile title (escaped, not dropped)"
    # the dollar signs are text, not mathematics
    assert "$x^2$" in html


def test_unreadable_front_matter_shows_as_unknown(desk: Path) -> None:
    essay = desk / "essays" / "three.md"
    essay.write_text(essay.read_text(encoding="utf-8").replace(
        "status: accepted", "status: done"), encoding="utf-8")
    status = compute_status(desk)
    three = next(p for p in status.pieces if p.path == "essays/three.md")
    assert three.status == "unknown" and three.title == "essays/three.md"
    assert three.findings.error >= 1  # FM006 says why
    assert three.words == 5  # the body is still counted
    assert status.by_status == {"draft": 1, "in-review": 1, "accepted": 1, "unknown": 1}
    code, out, _ = run_cli("--root", str(desk), "status")
    assert code == 0 and "1 unknown" in out


def test_matplotlib_never_writes_to_an_unwritable_home(desk: Path, tmp_path: Path) -> None:
    """A fresh process (matplotlib not yet imported) whose home cannot be created: the
    font cache goes to _build/.cache, and matplotlib has nothing to warn about."""
    import os
    import subprocess
    import sys

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a home folder would be", encoding="utf-8")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("MPL", "XDG_"))}
    env["HOME"] = str(blocker / "home")
    completed = subprocess.run(
        [sys.executable, "-m", "essaykit.cli.main", "--root", str(desk), "status", "--html"],
        env=env, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "Matplotlib" not in completed.stderr and "matplotlib" not in completed.stderr
    assert list((desk / "_build" / ".cache" / "matplotlib").glob("fontlist-*.json"))
    assert (desk / "_build" / "status" / "index.html").is_file()


def test_a_large_collection_gets_a_histogram_not_a_bar_per_essay(tmp_path: Path) -> None:
    from dataclasses import replace

    from essaykit.dashboard.plot import MOST_BARS, words_chart

    status = compute_status(DESK)
    essay = next(piece for piece in status.pieces if piece.kind == "essay")
    few = replace(status, pieces=tuple(
        replace(essay, title=f"Essay number {n}", words=2800 + n) for n in range(MOST_BARS)))
    many = replace(few, pieces=few.pieces + (replace(essay, title="One too many"),))
    bars = words_chart(few, tmp_path / "mpl")
    histogram = words_chart(many, tmp_path / "mpl")
    assert "Essay number 59" in bars and "words of body text, in bands" not in bars
    assert "Essay number 59" not in histogram and "words of body text, in bands" in histogram


def test_kept_facts_are_used_until_their_essay_or_the_book_changes(desk: Path) -> None:
    from dataclasses import replace

    from essaykit.check import run_check
    from essaykit.core.book import load_book
    from essaykit.dashboard.status import FactsMemo, collection_status

    book = load_book(desk)
    memo: FactsMemo = {}
    first = collection_status(book, run_check(desk), memo, "context")
    assert len(memo) == len(first.pieces)
    # plant a wrong count for essay two: a kept fact is believed, not recounted
    two = next(p for p in first.pieces if p.path == "essays/two.md")
    planted = {digest: replace(facts, words=999) if facts.words == two.words else facts
               for digest, facts in memo.items()}
    memo.clear()
    memo.update(planted)
    again = collection_status(book, run_check(desk), memo, "context")
    assert next(p for p in again.pieces if p.path == "essays/two.md").words == 999

    essay = desk / "essays" / "three.md"
    essay.write_text(essay.read_text(encoding="utf-8") + "\nThree more words.\n",
                     encoding="utf-8")
    edited = collection_status(book, run_check(desk), memo, "context")
    fresh = compute_status(desk)
    three = next(p for p in edited.pieces if p.path == "essays/three.md")
    assert three == next(p for p in fresh.pieces if p.path == "essays/three.md")
    assert next(p for p in edited.pieces if p.path == "essays/two.md").words == 999
    # something shared changed (another context): everything is counted again
    recounted = collection_status(book, run_check(desk), memo, "another context")
    assert recounted == fresh


def test_the_chart_is_kept_until_what_it_shows_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from essaykit.dashboard import plot as status_plot

    drawn: list[int] = []
    draw = status_plot._draw_chart

    def counting(status: object, cache: Path) -> str:
        drawn.append(1)
        return draw(status, cache)  # type: ignore[arg-type]

    monkeypatch.setattr(status_plot, "_draw_chart", counting)
    status = compute_status(DESK)
    cache = tmp_path / "mpl"
    first = status_plot.words_chart(status, cache)
    assert status_plot.words_chart(status, cache) == first and len(drawn) == 1
    longer = replace(status, pieces=tuple(replace(p, words=p.words + 1) for p in status.pieces))
    assert status_plot.words_chart(longer, cache) != first and len(drawn) == 2
    # a histogram shows bands: a count that stays in its band leaves it as it was
    essay = next(piece for piece in status.pieces if piece.kind == "essay")
    many = replace(status, pieces=tuple(
        replace(essay, title=f"Essay {n}", words=2800 + n) for n in range(70)))
    nudged = replace(many, pieces=(replace(many.pieces[0], words=2810),) + many.pieces[1:])
    moved = replace(many, pieces=(replace(many.pieces[0], words=3100),) + many.pieces[1:])
    histogram = status_plot.words_chart(many, cache)
    assert status_plot.words_chart(nudged, cache) == histogram and len(drawn) == 3
    assert status_plot.words_chart(moved, cache) != histogram and len(drawn) == 4
    assert len(list(cache.glob("chart-*.svg"))) == 1  # only the latest is kept
