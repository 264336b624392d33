"""The figures and rosters the pages offer fit Excel users: read back with openpyxl, numbers are
numbers, shares are percentages, yes/no are words, and headers and sheet names are in the page's
language. (`cli.py export` keeps the workbook's cells as they are: tests/test_cli.py.)"""
from __future__ import annotations

import datetime as dt
import io
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from connectors.parsing import parse_snapshot
from documents.spreadsheets import frame_as_sheet, to_csv_text, xlsx_bytes
from tests.pages import demo_workbook
from ui.downloads import dashboard_sheets, roster_sheet
from ui.messages import status_text
from workflows.clock import local_now
from workflows.dashboard import dashboard_figures
from workflows.roster_view import roster_rows
from workflows.signup import derive
from workflows.signup import derive

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    book = demo_workbook(f"sqlite:///{tmp_path_factory.mktemp('downloads') / 'w.sqlite3'}")
    return parse_snapshot(book.snapshot())


def read_back(sheets) -> dict:
    book = load_workbook(io.BytesIO(xlsx_bytes(sheets)))
    return {sheet.title: sheet for sheet in book.worksheets}


def column(sheet, header: str) -> list:
    headers = [cell.value for cell in sheet[1]]
    at = headers.index(header)
    return [row[at] for row in sheet.iter_rows(min_row=2)]


def dashboard_file(tables):
    figures = dashboard_figures(tables, derive(tables), local_now("Asia/Shanghai").replace(tzinfo=None), None, "month", None)
    return dashboard_sheets(figures.tables())


def test_the_dashboard_file_in_chinese_has_chinese_sheet_names_and_headers(tables, monkeypatch):
    monkeypatch.setattr("ui.i18n.language", lambda: "zh")
    book = read_back(dashboard_file(tables))
    assert list(book) == ["指标", "各支部", "趋势", "按政治面貌", "按学院", "楼层覆盖", "未办结诉求", "积分榜"]
    for sheet in book.values():
        headers = [cell.value for cell in sheet[1]]
        assert not [h for h in headers if ENGLISH_WORD.search(h)], (sheet.title, headers)
    names = [cell.value for cell in book["指标"]["A"][1:]]
    assert "注册志愿者" in names and "党员占比" in names and not [n for n in names if ENGLISH_WORD.search(n)]


def test_the_dashboard_file_holds_numbers_as_numbers_and_shares_as_percentages(tables, monkeypatch):
    monkeypatch.setattr("ui.i18n.language", lambda: "zh")
    book = read_back(dashboard_file(tables))
    indicators = {row[0].value: row[1] for row in book["指标"].iter_rows(min_row=2)}
    assert isinstance(indicators["注册志愿者"].value, int) and indicators["注册志愿者"].data_type == "n"
    share = indicators["党员占比"]
    assert isinstance(share.value, float) and 0 < share.value < 1 and share.number_format == "0.0%"
    branches = book["各支部"]
    assert all(cell.number_format == "0.0%" and isinstance(cell.value, float) for cell in column(branches, "党员占比"))
    assert all(isinstance(cell.value, (int, float)) for cell in column(branches, "服务总时长"))
    assert {cell.value for cell in column(book["楼层覆盖"], "已覆盖")} <= {"是", "否"}
    assert {cell.value for cell in column(book["按政治面貌"], "政治面貌")} <= {"中共党员", "中共预备党员", "入党积极分子",
                                                                         "共青团员", "群众"}
    assert all(isinstance(cell.value, dt.datetime) for cell in column(book["未办结诉求"], "提交时间"))
    assert "学号/工号" not in [cell.value for cell in book["积分榜"][1]]  # the leaderboard file names no IDs


def test_the_dashboard_file_in_english_has_english_sheet_names_and_headers(tables, monkeypatch):
    monkeypatch.setattr("ui.i18n.language", lambda: "en")
    book = read_back(dashboard_file(tables))
    assert "Indicators" in book and "By branch" in book
    assert [cell.value for cell in book["By branch"][1]] == ["Branch", "Volunteers", "Total hours", "Party members"]
    assert {cell.value for cell in column(book["Coverage"], "Covered")} <= {"yes", "no"}


def test_the_indicators_csv_shows_shares_as_percentages(tables, monkeypatch):
    monkeypatch.setattr("ui.i18n.language", lambda: "zh")
    text = to_csv_text(dashboard_file(tables)[0])
    assert text.startswith("指标,数值") and re.search(r"党员占比,\d+\.\d%", text)


def test_the_roster_file_has_labelled_columns_a_whole_waitlist_position_and_yes_no(tables, monkeypatch):
    monkeypatch.setattr("ui.i18n.language", lambda: "zh")
    derivation = derive(tables)
    full = next(a for a in tables["activities"]["activity_id"] if derivation.roster(a).waitlisted)
    rows = roster_rows(derivation.roster(full), tables["people"])
    sheet = read_back([roster_sheet(rows, full, status_text)])[full]
    assert [cell.value for cell in sheet[1]] == ["学号/工号", "姓名", "所在支部", "状态", "候补位次", "已签到"]
    positions = [cell.value for cell in column(sheet, "候补位次") if cell.value is not None]
    assert positions and all(isinstance(p, int) for p in positions)
    assert {cell.value for cell in column(sheet, "已签到")} <= {"是", "否"}
    assert all(cell.data_type == "s" for cell in column(sheet, "学号/工号"))  # an ID is text, never a number


def test_a_table_downloaded_from_the_data_page_keeps_its_numbers_and_dates():
    frame = pd.DataFrame({"hours": [2.5, None], "date": [pd.Timestamp("2025-03-07"), pd.NaT], "active": [True, False],
                          "note": ["=1+1", "x"]})
    sheet = read_back([frame_as_sheet("时长", frame, {"hours": "时长", "date": "日期"})])["时长"]
    assert sheet["A2"].value == 2.5 and sheet["A3"].value is None
    assert sheet["B2"].value == dt.datetime(2025, 3, 7) and sheet["B2"].number_format == "yyyy-mm-dd"
    assert (sheet["C2"].value, sheet["C3"].value) == ("是", "否")
    assert sheet["D2"].value == "=1+1" and sheet["D2"].data_type == "s"  # a formula stays text
