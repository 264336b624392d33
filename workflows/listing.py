"""The activity list volunteers see, and a person's own sign-ups."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from workflows.signup import CHECKIN_OPENS_BEFORE, Derivation, deadlines
from workflows.tables import typed_frame

LISTING_TYPES = {"activity_id": "object", "title": "object", "category": "object", "branch": "object",
                 "location": "object", "starts_at": "datetime64[us]", "ends_at": "datetime64[us]", "hours": "Float64",
                 "capacity": "Int64", "confirmed": "int64", "places_left": "Int64", "waitlist": "int64",
                 "deadline": "datetime64[us]", "open_for_signup": "bool", "my_status": "object",
                 "my_position": "Int64"}
LISTING_COLUMNS = list(LISTING_TYPES)
MINE_TYPES = {"activity_id": "object", "title": "object", "starts_at": "datetime64[us]", "location": "object",
              "activity_status": "object", "my_status": "object", "my_position": "Int64"}


def activity_listing(tables, derivation: Derivation, now: dt.datetime, person_id: str = "") -> pd.DataFrame:
    """Open activities that have not ended, soonest first, with places left or the waitlist."""
    activities = tables["activities"]
    shown = activities[(activities["status"] == "open") & (activities["ends_at"] >= now)]
    shown = shown.sort_values(["starts_at", "activity_id"])
    rosters = [derivation.roster(activity_id) for activity_id in shown["activity_id"]]
    mine = [roster.status_of(person_id) for roster in rosters]
    capacity = shown["capacity"].astype("Int64")
    confirmed = pd.Series([len(roster.confirmed) for roster in rosters], index=shown.index, dtype="int64")
    deadline = deadlines(shown)
    listing = shown[["activity_id", "title", "category", "branch", "location", "starts_at", "ends_at", "hours"]].assign(
        capacity=capacity, confirmed=confirmed, places_left=(capacity - confirmed).clip(lower=0),
        waitlist=[len(roster.waitlisted) for roster in rosters], deadline=deadline, open_for_signup=deadline >= now,
        my_status=["attended" if person_id in roster.attended else status for roster, (status, _) in zip(rosters, mine)],
        my_position=pd.array([position for _, position in mine], dtype="Int64"))
    return listing.reset_index(drop=True)[LISTING_COLUMNS].astype(LISTING_TYPES)


def my_activities(tables, derivation: Derivation, person_id: str) -> pd.DataFrame:
    """Every activity the person is confirmed, waitlisted for or attended, latest first. Only the person's
    own activities are looked at (from the ledger and the attendance), not every activity."""
    attendance = derivation.attendance()
    ids = set(derivation.activities_of(person_id)) | set(attendance.loc[attendance["person_id"] == person_id,
                                                                        "activity_id"])
    activities = tables["activities"]
    candidates = activities[activities["activity_id"].isin(ids)]
    rows = []
    for activity_id, title, starts_at, location, activity_status in zip(
            candidates["activity_id"], candidates["title"], candidates["starts_at"], candidates["location"],
            candidates["status"]):
        roster = derivation.roster(activity_id)
        status, position = roster.status_of(person_id)
        if person_id in roster.attended:
            status = "attended"
        if status in ("confirmed", "waitlisted", "attended"):
            rows.append({"activity_id": activity_id, "title": title, "starts_at": starts_at, "location": location,
                         "activity_status": activity_status, "my_status": status, "my_position": position})
    frame = typed_frame(rows, MINE_TYPES)
    return frame.sort_values("starts_at", ascending=False).reset_index(drop=True)


def checkin_choices(tables, derivation: Derivation, person_id: str, now: dt.datetime) -> pd.DataFrame:
    """The person's activities whose check-in is open now (one hour before the start until the end)."""
    mine = my_activities(tables, derivation, person_id)
    ends = dict(zip(tables["activities"]["activity_id"], tables["activities"]["ends_at"]))
    within = [status in ("confirmed", "attended") and start - CHECKIN_OPENS_BEFORE <= now <= ends.get(activity_id, start)
              for activity_id, start, status in zip(mine["activity_id"], mine["starts_at"], mine["my_status"])]
    return mine[pd.Series(within, index=mine.index, dtype=bool)]


def label_of_places(capacity: int | None, places_left: int | None, waitlist: int) -> tuple[str, dict]:
    """Which catalog text describes the places: ("places.left", …), ("places.waitlist", …) or unlimited."""
    if capacity is None or pd.isna(capacity):
        return "places.unlimited", {}
    if places_left:
        return "places.left", {"left": int(places_left), "capacity": int(capacity)}
    return "places.waitlist", {"n": int(waitlist)}
