"""The build's collector tuning is confined to the build (collector.py)."""

from __future__ import annotations

import gc
import weakref

from essaykit import collector


def test_the_collector_is_restored_after_a_build() -> None:
    before = gc.get_threshold(), gc.isenabled()
    with collector.tuned_for_build():
        assert gc.get_threshold() == collector.BUILD_THRESHOLD
        collector.pause()
        assert not gc.isenabled()
        collector.settle()
        assert gc.isenabled() and gc.get_freeze_count() > 0
        with collector.tuned_for_build():  # nested: the outer build restores
            pass
        assert gc.get_threshold() == collector.BUILD_THRESHOLD
    assert (gc.get_threshold(), gc.isenabled()) == before
    assert gc.get_freeze_count() == 0


def test_outside_a_build_nothing_is_frozen_or_paused() -> None:
    collector.pause()
    collector.settle()
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_failed_build_restores_it_too() -> None:
    before = gc.get_threshold()
    try:
        with collector.tuned_for_build():
            collector.pause()
            raise RuntimeError("Sphinx stopped")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.isenabled() and gc.get_freeze_count() == 0


def test_release_frees_the_cycles_a_finished_step_left_frozen() -> None:
    class Application:  # a cycle, as Sphinx's application and environment are
        pass

    with collector.tuned_for_build():
        application = Application()
        application.itself = application  # type: ignore[attr-defined]
        alive = weakref.ref(application)
        collector.settle()  # frozen as long-lived, as after Sphinx loads its environment
        del application
        gc.collect()
        assert alive() is not None  # out of the collector's sight
        collector.release()
        assert alive() is None
        assert gc.get_freeze_count() == 0
