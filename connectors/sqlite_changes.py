"""Counting the changes to each sheet of the embedded workbook, whoever makes them.

Triggers in the workbook file count, per sheet, the rows inserted and the rows updated or deleted,
and log which rows were updated or deleted, in the same transaction as the change, whichever
program makes it: the app, `cli.py`, or a coordinator's own SQLite tool. With them a reader can
tell, without reading a sheet, whether it is as it was at an earlier read, only longer by rows
appended since, or changed in a few rows it can read alone: a refresh then reads the new rows of a
log and the approved rows of `hours` instead of 450,000 old ones.

What can make the counts lie is refused: a row inserted with a row ID at or below the last one
(`REPLACE INTO` a row, whose deletion fires no trigger) is logged like a deleted row; every edit has
its own numbered log entry, so a log with entries missing is seen; a sheet's counts carry a random
`epoch` made with them, so counts made again (the counting table deleted, the file made anew) never
read as a continuation of the old ones. Beyond that the counts are trusted only while the triggers
of a sheet are all there and the schema is the one they were read with (SQLite's `schema_version`
changes with any table or trigger made, changed or dropped, by any tool); otherwise the sheet is read
whole, as without them.
"""
from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

COUNTS = "_changes"  # (sheet, epoch, inserted, edited); the app's own tables: not worksheets
EDITED_ROWS = "_changed_rows"  # (sheet, epoch, edit: the sheet's edit count it made, row ID, gone: deleted or moved)
KEPT_LINEAGE = ""  # the row of COUNTS whose epoch the tables kept between runs were made with (`kept_tables`)
LOG_KEPT = 100_000  # entries of EDITED_ROWS kept per sheet; a reader whose mark is older reads the sheet whole
_TRIGGERS = ("insert", "insert_below", "update", "delete")
_TABLES = {  # name -> (columns, definition)
    COUNTS: (("sheet", "epoch", "inserted", "edited"), "sheet TEXT PRIMARY KEY, epoch INTEGER NOT NULL, "
             "inserted INTEGER NOT NULL DEFAULT 0, edited INTEGER NOT NULL DEFAULT 0"),
    EDITED_ROWS: (("sheet", "epoch", "edit", "row", "gone"), "sheet TEXT NOT NULL, epoch INTEGER NOT NULL, "
                  "edit INTEGER NOT NULL, row INTEGER, gone INTEGER NOT NULL, PRIMARY KEY (sheet, epoch, edit)"),
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _trigger(title: str, kind: str) -> str:
    return f"{COUNTS}_{kind}_{title}"


def _triggers(title: str) -> dict[str, str]:
    """{kind: CREATE TRIGGER statement} of one sheet."""
    sheet, table = _literal(title), _quote(title)
    edited = f"UPDATE {COUNTS} SET edited = edited + 1 WHERE sheet = {sheet};"

    def logged(row: str, gone: str) -> str:  # OR REPLACE: counts set back by hand stop no edit (`counts_went_back`)
        return (f"INSERT OR REPLACE INTO {EDITED_ROWS} SELECT {sheet}, epoch, edited, {row}, {gone} FROM {COUNTS} "
                f"WHERE sheet = {sheet};")

    def trigger(kind: str, timing: str, body: str, when: str = "") -> str:
        condition = f" WHEN {when}" if when else ""
        return f"CREATE TRIGGER IF NOT EXISTS {_quote(_trigger(title, kind))} {timing} ON {table}{condition} BEGIN {body} END"

    return {
        "insert": trigger("insert", "AFTER INSERT", f"UPDATE {COUNTS} SET inserted = inserted + 1 WHERE sheet = {sheet};"),
        # a row ID given (-1: none) at or below the last one puts a row among those read before, or replaces one
        "insert_below": trigger("insert_below", "BEFORE INSERT", edited + logged("NEW._row", "1"),
                                when=f"NEW._row <> -1 AND NEW._row <= (SELECT max(_row) FROM {table})"),
        "update": trigger("update", "AFTER UPDATE", edited + logged("NEW._row", "OLD._row IS NOT NEW._row")),
        "delete": trigger("delete", "AFTER DELETE", edited + logged("OLD._row", "1")),
    }


def count_changes(conn: sqlite3.Connection, titles: list[str]) -> None:
    """Makes the counting tables and each sheet's triggers where they are missing, and forgets log
    entries past the last `LOG_KEPT` of each sheet (in the caller's write transaction)."""
    for name, (columns, definition) in _TABLES.items():
        found = tuple(row[1] for row in conn.execute(f"PRAGMA table_info({_quote(name)})"))
        if found and found != columns:  # a table of this name made otherwise: counts begin anew
            for trigger in [row[0] for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE ? ESCAPE '\\'",
                    (COUNTS.replace("_", "\\_") + "\\_%",))]:
                conn.execute(f"DROP TRIGGER {_quote(trigger)}")
            conn.execute(f"DROP TABLE {_quote(name)}")
        conn.execute(f"CREATE TABLE IF NOT EXISTS {_quote(name)} ({definition})")
    for title in titles:
        conn.execute(f"INSERT OR IGNORE INTO {COUNTS} (sheet, epoch) VALUES (?, ?)", (title, _epoch()))
        for statement in _triggers(title).values():
            conn.execute(statement)
    conn.execute(f"DELETE FROM {EDITED_ROWS} WHERE NOT EXISTS (SELECT 1 FROM {COUNTS} c WHERE c.sheet = "
                 f"{EDITED_ROWS}.sheet AND c.epoch = {EDITED_ROWS}.epoch AND {EDITED_ROWS}.edit > c.edited - ?)",
                 (LOG_KEPT,))


def _epoch() -> int:
    return secrets.randbits(62)


@dataclass(frozen=True)
class SheetMark:
    """What a read saw of one sheet: enough to tell later whether it changed, and how."""
    schema_version: int
    epoch: int
    inserted: int
    edited: int
    rows: int  # rows read
    last_row: int | None  # the largest row ID among them


def counts(conn: sqlite3.Connection, titles: list[str]) -> dict[str, tuple[int, int, int]]:
    """{title: (epoch, rows inserted, rows updated or deleted)} of the sheets whose triggers are all there."""
    counted = {row[0]: (row[1], row[2], row[3]) for row in _rows(conn, f"SELECT sheet, epoch, inserted, edited FROM {COUNTS}")}
    triggers = {(row[0], row[1]) for row in _rows(conn, "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")}
    logged = bool(_rows(conn, f"SELECT 1 FROM sqlite_master WHERE name = {_literal(EDITED_ROWS)}"))
    return {title: counted[title] for title in titles
            if logged and title in counted and all((_trigger(title, kind), title) in triggers for kind in _TRIGGERS)}


def edited_rows(conn: sqlite3.Connection, title: str, epoch: int, since_edit: int, edited: int) -> list[int] | None:
    """The IDs of the rows updated after the sheet's edit count was `since_edit` (now `edited`); None when
    a row was deleted, moved or put among the others meanwhile, or the log does not hold every edit."""
    rows = conn.execute(f"SELECT row, gone FROM {EDITED_ROWS} WHERE sheet = ? AND epoch = ? AND edit > ? AND edit <= ?",
                        (title, epoch, since_edit, edited)).fetchall()
    if len(rows) != edited - since_edit or any(gone for _, gone in rows):
        return None
    return sorted({row for row, _ in rows})


def counts_went_back(conn: sqlite3.Connection, title: str, epoch: int, edited: int) -> bool:
    """Whether the log holds an edit past the sheet's count: the count was set back by hand."""
    row = conn.execute(f"SELECT max(edit) FROM {EDITED_ROWS} WHERE sheet = ? AND epoch = ?", (title, epoch)).fetchone()
    return row[0] is not None and row[0] > edited


def kept_lineage(conn: sqlite3.Connection) -> int | None:
    """The epoch the tables kept between runs were last made with, None when none were."""
    found = _rows(conn, f"SELECT epoch FROM {COUNTS} WHERE sheet = {_literal(KEPT_LINEAGE)}")
    return found[0][0] if found else None


def new_kept_lineage(conn: sqlite3.Connection) -> int:
    """A new epoch for tables about to be kept (in the caller's write transaction): a copy of the file
    made before it, put back later, holds the old one, so what is kept is not taken as its own."""
    epoch = _epoch()
    conn.execute(f"INSERT OR REPLACE INTO {COUNTS} (sheet, epoch) VALUES (?, ?)", (KEPT_LINEAGE, epoch))
    return epoch


def _rows(conn: sqlite3.Connection, sql: str) -> list:
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # no counting table (a workbook made before it, or by hand)
        return []
