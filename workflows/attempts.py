"""How often someone may try a code: growing waits per (person, client), a ceiling per person.

A client that tries wrong codes for a person waits longer and longer (nothing for the first few,
then 2 s, 4 s, … up to 15 minutes). Across all clients a person's code can be tried at most
`PERSON_CEILING` times an hour, which makes guessing hopeless; clients that signed in as that
person before are exempt from the ceiling, so nobody can lock a person out of their own device
by trying wrong codes elsewhere. Pure: the history in, the moment one may try again out.
"""
from __future__ import annotations

from dataclasses import dataclass

FREE_FAILURES = 3
FIRST_WAIT = 2.0  # seconds
LONGEST_WAIT = 15 * 60.0
PERSON_CEILING = 30  # failed attempts per hour from clients not known for this person
CEILING_WINDOW = 3600.0
KNOWN_FOR = 30 * 24 * 3600.0  # a successful sign-in makes the client known this long


@dataclass(frozen=True)
class Attempt:
    client: str
    at: float  # seconds since the epoch
    ok: bool  # False: failed, or still being checked (counted before the code is checked)


def budget_until(history: list[Attempt], now: float, per_hour: int) -> float | None:
    """For costly actions (a certificate, a sign-up): at most `per_hour` in any hour; None: go ahead."""
    recent = sorted(a.at for a in history if now - a.at < CEILING_WINDOW)
    return recent[-per_hour] + CEILING_WINDOW if len(recent) >= per_hour else None


def retry_at(history: list[Attempt], client: str, now: float, free: int = FREE_FAILURES) -> float | None:
    """When `client` may try again (None: now), given the subject's recent attempts: `free` failures
    an hour cost nothing, each one more doubles the wait."""
    known = any(a.ok and a.client == client and now - a.at <= KNOWN_FOR for a in history)
    mine = sorted((a for a in history if a.client == client), key=lambda a: a.at)
    since_success = []
    for attempt in mine:
        since_success = [] if attempt.ok else since_success + [attempt]
    since_success = [a for a in since_success if now - a.at < CEILING_WINDOW]
    if len(since_success) >= free:
        wait = min(FIRST_WAIT * 2 ** (len(since_success) - free), LONGEST_WAIT)
        until = since_success[-1].at + wait
        if now < until:
            return until
    if not known:
        recent = sorted(a.at for a in history if not a.ok and now - a.at < CEILING_WINDOW)
        if len(recent) >= PERSON_CEILING:
            return recent[-PERSON_CEILING] + CEILING_WINDOW
    return None
