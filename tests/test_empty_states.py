"""Every page has an empty state: no activities, no requests, no surveys, a person with no records.

Regression tests for pages that crashed on an empty table (a frame without rows lost its column
types), and for enum cells that did not parse reaching a label or a sort.
"""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest

from tests.test_hand_edits import as_grids, run_every_page, small_workbook, sqlite_workbook
from demo.codes import DEMO_CODES

VOLUNTEER, COORDINATOR, LEADER = (p for p, *_ in DEMO_CODES)
NOW = dt.datetime.now().replace(microsecond=0, second=0)


@pytest.fixture
def app_env(monkeypatch):
    monkeypatch.setenv("WORKBOOK_URL", "")


def only(tables: dict, *keep: str) -> dict:
    """The small workbook with only the named tables holding rows (the others: just their header)."""
    return {key: (rows if key in keep else []) for key, rows in tables.items()}


def test_every_page_runs_for_every_role_with_only_people_and_settings(app_env):
    grids = as_grids(only(small_workbook(NOW), "people", "settings", "_access_codes"))
    run_every_page(sqlite_workbook(grids))


def test_every_page_runs_for_every_role_when_nothing_is_upcoming_and_nobody_signed_up(app_env):
    tables = small_workbook(NOW)
    past = [{**a, "starts_at": "2020-03-01 09:00", "ends_at": "2020-03-01 11:00", "signup_deadline": ""}
            for a in tables["activities"]]
    grids = as_grids({**only(tables, "people", "settings", "_access_codes", "requests", "surveys", "questions"),
                      "activities": past})
    run_every_page(sqlite_workbook(grids))


def test_every_page_runs_for_every_role_when_upcoming_activities_have_no_sign_ups(app_env):
    tables = small_workbook(NOW)
    grids = as_grids(only(tables, "people", "settings", "_access_codes", "activities"))
    run_every_page(sqlite_workbook(grids))


# -- the workflows behind those pages keep their column types when they have no row -------
def test_the_activity_listing_with_nothing_upcoming_keeps_its_date_columns():
    from tests.builders import activity, people, tables
    from workflows.listing import activity_listing, my_activities
    from workflows.signup import derive

    parsed = tables(people=people("P1"), activities=[activity(starts="2020-01-01 09:00", ends="2020-01-01 10:00")])
    listing = activity_listing(parsed, derive(parsed), NOW, "P1")
    assert listing.empty and list(listing["starts_at"].dt.date) == []
    mine = my_activities(parsed, derive(parsed), "P1")
    assert mine.empty and str(mine["starts_at"].dtype).startswith("datetime64")


def test_credited_hours_of_nobody_are_a_typed_empty_table_and_the_trends_are_empty():
    from tests.builders import people, tables
    from workflows.hours import credited_entries
    from workflows.series import trends
    from workflows.signup import derive

    parsed = tables(people=people("P1"))
    entries = credited_entries(parsed, derive(parsed), NOW)
    assert entries.empty and str(entries["date"].dtype).startswith("datetime64") and entries["hours"].dtype == float
    assert trends(parsed, derive(parsed), NOW).empty


def test_the_roster_of_an_activity_nobody_signed_up_for_is_a_typed_empty_table():
    from workflows.roster_view import roster_rows
    from workflows.signup import Roster

    rows = roster_rows(Roster([], [], []), pd.DataFrame(columns=["person_id", "name", "branch"]))
    assert rows.empty and rows["attended"].dtype == bool


@pytest.mark.parametrize("value", [None, float("nan"), "", "not_a_status"])
def test_an_enum_cell_that_did_not_parse_shows_as_a_dash(value):
    from ui.messages import choice_text

    assert choice_text("action_status", value) == "—"
    assert choice_text("action_status", "done") != "—"


def test_a_yes_no_cell_of_a_survey_that_did_not_parse_reaches_no_if_and_keeps_answers_anonymous():
    from tests.builders import people, tables
    from workflows.signup import derive
    from workflows.surveys import questions_of, submission_rows, surveys_for

    parsed = tables(people=people("P1"),
                    surveys=[{"survey_id": "SV1", "title": "调研", "kind": "needs", "anonymous": "也许", "status": "open"}],
                    questions=[{"survey_id": "SV1", "question_id": "Q1", "text": "建议", "type": "text",
                                "required": "大概"}])
    assert [p.code for p in parsed.problems] == ["cell.not_bool", "cell.not_bool"]
    assert list(surveys_for(parsed, derive(parsed), "P1", NOW)["anonymous"]) == [True]
    assert list(questions_of(parsed, "SV1")["required"]) == [False]
    rows = submission_rows(parsed, derive(parsed), "SV1", "P1", {"Q1": "多办讲座"}, NOW)
    assert [r["respondent_id"] for r in rows] == [""]


def test_an_unparsable_request_or_action_status_reaches_no_label_and_no_sort(app_env):
    from streamlit.testing.v1 import AppTest

    from tests.test_hand_edits import APP

    tables = small_workbook(NOW)  # every second request, every action, activity and hours row: a status that does not parse
    tables["requests"] = [{**r, "status": "乱填"} if n % 2 else r for n, r in enumerate(tables["requests"])]
    tables["actions"] = [{**a, "status": "进行中？"} for a in tables["actions"]]
    tables["activities"] = [{**a, "status": "暂停"} for a in tables["activities"]]
    tables["hours"] = [{**h, "status": "待定"} for h in tables["hours"]]
    os.environ["WORKBOOK_URL"] = sqlite_workbook(as_grids(tables))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["person_id"] = COORDINATOR
    at.run()
    for page in ("request_board", "survey_admin", "manage_activities", "hours_review"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
