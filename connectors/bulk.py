"""Keeping Python's cycle collector out of the way of whole-workbook reads.

Reading 7 M cells builds millions of lists, tuples and strings and no reference cycle. The cycle
collector runs every few hundred allocations of such containers and walks the young ones again
and again as they age, which at the design size doubles the time of a read; afterwards it walks
all of them once more, in one stop of every thread, on whichever request comes next. So the
collector pauses during bulk work, and what a read built (the data, the figures prepared from it)
is set aside from it (`gc.freeze`) until the next read hands it back, when the old data can be
garbage: memory is freed by reference counting as before, and the next full collection still
finds any cycle among it.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_pauses = 0  # bulk steps under way: the collector is process-wide, so it resumes when the last one ends
_resume = False  # whether it ran before the first of them


@contextmanager
def cycle_collection_paused():
    global _pauses, _resume
    with _lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


@contextmanager
def read_set_aside():
    """Bulk work whose results live until the next read: paused collector, results set aside after."""
    with cycle_collection_paused():
        yield
        gc.freeze()


def hand_back_last_read() -> None:
    """At the start of a read: what the last one set aside is the collector's again."""
    gc.unfreeze()
