"""What every service answers: an outcome, or `Refused` with the rule's reason (a code the UI translates)."""
from __future__ import annotations

from dataclasses import dataclass

from workflows.refusals import Refusal


class Refused(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(str(refusal))
        self.refusal = refusal


def refuse(code: str, detail: str = "") -> Refused:
    return Refused(Refusal(code, detail))


@dataclass(frozen=True)
class Outcome:
    status: str  # confirmed | waitlisted | cancelled | attended
    position: int | None = None  # on the waitlist
    promoted: str | None = None  # who got the place a cancellation freed
    already: bool = False  # nothing new was written: it was so already
    queued: bool = False  # saved locally; reaches Google Sheets when it answers
