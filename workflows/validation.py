"""The data problems of a workbook: cells that do not parse and rows that break a rule.

Parsing problems come with the tables; the rules over whole rows are checked here. Each
problem names the sheet, row, column and value so a coordinator can find and fix it.
"""
from __future__ import annotations

import pandas as pd

from workflows.hours import SELF_REPORT_LIMIT, source_rule_breaches
from workflows.problems import Problem
from workflows.signup import Derivation, derive
from workflows.tables import ROW, Tables, is_in


def data_problems(tables: Tables, derivation: Derivation | None = None) -> list[Problem]:
    """Every problem of the workbook, in sheet order; `derivation`: the rosters of these tables, when
    they are derived already (the sign-up and check-in rows the rules refuse are among the problems)."""
    found = list(tables.problems)
    for check in (_activities_end_after_start, _hours_within_the_bounds_of_their_source,
                  _unknown_references):
        found.extend(check(tables))
    found.extend((derivation or derive(tables)).problems)
    return sorted(found, key=lambda p: (p.sheet, p.row or 0, p.column))


def _activities_end_after_start(tables: Tables) -> list[Problem]:
    frame = tables["activities"]
    bad = frame[frame["ends_at"].notna() & frame["starts_at"].notna() & (frame["ends_at"] <= frame["starts_at"])]
    return [tables.problem("activities", row, "ends_at", ends_at, "ends_before_start")
            for row, ends_at in zip(bad[ROW], bad["ends_at"])]


def _hours_within_the_bounds_of_their_source(tables: Tables) -> list[Problem]:
    frame = tables["hours"]
    codes = source_rule_breaches(frame)
    bad = codes != ""
    params = {"hours_over_a_day": {"limit": f"{SELF_REPORT_LIMIT:g}"}}
    return [tables.problem("hours", row, "hours", _number(value), code, **params.get(code, {}))
            for row, value, code in zip(frame.loc[bad, ROW], frame.loc[bad, "hours"], codes[bad])]


def _unknown_references(tables: Tables) -> list[Problem]:
    people = set(tables["people"]["person_id"])
    activities = set(tables["activities"]["activity_id"])
    found = []
    for table, column, known in (("signups", "person_id", people), ("signups", "activity_id", activities),
                                 ("checkins", "person_id", people), ("checkins", "activity_id", activities),
                                 ("hours", "person_id", people)):
        frame = tables[table]
        unknown = frame[frame[column].notna() & (frame[column] != "") & ~is_in(frame[column], known)]
        code = "unknown_person" if column == "person_id" else "unknown_activity"
        found.extend(tables.problem(table, row, column, value, code) for row, value in zip(unknown[ROW], unknown[column]))
    return found


def _number(value) -> str:
    return f"{value:g}" if not pd.isna(value) else ""
