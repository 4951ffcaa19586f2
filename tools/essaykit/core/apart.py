"""One step of a build run in a process of its own.

CPython gives little of a large heap back to the system once it is freed: after
Sphinx has written a 500-essay book's print HTML, the build process keeps some
470 MB whatever it lets go. So when the PDF is made, each heavy step (the
check, each Sphinx run, then typesetting and joining the PDF) is run apart, in
a spawned process that starts small and ends with the step, and the build
process itself stays small: no two steps' peaks stand one on the other.

The step's progress messages come back as it makes them; its result, or the
exception it raised, comes back when it ends.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

Result = TypeVar("Result")
Reporter = Callable[[str], None]

SAY, RESULT, FAILED = "say", "result", "failed"


class StepDied(RuntimeError):
    """The step's process ended without a result (killed, or out of memory)."""


def run_apart(step: Callable[..., Result], *args: Any, say: Reporter) -> Result:
    """`step(*args, say)` in a spawned process; its messages go to `say` here.

    `step` must be importable by name (a module-level function) and its arguments
    and result picklable.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(sender, step, args),
                              name=f"essaykit {step.__name__}")
    process.start()
    sender.close()  # the child's copy is the only one: its end is our EOF
    try:
        while True:
            try:
                kind, payload = receiver.recv()
            except EOFError:
                process.join()
                raise StepDied(f"{step.__name__} ended without a result "
                               f"(exit code {process.exitcode})") from None
            if kind == SAY:
                say(payload)
            elif kind == RESULT:
                result: Result = payload
                return result
            else:
                raise payload
    finally:
        receiver.close()
        process.join(timeout=10)
        if process.is_alive():  # interrupted here while the step went on
            process.terminate()
            process.join()


def _run(sender: Connection, step: Callable[..., Any], args: tuple[Any, ...]) -> None:
    def say(message: str) -> None:
        sender.send((SAY, message))

    try:
        result = step(*args, say)
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the build
        try:
            sender.send((FAILED, error))
        except Exception:  # an exception that cannot be pickled: its words can
            sender.send((FAILED, RuntimeError(f"{type(error).__name__}: {error}")))
    else:
        sender.send((RESULT, result))
    finally:
        sender.close()
