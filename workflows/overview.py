"""What the home page shows each person: coming activities, work waiting, a few counts."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from workflows.access import COORDINATOR, Viewer
from workflows.tables import Tables, active_people, is_in


def upcoming_activities(tables: Tables, now: dt.datetime, limit: int = 5) -> pd.DataFrame:
    """Open activities that have not started yet, soonest first."""
    activities = tables["activities"]
    coming = activities[(activities["status"] == "open") & (activities["starts_at"] >= now)]
    columns = ["activity_id", "title", "category", "starts_at", "location", "hours"]
    return coming.sort_values(["starts_at", "activity_id"])[columns].head(limit).reset_index(drop=True)


def work_waiting(tables: Tables, viewer: Viewer, now: dt.datetime) -> dict[str, int]:
    """A coordinator's counts of things to do for their branch."""
    if viewer.role != COORDINATOR:
        return {}
    people = tables["people"]
    branch_people = set(people.loc[people["branch"] == viewer.branch, "person_id"])
    hours = tables["hours"]
    return {
        "hours_pending": int(((hours["status"] == "pending") & is_in(hours["person_id"], branch_people)).sum()),
        "requests_new": int((tables["requests"]["status"] == "submitted").sum()),
        "starting_soon": len(starting_soon(tables, viewer.branch, now)),
    }


def starting_soon(tables: Tables, branch: str, now: dt.datetime, days: int = 7) -> pd.DataFrame:
    """The branch's activities (and those of no branch) that start within `days`, not cancelled, soonest
    first: what a coordinator's count of activities starting soon counts, and the list beside it shows."""
    activities = tables["activities"]
    soon = activities[(activities["status"] != "cancelled") & (activities["starts_at"] >= now)
                      & (activities["starts_at"] < now + dt.timedelta(days=days))
                      & activities["branch"].isin([branch, ""])]
    columns = ["activity_id", "title", "category", "starts_at", "location", "hours"]
    return soon.sort_values(["starts_at", "activity_id"])[columns].reset_index(drop=True)


def headline_counts(tables: Tables) -> dict[str, int]:
    return {
        "people": len(active_people(tables)),
        "activities": len(tables["activities"]),
        "requests": len(tables["requests"]),
    }
