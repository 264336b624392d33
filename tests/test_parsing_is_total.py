"""Parsing is total and bounded: any text in any cell is a value or a per-cell problem, never a crash.

Regression tests for cells that crashed every page and command of a real college's workbook.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from connectors.parsing import parse_sheet, parse_snapshot
from connectors.sheet import RawSheet, Snapshot
from tests.builders import activity, people, tables
from workflows.cells import BadCell, parse_cell
from workflows.indicators import due_dates
from workflows.schema import ALL_TABLES, table
from workflows.settings import deadline_days, number_setting

TZ = ZoneInfo("Asia/Shanghai")
activities = table("activities")


@pytest.mark.parametrize("text", ["1e19", "1e308", "1000000001", "-1e308"])
def test_a_capacity_too_large_to_hold_is_a_bad_cell_not_a_cast_error(text):
    with pytest.raises(BadCell) as bad:
        parse_cell(text, activities.column("capacity"), TZ)
    assert bad.value.code in ("too_large", "too_small")


def test_a_huge_capacity_reads_as_an_empty_cell_with_a_problem():
    parsed = tables(activities=[activity(capacity="1e19")])
    assert parsed["activities"]["capacity"].isna().all() and str(parsed["activities"]["capacity"].dtype) == "Int64"
    assert [(p.code, p.params) for p in parsed.problems] == [("cell.too_large", {"limit": "1000000000"})]


def test_numbers_stay_within_ten_million_and_whole_numbers_within_a_billion():
    hours = table("_certificates").column("hours")  # a number column without bounds of its own
    assert parse_cell("9999999", hours, TZ) == 9999999
    with pytest.raises(BadCell, match="at most 10000000"):
        parse_cell("1e8", hours, TZ)
    assert parse_cell("1000000000", activities.column("capacity"), TZ) == 10**9


@pytest.mark.parametrize("text, code", [
    ("9999-12-31 23:59-05:00", "too_large"),  # raised OverflowError in the time-zone conversion
    ("2200-12-31 23:59-05:00", "too_large"),  # a valid date that becomes 2201 in the workbook's time zone
    ("2025-03-07T09:30+99:00", "not_real_datetime"),  # an offset of 99 hours
    ("1899-12-31 08:00", "too_small"),
    ("0001-01-01", "too_small"),
])
def test_date_times_out_of_range_are_bad_cells(text, code):
    with pytest.raises(BadCell) as bad:
        parse_cell(text, activities.column("starts_at"), TZ)
    assert bad.value.code == code


def test_dates_between_1900_and_2200_are_accepted_and_others_are_reported():
    joined = table("people").column("joined_on")
    assert parse_cell("1900-01-01", joined, TZ) == dt.date(1900, 1, 1)
    assert parse_cell("2200-12-31", joined, TZ) == dt.date(2200, 12, 31)
    with pytest.raises(BadCell, match="2200-12-31"):
        parse_cell("2201-01-01", joined, TZ)


@given(text=st.text(max_size=40))
def test_any_text_in_any_typed_column_parses_or_is_a_bad_cell(text):
    for spec in ALL_TABLES:
        for column in spec.columns:
            try:
                parse_cell(text, column, TZ)
            except BadCell:
                pass


def test_any_cell_of_any_table_survives_the_first_read():
    nasty = ["9999-12-31 23:59-05:00", "1e308", "1e19", "NaN", "-inf", "2025-13-40", "三", "=1/0", "x" * 5000]
    sheets = {spec.key: RawSheet(spec.key, spec.header("zh"), [[value] * len(spec.columns) for value in nasty])
              for spec in ALL_TABLES}
    parsed = parse_snapshot(Snapshot(sheets, dt.datetime(2025, 1, 1)))
    assert parsed.problems


@pytest.mark.parametrize("id_column, spec", [("entry_id", "hours"), ("key", "settings"), ("signup_id", "signups"),
                                             ("event_id", "request_events")])
def test_a_renamed_id_column_is_a_missing_column_problem_and_the_table_reads_empty(id_column, spec):
    spec = table(spec)
    header = ["编号（改）" if key == id_column else spec.column(key).zh for key in spec.column_keys]
    frame, problems = parse_sheet(spec, RawSheet(spec.zh, header, [["x"] * len(header)] * 3), TZ)
    assert [(p.code, p.params["column"], p.row) for p in problems] == [("column_missing", id_column, 1)]
    assert frame.empty and list(frame.columns) == ["_row", *spec.column_keys]
    assert str(frame["_row"].dtype) == "int64"


def test_a_dropped_required_column_leaves_the_other_tables_read():
    spec = table("hours")
    header = [spec.column(k).zh for k in spec.column_keys if k != "hours"]  # 时长 deleted
    sheets = {"hours": RawSheet("时长", header, [["H1", "P1", "", "2025-03-07"]]),
              "people": RawSheet("成员", table("people").header("zh"), [["P1", "张三", "", "", "", "群众"]])}
    parsed = parse_snapshot(Snapshot(sheets, dt.datetime(2025, 1, 1)))
    assert parsed["hours"].empty and str(parsed["hours"]["hours"].dtype) == "Float64"
    assert list(parsed["people"]["person_id"]) == ["P1"]
    assert ("column_missing", "hours") in [(p.code, p.params.get("column")) for p in parsed.problems]


@pytest.mark.parametrize("zone", ["Asia", "Mars/Olympus", "a" * 300, "../etc"])
def test_a_time_zone_setting_that_names_no_zone_falls_back_with_a_problem(zone):
    sheets = {"settings": RawSheet("设置", ["参数", "值"], [["timezone", zone]])}
    parsed = parse_snapshot(Snapshot(sheets, dt.datetime(2025, 1, 1)))
    assert parsed.timezone == "Asia/Shanghai"
    assert "unknown_time_zone" in [p.code for p in parsed.problems]


def test_numeric_settings_out_of_bounds_fall_back_to_their_defaults():
    settings = [{"key": "points.per_hour", "value": "1e308"}, {"key": "deadline_days.维修", "value": "1e7"},
                {"key": "rating_window_days", "value": "99999999"}]
    parsed = tables(settings=settings, people=people("P1"),
                    requests=[{"request_id": "R1", "title": "修灯", "category": "维修",
                               "submitted_at": "2025-03-07 09:00"}])
    assert number_setting(parsed, "points.per_hour") == 10
    assert number_setting(parsed, "rating_window_days") == 7
    assert deadline_days(parsed, "维修") == 3
    assert due_dates(parsed).iloc[0] == dt.datetime(2025, 3, 10, 9, 0)
