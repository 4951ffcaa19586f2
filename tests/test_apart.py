"""A build step run in a process of its own (core/apart.py): its messages, its
result and its failures come back to the build."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from essaykit.core.apart import StepDied, run_apart

Reporter = Callable[[str], None]


def counts_to(limit: int, say: Reporter) -> tuple[int, int]:
    for number in range(1, limit + 1):
        say(f"counted {number}")
    return os.getpid(), limit


def fails(message: str, say: Reporter) -> None:
    say("about to fail")
    raise FileNotFoundError(message)


class Unpicklable(Exception):
    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("not this one")


def fails_unpicklably(say: Reporter) -> None:
    raise Unpicklable("a lock in its arguments")


def dies(say: Reporter) -> None:
    say("dying")
    os.kill(os.getpid(), signal.SIGKILL)


def writes(path: str, say: Reporter) -> str:
    Path(path).write_text("written apart", encoding="utf-8")
    return path


def test_the_step_runs_in_another_process_and_its_messages_come_back_in_order() -> None:
    heard: list[str] = []
    pid, limit = run_apart(counts_to, 3, say=heard.append)
    assert pid != os.getpid()
    assert limit == 3
    assert heard == ["counted 1", "counted 2", "counted 3"]


def test_what_the_step_writes_is_there_when_it_returns(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    assert run_apart(writes, str(target), say=lambda _: None) == str(target)
    assert target.read_text(encoding="utf-8") == "written apart"


def test_the_steps_exception_is_raised_here_with_its_type() -> None:
    heard: list[str] = []
    with pytest.raises(FileNotFoundError, match="no such print folder"):
        run_apart(fails, "no such print folder", say=heard.append)
    assert heard == ["about to fail"]


def test_an_exception_that_cannot_be_pickled_comes_back_as_its_words() -> None:
    with pytest.raises(RuntimeError, match="Unpicklable: a lock in its arguments"):
        run_apart(fails_unpicklably, say=lambda _: None)


def test_a_step_whose_process_is_killed_fails_the_build_and_does_not_hang() -> None:
    heard: list[str] = []
    with pytest.raises(StepDied, match=r"dies ended without a result \(exit code -9\)"):
        run_apart(dies, say=heard.append)
    assert heard == ["dying"]
