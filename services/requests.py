"""Requests and wishes: submitting, each step of the loop, claiming — for the pages (and any CLI)."""
from __future__ import annotations

from connectors.live import LiveWorkbook
from connectors.sheet import Conflict, RowNotFound
from services.audit import current_cells_of_rows
from services.clock import Clock
from services.outcomes import Refused, refuse
from services.submissions import already_there
from workflows.access import Viewer
from workflows.requests import Transition, auto_closes, claim_event, claim_transition, claim_winner, decide, new_request
from workflows.refusals import Refusal


def submit(live: LiveWorkbook, values: dict[str, str], requester: Viewer, clock: Clock,
           form_key: str | None = None) -> str:
    """Files a request or wish; with `form_key` (made when the form was shown) submitting twice files it once."""
    tables = live.data().tables
    if already_there(tables["requests"], "request_id", form_key):
        return form_key
    row, errors = new_request(tables, values, requester.person_id, clock())
    if form_key:
        row["request_id"] = form_key
    too_long = [params["limit"] for code, params in errors.values() if code == "too_long"]
    if too_long:
        raise refuse("too_long", str(min(too_long)))
    if errors:
        raise refuse("missing_fields", ", ".join(errors))
    live.append("requests", [row])
    event = {"event_id": f"E{row['request_id'][1:]}", "request_id": row["request_id"], "actor": requester.person_id,
             "action": "submit", "from_status": "", "to_status": "submitted", "note": ""}
    live.append("request_events", [event], stamp=("at", clock))
    return row["request_id"]


def act(live: LiveWorkbook, request_id: str, action: str, actor: Viewer, clock: Clock, **details) -> Transition:
    outcome = decide(live.data().tables, request_id, action, actor, clock(), **details)
    if isinstance(outcome, Refusal):
        raise Refused(outcome)
    _apply(live, outcome, clock)
    return outcome


def _apply(live: LiveWorkbook, transition: Transition, clock: Clock) -> None:
    """The row's cells if its status is still the one decided on, then the event."""
    try:
        _apply_all(live, [transition], clock)
    except Conflict:
        raise refuse("changed_meanwhile", transition.request_id) from None


def _apply_all(live: LiveWorkbook, transitions: list[Transition], clock: Clock) -> None:
    """The rows' cells in one write, if each row's status is still the one decided on (else `Conflict`
    and none is changed), then their events in one append: the events are the changes' audit."""
    keys = [{"request_id": t.request_id} for t in transitions]
    current = [{"status": cells["status"]} for cells in current_cells_of_rows(live, "requests", keys)]
    live.update_rows("requests", [(key, t.changes) for key, t in zip(keys, transitions)], expect=current)
    events = [t.event for t in transitions if t.event]
    if events:
        live.append("request_events", events, stamp=("at", clock))


def claim(live: LiveWorkbook, request_id: str, actor: Viewer, clock: Clock) -> bool:
    """True when the actor got the wish: the first claim in the events log wins."""
    event = claim_event(live.data().tables, request_id, actor, clock())
    if isinstance(event, Refusal):
        raise Refused(event)
    live.append("request_events", [event], stamp=("at", clock), fresh=True)
    tables = live.data().tables
    if claim_winner(tables, request_id) != actor.person_id:
        return False
    try:
        _apply(live, claim_transition(tables, request_id, actor.person_id), clock)
    except Refused:
        return False
    return True


def close_expired(live: LiveWorkbook, clock: Clock) -> int:
    """Closes resolved requests whose rating window has passed; returns how many.
    Housekeeping: the app runs it after each scheduled read, never while a page renders. They are
    closed in one write (a college's migrated history may hold thousands: one by one, 3,000 took
    157 s at 30,000 people, and 6,000 Sheets requests); a request changed meanwhile is left alone."""
    return _closed(live, auto_closes(live.data().tables, clock()), clock)


def _closed(live: LiveWorkbook, transitions: list[Transition], clock: Clock) -> int:
    """How many of the transitions were written: all in one write, or, when one of them conflicts, each
    half again, so a request rated meanwhile costs a few writes, not one per request (a missing row
    raises before anything is written, like a conflict)."""
    if not transitions:
        return 0
    try:
        _apply_all(live, transitions, clock)
        return len(transitions)
    except (Conflict, RowNotFound):  # rated, reopened or deleted meanwhile
        if len(transitions) == 1:
            return 0
    middle = len(transitions) // 2
    return _closed(live, transitions[:middle], clock) + _closed(live, transitions[middle:], clock)
