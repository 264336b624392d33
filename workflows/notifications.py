"""Who is to be told what, now: the notifications due from the tables and a moment (issue 18).

Each rule reads the same derivations the pages use (rosters from `workflows.signup`, request
states and due dates from `workflows.requests`, reviews from `hours`, audiences from `surveys`)
and returns notifications whose ID is derived from (kind, subject, recipient, occasion): asking
again later gives the same IDs, so the outbox records each once however often it is asked.

Nothing is due for an event older than the horizon (`notify.horizon_hours`), so a new
deployment does not mail years of history. Non-urgent ones wait out the quiet hours
(`notify.quiet_hours`, e.g. `22:00-07:00`). A message is a code and params; the params hold only
what its recipient may see (never a 🔒 value of someone else: no phone, e-mail, contact or check-in code).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workflows.access import COORDINATOR
from workflows.requests import board, timeline
from workflows.settings import setting
from workflows.signup import SIGNUP_ORDER, Derivation, derive, in_order, promoted_by
from workflows.surveys import open_surveys, who_may_answer
from workflows.tables import Tables, active_people, is_in

# The kinds a person receives, in the order My record lists them; `branch_digest` goes to group robots only.
PERSON_KINDS = ("waitlist_promoted", "reminder_24h", "reminder_2h", "activity_changed", "activity_cancelled",
                "request_accepted", "request_rejected", "request_assigned", "request_resolved", "request_reopened",
                "assigned_to_you",
                "reopened_for_assignee",
                "hours_approved", "hours_rejected", "survey_opened", "requests_overdue", "coordinator_digest")
COORDINATOR_KINDS = ("requests_overdue", "coordinator_digest")
BRANCH_DIGEST = "branch_digest"
URGENT = frozenset({"waitlist_promoted", "reminder_2h", "activity_changed", "activity_cancelled"})
BRANCH_PREFIX = "branch:"  # a recipient that is a branch's group, not a person

DEFAULT_HORIZON_HOURS = 48.0
DEFAULT_QUIET_HOURS = "22:00-07:00"
DEFAULT_DIGEST_HOUR = 8
REMINDERS = (("reminder_24h", dt.timedelta(hours=24)), ("reminder_2h", dt.timedelta(hours=2)))
WATCHED_ACTIVITY_COLUMNS = ("title", "starts_at", "ends_at", "location")
CANCELLED_VALUES = ("cancelled", "已取消")
REQUEST_NOTICES = {"accepted": "request_accepted", "assigned": "request_assigned", "resolved": "request_resolved",
                   "reopened": "request_reopened", "rejected": "request_rejected"}
WAITING_REQUEST = ("submitted", "reopened")


@dataclass(frozen=True)
class Notification:
    id: str
    kind: str
    recipient: str  # a person_id, or "branch:<name>" for the branch's group robots
    subject: str
    occasion: str
    at: dt.datetime  # when the event happened (local time of the workbook)
    params: dict = field(default_factory=dict, hash=False, compare=False)
    urgent: bool = False
    not_before: dt.datetime | None = None  # quiet hours: not sent by any channel but the inbox before this

    @property
    def to_branch(self) -> bool:
        return self.recipient.startswith(BRANCH_PREFIX)


def notification_id(kind: str, subject: str, recipient: str, occasion: str) -> str:
    text = "\x1f".join((kind, subject, recipient, occasion))
    return "N" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _notice(kind: str, subject: str, recipient: str, occasion: str, at: dt.datetime, **params) -> Notification:
    return Notification(notification_id(kind, subject, recipient, occasion), kind, recipient, subject, occasion,
                        at, {k: _text(v) for k, v in params.items()}, kind in URGENT)


def _day(value) -> str:
    return "" if pd.isna(value) else f"{value:%Y-%m-%d}"


def _text(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# -- settings ----------------------------------------------------------------------------
def _number(tables: Tables, key: str, default: float) -> float:
    try:
        value = float(setting(tables, key) or default)
    except ValueError:
        return default
    return value if 0 <= value < 100000 else default


def horizon(tables: Tables) -> dt.timedelta:
    return dt.timedelta(hours=_number(tables, "notify.horizon_hours", DEFAULT_HORIZON_HOURS))


def digest_hour(tables: Tables) -> int:
    hour = _number(tables, "notify.digest_hour", DEFAULT_DIGEST_HOUR)
    return int(hour) if hour < 24 else DEFAULT_DIGEST_HOUR


def quiet_hours(tables: Tables) -> tuple[dt.time, dt.time] | None:
    """(start, end) of the nightly quiet hours; None when the setting says `none` (or `0`)."""
    text = setting(tables, "notify.quiet_hours").strip() or DEFAULT_QUIET_HOURS
    if text.casefold() in ("none", "0", "off", "无"):
        return None
    try:
        start, end = (dt.time.fromisoformat(part.strip().zfill(5)) for part in text.replace("–", "-").split("-"))
    except ValueError:
        start, end = (dt.time.fromisoformat(part) for part in DEFAULT_QUIET_HOURS.split("-"))
    return (start, end) if start != end else None


def quiet_until(now: dt.datetime, quiet: tuple[dt.time, dt.time] | None) -> dt.datetime | None:
    """The end of the quiet hours `now` falls in, else None."""
    if quiet is None:
        return None
    start, end = quiet
    clock = now.time()
    inside = start <= clock < end if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = now.date() if (start < end or clock < end) else now.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end)


# -- the rules ---------------------------------------------------------------------------
def due(tables: Tables, now: dt.datetime, derivation: Derivation | None = None) -> list[Notification]:
    """Every notification due at `now`, each once, non-urgent ones held past the quiet hours."""
    derivation = derivation if derivation is not None else derive(tables)
    since = now - horizon(tables)
    found = (waitlist_promotions(tables, derivation, since, now) + activity_reminders(tables, derivation, now)
             + activity_changes(tables, derivation, since, now) + activity_cancellations(tables, derivation, now)
             + request_notices(tables, since, now)
             + hours_reviews(tables, since, now) + surveys_opened(tables, derivation, since, now)
             + daily_digests(tables, now))
    quiet = quiet_until(now, quiet_hours(tables))
    unique = {n.id: n for n in found}
    return [n if n.urgent or quiet is None else replace(n, not_before=quiet) for n in unique.values()]


def _people(tables: Tables) -> pd.DataFrame:
    return active_people(tables).drop_duplicates("person_id").set_index("person_id")


def _activities(tables: Tables) -> dict[str, dict]:
    return {row["activity_id"]: row for row in tables["activities"].drop_duplicates("activity_id").to_dict("records")}


def _activity_params(activity: dict) -> dict:
    """What anyone signed up may know of an activity (its check-in code is for coordinators only)."""
    return {"activity_id": activity["activity_id"], "title": activity["title"], "starts_at": activity["starts_at"],
            "ends_at": activity["ends_at"], "location": activity["location"]}


def waitlist_promotions(tables: Tables, derivation: Derivation, since: dt.datetime, now: dt.datetime) -> list[Notification]:
    """A cancellation since `since` that moved someone from the waitlist to confirmed → that person,
    if still confirmed now. Who moved is what the sign-up rules make of the log up to that row and
    through it (`signup.promoted_by`)."""
    signups = in_order(tables["signups"], SIGNUP_ORDER)
    activities, people = _activities(tables), _people(tables)
    window = (signups["action"] == "cancel") & (signups["at"] >= since) & (signups["at"] <= now)
    cancellations = [position for position in np.flatnonzero(window.to_numpy(dtype=bool, na_value=False))
                     if _may_promote(activities.get(signups["activity_id"].iat[position]), now)]
    found = []
    for position, moved in promoted_by(tables, cancellations).items():
        row = signups.iloc[position]
        activity = activities[row["activity_id"]]
        current = derivation.roster(row["activity_id"]).confirmed
        for person_id in moved:
            if person_id in current and person_id in people.index:
                found.append(_notice("waitlist_promoted", row["activity_id"], person_id, row["signup_id"], row["at"],
                                     **_activity_params(activity)))
    return found


def _may_promote(activity: dict | None, now: dt.datetime) -> bool:
    """Whether a cancellation of this activity may promote someone who is still to come."""
    return (activity is not None and activity["status"] != "cancelled" and activity["starts_at"] > now
            and not pd.isna(activity["capacity"]))


def activity_reminders(tables: Tables, derivation: Derivation, now: dt.datetime) -> list[Notification]:
    """24 h and 2 h before the start → everyone confirmed at that moment (not who has cancelled).
    Only the latest reminder whose moment has come is sent: one signing up 5 h before gets the 2 h one later."""
    found, people = [], _people(tables)
    for activity in _activities(tables).values():
        starts = activity["starts_at"]
        if activity["status"] == "cancelled" or pd.isna(starts) or not now < starts:
            continue
        kind = next((kind for kind, ahead in reversed(REMINDERS) if starts - ahead <= now), None)
        if kind is None:
            continue
        for person_id in derivation.roster(activity["activity_id"]).confirmed:
            if person_id in people.index:
                found.append(_notice(kind, activity["activity_id"], person_id, f"{starts:%Y%m%d%H%M}",
                                     starts - dict(REMINDERS)[kind], **_activity_params(activity)))
    return found


def activity_changes(tables: Tables, derivation: Derivation, since: dt.datetime, now: dt.datetime) -> list[Notification]:
    """An activity still to come whose time, place or title changed through the app (the `_audit` rows
    of one save) → everyone confirmed or waitlisted."""
    audit = tables["_audit"]
    mine = audit[(audit["table"] == "activities") & audit["column"].isin(WATCHED_ACTIVITY_COLUMNS)
                 & (audit["at"] >= since) & (audit["at"] <= now)]
    activities, people, found = _activities(tables), _people(tables), []
    for (record, at), changes in mine.groupby(["record", "at"], sort=True):
        activity = activities.get(record.removeprefix("activity_id="))
        if activity is None or activity["status"] == "cancelled" or not activity["starts_at"] > now:
            continue
        changed = ", ".join(sorted(set(changes["column"])))
        roster = derivation.roster(activity["activity_id"])
        for person_id in roster.confirmed + roster.waitlisted:
            if person_id in people.index:
                found.append(_notice("activity_changed", activity["activity_id"], person_id, changes["audit_id"].min(),
                                     at, changed=changed, **_activity_params(activity)))
    return found


def activity_cancellations(tables: Tables, derivation: Derivation, now: dt.datetime) -> list[Notification]:
    """An activity still to come that is cancelled — in the app or by hand in the sheet → everyone
    confirmed or waitlisted, once (its occasion is the cancellation itself, whenever it is seen)."""
    audit = tables["_audit"]
    cancelled_at = audit[(audit["table"] == "activities") & (audit["column"] == "status")
                         & audit["new"].isin(CANCELLED_VALUES)].groupby("record")["at"].max()
    people, found = _people(tables), []
    for activity in _activities(tables).values():
        if activity["status"] != "cancelled" or not activity["starts_at"] > now:
            continue
        at = cancelled_at.get(f"activity_id={activity['activity_id']}", now)
        roster = derivation.roster(activity["activity_id"])
        for person_id in roster.confirmed + roster.waitlisted:
            if person_id in people.index:
                found.append(_notice("activity_cancelled", activity["activity_id"], person_id, "cancelled",
                                     at if not pd.isna(at) else now, **_activity_params(activity)))
    return found


def _requests(tables: Tables) -> dict[str, dict]:
    return {row["request_id"]: row for row in tables["requests"].drop_duplicates("request_id").to_dict("records")}


def request_notices(tables: Tables, since: dt.datetime, now: dt.datetime) -> list[Notification]:
    """Accepted / rejected (with the reason) / assigned / resolved ("please rate") / reopened → the requester (not of a step they took
    themselves, except the reopening their rating causes: it confirms the request goes on); assigned →
    the assignee; reopened → the member who handled it, with the rating's note. Only effective steps
    count (a second claim did nothing)."""
    events = tables["request_events"]
    recent = events[(events["at"] >= since) & (events["at"] <= now) & events["to_status"].isin(REQUEST_NOTICES)]
    requests, people, found = _requests(tables), _people(tables), []
    for request_id in sorted(set(recent["request_id"])):
        request = requests.get(request_id)
        if request is None:
            continue
        steps = timeline(tables, request_id)
        steps = steps[steps["effective"] & steps["event_id"].isin(set(recent["event_id"]))]
        params = {"request_id": request_id, "title": request["title"]}
        for event in steps.to_dict("records"):
            requester = request["requester_id"]
            reopened = event["to_status"] == "reopened"  # by the requester's own rating: a confirmation
            if requester and requester in people.index and (requester != event["actor"] or reopened):
                extra = {"resolution": request["resolution"]} if event["to_status"] == "resolved" else {}
                extra |= {"reason": event["note"]} if event["to_status"] == "rejected" else {}
                found.append(_notice(REQUEST_NOTICES[event["to_status"]], request_id, requester, event["event_id"],
                                     event["at"], **params, **extra))
            assignee = event["note"] if event["action"] == "assign" else ""
            if assignee and assignee in people.index:
                found.append(_notice("assigned_to_you", request_id, assignee, event["event_id"], event["at"],
                                     due_at=request["due_at"], category=request["category"], **params))
            handler = request["assignee_id"]
            if reopened and handler and handler in people.index and handler != event["actor"]:
                found.append(_notice("reopened_for_assignee", request_id, handler, event["event_id"], event["at"],
                                     note=event["note"], **params))
    return found


def hours_reviews(tables: Tables, since: dt.datetime, now: dt.datetime) -> list[Notification]:
    """An hours entry approved or rejected (with the reviewer's note) → its person."""
    hours, people, found = tables["hours"], _people(tables), []
    reviewed = hours[hours["status"].isin(("approved", "rejected")) & (hours["reviewed_at"] >= since)
                     & (hours["reviewed_at"] <= now)]
    for entry in reviewed.to_dict("records"):
        if entry["person_id"] in people.index:
            found.append(_notice(f"hours_{entry['status']}", entry["entry_id"], entry["person_id"],
                                 f"{entry['status']}@{entry['reviewed_at']:%Y%m%d%H%M%S}", entry["reviewed_at"],
                                 entry_id=entry["entry_id"], date=_day(entry["date"]), hours=entry["hours"],
                                 description=entry["description"], note=entry["review_note"]))
    return found


def surveys_opened(tables: Tables, derivation: Derivation, since: dt.datetime, now: dt.datetime) -> list[Notification]:
    """A survey that opened since `since` → each person it is for (as the Surveys page decides)."""
    surveys = tables["surveys"]
    opened = surveys[surveys["opens_at"].notna() & (surveys["opens_at"] >= since) & (surveys["opens_at"] <= now)]
    if opened.empty:
        return []
    open_ = open_surveys(surveys, now)
    # who may answer each is found once, not once per person: 30,000 people meet a handful of surveys
    audiences = [(survey, who_may_answer(survey, derivation))
                 for survey in open_[is_in(open_["survey_id"], set(opened["survey_id"]))].to_dict("records")]
    found = []
    for person_id in _people(tables).index:
        for survey, who in audiences:
            if who is None or person_id in who:
                found.append(_notice("survey_opened", survey["survey_id"], person_id, f"{survey['opens_at']:%Y%m%d%H%M}",
                                     survey["opens_at"], survey_id=survey["survey_id"], title=survey["title"],
                                     closes_at=survey["closes_at"]))
    return found


# -- daily digests -----------------------------------------------------------------------
def daily_digests(tables: Tables, now: dt.datetime) -> list[Notification]:
    """From `notify.digest_hour` each day: overdue requests → each coordinator of the branch; the
    coordinator's digest (hours to review, requests waiting, activities tomorrow); and per branch
    one digest for its group robots, with counts and public titles only."""
    if now.hour < digest_hour(tables):
        return []
    day = now.date()
    at = dt.datetime.combine(day, dt.time(digest_hour(tables)))
    people = _people(tables)
    requests = board(tables, now)
    requests = requests.assign(branch=_request_branches(tables, requests, people))
    hours = tables["hours"]
    hours = hours[hours["status"] == "pending"].assign(branch=hours["person_id"].map(people["branch"]).fillna(""))
    activities = tables["activities"]
    tomorrow = activities[(activities["status"] != "cancelled")
                          & (activities["starts_at"].dt.date == day + dt.timedelta(days=1))]
    coordinators = people[people["role"] == COORDINATOR]
    found = []
    for branch in sorted(set(coordinators["branch"].fillna("")) - {""}):
        mine = requests[requests["branch"].isin((branch, ""))]
        overdue = mine[mine["overdue"]]
        waiting = mine[mine["status"].isin(WAITING_REQUEST)]
        to_review = hours[hours["branch"] == branch]
        starting = tomorrow[tomorrow["branch"] == branch]
        counts = {"overdue": len(overdue), "waiting": len(waiting), "hours": len(to_review), "tomorrow": len(starting)}
        titles = "; ".join(f"{starts_at:%H:%M} {title}" for starts_at, title in zip(starting["starts_at"], starting["title"]))
        listed = "; ".join(f"{request_id} {title}" for request_id, title in zip(overdue["request_id"], overdue["title"]))
        for person_id in coordinators[coordinators["branch"] == branch].index:
            if len(overdue):
                found.append(_notice("requests_overdue", branch, person_id, f"{day}", at, branch=branch,
                                     count=len(overdue), requests=listed))
            if any(counts.values()):
                found.append(_notice("coordinator_digest", branch, person_id, f"{day}", at, branch=branch,
                                     activities=titles or "—", **counts))
        if any(counts.values()):
            found.append(_notice(BRANCH_DIGEST, branch, BRANCH_PREFIX + branch, f"{day}", at, branch=branch,
                                 activities=titles or "—", **counts))
    return found


def _request_branches(tables: Tables, requests: pd.DataFrame, people: pd.DataFrame) -> pd.Series:
    """A request belongs to its requester's branch, else its assignee's; "" (every branch) when neither is known."""
    branch = people["branch"].fillna("")
    by_requester = requests["requester_id"].map(branch)
    by_assignee = requests["assignee_id"].map(branch)
    return by_requester.where(by_requester.notna() & (by_requester != ""), by_assignee).fillna("")


def kinds_for(role: str) -> tuple[str, ...]:
    """The kinds a person of this role may turn on or off."""
    return PERSON_KINDS if role == COORDINATOR else tuple(k for k in PERSON_KINDS if k not in COORDINATOR_KINDS)
