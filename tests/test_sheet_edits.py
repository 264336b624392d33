"""Editing a table in the browser: checked cells, targeted writes, collisions, audit and revert."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from connectors.live import LiveWorkbook
from connectors.parsing import parse_snapshot
from services.sheet_edits import overwrite, revert, save
from workflows.access import Viewer
from workflows.sheet_edits import plan_edits

C1 = Viewer("C1", "协调员", "coordinator", "一支部")

NOW = dt.datetime(2025, 12, 1, 12, 0)
APP = str(Path(__file__).resolve().parent.parent / "app.py")
SHOWN = [{"_row": 2, "activity_id": "A1", "title": "义诊", "starts_at": "2025-12-05 09:00",
          "ends_at": "2025-12-05 11:00", "capacity": "三十", "location": "1号楼", "status": "open"}]
EDITABLE = {"title", "starts_at", "ends_at", "capacity", "status", "location"}


def test_each_cell_is_checked_with_the_parsing_of_validate():
    plan = plan_edits("activities", SHOWN, {0: {"capacity": "30", "ends_at": "明天", "title": ""}}, [], [0],
                      EDITABLE, "Asia/Shanghai", NOW)
    assert plan.updates == [({"activity_id": "A1"}, {"capacity": "30"}, {"capacity": "三十"})]
    assert {(column, why[0]) for _, column, _, why in plan.refused} == {
        ("ends_at", "not_datetime"), ("title", "required"), ("", "no_delete")}


def test_ids_and_columns_not_offered_cannot_be_changed_and_new_rows_are_checked_whole():
    plan = plan_edits("activities", SHOWN, {0: {"activity_id": "B9", "checkin_code": "X"}},
                      [{"title": "新活动", "starts_at": "2025-12-09 09:00", "ends_at": "2025-12-09 10:00"},
                       {"title": "缺时间"}], [], EDITABLE, "Asia/Shanghai", NOW)
    assert [why[0] for _, _, _, why in plan.refused[:2]] == ["not_editable", "not_editable"]
    assert len(plan.appends) == 1 and plan.appends[0]["activity_id"].startswith("A")
    assert {column for row, column, _, _ in plan.refused if row == "+2"} == {"starts_at", "ends_at"}


def activity_row(workbook):
    workbook.ensure_schema()
    workbook.append("activities", [{"activity_id": "A1", "title": "义诊", "starts_at": "2025-12-05 09:00",
                                    "ends_at": "2025-12-05 11:00", "capacity": "三十", "location": "1号楼"}])
    return LiveWorkbook(workbook, interval_seconds=0)


def test_saving_writes_only_the_changed_cells_and_logs_them(backend, workbook):
    live = activity_row(workbook)
    before = backend.grid("activities")
    plan = plan_edits("activities", SHOWN, {0: {"capacity": "30"}}, [], [], EDITABLE, "Asia/Shanghai", NOW)
    if backend.name == "sheets":
        backend.fake.reset_log()
    assert save(live, C1, "activities", plan, lambda: NOW) == []
    after = backend.grid("activities")
    column = after[0].index("名额")
    assert after[1][column] == "30" and [r[:column] + r[column + 1:] for r in after] == \
        [r[:column] + r[column + 1:] for r in before]
    if backend.name == "sheets":
        writes = [e for e in backend.fake.log if e["kind"] in ("values_batch_update", "values_update", "values_clear")]
        assert [w["body"]["data"] for w in writes if w["kind"] == "values_batch_update"] == [
            [{"range": "'activities'!H2", "values": [["30"]]}]]
    audit = parse_snapshot(workbook.snapshot())["_audit"]
    assert list(audit[["actor", "record", "column", "old", "new"]].itertuples(index=False, name=None)) == [
        ("C1", "activity_id=A1", "capacity", "三十", "30")]


def test_an_uploaded_excel_file_keeps_its_own_columns_as_extra_columns_of_the_sheet(backend, workbook):
    from documents.spreadsheets import SheetFile, xlsx_bytes
    from services.sheet_edits import apply_upload, plan_upload

    live = activity_row(workbook)
    upload = xlsx_bytes([SheetFile("活动", ["活动编号", "活动名称", "开始时间", "结束时间", "负责老师"],
                                   [["A1", "义诊", "2025-12-05 09:00", "2025-12-05 11:00", "王老师"],
                                    ["A2", "讲座", "2025-12-06 09:00", "2025-12-06 11:00", "李老师"]])])
    preview = plan_upload(live, C1, "activities", upload)
    plan = preview.plan
    assert (plan.extra_columns, plan.ignored_columns) == (["负责老师"], [])
    assert plan.updates == [({"activity_id": "A1"}, {"负责老师": "王老师"})] and len(plan.appends) == 1
    apply_upload(live, C1, "activities", preview, lambda: NOW)
    grid = backend.grid("activities")
    column = grid[0].index("负责老师")
    assert [(row[0], row[column]) for row in grid[1:]] == [("A1", "王老师"), ("A2", "李老师")]
    audit = parse_snapshot(workbook.snapshot())["_audit"]
    assert ("activity_id=A1", "负责老师", "", "王老师") in set(audit[["record", "column", "old", "new"]].itertuples(
        index=False, name=None))


def test_a_cell_changed_by_someone_else_meanwhile_is_not_overwritten_without_asking(workbook):
    live = activity_row(workbook)
    workbook.update("activities", {"activity_id": "A1"}, {"capacity": "25"})  # another coordinator, or the sheet
    plan = plan_edits("activities", SHOWN, {0: {"capacity": "30", "location": "2号楼"}}, [], [], EDITABLE,
                      "Asia/Shanghai", NOW)
    collisions = save(live, C1, "activities", plan, lambda: NOW)
    assert [(c.column, c.shown, c.theirs, c.mine) for c in collisions] == [("capacity", "三十", "25", "30")]
    frame = parse_snapshot(workbook.snapshot())["activities"]
    assert (frame.loc[0, "capacity"], frame.loc[0, "location"]) == (25, "1号楼")  # nothing of that row written
    overwrite(live, C1, "activities", collisions[0], lambda: NOW)
    assert parse_snapshot(workbook.snapshot())["activities"].loc[0, "capacity"] == 30


def test_a_change_can_be_reverted_unless_the_cell_changed_again(workbook):
    live = activity_row(workbook)
    plan = plan_edits("activities", SHOWN, {0: {"capacity": "30"}}, [], [], EDITABLE, "Asia/Shanghai", NOW)
    save(live, C1, "activities", plan, lambda: NOW)
    change = parse_snapshot(workbook.snapshot())["_audit"].iloc[0].to_dict()
    revert(live, C1, change["audit_id"], lambda: NOW)
    assert workbook.snapshot().sheets["activities"].rows[0][7] == "三十"
    from services.outcomes import Refused

    with pytest.raises(Refused):
        revert(live, C1, change["audit_id"], lambda: NOW)  # it no longer holds "30"


def demo_workbook(tmp_path, monkeypatch):
    """The demo college in a fresh workbook, which the app is pointed at."""
    from connectors.sqlite_workbook import SqliteWorkbook
    from demo.codes import load_demo_rows
    from workflows.clock import local_now

    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    book = SqliteWorkbook(url)
    book.ensure_schema()
    for table, rows in load_demo_rows(local_now("Asia/Shanghai").replace(microsecond=0)):
        book.append(table, rows)
    monkeypatch.setenv("WORKBOOK_URL", url)
    return book


def test_a_coordinator_fixes_a_bad_cell_and_adds_an_activity_in_the_browser(tmp_path, monkeypatch):
    from workflows.clock import local_now
    from demo.codes import DEMO_CODES

    book = demo_workbook(tmp_path, monkeypatch)
    tables = parse_snapshot(book.snapshot())
    branch = tables["people"].set_index("person_id").loc[DEMO_CODES[1][0], "branch"]
    first = tables["activities"][tables["activities"]["branch"] == branch].iloc[0]["activity_id"]
    book.update("activities", {"activity_id": first}, {"capacity": "三十"})  # a hand edit gone wrong
    coordinator = DEMO_CODES[1][0]
    at = AppTest.from_file(APP, default_timeout=60)
    at.context = {"locale": "zh-CN"}
    at.session_state["person_id"] = coordinator
    at.run()
    at.switch_page("pages/data.py").run()
    assert "三十" in at.main.dataframe[0].value.to_csv()
    at.switch_page("pages/sheets.py").run()
    at.selectbox(key="sheet-table").set_value("activities").run()
    index = next(i for i, r in enumerate(parse_snapshot(book.snapshot())["activities"]["activity_id"]) if r == first)
    start = local_now("Asia/Shanghai") + dt.timedelta(days=3)
    at.session_state["sheet-activities-0"] = {
        "edited_rows": {index: {"capacity": "30"}}, "deleted_rows": [],
        "added_rows": [{"title": "浏览器里加的活动", "starts_at": f"{start:%Y-%m-%d} 09:00",
                        "ends_at": f"{start:%Y-%m-%d} 11:00", "capacity": "10", "status": "open"}]}
    next(b for b in at.button if b.label == "保存修改").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("已保存：修改 1 行，新增 1 行")
    at.switch_page("pages/data.py").run()
    assert not at.main.dataframe or "三十" not in at.main.dataframe[0].value.to_csv()
    volunteer = AppTest.from_file(APP, default_timeout=60)
    volunteer.session_state["person_id"] = DEMO_CODES[0][0]
    volunteer.run()
    volunteer.switch_page("pages/activities.py").run()
    assert any("浏览器里加的活动" in m.value for m in volunteer.markdown)


def test_a_coordinator_searches_the_sheet_and_edits_the_row_found(tmp_path, monkeypatch):
    """The editor shows only the rows holding the searched text; an edit of the first row shown
    changes that row of the sheet, not the sheet's first row."""
    from demo.codes import DEMO_CODES

    book = demo_workbook(tmp_path, monkeypatch)
    tables = parse_snapshot(book.snapshot())
    coordinator = DEMO_CODES[1][0]
    branch = tables["people"].set_index("person_id").loc[coordinator, "branch"]
    mine = tables["activities"][tables["activities"]["branch"] == branch]
    wanted = mine.iloc[-1]
    at = AppTest.from_file(APP, default_timeout=60)
    at.context = {"locale": "zh-CN"}
    at.session_state["person_id"] = coordinator
    at.run()
    at.switch_page("pages/sheets.py").run()
    at.selectbox(key="sheet-table").set_value("activities").run()
    at.text_input(key="search-activities").set_value(wanted["activity_id"]).run()
    assert any(caption.value.startswith("共 1 行") for caption in at.caption)
    at.session_state["sheet-activities-0"] = {"edited_rows": {0: {"capacity": "77"}}, "deleted_rows": [], "added_rows": []}
    next(b for b in at.button if b.label == "保存修改").click().run()
    assert not at.exception, at.exception
    after = parse_snapshot(book.snapshot())["activities"].set_index("activity_id")["capacity"]
    assert after[wanted["activity_id"]] == 77
    assert (after.drop(wanted["activity_id"]) != 77).all()
