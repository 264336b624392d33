"""The cycle collector is paused only while bulk work is under way, also when such steps overlap."""
from __future__ import annotations

import gc

from connectors.bulk import cycle_collection_paused, hand_back_last_read, read_set_aside


def test_the_collector_is_paused_during_bulk_work_and_resumes_after_the_last_overlapping_step():
    assert gc.isenabled()
    outer = cycle_collection_paused()
    outer.__enter__()
    with cycle_collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the outer step is still under way
    outer.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_error_in_bulk_work_still_resumes_the_collector():
    try:
        with cycle_collection_paused():
            raise ValueError("a broken read")
    except ValueError:
        pass
    assert gc.isenabled()


def test_what_a_read_built_is_set_aside_until_the_next_read_hands_it_back():
    built = None
    try:
        with read_set_aside():
            built = [[f"cell {n}"] for n in range(1000)]
            assert not gc.isenabled()
        assert gc.isenabled() and gc.get_freeze_count() >= len(built)
        hand_back_last_read()
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
