"""Bounded exponential backoff with jitter for calls to a remote API.

gspread's own BackOffHTTPClient retries without bound and keeps per-instance mutable state,
so the Sheets backend uses this instead.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

T = TypeVar("T")
RETRIED_STATUSES = {408, 429, 500, 502, 503, 504}


@dataclass
class Backoff:
    attempts: int = 5
    base_seconds: float = 1.0
    cap_seconds: float = 32.0
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def delay(self, attempt: int) -> float:
        """Full jitter: a random wait up to base·2^attempt, capped (AWS architecture blog)."""
        return self.jitter() * min(self.cap_seconds, self.base_seconds * 2 ** attempt)

    def run(self, call: Callable[[], T], is_transient: Callable[[Exception], bool],
            before_retry: Callable[[], None] | None = None) -> T:
        for attempt in range(self.attempts):
            try:
                return call()
            except Exception as error:  # noqa: BLE001 - classified right below
                if not is_transient(error) or attempt == self.attempts - 1:
                    raise
                self.sleep(self.delay(attempt))
                if before_retry is not None:
                    before_retry()
        raise AssertionError("unreachable")
