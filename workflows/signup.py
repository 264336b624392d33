"""Sign-up, cancellation and check-in: the derived roster and the decisions (workbook.md § signups).

The `signups` sheet is a log. Who is confirmed is derived from it every time, so concurrent
sign-ups never exceed capacity and the sheet may be sorted by hand: rows are taken in
(`at`, `signup_id`) order; a person's latest row decides whether they are active; the first
`capacity` active people are confirmed, the rest waitlisted.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import pandas as pd

from workflows.problems import Problem
from workflows.refusals import Refusal
from workflows.tables import ROW, Tables, active_people

CHECKIN_OPENS_BEFORE = dt.timedelta(hours=1)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass
class Roster:
    confirmed: list[str] = field(default_factory=list)
    waitlisted: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    attended: list[str] = field(default_factory=list)

    def status_of(self, person_id: str) -> tuple[str, int | None]:
        """("confirmed"|"waitlisted"|"cancelled"|"none", waitlist position)."""
        if person_id in self.confirmed:
            return "confirmed", None
        if person_id in self.waitlisted:
            return "waitlisted", self.waitlisted.index(person_id) + 1
        if person_id in self.cancelled:
            return "cancelled", None
        return "none", None


@dataclass
class Derivation:
    rosters: dict[str, Roster]
    problems: list[Problem]

    def roster(self, activity_id: str) -> Roster:
        return self.rosters.get(activity_id, Roster())


def _capacity(activity) -> int | None:
    value = activity["capacity"]
    return None if pd.isna(value) else int(value)


def deadline_of(activity) -> dt.datetime:
    deadline = activity["signup_deadline"]
    return activity["starts_at"] if pd.isna(deadline) else deadline


def _overlaps(a, b) -> bool:
    return a["starts_at"] < b["ends_at"] and b["starts_at"] < a["ends_at"]


class _Ledger:
    """Active people per activity, in the order they became active."""

    def __init__(self, activities: dict[str, dict]):
        self.activities = activities
        self.active: dict[str, list[str]] = {key: [] for key in activities}
        self.cancelled: dict[str, list[str]] = {key: [] for key in activities}
        self.active_in: dict[str, set[str]] = {}  # person -> activities they are active in

    def confirmed(self, activity_id: str) -> list[str]:
        capacity = _capacity(self.activities[activity_id])
        active = self.active[activity_id]
        return active if capacity is None else active[:capacity]

    def clash(self, activity_id: str, person_id: str) -> str | None:
        """An activity overlapping `activity_id` that the person is confirmed for, if any."""
        target = self.activities[activity_id]
        for other_id in sorted(self.active_in.get(person_id, ())):
            other = self.activities[other_id]
            if (other_id != activity_id and other["status"] != "cancelled" and _overlaps(target, other)
                    and person_id in self.confirmed(other_id)):
                return other_id
        return None

    def apply(self, activity_id: str, person_id: str, action: str) -> None:
        active, cancelled = self.active[activity_id], self.cancelled[activity_id]
        if action == "cancel":
            if person_id in active:
                active.remove(person_id)
                cancelled.append(person_id)
                self.active_in[person_id].discard(activity_id)
        elif person_id not in active:
            active.append(person_id)
            self.active_in.setdefault(person_id, set()).add(activity_id)
            if person_id in cancelled:
                cancelled.remove(person_id)


def derive(tables: Tables) -> Derivation:
    """Every activity's roster, and the sign-up and check-in rows the rules refuse."""
    activities = {row["activity_id"]: row for row in tables["activities"].to_dict("records")}
    active_people, known_people = _active_people(tables), set(tables["people"]["person_id"])
    ledger, problems = _Ledger(activities), []
    rows = tables["signups"].sort_values(["at", "signup_id"], kind="stable").to_dict("records")
    for row in rows:
        activity = activities.get(row["activity_id"])
        if activity is None or row["person_id"] not in known_people:
            continue  # unknown activity or person: reported by validation already
        refusal = _refusal_of_row(row, activity, active_people, ledger)
        if refusal is not None:
            column, code, params = refusal
            problems.append(tables.problem("signups", row[ROW], column, row[column], code, **params))
            continue
        ledger.apply(row["activity_id"], row["person_id"], row["action"])
    rosters = {key: Roster(list(ledger.confirmed(key)), ledger.active[key][len(ledger.confirmed(key)):],
                           list(ledger.cancelled[key])) for key in activities}
    problems.extend(_attach_checkins(tables, activities, rosters))
    return Derivation(rosters, problems)


def _active_people(tables: Tables) -> set[str]:
    return set(active_people(tables)["person_id"])


def _refusal_of_row(row, activity, active_people, ledger) -> tuple[str, str, dict] | None:
    """The column, problem code and params of a sign-up row the rules refuse."""
    if row["person_id"] not in active_people:
        return "person_id", "person_not_active", {}
    if row["at"] > deadline_of(activity):
        return "at", "deadline_passed", {"deadline": f"{deadline_of(activity):%Y-%m-%d %H:%M}"}
    if row["action"] == "signup" and row["person_id"] not in ledger.active[row["activity_id"]]:
        clash = ledger.clash(row["activity_id"], row["person_id"])
        if clash is not None:
            return "activity_id", "overlap", {"activity_id": clash}
    return None


def _attach_checkins(tables, activities, rosters) -> list[Problem]:
    problems, known_people = [], set(tables["people"]["person_id"])
    for row in tables["checkins"].sort_values(["at", "checkin_id"], kind="stable").to_dict("records"):
        activity = activities.get(row["activity_id"])
        roster = rosters.get(row["activity_id"])
        if activity is None or roster is None or row["person_id"] not in known_people:
            continue  # unknown activity or person: reported by validation already
        if row["method"] == "code":
            if row["person_id"] not in roster.confirmed:
                problems.append(tables.problem("checkins", row[ROW], "person_id", row["person_id"],
                                               "not_confirmed"))
                continue
            if not (activity["starts_at"] - CHECKIN_OPENS_BEFORE <= row["at"] <= activity["ends_at"]):
                problems.append(tables.problem("checkins", row[ROW], "at", f"{row['at']:%Y-%m-%d %H:%M}",
                                               "outside_window"))
                continue
        if row["person_id"] not in roster.attended:
            roster.attended.append(row["person_id"])
    return problems


# -- decisions for new submissions -------------------------------------------------------
def _person_refusal(tables: Tables, person_id: str) -> Refusal | None:
    return None if person_id in _active_people(tables) else Refusal("unknown_person", person_id)


def _activity(tables: Tables, activity_id: str) -> pd.Series | None:
    match = tables["activities"][tables["activities"]["activity_id"] == activity_id]
    return None if match.empty else match.iloc[0]


def _submission_refusal(tables: Tables, activity_id: str, person_id: str, now: dt.datetime):
    activity = _activity(tables, activity_id)
    if activity is None:
        return None, Refusal("unknown_activity", activity_id)
    if activity["status"] != "open":
        return activity, Refusal("activity_not_open", activity["status"])
    if now > deadline_of(activity):
        return activity, Refusal("deadline_passed", f"{deadline_of(activity):%Y-%m-%d %H:%M}")
    return activity, _person_refusal(tables, person_id)


def decide_signup(tables: Tables, derivation: Derivation, activity_id: str, person_id: str,
                  now: dt.datetime) -> Refusal | None:
    """None when the sign-up may be recorded (also when the person is already active: it counts once)."""
    activity, refusal = _submission_refusal(tables, activity_id, person_id, now)
    if refusal is not None:
        return refusal
    roster = derivation.roster(activity_id)
    if person_id in roster.confirmed or person_id in roster.waitlisted:
        return None
    mine = [other_id for other_id, other_roster in derivation.rosters.items()
            if other_id != activity_id and person_id in other_roster.confirmed]
    for other_id in mine:  # only the person's own activities are looked up
        other = _activity(tables, other_id)
        if other is not None and other["status"] != "cancelled" and _overlaps(activity, other):
            return Refusal("overlap", f"{other_id} {other['title']}")
    return None


def decide_cancel(tables: Tables, derivation: Derivation, activity_id: str, person_id: str,
                  now: dt.datetime) -> Refusal | None:
    _, refusal = _submission_refusal(tables, activity_id, person_id, now)
    if refusal is not None:
        return refusal
    roster = derivation.roster(activity_id)
    if person_id not in roster.confirmed and person_id not in roster.waitlisted:
        return Refusal("not_signed_up", person_id)
    return None


def decide_checkin(tables: Tables, derivation: Derivation, activity_id: str, person_id: str,
                   code: str | None, now: dt.datetime) -> Refusal | None:
    """A check-in by code (`code` given) or by a coordinator (`code` None: anyone, any time)."""
    activity = _activity(tables, activity_id)
    if activity is None:
        return Refusal("unknown_activity", activity_id)
    refusal = _person_refusal(tables, person_id)
    if refusal is not None or code is None:
        return refusal
    if activity["status"] == "cancelled":
        return Refusal("activity_cancelled")
    opens = activity["starts_at"] - CHECKIN_OPENS_BEFORE
    if not opens <= now <= activity["ends_at"]:
        return Refusal("outside_window", f"{opens:%m-%d %H:%M} – {activity['ends_at']:%m-%d %H:%M}")
    if person_id not in derivation.roster(activity_id).confirmed:
        return Refusal("not_confirmed")
    if not activity["checkin_code"]:
        return Refusal("no_code_set")
    if code.strip().upper() != str(activity["checkin_code"]).strip().upper():
        return Refusal("wrong_code")
    return None


def new_id(prefix: str, now: dt.datetime) -> str:
    """A unique row ID, made once before the first attempt to write: the idempotency key."""
    return f"{prefix}{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


def signup_row(activity_id: str, person_id: str, action: str, by: str, now: dt.datetime) -> dict[str, str]:
    return {"signup_id": new_id("S", now), "activity_id": activity_id, "person_id": person_id,
            "action": action, "by": by}


def checkin_row(activity_id: str, person_id: str, method: str, by: str, now: dt.datetime) -> dict[str, str]:
    return {"checkin_id": new_id("C", now), "activity_id": activity_id, "person_id": person_id,
            "method": method, "by": by}


def new_checkin_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
