"""The embedded workbook's own housekeeping: connections reused, the write-ahead log copied on reads."""
from __future__ import annotations

import sqlite3

import pytest

from connectors.sheet import RowNotFound
from connectors.sqlite_workbook import SqliteWorkbook
from tests.builders import people


def people_in_the_file_itself(path) -> int:
    """Rows of `people` in the database file, without the write-ahead log (read as if no one wrote)."""
    with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as db:
        return db.execute("SELECT count(*) FROM people").fetchone()[0]


def test_a_read_copies_the_writes_logged_since_into_the_file_so_no_sign_up_pays_for_it(tmp_path):
    path = tmp_path / "book.sqlite3"
    workbook = SqliteWorkbook(f"sqlite:///{path}")
    workbook.ensure_schema()
    workbook.snapshot()
    for n in range(1, 30):
        workbook.append("people", people(f"{n}"))
    assert people_in_the_file_itself(path) == 0  # committed to the log; no commit copied it
    workbook.snapshot()
    assert people_in_the_file_itself(path) == 29


def test_a_transaction_that_fails_leaves_no_half_write_and_the_next_one_works(tmp_path):
    workbook = SqliteWorkbook(f"sqlite:///{tmp_path / 'book.sqlite3'}")
    workbook.ensure_schema()
    with pytest.raises(sqlite3.OperationalError):
        with workbook._transaction("BEGIN IMMEDIATE") as conn:
            conn.execute("INSERT INTO people DEFAULT VALUES")
            conn.execute("SELECT * FROM no_such_table")
    workbook.append("people", people("2"))
    assert [row[0] for row in workbook.snapshot().sheets["people"].rows] == ["2"]


def test_a_column_another_tool_adds_between_two_writes_is_seen_by_the_next_one(tmp_path):
    path = tmp_path / "book.sqlite3"
    workbook = SqliteWorkbook(f"sqlite:///{path}")
    workbook.ensure_schema()
    workbook.append("people", people("1"))  # the headers are now known to this process
    with sqlite3.connect(path) as other_tool:
        other_tool.execute('ALTER TABLE people ADD COLUMN "备注" TEXT')
    workbook.append("people", people("2"))
    sheet = workbook.snapshot().sheets["people"]
    assert sheet.header[-1] == "备注" and len(sheet.rows) == 2 and all(len(row) == len(sheet.header) for row in sheet.rows)


def test_numbers_another_tool_stored_as_numbers_are_read_as_the_text_a_person_sees(tmp_path):
    path = tmp_path / "book.sqlite3"
    workbook = SqliteWorkbook(f"sqlite:///{path}")
    workbook.ensure_schema()
    workbook.append("people", people("1"))
    with sqlite3.connect(path) as other_tool:
        other_tool.execute('ALTER TABLE people ADD COLUMN "积分" NUMERIC')
        other_tool.execute('ALTER TABLE people ADD COLUMN "备注"')
        other_tool.execute('UPDATE people SET "积分" = 45.0, "备注" = 4.5')
    sheet = workbook.snapshot().sheets["people"]
    assert sheet.rows[0][-2:] == ["45", "4.5"]


def test_a_closed_workbook_file_holds_every_commit_by_itself_so_it_can_be_moved(tmp_path):
    path = tmp_path / "book.partial"
    workbook = SqliteWorkbook(f"sqlite:///{path}")
    workbook.ensure_schema()
    workbook.append("people", people("1", "2"))
    workbook.snapshot()  # the connection watching for changes is open too
    workbook.close()
    moved = path.rename(tmp_path / "book.sqlite3")
    assert not (tmp_path / "book.partial-wal").exists()
    assert people_in_the_file_itself(moved) == 2


def test_a_blob_another_tool_stored_in_a_text_column_is_still_found_and_read_as_text(tmp_path):
    path = tmp_path / "book.sqlite3"
    workbook = SqliteWorkbook(f"sqlite:///{path}")
    workbook.ensure_schema()
    workbook.append("people", people("1", "2"))
    with sqlite3.connect(path) as other_tool:
        other_tool.execute("UPDATE people SET \"姓名\" = CAST('张三' AS BLOB) WHERE \"学号/工号\" = '2'")
    sheet = workbook.snapshot().sheets["people"]
    with workbook.sheet_reader() as (read, _):
        lean = read("people")
    assert [row[1] for row in sheet.rows] == ["P1", str("张三".encode())]
    assert [list(row) for row in lean.rows] == sheet.rows


@pytest.mark.parametrize("declared", ["TEXT", "VARCHAR(20)", "NCHAR", "CLOB", "", "NUMERIC", "INTEGER", "REAL",
                                      "BLOB", "POINT", "TINYTEXT INT", "STRING", "FLOATING POINT"])
def test_which_columns_turn_numbers_into_text_follows_sqlites_own_rule(declared):
    from connectors.sqlite_workbook import _has_text_affinity

    with sqlite3.connect(":memory:") as db:
        db.execute(f'CREATE TABLE t (c {declared})')
        db.execute("INSERT INTO t VALUES (45)")
        stored = db.execute("SELECT typeof(c) FROM t").fetchone()[0]
    assert _has_text_affinity(declared) == (stored == "text")


def test_an_update_finds_its_row_through_the_id_indexes_however_another_tool_typed_the_ids(tmp_path):
    """The indexes an update looks its row up in are made for a workbook that predates them, kept by
    SQLite for any tool's writes, and give the first row whose ID reads as the key."""
    path = tmp_path / "book.sqlite3"
    workbook = SqliteWorkbook(f"sqlite:///{path}")
    workbook.ensure_schema()
    workbook.append("people", people("X1", "B7", "A1001", "A1001X", "E5", "Q2", "N1"))
    with sqlite3.connect(path) as other_tool:
        for index in ("_by_id_people", "_by_id_nocase_people", "_irregular_ids_people"):
            other_tool.execute(f'DROP INDEX "{index}"')
        for old, typed in (("B7", "\tb7\u3000"), ("A1001X", "ａ１００１"), ("Q2", b"Q2"), ("N1", "N1\0")):
            other_tool.execute('UPDATE people SET "学号/工号" = ? WHERE "学号/工号" = ?', (typed, old))
        other_tool.execute('UPDATE people SET "学号/工号" = \'e5\' WHERE "学号/工号" = \'E5\'')
    workbook.ensure_schema()
    with sqlite3.connect(path) as other_tool:
        indexes = {row[0] for row in other_tool.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"_by_id_people", "_by_id_nocase_people", "_irregular_ids_people"} <= indexes
    for key, name in (("b7", "乙"), ("a1001", "丙"), ("E5", "丁"), ("b'Q2'", "戊"), ("x1", "甲"),  # a blob reads as its repr
                      ("n1\0", "己")):  # SQLite's GLOB reads a cell only up to a NUL
        workbook.update("people", {"person_id": key}, {"name": name})
    with pytest.raises(RowNotFound):
        workbook.update("people", {"person_id": "404"}, {"name": "无"})
    names = [row[1] for row in workbook.snapshot().sheets["people"].rows]
    assert names == ["甲", "乙", "丙", "PA1001X", "丁", "戊", "己"]
