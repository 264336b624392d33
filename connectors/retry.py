"""Bounded exponential backoff with jitter for calls to a remote API, and the pause a whole
process keeps after a quota refusal or an outage.

gspread's own BackOffHTTPClient retries without bound and keeps per-instance mutable state,
so the Sheets backend uses this instead. Google's quota is counted per user, not per call: a
429 makes every call of the process to that API wait (a `Pause` shared by the process), rather
than each call retrying on its own and spending the next minute's quota too. A call never waits
longer than `deadline_seconds` in all: then it gives up, and a write is journalled ("queued")
instead of keeping its author waiting. After a call gave up, the others give up at once for
`cool_down_seconds` (Google is down: a fresh process answers from its copy in seconds).
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, TypeVar

T = TypeVar("T")
RETRIED_STATUSES = {408, 429, 500, 502, 503, 504}


class Paused(ConnectionError):
    """Not sent: the process pauses its calls (after a quota refusal or an outage) beyond this call's deadline."""


@dataclass
class Pause:
    """Until when calls of this process to one API wait, and until when they give up at once (monotonic s)."""

    until: float = 0.0
    down_until: float = 0.0
    guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hold(self, until: float) -> None:
        with self.guard:
            self.until = max(self.until, until)

    def gave_up(self, until: float) -> None:
        with self.guard:
            self.down_until = max(self.down_until, until)

    def answered(self) -> None:
        with self.guard:
            self.down_until = 0.0


_pauses: dict[str, Pause] = {}
_pauses_guard = threading.Lock()


def shared_pause(key: str) -> Pause:
    """The one pause of this process for `key` (e.g. a spreadsheet)."""
    with _pauses_guard:
        return _pauses.setdefault(key, Pause())


@dataclass
class Backoff:
    attempts: int = 5
    base_seconds: float = 1.0
    cap_seconds: float = 32.0
    deadline_seconds: float = 8.0  # a call's retries never wait past this, counted from its first attempt
    cool_down_seconds: float = 5.0  # after a call gave up, others give up at once for this long
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random
    clock: Callable[[], float] = time.monotonic

    def delay(self, attempt: int) -> float:
        """Full jitter: a random wait up to base·2^attempt, capped (AWS architecture blog)."""
        return self.jitter() * min(self.cap_seconds, self.base_seconds * 2 ** attempt)

    def run(self, call: Callable[[], T], is_transient: Callable[[Exception], bool],
            before_retry: Callable[[], None] | None = None, pause: Pause | None = None,
            is_quota: Callable[[Exception], bool] = lambda error: False) -> T:
        pause = pause or Pause()
        deadline = self.clock() + self.deadline_seconds
        for attempt in range(self.attempts):
            self._wait_for(pause, deadline)
            try:
                result = call()
                pause.answered()
                return result
            except Exception as error:  # noqa: BLE001 - classified right below
                if not is_transient(error):
                    raise
                wait = self.delay(attempt)
                if attempt == self.attempts - 1 or self.clock() + wait > deadline:
                    pause.gave_up(self.clock() + self.cool_down_seconds)
                    raise
                if is_quota(error):
                    pause.hold(self.clock() + wait)  # every call of the process waits, not just this one
                else:
                    self.sleep(wait)
            if before_retry is not None:
                self._wait_for(pause, deadline)
                before_retry()
        raise AssertionError("unreachable")

    def _wait_for(self, pause: Pause, deadline: float) -> None:
        until = pause.until
        now = self.clock()
        if pause.down_until > now:
            raise Paused("Google Sheets did not answer a moment ago; not sent now")
        if until <= now:
            return
        if until > deadline:
            raise Paused("Google Sheets is not answering (quota or outage); not sent now")
        self.sleep(until - now)
