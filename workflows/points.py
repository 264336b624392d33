"""Points (积分) and the leaderboard, exactly as kpis.md § Points defines them.

points = per_hour × credited hours + per_attendance × held activities attended
       + per_survey × surveys answered + per_request_resolved × requests resolved as assignee,
rounded to 1 decimal. The leaderboard orders by points, then hours, then person_id; people
with the same points and hours share a rank.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from workflows.hours import credited_entries, hours_by_person
from workflows.settings import number_setting
from workflows.signup import Derivation
from workflows.tables import active_people, is_in

COLUMNS = ["rank", "person_id", "name", "branch", "points", "hours"]


def points_table(tables, derivation: Derivation, as_of: dt.datetime) -> pd.DataFrame:
    """Every active person with their hours, the counts that earn points, and their points."""
    people = active_people(tables)
    hours = hours_by_person(credited_entries(tables, derivation, as_of), people)
    attended = _held_activities_attended(tables, derivation, as_of)
    surveys = _surveys_answered(tables, as_of)
    resolved = _requests_resolved(tables, as_of)
    frame = people[["person_id", "name", "branch"]].assign(
        hours=hours.values,
        attended=people["person_id"].map(attended).fillna(0).astype(int).values,
        surveys=people["person_id"].map(surveys).fillna(0).astype(int).values,
        resolved=people["person_id"].map(resolved).fillna(0).astype(int).values,
    )
    points = (number_setting(tables, "points.per_hour") * frame["hours"]
              + number_setting(tables, "points.per_attendance") * frame["attended"]
              + number_setting(tables, "points.per_survey") * frame["surveys"]
              + number_setting(tables, "points.per_request_resolved") * frame["resolved"])
    return frame.assign(points=points.round(1)).reset_index(drop=True)


def leaderboard(tables, derivation: Derivation, as_of: dt.datetime, top: int | None = None) -> pd.DataFrame:
    frame = ranked(points_table(tables, derivation, as_of))[COLUMNS].reset_index(drop=True)
    return frame.head(top) if top else frame


def ranked(frame: pd.DataFrame) -> pd.DataFrame:
    """Ordered by points, hours (both descending), person_id; `rank` = 1 + how many have more points,
    or as many points and more hours. Linear after the sort: equal (points, hours) sit together, so a
    row's rank is where its group starts."""
    frame = frame.sort_values(["points", "hours", "person_id"], ascending=[False, False, True])
    position = pd.Series(range(1, len(frame) + 1), index=frame.index)
    return frame.assign(rank=position - frame.groupby(["points", "hours"], sort=False).cumcount())


def _held_activities_attended(tables, derivation: Derivation, as_of: dt.datetime) -> pd.Series:
    activities = tables["activities"]
    held = activities[(activities["status"] != "cancelled") & (activities["ends_at"] <= as_of)]["activity_id"]
    attendance = derivation.attendance()
    return attendance["person_id"][is_in(attendance["activity_id"], set(held))].value_counts()


def _surveys_answered(tables, as_of: dt.datetime) -> pd.Series:
    responses = tables["responses"]
    named = responses[(responses["respondent_id"] != "") & (responses["submitted_at"] <= as_of)]
    return named.drop_duplicates(["respondent_id", "survey_id"])["respondent_id"].value_counts()


def _requests_resolved(tables, as_of: dt.datetime) -> pd.Series:
    requests = tables["requests"]
    done = requests[requests["status"].isin(["resolved", "closed"]) & (requests["assignee_id"] != "")
                    & (requests["resolved_at"].isna() | (requests["resolved_at"] <= as_of))]
    return done["assignee_id"].value_counts()
