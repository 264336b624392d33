"""Signing up, cancelling, checking in: one implementation for the app and the CLI.

Each use case decides with the pure rules on the current tables, appends one log row whose
`at` is stamped at the moment of the write, then answers from the roster derived after it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from connectors.live import LiveWorkbook
from workflows.access import Viewer, may_act_for, may_manage_activity
from workflows.refusals import Refusal
from workflows.signup import (checkin_row, decide_cancel, decide_checkin, decide_signup, derive,
                              signup_row)

Clock = Callable[[], dt.datetime]


class Refused(Exception):
    def __init__(self, refusal: Refusal):
        super().__init__(str(refusal))
        self.refusal = refusal


@dataclass(frozen=True)
class Outcome:
    status: str  # confirmed | waitlisted | cancelled | attended
    position: int | None = None  # on the waitlist
    promoted: str | None = None  # who got the place a cancellation freed
    already: bool = False  # nothing new was written: it was so already
    queued: bool = False  # saved locally; reaches Google Sheets when it answers


def _check_actor(tables, actor: Viewer | None, person_id: str) -> None:
    branch = dict(zip(tables["people"]["person_id"], tables["people"]["branch"])).get(person_id)
    if not may_act_for(actor, person_id, branch):
        raise Refused(Refusal("not_yours", person_id))


def sign_up(live: LiveWorkbook, activity_id: str, person_id: str, by: str, clock: Clock,
            actor: Viewer | None = None) -> Outcome:
    """Signs `person_id` up; `actor` (None on the command line) must be them or their branch's coordinator."""
    tables = live.data().tables
    _check_actor(tables, actor, person_id)
    derivation = derive(tables)
    refusal = decide_signup(tables, derivation, activity_id, person_id, clock())
    if refusal is not None:
        raise Refused(refusal)
    status, position = derivation.roster(activity_id).status_of(person_id)
    if status in ("confirmed", "waitlisted"):
        return Outcome(status, position, already=True)
    sent = live.append("signups", [signup_row(activity_id, person_id, "signup", by, clock())], stamp=("at", clock))
    status, position = derive(live.data().tables).roster(activity_id).status_of(person_id)
    return Outcome(status, position, queued=not sent)


def cancel(live: LiveWorkbook, activity_id: str, person_id: str, by: str, clock: Clock,
           actor: Viewer | None = None) -> Outcome:
    tables = live.data().tables
    _check_actor(tables, actor, person_id)
    before = derive(tables)
    refusal = decide_cancel(tables, before, activity_id, person_id, clock())
    if refusal is not None:
        raise Refused(refusal)
    sent = live.append("signups", [signup_row(activity_id, person_id, "cancel", by, clock())], stamp=("at", clock))
    after = derive(live.data().tables).roster(activity_id)
    promoted = [p for p in after.confirmed if p not in before.roster(activity_id).confirmed]
    return Outcome("cancelled", promoted=promoted[0] if promoted else None, queued=not sent)


def check_in(live: LiveWorkbook, activity_id: str, person_id: str, code: str | None, by: str,
             clock: Clock, actor: Viewer | None = None) -> Outcome:
    """By code (`code` given: the person themself), or by a coordinator managing the activity (`code` None)."""
    tables = live.data().tables
    if actor is not None:
        activities = dict(zip(tables["activities"]["activity_id"], tables["activities"]["branch"]))
        allowed = (actor.person_id == person_id if code is not None
                   else may_manage_activity(actor, activities.get(activity_id)))
        if not allowed:
            raise Refused(Refusal("not_yours", person_id))
    derivation = derive(tables)
    refusal = decide_checkin(tables, derivation, activity_id, person_id, code, clock())
    if refusal is not None:
        raise Refused(refusal)
    if person_id in derivation.roster(activity_id).attended:
        return Outcome("attended", already=True)
    method = "code" if code is not None else "coordinator"
    sent = live.append("checkins", [checkin_row(activity_id, person_id, method, by, clock())], stamp=("at", clock))
    return Outcome("attended", queued=not sent)
