"""Requests and micro-wishes: the closed loop 收集—派单—办理—反馈—回访 (workbook.md § requests).

A request's status changes only by the allowed transitions; every change the app makes is one
targeted update of the request's row (checked against the status it was read with, so two
people acting at once cannot both move it) plus one `request_events` row. Who gets a wish two
members claim at once is decided by the order of their claim events, never by read-check-write.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from workflows.access import COORDINATOR, Viewer
from workflows.indicators import OPEN_REQUEST, due_dates
from workflows.settings import deadline_days, number_setting
from workflows.refusals import Refusal
from workflows.signup import new_id
from workflows.tables import active_people

ALLOWED = {
    ("submitted", "accepted"), ("submitted", "rejected"), ("accepted", "assigned"), ("submitted", "assigned"),
    ("assigned", "resolved"), ("resolved", "closed"), ("resolved", "reopened"), ("reopened", "assigned"),
}
CLAIMABLE = ("submitted", "accepted", "reopened")
DUE_SOON = dt.timedelta(days=1)
TEXT_LIMITS = {"title": 200, "details": 5000, "contact": 100, "category": 50}
REQUEST_CATEGORIES = ("学业", "就业", "心理", "资助", "维修", "生活", "其他")  # each may have its deadline in settings
CATEGORY_SKILLS = {
    "学业": ("辅导", "学业", "编程", "数学", "英语"), "就业": ("就业", "简历", "面试"), "心理": ("心理", "倾听"),
    "资助": ("资助", "政策"), "维修": ("维修", "电工", "电脑"), "生活": ("生活", "急救", "摄影"),
}


@dataclass
class Transition:
    """What one step writes: the changed cells of the request and its event row."""

    request_id: str
    from_status: str
    changes: dict[str, str]
    event: dict[str, str] = field(default_factory=dict)


def new_request(tables, values: dict[str, str], requester_id: str, now: dt.datetime) -> tuple[dict, dict]:
    """(the request row, {field: error code}) for a submission."""
    errors = {key: ("required", {}) for key in ("title", "category") if not (values.get(key) or "").strip()}
    errors |= {key: ("too_long", {"limit": limit}) for key, limit in TEXT_LIMITS.items()
               if len(values.get(key) or "") > limit}
    category = (values.get("category") or "").strip()
    due = now + dt.timedelta(days=deadline_days(tables, category))
    row = {"request_id": new_id("R", now), "kind": values.get("kind") or "request", "category": category,
           "title": (values.get("title") or "").strip(), "details": (values.get("details") or "").strip(),
           "requester_id": requester_id, "contact": (values.get("contact") or "").strip(),
           "building": (values.get("building") or "").strip(), "submitted_at": _stamp(now), "status": "submitted",
           "due_at": _stamp(due)}
    return row, errors


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _request(tables, request_id: str) -> pd.Series | None:
    match = tables["requests"][tables["requests"]["request_id"] == request_id]
    return None if match.empty else match.iloc[0]


def _event(request_id: str, actor: str, action: str, from_status: str, to_status: str, note: str,
           now: dt.datetime) -> dict[str, str]:
    return {"event_id": new_id("E", now), "request_id": request_id, "actor": actor, "action": action,
            "from_status": from_status, "to_status": to_status, "note": note}


def decide(tables, request_id: str, action: str, actor: Viewer, now: dt.datetime, **details) -> Transition | Refusal:
    """One step of the loop: accept, reject, assign, resolve, rate (claims: see `claim_event`)."""
    request = _request(tables, request_id)
    if request is None:
        return Refusal("unknown_request", request_id)
    status = request["status"]
    step = _STEPS.get(action)
    if step is None:
        return Refusal("unknown_action", action)
    to_status, who_may = step
    if callable(to_status):
        to_status = to_status(details)
    if (status, to_status) not in ALLOWED:
        return Refusal("not_allowed", f"{status} → {to_status}")
    if not who_may(actor, request):
        return Refusal("not_yours", request_id)
    changes, note, problem = _changes(action, details, actor, now)
    if problem is not None:
        return problem
    return Transition(request_id, status, {"status": to_status, **changes},
                      _event(request_id, actor.person_id, action, status, to_status, note, now))


def _coordinator(actor: Viewer, request) -> bool:
    return actor.role == COORDINATOR


def _assignee_or_coordinator(actor: Viewer, request) -> bool:
    return actor.role == COORDINATOR or (actor.signed_in and request["assignee_id"] == actor.person_id)


def _requester(actor: Viewer, request) -> bool:
    return actor.signed_in and request["requester_id"] == actor.person_id


def _rating_outcome(details: dict) -> str:
    return "closed" if int(details.get("rating") or 0) >= 3 and details.get("fixed", True) else "reopened"


_STEPS = {
    "accept": ("accepted", _coordinator),
    "reject": ("rejected", _coordinator),
    "assign": ("assigned", _coordinator),
    "resolve": ("resolved", _assignee_or_coordinator),
    "rate": (_rating_outcome, _requester),
}


def _changes(action: str, details: dict, actor: Viewer, now: dt.datetime):
    """(cells to write besides status, the event note, a refusal if details are missing)."""
    stamp = _stamp(now)
    if action == "accept":
        return {"accepted_at": stamp}, "", None
    if action == "reject":
        reason = (details.get("reason") or "").strip()
        if not reason:
            return {}, "", Refusal("reason_required")
        return {"resolution": reason, "accepted_at": stamp}, reason, None
    if action == "assign":
        assignee = (details.get("assignee_id") or "").strip()
        if not assignee:
            return {}, "", Refusal("assignee_required")
        return {"assignee_id": assignee}, assignee, None
    if action == "resolve":
        resolution = (details.get("resolution") or "").strip()
        if not resolution:
            return {}, "", Refusal("resolution_required")
        return {"resolution": resolution, "resolved_at": stamp}, resolution, None
    rating = int(details.get("rating") or 0)
    if not 1 <= rating <= 5:
        return {}, "", Refusal("rating_range")
    feedback = (details.get("feedback") or "").strip()
    note = f"{rating}★" + ("" if details.get("fixed", True) else " 未解决") + (f" {feedback}" if feedback else "")
    return {"rating": str(rating), "feedback": feedback, "rated_at": stamp}, note, None


# -- automatic closing, deadlines ---------------------------------------------------------
def auto_closes(tables, now: dt.datetime) -> list[Transition]:
    """Resolved requests left unrated past the rating window close by themselves."""
    window = dt.timedelta(days=number_setting(tables, "rating_window_days"))
    requests = tables["requests"]
    due = requests[(requests["status"] == "resolved") & requests["rating"].isna()
                   & requests["resolved_at"].notna() & (requests["resolved_at"] + window < now)]
    return [Transition(request_id, "resolved", {"status": "closed"},
                       _event(request_id, "system", "auto_close", "resolved", "closed",
                              "评价期满未评价，自动结案", now)) for request_id in due["request_id"]]


def board(tables, now: dt.datetime) -> pd.DataFrame:
    """Every request with its due date and open/overdue/due-soon flags: overdue first, then due soon,
    then the other open ones, each by due date; finished ones last."""
    requests = tables["requests"].assign(due=due_dates(tables))
    open_ = requests["status"].isin(OPEN_REQUEST)
    requests = requests.assign(open=open_, overdue=open_ & (requests["due"] < now),
                               due_soon=open_ & (requests["due"] >= now) & (requests["due"] < now + DUE_SOON))
    order = ["overdue", "due_soon", "open", "due"]
    return requests.sort_values(order, ascending=[False, False, False, True]).reset_index(drop=True)


def suggested_members(tables, request_id: str, limit: int = 5) -> pd.DataFrame:
    """Active people whose skills fit the category, those in the same building first."""
    request = _request(tables, request_id)
    people = active_people(tables)
    people = people[people["person_id"] != request["requester_id"]]
    words = CATEGORY_SKILLS.get(request["category"], (request["category"],))
    words = [re.escape(word) for word in words if word]
    skill = (people["skills"].fillna("").astype(str).str.contains("|".join(words), regex=True) if words
             else pd.Series(False, index=people.index))
    same = (people["building"] == request["building"]) & (request["building"] != "")
    scored = people.assign(score=skill.astype(int) * 2 + same.astype(int), skill_match=skill, same_building=same)
    scored = scored[scored["score"] > 0].sort_values(["score", "person_id"], ascending=[False, True])
    return scored[["person_id", "name", "skills", "building", "branch", "skill_match", "same_building"]].head(limit)


# -- claiming a wish ---------------------------------------------------------------------
def claim_event(tables, request_id: str, actor: Viewer, now: dt.datetime) -> dict | Refusal:
    request = _request(tables, request_id)
    if request is None:
        return Refusal("unknown_request", request_id)
    if request["kind"] != "wish" or request["status"] not in CLAIMABLE:
        return Refusal("not_claimable", request_id)
    if not actor.signed_in or actor.person_id == request["requester_id"]:
        return Refusal("not_yours", request_id)
    return _event(request_id, actor.person_id, "claim", request["status"], "assigned", "", now)


def claim_winner(tables, request_id: str) -> str | None:
    """The first claim in event order since the wish was last (re)opened."""
    events = tables["request_events"]
    mine = events[events["request_id"] == request_id].sort_values(["at", "event_id"])
    since_reopened = mine[(mine["to_status"] == "reopened").cumsum() == (mine["to_status"] == "reopened").sum()]
    claims = since_reopened.loc[(since_reopened["action"] == "claim") & (since_reopened["to_status"] != "reopened"),
                                "actor"]
    return claims.iat[0] if len(claims) else None


def claim_transition(tables, request_id: str, winner: str) -> Transition:
    request = _request(tables, request_id)
    return Transition(request_id, request["status"], {"status": "assigned", "assignee_id": winner})


def timeline(tables, request_id: str) -> pd.DataFrame:
    """The request's steps in order, claims that came second marked as not effective."""
    events = tables["request_events"]
    mine = events[events["request_id"] == request_id].sort_values(["at", "event_id"]).reset_index(drop=True)
    claim = mine["action"] == "claim"
    claims_since_reopened = claim.groupby((mine["to_status"] == "reopened").cumsum()).cumsum()
    return mine.assign(effective=~claim | (claims_since_reopened == 1))
