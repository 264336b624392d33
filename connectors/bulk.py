"""Pausing Python's cycle collector while a whole workbook is read, parsed or derived.

Reading 7 M cells builds millions of lists, tuples and strings and no reference cycle. The cycle
collector runs every few hundred allocations of such containers and walks the young ones again
and again as they age, which at the design size doubles the time of a read. Memory is freed by
reference counting as before; only the search for cycles waits until the bulk work is done.
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
