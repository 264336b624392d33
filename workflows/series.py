"""The dashboard's trends and breakdowns: by week or month, by political status and college,
coverage by building and floor, open requests, and a branch's share of the workbook."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from workflows.hours import credited_entries, tally
from workflows.indicators import OPEN_REQUEST, PARTY, due_dates, held_activities
from workflows.signup import Derivation
from workflows.tables import Tables, active_people, is_in

FREQUENCIES = {"week": "W-MON", "month": "M"}


def _period(values: pd.Series, frequency: str) -> pd.Series:
    return values.dt.to_period(FREQUENCIES[frequency]).dt.start_time


def trends(tables, derivation: Derivation, as_of: dt.datetime, frequency: str = "month",
           since: dt.date | None = None) -> pd.DataFrame:
    """period, hours, activities_held, requests_received, requests_resolved, satisfaction."""
    start = pd.Timestamp(since) if since else pd.Timestamp.min
    entries = credited_entries(tables, derivation, as_of)
    held = held_activities(tables, as_of)
    requests = tables["requests"]
    received = requests[requests["submitted_at"] <= as_of]
    resolved = requests[requests["resolved_at"].notna() & (requests["resolved_at"] <= as_of)]
    rated = resolved[resolved["rating"].notna()]
    parts = {
        "hours": entries[entries["date"] >= start].groupby(_period(entries["date"], frequency))["hours"].sum(),
        "activities_held": held[held["ends_at"] >= start].groupby(_period(held["ends_at"], frequency)).size(),
        "requests_received": received[received["submitted_at"] >= start].groupby(
            _period(received["submitted_at"], frequency)).size(),
        "requests_resolved": resolved[resolved["resolved_at"] >= start].groupby(
            _period(resolved["resolved_at"], frequency)).size(),
        "satisfaction": rated[rated["resolved_at"] >= start].groupby(
            _period(rated["resolved_at"], frequency))["rating"].mean(),
    }
    frame = pd.DataFrame(parts).sort_index()
    frame.index.name = "period"
    counts = ["activities_held", "requests_received", "requests_resolved"]
    frame[counts] = frame[counts].fillna(0).astype(int)
    frame["hours"] = frame["hours"].fillna(0.0).round(2)
    frame["satisfaction"] = frame["satisfaction"].astype(float).round(2)
    return frame.reset_index()


def breakdown(tables, derivation: Derivation, as_of: dt.datetime, by: str) -> pd.DataFrame:
    """Active people, people serving and credited hours per political status or college."""
    people = active_people(tables)
    return tally(credited_entries(tables, derivation, as_of), people, by)


def coverage(tables) -> pd.DataFrame:
    """building, floor, people, party_members, covered — the 支部—楼层党小组—党员宿舍 network."""
    people = active_people(tables)
    housed = people[(people["building"] != "") & (people["floor"] != "")]
    grouped = housed.groupby(["building", "floor"]).agg(
        people=("person_id", "count"), party_members=("political_status", lambda s: int(s.isin(PARTY).sum())))
    grouped["covered"] = grouped["party_members"] > 0
    return grouped.reset_index()


def open_requests(tables, as_of: dt.datetime) -> pd.DataFrame:
    """Open requests, overdue first: no requester, no contact."""
    requests = tables["requests"].assign(due=due_dates(tables))
    open_ = requests[requests["status"].isin(OPEN_REQUEST) & (requests["submitted_at"] <= as_of)]
    open_ = open_.assign(overdue=open_["due"] < as_of)
    columns = ["request_id", "kind", "category", "title", "building", "status", "submitted_at", "due", "overdue"]
    return open_.sort_values(["overdue", "due"], ascending=[False, True])[columns].reset_index(drop=True)


def scoped(tables: Tables, branch: str | None) -> Tables:
    """The part of the workbook about one branch: its people, their rows, its activities."""
    if not branch:
        return tables
    frames = dict(tables.frames)
    people = tables["people"][tables["people"]["branch"] == branch]
    members = set(people["person_id"])
    frames["people"] = people
    frames["activities"] = tables["activities"][tables["activities"]["branch"].isin([branch])]
    for table, column in (("signups", "person_id"), ("checkins", "person_id"), ("hours", "person_id"),
                          ("requests", "requester_id"), ("responses", "respondent_id")):
        frames[table] = tables[table][is_in(tables[table][column], members)]
    return Tables(frames, tables.problems, tables.timezone, tables.titles, tables.labels)
