"""A lock taken in the order it was asked for.

Python's own lock lets a thread that just released it take it again before the threads already
waiting wake up. Ten people pressing 报名 at once were then served in a haphazard order: most
quickly, a few after all the others had gone twice. Here each waiter queues and is handed the lock
by the one before it, so a write waits for the writes asked for before it, and for no other.
"""
from __future__ import annotations

import collections
import threading


class FairLock:
    def __init__(self):
        self._guard = threading.Lock()
        self._waiters: collections.deque[threading.Lock] = collections.deque()
        self._held = False

    def __enter__(self) -> "FairLock":
        with self._guard:
            if not self._held:
                self._held = True
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiters.append(turn)
        turn.acquire()  # released by the holder before us, who hands the lock over still held
        return self

    def __exit__(self, *exc) -> None:
        with self._guard:
            if self._waiters:
                self._waiters.popleft().release()
            else:
                self._held = False

    def waiting(self) -> int:
        return len(self._waiters)
