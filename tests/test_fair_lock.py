"""Writes waiting for the one lock under which they are laid over the data go in the order they came."""
from __future__ import annotations

import threading

from connectors.fair_lock import FairLock


def test_waiting_writers_take_the_lock_in_the_order_they_asked_for_it():
    lock, served, threads = FairLock(), [], []
    lock.__enter__()  # a write under way
    for number in range(6):
        def write(number=number):
            with lock:
                served.append(number)
        thread = threading.Thread(target=write)
        thread.start()
        threads.append(thread)
        while lock.waiting() < number + 1:  # queued behind the ones before it
            pass
    lock.__exit__(None, None, None)
    for thread in threads:
        thread.join(timeout=30)
    assert served == list(range(6))


def test_the_holder_that_asks_again_queues_behind_those_already_waiting():
    lock, served = FairLock(), []
    with lock:
        other = threading.Thread(target=lambda: (lock.__enter__(), served.append("other"), lock.__exit__()))
        other.start()
        while lock.waiting() < 1:
            pass
    with lock:  # released, then asked for again at once: the waiting thread goes first
        served.append("again")
    other.join(timeout=30)
    assert served == ["other", "again"]
