"""Python's cycle collector, tuned for the length of one build.

A build holds a large, long-lived heap: Sphinx's environment, the checker's
parse, the bibliography. CPython's collector walks the whole oldest
generation again each time enough objects have survived, and a build makes
objects at a great rate: at 500 essays, 79 full collections took 19 s of a
79 s build, and 0.8 s of a 3 s rebuild after an edit. Both grew faster than
the book (each full collection walks a heap that grows with it).

For the length of `essaykit build`: the youngest generation is collected less
often (10,000 allocations instead of 700), and what is alive once Sphinx has
loaded its environment, and again once it has read the book, is moved out of
the collector's sight (`gc.freeze`); while the environment is unpickled, the
collector waits. Everything is put back as it was when the
build ends. Garbage is still collected: cycles among new objects as before;
frozen objects that die are freed by reference counting, and frozen cycles
when a step of the build is over (`release`) or when the build ends.
`bench/` measures the effect; tests only check that the collector is
restored.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

BUILD_THRESHOLD = (10_000, 10, 10)
_building = False
# Set by the console script, whose process ends when the command does: then a
# build leaves the collector off rather than walk the whole heap one last time.
process_ends_after_command = False


@contextmanager
def tuned_for_build() -> Iterator[None]:
    global _building
    if _building:  # a build inside a build: the outer one restores
        yield
        return
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    gc.set_threshold(*BUILD_THRESHOLD)
    _building = True
    try:
        yield
    finally:
        _building = False
        if process_ends_after_command:
            gc.disable()
        else:
            gc.set_threshold(*threshold)
            gc.unfreeze()
            if enabled:
                gc.enable()


def pause() -> None:
    """During a build, stop collecting until `settle`: for loading a large pickle,
    which makes a great many objects and no garbage."""
    if _building:
        gc.disable()


def release() -> None:
    """During a build, between its steps: free what the finished step held. A
    Sphinx application's environment and doctrees are cycles that `settle` froze
    as long-lived; unfrozen and collected now, they do not stay in memory beside
    the typesetting that follows (at 500 essays, some 400 MB)."""
    if _building:
        gc.unfreeze()
        gc.collect()


def settle() -> None:
    """During a build, treat everything alive now as long-lived, and collect again."""
    if _building:
        gc.freeze()
        gc.enable()
