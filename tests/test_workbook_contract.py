"""The workbook contract, run against every backend: the embedded SQLite file and Google
Sheets through gspread against the local fake of the Sheets API."""
from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from connectors.parsing import parse_snapshot
from connectors.sheet import Conflict, QueuedForSync, RowNotFound
from workflows.schema import ALL_TABLES, TABLES

NOW = dt.datetime(2025, 11, 20, 10, 0)


def person(person_id: str, name: str = "张三", **more) -> dict[str, str]:
    return {"person_id": person_id, "name": name, "political_status": "party_member", **more}


def people_ids(workbook) -> list[str]:
    return list(parse_snapshot(workbook.snapshot())["people"]["person_id"])


def test_init_creates_every_table_with_chinese_headers_and_is_idempotent(backend):
    assert set(backend.workbook.ensure_schema("zh")) == {t.key for t in ALL_TABLES}
    assert backend.workbook.ensure_schema("zh") == []
    assert backend.grid("people")[0][:2] == ["学号/工号", "姓名"]


def test_every_table_round_trips_through_the_workbook(workbook):
    from demo.college import demo_tables

    tables = demo_tables(NOW)
    for spec in TABLES:
        workbook.append(spec.key, tables[spec.key][:5])
    snapshot = workbook.snapshot()
    for spec in TABLES:
        sheet = snapshot.sheets[spec.key]
        written = [[row.get(k, "") for k in spec.column_keys] for row in tables[spec.key][:5]]
        read = [[sheet.cell(i, j) for j in range(len(spec.columns))] for i in range(len(sheet.rows))]
        assert read == written, spec.key


def test_ids_stay_text(workbook):
    workbook.append("people", [person("2023012345"), person("007")])
    assert people_ids(workbook) == ["2023012345", "007"]


def test_headers_match_by_key_or_chinese_in_any_order_and_extra_columns_survive_writes(backend):
    backend.hand_write_sheet("成员", ["备注", "姓名", "PERSON_ID", "政治面貌", "ｒｏｌｅ"],
                             [["班长", "李四", "1001", "中共党员", "coordinator"]])
    workbook = backend.workbook
    workbook.append("people", [person("1002", "王五", email="w@example.edu.cn")])
    workbook.update("people", {"person_id": "1001"}, {"name": "李四四"})
    grid = backend.grid("成员")
    assert grid[0][:5] == ["备注", "姓名", "PERSON_ID", "政治面貌", "ｒｏｌｅ"]
    assert grid[1][:5] == ["班长", "李四四", "1001", "中共党员", "coordinator"]
    assert grid[2][:4] == ["", "王五", "1002", "party_member"]
    assert "邮箱" in grid[0]  # a column the sheet lacked is added as a header cell, not dropped
    frame = parse_snapshot(workbook.snapshot())["people"]
    assert list(frame["role"]) == ["coordinator", "volunteer"]


def test_blank_rows_are_ignored_and_problems_name_the_row_a_person_sees(backend):
    backend.hand_write_sheet("people", ["person_id", "name", "political_status", "joined_on"],
                             [["1001", "甲", "群众", "2025-03-07"], ["", "", "", ""], ["1002", "乙", "群众", "2025-13-40"]])
    tables = parse_snapshot(backend.workbook.snapshot())
    assert list(tables["people"]["person_id"]) == ["1001", "1002"]
    bad = [p for p in tables.problems if p.sheet == "people"]
    assert [(p.row, p.column, p.value) for p in bad] == [(4, "joined_on", "2025-13-40")]


def test_bad_cells_are_reported_not_raised(backend):
    backend.hand_write_sheet("activities", ["activity_id", "title", "starts_at", "ends_at", "capacity", "hours"],
                             [["A1", "义诊", "2025-03-07 09:00", "2025-03-07 11:00", "三十", "三"],
                              ["A2", "讲座", "yesterday", "2025-03-07 11:00", "30", "2"]])
    tables = parse_snapshot(backend.workbook.snapshot())
    found = {(p.row, p.column, p.value) for p in tables.problems if p.sheet == "activities"}
    assert found == {(2, "capacity", "三十"), (2, "hours", "三"), (3, "starts_at", "yesterday")}
    assert list(tables["activities"]["activity_id"]) == ["A1"]  # a required cell that does not parse skips its row


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2", "@x", "=IMPORTXML(a,b)"])
def test_values_that_look_like_formulas_are_stored_literally(backend, workbook, value):
    workbook.append("people", [person("1001", name=value)])
    workbook.update("people", {"person_id": "1001"}, {"skills": value})
    frame = parse_snapshot(workbook.snapshot())["people"]
    assert frame.loc[0, "name"] == value and frame.loc[0, "skills"] == value
    if backend.name == "sheets":
        assert backend.fake.formula_cells(backend.spreadsheet_id, "people") == []


def test_an_update_changes_only_the_named_cells_of_the_row_with_that_key(backend, workbook):
    workbook.append("people", [person("1001", "甲"), person("1002", "乙"), person("1003", "丙")])
    before = backend.grid("people")
    workbook.update("people", {"person_id": "1002"}, {"name": "乙乙", "dorm": "3-302"})
    after = backend.grid("people")
    def cell(grid, r, c):
        return grid[r][c] if c < len(grid[r]) else ""

    changed = {(r, c) for r, row in enumerate(after) for c in range(len(row)) if cell(before, r, c) != cell(after, r, c)}
    header = after[0]
    assert changed == {(2, header.index("姓名")), (2, header.index("宿舍"))}


def test_an_update_of_a_missing_key_says_so(workbook):
    with pytest.raises(RowNotFound):
        workbook.update("people", {"person_id": "404"}, {"name": "无"})


def test_an_update_expecting_old_values_refuses_when_someone_changed_them(workbook):
    workbook.append("people", [person("1001", "甲")])
    workbook.update("people", {"person_id": "1001"}, {"name": "乙"})
    with pytest.raises(Conflict) as refused:
        workbook.update("people", {"person_id": "1001"}, {"name": "丙"}, expect={"name": "甲"})
    assert refused.value.current == {"name": "乙"}


def test_a_batch_update_changes_every_row_whose_cells_hold_what_each_expects(workbook):
    workbook.append("people", [person("1001", "甲"), person("1002", "乙"), person("1003", "丙")])
    workbook.update_rows("people", [({"person_id": "1003"}, {"name": "丙丙"}), ({"person_id": " 1001"}, {"name": "甲甲"})],
                         expect=[{"name": "丙"}, {"name": "甲"}])
    assert list(parse_snapshot(workbook.snapshot())["people"]["name"]) == ["甲甲", "乙", "丙丙"]


def test_a_batch_update_changes_no_row_when_one_no_longer_holds_what_it_expects(workbook):
    workbook.append("people", [person("1001", "甲"), person("1002", "乙"), person("1003", "丙")])
    with pytest.raises(Conflict) as refused:
        workbook.update_rows("people", [({"person_id": "1001"}, {"name": "甲甲"}), ({"person_id": "1003"}, {"name": "丙丙"})],
                             expect=[{"name": "甲"}, {"name": "已改"}])
    assert refused.value.current == {"name": "丙"}
    with pytest.raises(RowNotFound):
        workbook.update_rows("people", [({"person_id": "1001"}, {"name": "甲甲"}), ({"person_id": "404"}, {"name": "无"})])
    assert list(parse_snapshot(workbook.snapshot())["people"]["name"]) == ["甲", "乙", "丙"]


def test_the_first_of_duplicate_ids_wins_for_reads_and_writes(backend):
    backend.hand_write_sheet("people", ["person_id", "name", "political_status"],
                             [["1001", "甲", "群众"], ["1001", "乙", "群众"]])
    backend.workbook.update("people", {"person_id": "1001"}, {"name": "甲甲"})
    tables = parse_snapshot(backend.workbook.snapshot())
    assert list(tables["people"]["name"]) == ["甲甲"]
    assert [(p.row, p.value) for p in tables.problems if p.sheet == "people"] == [(3, "1001")]


def test_an_update_finds_its_row_however_its_id_was_typed_and_the_first_of_such_rows_wins(backend):
    """Coordinators type IDs by hand: full width, lower case, padded with a tab or an ideographic space."""
    backend.hand_write_sheet("people", ["person_id", "name", "political_status"],
                             [["X1", "甲", "群众"], ["\tb7\u3000", "乙", "群众"], ["ａ１００１", "丙", "群众"],
                              ["A1001", "丁", "群众"], [" c9 ", "戊", "群众"], ["E5", "己", "群众"]])
    backend.workbook.update("people", {"person_id": "B7"}, {"name": "乙乙"})
    backend.workbook.update("people", {"person_id": "a1001"}, {"name": "丙丙"})
    backend.workbook.update("people", {"person_id": "C9"}, {"name": "戊戊"})
    backend.workbook.update("people", {"person_id": "E5"}, {"name": "己己"})
    names = [row[1] for row in backend.grid("people")[1:]]
    assert names == ["甲", "乙乙", "丙丙", "丁", "戊戊", "己己"]


def test_a_resent_append_stays_single(workbook):
    rows = [person("1001")]
    workbook.append("people", rows)
    if hasattr(workbook, "journal"):
        workbook.journal.record("append", "people", {"rows": rows})
        workbook.sync()
    else:
        workbook.append("people", rows)
    assert people_ids(workbook) == ["1001"]


def test_a_hundred_concurrent_appends_from_threads_are_all_present_exactly_once(backend, workbook):
    if backend.name == "sheets":
        backend.fake.racing_appends = True
        backend.fake.race_window = 0.002
    rows = [{"signup_id": f"S{i:03}", "activity_id": "A1", "person_id": f"{1000 + i}", "at": "2025-11-20 10:00"}
            for i in range(100)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda row: workbook.append("signups", [row]), rows))
    assert workbook.sync() == 0
    ids = list(parse_snapshot(workbook.snapshot())["signups"]["signup_id"])
    assert sorted(ids) == [r["signup_id"] for r in rows]


def test_a_write_naming_extra_columns_adds_their_header_and_copies_their_cells_and_other_writes_leave_them_alone(
        backend):
    backend.hand_write_sheet("成员", ["备注", "姓名", "学号/工号", "政治面貌", "爱好"],
                             [["班长", "李四", "1001", "中共党员", "篮球"]])
    workbook = backend.workbook
    workbook.append("people", [person("1002", "王五", 来源="志愿汇", 备注="新生")], extra_columns=["来源", "备注"])
    workbook.update_rows("people", [({"person_id": "1001"}, {"来源": "旧表"})], extra_columns=["来源"])
    workbook.append("people", [person("1003", "赵六", 来源="not written: not named")])  # names no extra column
    workbook.update("people", {"person_id": "1002"}, {"name": "王五五"})
    with pytest.raises(ValueError):  # a column of the table is no extra column
        workbook.append("people", [person("1004")], extra_columns=["姓名"])
    assert workbook.sync() == 0
    grid = backend.grid("成员")
    assert grid[0] == ["备注", "姓名", "学号/工号", "政治面貌", "爱好", "来源"]
    assert grid[1] == ["班长", "李四", "1001", "中共党员", "篮球", "旧表"]
    assert grid[2] == ["新生", "王五五", "1002", "party_member", "", "志愿汇"]
    assert grid[3] == ["", "赵六", "1003", "party_member"]
    assert list(parse_snapshot(workbook.snapshot())["people"]["person_id"]) == ["1001", "1002", "1003"]


def test_the_export_of_the_same_workbook_gives_the_same_csv_files_from_either_backend(fake, tmp_path):
    from connectors.live import LiveWorkbook
    from services.transfer import export_workbook
    from tests.conftest import SheetsBackend, SqliteBackend

    files = {}
    for backend in (SqliteBackend(tmp_path), SheetsBackend(fake, tmp_path)):
        backend.hand_write_sheet("成员", ["学号/工号", "姓名", "政治面貌", "宿舍", "备注", "爱好"],
                                 [["1001", "甲", "群众", "", "班长", ""], ["1002", "乙", "群众", "", "", ""],
                                  ["", "", "", "", "", ""], ["1003", "丙", "群众", "3-302", "", "书法"]])
        backend.workbook.ensure_schema("zh")
        backend.workbook.append("hours", [{"entry_id": "H1", "person_id": "1001", "date": "2025-11-20",
                                           "hours": "41", "source": "import"}])
        folder = tmp_path / f"export-{backend.name}"
        export_workbook(LiveWorkbook(backend.workbook), folder)
        files[backend.name] = {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}
    assert files["sqlite"] == files["sheets"]
    assert len(files["sqlite"]) == len(TABLES)
    import csv
    import io

    for name, data in files["sqlite"].items():
        grid = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert {len(row) for row in grid} == {len(grid[0])}, name  # every row as wide as its header
    people = list(csv.reader(io.StringIO(files["sheets"]["成员.csv"].decode("utf-8-sig"))))
    assert people[0][:6] == ["学号/工号", "姓名", "政治面貌", "宿舍", "备注", "爱好"]
    assert people[2][:6] == ["1002", "乙", "群众", "", "", ""] and people[4][:6] == ["1003", "丙", "群众", "3-302", "", "书法"]


def test_extra_worksheets_are_left_alone(backend, workbook):
    backend.hand_write_sheet("我的笔记", ["随便"], [["=1+1"]])
    workbook.append("people", [person("1001")])
    snapshot = workbook.snapshot()
    assert snapshot.extra["我的笔记"].rows == [["=1+1"]]
    assert backend.grid("我的笔记") == [["随便"], ["=1+1"]]


def test_several_processes_appending_to_the_embedded_workbook_lose_nothing(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from connectors.sqlite_workbook import SqliteWorkbook

    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    SqliteWorkbook(url).ensure_schema()
    script = ("import sys; from connectors.sqlite_workbook import SqliteWorkbook as W; w = W(sys.argv[1]); "
              "[w.append('signups', [{'signup_id': f'S{sys.argv[2]}-{n}', 'activity_id': 'A1', "
              "'person_id': str(n), 'at': '2025-11-20 10:00'}]) for n in range(25)]")
    root = Path(__file__).resolve().parent.parent
    workers = [subprocess.Popen([sys.executable, "-c", script, url, str(p)], cwd=root) for p in range(4)]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0, 0]
    ids = parse_snapshot(SqliteWorkbook(url).snapshot())["signups"]["signup_id"]
    assert sorted(ids) == sorted(f"S{p}-{n}" for p in range(4) for n in range(25))
