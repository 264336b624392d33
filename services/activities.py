"""Activities: creating and editing them, check-in codes, signing up, cancelling, checking in.

Sign-up, cancellation and check-in decide with the pure rules on the current tables, append one
log row whose `at` is stamped at the moment of the write, then answer from the roster derived
with the rows appended meanwhile (the log row itself records who and when). Changes to the
`activities` record table are audited.
"""
from __future__ import annotations

from dataclasses import dataclass

from connectors.attempts import AttemptLog
from connectors.kept_tables import keep_between_runs
from connectors.live import LiveData, LiveWorkbook, carry_forward
from connectors.sheet import Conflict
from services.audit import audited_append, audited_update
from services.clock import Clock
from services.outcomes import Outcome, Refused, refuse
from services.submissions import already_there
from workflows.access import Viewer, may_act_for, may_manage_activity
from workflows.clock import from_epoch
from workflows.tables import branch_of
from workflows.activity_form import check_activity, new_activity_id
from workflows.signup import (Derivation, checkin_row, decide_cancel, decide_checkin, decide_signup, derivation_from_rows,
                              derivation_rows, derive, extended, new_checkin_code, past_edit, signup_row)

__all__ = ["Outcome", "Refused", "sign_up", "cancel", "check_in", "save_activity", "renew_checkin_code"]


def derivation_of(shown: LiveData) -> Derivation:
    """The rosters of this data, derived once for everyone who reads it; after a sign-up, cancellation
    or check-in, brought up to date by the rows it appended (see `carry_forward`), and after an edit of
    activities by the rosters it can change (`past_edit`), not derived again."""
    return shown.memo("derivation", derive)


carry_forward("derivation", extended, ("people", "activities", "signups", "checkins"), past_edit)
keep_between_runs("derivation", derive, derivation_rows,
                  lambda tables, rows, problems, meta: derivation_from_rows(tables["activities"], rows, problems, meta))


def _check_actor(shown: LiveData, actor: Viewer | None, person_id: str) -> None:
    branch = branch_of(shown.tables).get(person_id)
    if not may_act_for(actor, person_id, branch):
        raise refuse("not_yours", person_id)


ACTIONS_PER_HOUR = 30  # sign-ups and cancellations a person may make an hour before waits grow


def limit_actions(attempts: AttemptLog | None, subject: str, per_hour: int, timezone: str) -> None:
    """Counts one costly or state-changing action; refused with the moment it may be done again."""
    if attempts is None:
        return
    number, until = attempts.begin(subject, "app", per_hour=per_hour)
    if number is None:
        moment = from_epoch(until, timezone)
        raise refuse("too_many_attempts", f"{moment:%H:%M:%S}")


def sign_up(live: LiveWorkbook, activity_id: str, person_id: str, by: str, clock: Clock,
            actor: Viewer | None = None, attempts: AttemptLog | None = None) -> Outcome:
    """Signs `person_id` up; `actor` (None on the command line) must be them or their branch's coordinator.
    With `attempts`, a person's sign-ups and cancellations an hour are limited."""
    shown = live.data()
    _check_actor(shown, actor, person_id)
    limit_actions(attempts, f"signup:{person_id}", ACTIONS_PER_HOUR, shown.tables.timezone)
    derivation = derivation_of(shown)
    refusal = decide_signup(shown.tables, derivation, activity_id, person_id, clock())
    if refusal is not None:
        raise Refused(refusal)
    status, position = derivation.roster(activity_id).status_of(person_id)
    if status in ("confirmed", "waitlisted"):
        return Outcome(status, position, already=True)
    sent = live.append("signups", [signup_row(activity_id, person_id, "signup", by, clock())], stamp=("at", clock),
                       fresh=True)
    status, position = derivation_of(live.data()).roster(activity_id).status_of(person_id)
    return Outcome(status, position, queued=not sent)


def cancel(live: LiveWorkbook, activity_id: str, person_id: str, by: str, clock: Clock,
           actor: Viewer | None = None, attempts: AttemptLog | None = None) -> Outcome:
    shown = live.data()
    _check_actor(shown, actor, person_id)
    limit_actions(attempts, f"signup:{person_id}", ACTIONS_PER_HOUR, shown.tables.timezone)
    before = derivation_of(shown)
    refusal = decide_cancel(shown.tables, before, activity_id, person_id, clock())
    if refusal is not None:
        raise Refused(refusal)
    sent = live.append("signups", [signup_row(activity_id, person_id, "cancel", by, clock())], stamp=("at", clock),
                       fresh=True)
    after = derivation_of(live.data()).roster(activity_id)
    promoted = [p for p in after.confirmed if p not in before.roster(activity_id).confirmed]
    return Outcome("cancelled", promoted=promoted[0] if promoted else None, queued=not sent)


def check_in(live: LiveWorkbook, activity_id: str, person_id: str, code: str | None, by: str,
             clock: Clock, actor: Viewer | None = None, attempts: AttemptLog | None = None) -> Outcome:
    """By code (`code` given: the person themself), or by a coordinator managing the activity (`code` None).
    With `attempts`, each try of a code is counted before it is checked (growing waits after a few)."""
    shown = live.data()
    attempt = None
    if code is not None and attempts is not None:
        attempt, until = attempts.begin(f"check-in:{person_id}", "app")
        if attempt is None:
            moment = from_epoch(until, shown.tables.timezone)
            raise refuse("too_many_attempts", f"{moment:%H:%M:%S}")
    tables = shown.tables
    if actor is not None:
        activities = dict(zip(tables["activities"]["activity_id"], tables["activities"]["branch"]))
        allowed = (actor.person_id == person_id if code is not None
                   else may_manage_activity(actor, activities.get(activity_id)))
        if not allowed:
            raise refuse("not_yours", person_id)
    derivation = derivation_of(shown)
    refusal = decide_checkin(tables, derivation, activity_id, person_id, code, clock())
    if refusal is not None:
        raise Refused(refusal)
    if attempt is not None:
        attempts.succeeded(attempt)
    if person_id in derivation.roster(activity_id).attended:
        return Outcome("attended", already=True)
    method = "code" if code is not None else "coordinator"
    sent = live.append("checkins", [checkin_row(activity_id, person_id, method, by, clock())], stamp=("at", clock))
    return Outcome("attended", queued=not sent)


@dataclass(frozen=True)
class ActivitySaved:
    activity_id: str
    created: bool = False
    changed: tuple[str, ...] = ()  # the fields written (empty: nothing had changed)
    errors: dict | None = None  # {field: (code, params)} when nothing was written because of them
    already: bool = False  # created before with the same form key: nothing new was written


def save_activity(live: LiveWorkbook, actor: Viewer, activity_id: str | None, values: dict[str, str],
                  shown_cells: dict[str, str], clock: Clock, form_key: str | None = None) -> ActivitySaved:
    """Creates an activity (`activity_id` None; with the ID `form_key` made when the form was shown, so
    saving twice creates it once) or writes the fields that differ from what the form showed.

    A field someone else changed since the form was shown is not overwritten: `Refused("changed_meanwhile")`.
    """
    tables = live.data().tables
    cells, errors = check_activity(values, tables.timezone)
    if not may_manage_activity(actor, cells.get("branch")):
        errors["branch"] = ("not_yours", {})
    if activity_id is not None:
        activities = tables["activities"]
        current = activities[activities["activity_id"] == activity_id]
        if current.empty:
            raise refuse("unknown_activity", activity_id)
        if not may_manage_activity(actor, current.iloc[0]["branch"]):
            raise refuse("not_yours", activity_id)
    if errors:
        return ActivitySaved(activity_id or "", errors=errors)
    if activity_id is None and already_there(tables["activities"], "activity_id", form_key):
        return ActivitySaved(form_key, already=True)
    if activity_id is None:
        new_id = form_key or new_activity_id(clock())
        row = {"activity_id": new_id, "checkin_code": new_checkin_code(), **{k: v for k, v in cells.items() if v}}
        audited_append(live, actor.person_id, "activities", [row], ("activity_id",), clock)
        return ActivitySaved(new_id, created=True, changed=tuple(row))
    changes = {k: v for k, v in cells.items() if v != shown_cells.get(k, "").strip()}
    if not changes:
        return ActivitySaved(activity_id)
    try:
        audited_update(live, actor.person_id, "activities", {"activity_id": activity_id}, changes, clock,
                       expect={k: shown_cells.get(k, "") for k in changes})
    except Conflict as conflict:
        raise refuse("changed_meanwhile", ", ".join(conflict.current)) from None
    return ActivitySaved(activity_id, changed=tuple(changes))


def renew_checkin_code(live: LiveWorkbook, actor: Viewer, activity_id: str, clock: Clock) -> str:
    """A new check-in code for an activity the actor manages; the old one stops working."""
    activities = live.data().tables["activities"]
    current = activities[activities["activity_id"] == activity_id]
    if current.empty:
        raise refuse("unknown_activity", activity_id)
    if not may_manage_activity(actor, current.iloc[0]["branch"]):
        raise refuse("not_yours", activity_id)
    code = new_checkin_code()
    audited_update(live, actor.person_id, "activities", {"activity_id": activity_id}, {"checkin_code": code}, clock)
    return code
