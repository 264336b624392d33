"""Parsing cells a person typed: what is accepted, what is reported."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from workflows.cells import BadCell, format_datetime, parse_cell
from workflows.headers import column_positions, normalise
from workflows.schema import table

TZ = ZoneInfo("Asia/Shanghai")
people, activities = table("people"), table("activities")


@pytest.mark.parametrize("text", ["2025-03-07", "2025/3/7", "2025.3.7", " ２０２５-０３-０７ "])
def test_dates_are_accepted_in_the_forms_people_type(text):
    assert parse_cell(text, people.column("joined_on"), TZ) == dt.date(2025, 3, 7)


@pytest.mark.parametrize("text", ["2025-13-40", "07/03/2025", "三月七日", "2025-02-30"])
def test_impossible_or_ambiguous_dates_are_refused(text):
    with pytest.raises(BadCell):
        parse_cell(text, people.column("joined_on"), TZ)


@pytest.mark.parametrize("text, expected", [
    ("2025-03-07 09:30", dt.datetime(2025, 3, 7, 9, 30)),
    ("2025-03-07 09:30:15", dt.datetime(2025, 3, 7, 9, 30, 15)),
    ("2025/3/7 9:30", dt.datetime(2025, 3, 7, 9, 30)),
    ("2025-03-07T01:30:00Z", dt.datetime(2025, 3, 7, 9, 30)),
    ("2025-03-07T09:30:00+08:00", dt.datetime(2025, 3, 7, 9, 30)),
    ("2025-03-07", dt.datetime(2025, 3, 7)),
])
def test_date_times_are_local_to_the_workbook_and_offsets_are_converted(text, expected):
    assert parse_cell(text, activities.column("starts_at"), TZ) == expected


def test_the_app_writes_date_times_without_needless_seconds():
    assert format_datetime(dt.datetime(2025, 3, 7, 9, 30)) == "2025-03-07 09:30"
    assert format_datetime(dt.datetime(2025, 3, 7, 9, 30, 5)) == "2025-03-07 09:30:05"


@pytest.mark.parametrize("text, expected", [("否", False), ("no", False), ("FALSE", False), ("0", False),
                                            ("是", True), ("yes", True), ("TRUE", True), ("1", True)])
def test_yes_and_no_in_chinese_and_english(text, expected):
    assert parse_cell(text, people.column("active"), TZ) is expected


def test_an_enum_takes_its_key_or_its_chinese_label():
    column = people.column("political_status")
    assert parse_cell("中共党员", column, TZ) == parse_cell("Party_Member", column, TZ) == "party_member"
    with pytest.raises(BadCell, match="not one of"):
        parse_cell("三好学生", column, TZ)


@pytest.mark.parametrize("text, column, expected", [("30", "capacity", 30), ("30.0", "capacity", 30),
                                                    ("1.5", "hours", 1.5), ("２", "hours", 2.0)])
def test_numbers(text, column, expected):
    assert parse_cell(text, activities.column(column), TZ) == expected


@pytest.mark.parametrize("text, column", [("三十", "capacity"), ("2.5", "capacity"), ("-1", "capacity"),
                                          ("nan", "hours"), ("inf", "hours")])
def test_numbers_that_are_not_numbers_or_out_of_range_are_refused(text, column):
    with pytest.raises(BadCell):
        parse_cell(text, activities.column(column), TZ)


def test_text_is_kept_as_typed_ids_included():
    assert parse_cell("2023012345", people.column("person_id"), TZ) == "2023012345"
    assert parse_cell("=1+1", people.column("name"), TZ) == "=1+1"


def test_headers_match_ignoring_case_spaces_and_full_width_forms():
    assert normalise(" ＰＥＲＳＯＮ_ID ") == normalise("person_id")
    assert column_positions(people, ["姓名 ", "Person_ID", "学号/工号"]) == {"name": 0, "person_id": 1}
