"""Counting the changes to each sheet of the embedded workbook, whoever makes them.

Triggers in the workbook file count, per sheet, the rows inserted and the rows updated or deleted,
and note which rows were updated or deleted, in the same transaction as the change, whichever
program makes it: the app, `cli.py`, or a coordinator's own SQLite tool. With them a reader can
tell, without reading a sheet, whether it is as it was at an earlier read, only longer by rows
appended since, or changed in a few rows it can read alone: a refresh then reads the new rows of a
log and the approved rows of `hours` instead of 450,000 old ones.

The counts are trusted only while the triggers of a sheet are all there and the schema is the one
they were read with (SQLite's `schema_version` changes with any table or trigger made, changed or
dropped, by any tool); otherwise the sheet is read whole, as without them.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

COUNTS = "_changes"  # the app's own tables: not worksheets
EDITED_ROWS = "_changed_rows"  # (sheet, row ID, the sheet's `edited` count after its latest change, gone)
_TRIGGERS = ("insert", "update", "delete")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _trigger(title: str, kind: str) -> str:
    return f"{COUNTS}_{kind}_{title}"


def _bodies(title: str) -> dict[str, str]:
    sheet = _literal(title)

    def noted(row: str, gone: int, when: str = "") -> str:
        return (f"INSERT OR REPLACE INTO {EDITED_ROWS} SELECT {sheet}, {row}, edited, {gone} FROM {COUNTS} "
                f"WHERE sheet = {sheet}{when};")

    edited = f"UPDATE {COUNTS} SET edited = edited + 1 WHERE sheet = {sheet};"
    return {
        "insert": f"UPDATE {COUNTS} SET inserted = inserted + 1 WHERE sheet = {sheet};",
        "update": edited + noted("NEW._row", 0) + noted("OLD._row", 1, " AND OLD._row IS NOT NEW._row"),
        "delete": edited + noted("OLD._row", 1),
    }


def count_changes(conn: sqlite3.Connection, titles: list[str]) -> None:
    """Makes the counting tables and each sheet's triggers where they are missing (in the caller's
    write transaction). A sheet's counts start at 0 when its triggers are first made."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {COUNTS} (sheet TEXT PRIMARY KEY, inserted INTEGER NOT NULL DEFAULT 0, "
                 "edited INTEGER NOT NULL DEFAULT 0)")
    conn.execute(f"CREATE TABLE IF NOT EXISTS {EDITED_ROWS} (sheet TEXT NOT NULL, row INTEGER NOT NULL, "
                 "edit INTEGER NOT NULL, gone INTEGER NOT NULL, PRIMARY KEY (sheet, row))")
    for title in titles:
        conn.execute(f"INSERT OR IGNORE INTO {COUNTS} (sheet) VALUES (?)", (title,))
        for kind, body in _bodies(title).items():
            conn.execute(f"CREATE TRIGGER IF NOT EXISTS {_quote(_trigger(title, kind))} AFTER {kind.upper()} ON "
                         f"{_quote(title)} BEGIN {body} END")


@dataclass(frozen=True)
class SheetMark:
    """What a read saw of one sheet: enough to tell later whether it changed, and how."""
    schema_version: int
    inserted: int
    edited: int
    rows: int  # rows read
    last_row: int | None  # the largest row ID among them


def counts(conn: sqlite3.Connection, titles: list[str]) -> dict[str, tuple[int, int]]:
    """{title: (rows inserted, rows updated or deleted)} of the sheets whose triggers are all there."""
    counted = {row[0]: (row[1], row[2]) for row in _rows(conn, f"SELECT sheet, inserted, edited FROM {COUNTS}")}
    triggers = {(row[0], row[1]) for row in _rows(conn, "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")}
    edited_rows_noted = bool(_rows(conn, f"SELECT 1 FROM sqlite_master WHERE name = {_literal(EDITED_ROWS)}"))
    return {title: counted[title] for title in titles
            if edited_rows_noted and title in counted and all((_trigger(title, kind), title) in triggers for kind in _TRIGGERS)}


def edited_rows(conn: sqlite3.Connection, title: str, since_edit: int) -> tuple[list[int], bool]:
    """(the IDs of the rows updated since the sheet's `edited` count was `since_edit`, whether any row
    was deleted since, or had its ID changed)."""
    rows = conn.execute(f"SELECT row, gone FROM {EDITED_ROWS} WHERE sheet = ? AND edit > ? ORDER BY row",
                        (title, since_edit)).fetchall()
    return [row for row, gone in rows if not gone], any(gone for _, gone in rows)


def _rows(conn: sqlite3.Connection, sql: str) -> list:
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # no counting table (a workbook made before it, or by hand)
        return []
