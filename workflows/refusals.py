"""Why the rules refuse a step: a code (the UI's catalog has its sentence) and a detail."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    code: str
    detail: str = ""

    def __str__(self) -> str:
        return REFUSAL_TEXT.get(self.code, self.code + " {detail}").format(detail=self.detail)


REFUSAL_TEXT = {
    "unknown_activity": "there is no activity {detail}",
    "activity_not_open": "the activity is {detail}: it takes no new sign-ups or cancellations",
    "deadline_passed": "the sign-up deadline ({detail}) has passed",
    "unknown_person": "there is no active person {detail} in the people sheet",
    "overlap": "it overlaps with {detail}, which you are confirmed for",
    "not_signed_up": "{detail} is not signed up for this activity",
    "activity_cancelled": "the activity is cancelled",
    "outside_window": "check-in is open from one hour before the start until the end ({detail})",
    "not_confirmed": "only confirmed people can check in with the code",
    "wrong_code": "the check-in code is not right",
    "no_code_set": "this activity has no check-in code yet; ask the coordinator",
    "unknown_request": "there is no request {detail}",
    "unknown_action": "there is no step {detail}",
    "not_allowed": "that step is not allowed: {detail}",
    "not_yours": "you may not take this step on {detail}",
    "reason_required": "a rejection needs a reason",
    "assignee_required": "say who is to handle it",
    "resolution_required": "say how it was resolved",
    "rating_range": "a rating is 1 to 5",
    "changed_meanwhile": "{detail} was changed by someone else meanwhile",
    "not_claimable": "{detail} is not an open wish",
    "missing_fields": "please fill in: {detail}",
    "too_long": "that text is too long (at most {detail} characters)",
    "survey_closed": "the survey {detail} is not open",
    "answers_missing": "please answer: {detail}",
    "weak_code": "a code needs at least 8 symbols of {detail} (no 0/O, 1/I/L): leave --code out for a random one",
    "too_many_attempts": "too many attempts; try again after {detail}",
}
