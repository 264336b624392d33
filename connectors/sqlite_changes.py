"""Counting the changes to each sheet of the embedded workbook, whoever makes them.

Triggers in the workbook file count, per sheet, the rows inserted and the rows updated or deleted,
in the same transaction as the change, whichever program makes it: the app, `cli.py`, or a
coordinator's own SQLite tool. With them a reader can tell, without reading a sheet, whether it is
as it was at an earlier read or only longer by rows appended since: a refresh then reads the new
rows of a log instead of 300,000 old ones.

The counts are trusted only while the triggers of a sheet are all there and the schema is the one
they were read with (SQLite's `schema_version` changes with any table or trigger made, changed or
dropped, by any tool); otherwise the sheet is read whole, as without them.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

COUNTS = "_changes"  # the app's own table: not a worksheet
_KINDS = (("insert", "inserted"), ("update", "edited"), ("delete", "edited"))


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _trigger(title: str, kind: str) -> str:
    return f"{COUNTS}_{kind}_{title}"


def count_changes(conn: sqlite3.Connection, titles: list[str]) -> None:
    """Makes the counting table and each sheet's triggers where they are missing (in the caller's
    write transaction). A sheet's counts start at 0 when its triggers are first made."""
    conn.execute(f"CREATE TABLE IF NOT EXISTS {COUNTS} (sheet TEXT PRIMARY KEY, inserted INTEGER NOT NULL DEFAULT 0, "
                 "edited INTEGER NOT NULL DEFAULT 0)")
    for title in titles:
        conn.execute(f"INSERT OR IGNORE INTO {COUNTS} (sheet) VALUES (?)", (title,))
        for kind, column in _KINDS:
            conn.execute(f"CREATE TRIGGER IF NOT EXISTS {_quote(_trigger(title, kind))} AFTER {kind.upper()} ON "
                         f"{_quote(title)} BEGIN UPDATE {COUNTS} SET {column} = {column} + 1 "
                         f"WHERE sheet = {_literal(title)}; END")


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
    return {title: counted[title] for title in titles
            if title in counted and all((_trigger(title, kind), title) in triggers for kind, _ in _KINDS)}


def _rows(conn: sqlite3.Connection, sql: str) -> list:
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # no counting table (a workbook made before it, or by hand)
        return []
