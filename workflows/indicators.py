"""The indicators of kpis.md, as of a moment: one function set for the dashboard and `cli.py report`.

Rates are fractions in [0, 1] rounded to 4 decimals, hours rounded to 2; a figure whose
denominator is 0 is None (null). Rows the rules refuse are left out (the parser and the
derivation already drop them).
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from workflows.hours import credited_entries, hours_by_person, within
from workflows.settings import deadline_days, number_setting, term
from workflows.signup import Derivation
from workflows.surveys import latest_submissions
from workflows.tables import active_people, is_in

PARTY = ("party_member", "probationary_member")
OPEN_REQUEST = ("submitted", "accepted", "assigned", "reopened")
DONE_REQUEST = ("resolved", "closed")


def rate(numerator: float, denominator: float) -> float | None:
    return None if not denominator else round(numerator / denominator, 4)


def _mean(values: pd.Series, digits: int = 2) -> float | None:
    values = values.dropna()
    return None if values.empty else round(float(values.mean()), digits)


def party_members(tables) -> pd.DataFrame:
    people = active_people(tables)
    return people[people["political_status"].isin(PARTY)]


def due_dates(tables) -> pd.Series:
    """Each request's due_at, defaulted to submitted_at + the category's deadline (settings)."""
    requests = tables["requests"]
    categories = requests["category"].unique()  # the settings are looked up once per category, not per request
    days = requests["category"].map(dict(zip(categories, (deadline_days(tables, c) for c in categories))))
    defaults = requests["submitted_at"] + pd.to_timedelta(days, unit="D")
    return requests["due_at"].fillna(defaults)


def held_activities(tables, as_of: dt.datetime) -> pd.DataFrame:
    activities = tables["activities"]
    return activities[(activities["status"] != "cancelled") & (activities["ends_at"] <= as_of)]


def indicators(tables, derivation: Derivation, as_of: dt.datetime) -> dict:
    """Every key of kpis.md (without as_of and by_branch, see `report`)."""
    people, party = active_people(tables), party_members(tables)
    registered = len(people)
    entries = credited_entries(tables, derivation, as_of)
    hours = hours_by_person(entries, tables["people"])
    figures = {
        "volunteers_registered": registered,
        "volunteers_serving": int((hours.reindex(people["person_id"]) > 0).sum()),
        "hours_total": round(float(hours.sum()), 2),
        "hours_avg": None if not registered else round(float(hours.sum()) / registered, 2),
        "party_share": rate(len(party), registered),
        "league_share": rate(int((people["political_status"] == "league_member").sum()), registered),
    }
    figures.update(_activity_figures(tables, derivation, as_of, people, entries))
    figures.update(_request_figures(tables, as_of))
    figures.update(_network_figures(tables, derivation, as_of, people, party))
    figures.update(_survey_figures(tables, as_of))
    actions = tables["actions"]
    figures["actions_done_rate"] = rate(int((actions["status"] == "done").sum()), len(actions))
    return figures


def _activity_figures(tables, derivation, as_of, people, entries) -> dict:
    held = held_activities(tables, as_of)["activity_id"]
    rosters = [derivation.roster(a) for a in held]
    confirmed = sum(len(r.confirmed) for r in rosters)
    showed_up = sum(len(set(r.confirmed) & set(r.attended)) for r in rosters)
    attendees = {p for r in rosters for p in r.attended}
    approved = set(entries["person_id"][entries["kind"] == "entry"])  # their credited hours rows, as of then
    participating = is_in(people["person_id"], attendees | approved).sum()
    return {"activities_held": len(held), "signups_confirmed": confirmed,
            "attendance_rate": rate(showed_up, confirmed),
            "participation_rate": rate(int(participating), len(people))}


def _request_figures(tables, as_of) -> dict:
    requests = tables["requests"].assign(due=due_dates(tables))
    received = requests[requests["submitted_at"] <= as_of]
    not_rejected = received[received["status"] != "rejected"]
    done = received["status"].isin(DONE_REQUEST)
    resolved = received[received["resolved_at"].notna() & (received["resolved_at"] <= as_of)]
    rated = received[received["rating"].notna()]
    wishes = received[received["kind"] == "wish"]
    return {
        "requests_received": len(received),
        "response_rate": rate(int((received["status"] != "submitted").sum()), len(received)),
        "resolution_rate": rate(int(done.sum()), len(not_rejected)),
        "on_time_rate": rate(int((resolved["resolved_at"] <= resolved["due"]).sum()), len(resolved)),
        "overdue_open": int((received["status"].isin(OPEN_REQUEST) & (received["due"] < as_of)).sum()),
        "satisfaction_avg": _mean(rated["rating"].astype(float)),
        "satisfaction_rate": rate(int((rated["rating"] >= 4).sum()), len(rated)),
        "wishes_collected": len(wishes),
        "wishes_fulfilled": int(wishes["status"].isin(DONE_REQUEST).sum()),
    }


def _network_figures(tables, derivation, as_of, people, party) -> dict:
    housed = people[(people["building"] != "") & (people["floor"] != "")]
    covered_floors = set(zip(party["building"], party["floor"]))
    covered = sum((b, f) in covered_floors for b, f in zip(housed["building"], housed["floor"]))
    start, end = term(tables)
    entries = within(credited_entries(tables, derivation, as_of), start, end)
    in_term = hours_by_person(entries, party)
    compliant = int((in_term >= number_setting(tables, "compliance_hours")).sum())
    return {"coverage_rate": rate(covered, len(housed)), "compliance_rate": rate(compliant, len(party))}


def _survey_figures(tables, as_of) -> dict:
    responses = latest_submissions(tables["responses"][tables["responses"]["submitted_at"] <= as_of])
    submissions = responses.drop_duplicates(["survey_id", "who"])
    surveys, questions = tables["surveys"], tables["questions"]
    feedback = set(surveys.loc[surveys["kind"] == "feedback", "survey_id"])
    rating = questions[questions["type"] == "rating"]
    rating_questions = set(zip(rating["survey_id"], rating["question_id"]))
    is_rating = pd.Series([s in feedback and (s, q) in rating_questions
                           for s, q in zip(responses["survey_id"], responses["question_id"])],
                          index=responses.index, dtype=bool)
    rated = responses[is_rating]
    ratings = pd.to_numeric(rated["answer"], errors="coerce")
    return {"survey_submissions": len(submissions),
            "survey_rating_avg": _mean(ratings[(ratings >= 1) & (ratings <= 5)])}


def by_branch(tables, derivation: Derivation, as_of: dt.datetime) -> dict:
    people = tables["people"]
    hours = hours_by_person(credited_entries(tables, derivation, as_of), people)
    hours_total = pd.Series(hours.to_numpy(), index=people["branch"].to_numpy()).groupby(level=0).sum()
    active = active_people(tables)
    members = active.groupby("branch")["political_status"]
    counts, party = members.size(), members.agg(lambda status: int(status.isin(PARTY).sum()))
    return {branch: {"volunteers": int(counts[branch]), "hours_total": round(float(hours_total.get(branch, 0.0)), 2),
                     "party_share": rate(int(party[branch]), int(counts[branch]))}
            for branch in sorted(b for b in counts.index if b)}


def report(tables, derivation: Derivation, as_of: dt.datetime) -> dict:
    """The object `cli.py report --json` prints: every indicator, as_of and by_branch."""
    moment = as_of.replace(tzinfo=ZoneInfo(tables.timezone)).isoformat(timespec="seconds")
    return {"as_of": moment, **indicators(tables, derivation, as_of), "by_branch": by_branch(tables, derivation, as_of)}
