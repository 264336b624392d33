"""Data problems are codes + parameters: English for the CLI, the page's language on the Data page."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from connectors.parsing import parse_snapshot
from connectors.sheet import RawSheet, Snapshot
from tests.builders import activity, people, signup
from tests.pages import open_page, workbook  # noqa: F401 - a fixture
from ui.i18n import CATALOG
from ui.messages import problem_key
from demo.codes import DEMO_CODES
from workflows.problems import PROBLEM_MESSAGES, Problem
from workflows.schema import ALL_TABLES, table
from workflows.validation import data_problems

PLACEHOLDER = re.compile(r"\{(\w+)\}")
_, COORDINATOR, _ = (p for p, *_ in DEMO_CODES)


def sheet(key: str, rows: list[dict], header: list[str] | None = None) -> RawSheet:
    header = header or list(table(key).column_keys)
    return RawSheet(key, header, [[str(row.get(column, "")) for column in header] for row in rows])


def broken_workbook() -> Snapshot:
    """A workbook with one of every kind of data problem."""
    checkin = {"activity_id": "A1", "method": "code"}
    sheets = {
        "settings": sheet("settings", [{"key": "timezone", "value": "Mars/Olympus"}]),
        "people": sheet("people", people("1", "2") + people("2", name="又一个") + people("3", active="否")),
        "activities": sheet("activities", [
            activity("A1", capacity="1", signup_deadline="2025-11-12 00:00"),
            activity("A2", starts="2025-11-20 10:00", ends="2025-11-20 12:00"),
            activity("A3", starts="2025-11-20 12:00", ends="2025-11-20 08:00"),
            activity("A4", title="")]),
        "signups": sheet("signups", [
            signup(1, "1", "A1"), signup(2, "2", "A1", at="2025-11-10 10:01"), signup(3, "1", "A2"),
            signup(4, "3", "A1"), signup(5, "1", "A1", at="2025-11-13 10:00"),
            signup(6, "404", "A1"), signup(7, "1", "A9")]),
        "checkins": sheet("checkins", [
            {"checkin_id": "C1", "person_id": "2", "at": "2025-11-20 09:10", **checkin},
            {"checkin_id": "C2", "person_id": "1", "at": "2025-11-21 09:10", **checkin}]),
        "hours": sheet("hours", [
            {"entry_id": "H1", "person_id": "1", "date": "2025-11-20", "hours": "-1", "source": "self_report"},
            {"entry_id": "H2", "person_id": "1", "date": "2025-11-20", "hours": "三"},
            {"entry_id": "H3", "person_id": "1", "date": "2025-11-20", "hours": "30", "source": "self_report"},
            {"entry_id": "H4", "person_id": "1", "date": "2025-11-20", "hours": "0", "source": "adjustment"}]),
        "surveys": sheet("surveys", [], header=["survey_id"]),
    }
    for spec in ALL_TABLES:
        if spec.key not in ("requests", *sheets):
            sheets[spec.key] = sheet(spec.key, [])
    return Snapshot(sheets, dt.datetime(2025, 11, 15, 12, 0))


def test_every_problem_code_has_a_chinese_and_an_english_sentence_with_the_same_parameters():
    for code, english in PROBLEM_MESSAGES.items():
        texts = CATALOG[problem_key(code)]
        for language in ("zh", "en"):
            assert set(PLACEHOLDER.findall(texts[language])) == set(PLACEHOLDER.findall(english)), (code, language)


def test_a_broken_workbook_shows_every_kind_of_problem_with_a_registered_code():
    problems = data_problems(parse_snapshot(broken_workbook()))
    codes = {p.code for p in problems}
    assert {code for code in PROBLEM_MESSAGES if not code.startswith("cell.")} <= codes
    assert "cell.not_number" in codes
    for p in problems:  # each formats in English and in the catalog with its own parameters
        assert p.problem and CATALOG[problem_key(p.code)]["zh"].format(**p.params)


def test_a_problem_keeps_the_cli_keys_and_adds_its_code_and_parameters():
    problem = Problem("hours", 3, "时长", "三", "cell.not_number")
    assert problem.as_dict() == {"sheet": "hours", "row": 3, "column": "时长", "value": "三",
                                 "problem": "not a number", "code": "cell.not_number", "params": {}}
    duplicate = Problem("people", 4, "学号", "2", "duplicate_id", {"first_row": 3})
    assert duplicate.problem == "duplicate ID (first in row 3); this row is ignored"
    assert {problem, duplicate} == {duplicate, problem}  # hashable


def test_a_problem_with_an_unregistered_code_is_refused_at_once():
    with pytest.raises(ValueError):
        Problem("hours", 3, "时长", "三", "something odd")


@pytest.mark.parametrize("locale, expected", [("zh-CN", "不是数字"), ("en-US", "not a number")])
def test_the_data_page_shows_a_bad_cell_in_the_pages_language(workbook, locale, expected):  # noqa: F811
    workbook.append("hours", [{"entry_id": "H-BAD", "person_id": COORDINATOR, "date": "2025-11-20",
                               "hours": "三", "source": "self_report", "status": "pending"}])
    at = open_page("pages/data.py", COORDINATOR, locale=locale)
    assert not at.exception
    problems = at.dataframe[0].value
    bad = problems[problems.iloc[:, 3] == "三"]
    assert list(bad.iloc[:, 4]) == [expected]
