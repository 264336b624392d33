"""Reading the embedded workbook's sheets by what changed since an earlier read.

What a read saw of a sheet is its `SheetMark`. A later read asks, per sheet, what changed since
(`SheetReading.change`), as the triggers of `sqlite_changes` counted it, and reads only that: nothing
for a sheet nobody touched, the new rows of a log, the few rows a coordinator edited. Both the app's
refresh (`ReadSince`, which keeps the cells) and the commands that keep their tables between runs
(`kept_tables`, which does not) read this way.
"""
from __future__ import annotations

import bisect
import sqlite3
from dataclasses import dataclass

from connectors.sheet import RawSheet, Snapshot, StackedRows
from connectors.sqlite_changes import SheetMark, counts, counts_went_back, edited_rows, kept_lineage
from connectors.sqlite_workbook import ROW_ID, SqliteWorkbook, _quote
from workflows.headers import tables_by_title

SAME = "same"  # `SheetReading.change`: the sheet is as it was
MOST_EDITED_ROWS = 2_000  # more edits since a read than this, and the sheet is read whole


@dataclass(frozen=True)
class Change:
    """How a sheet changed since a mark, when it can be read as that: rows updated in place (their
    positions in the sheet, 0 = the first row under the header), rows appended after the marked ones."""
    edited: tuple[int, ...] = ()
    appended_after: int | None = None  # the rows the sheet had at the mark, when rows were appended since
    edited_ids: tuple[int, ...] = ()


class SheetReading:
    """What one read transaction sees of the sheets: how each changed since what an earlier read saw of
    it (its `SheetMark`), as the change counts tell (`sqlite_changes`), and the rows to read."""

    def __init__(self, workbook: SqliteWorkbook, conn: sqlite3.Connection):
        self.workbook, self.conn = workbook, conn
        self.titles = workbook._titles(conn)
        self.by_table = tables_by_title(self.titles)
        self.version = conn.execute("PRAGMA schema_version").fetchone()[0]
        self.counted = counts(conn, self.titles)

    def change(self, title: str, mark: SheetMark | None) -> str | Change | None:
        """SAME when the sheet is as at `mark`; a `Change` when rows were only updated in place or
        appended since; None when it changed otherwise (a row deleted, inserted among the others, given
        another ID), or the counts cannot tell."""
        count = self.counted.get(title)
        if count is None or mark is None or (mark.schema_version, mark.epoch) != (self.version, count[0]):
            return None
        epoch, inserted, edited = count
        if counts_went_back(self.conn, title, epoch, edited):
            return None
        if (inserted, edited) == (mark.inserted, mark.edited):
            return SAME
        if inserted < mark.inserted or edited < mark.edited or edited - mark.edited > MOST_EDITED_ROWS:
            return None
        if self._rows_through(title, mark) != mark.rows:
            return None
        appended_after = mark.rows if inserted > mark.inserted else None
        if edited == mark.edited:
            return Change(appended_after=appended_after)
        ids = edited_rows(self.conn, title, epoch, mark.edited, edited)
        if ids is None:
            return None
        ids = [row_id for row_id in ids if mark.last_row is not None and row_id <= mark.last_row]  # others: new rows
        every = self.workbook._row_ids(self.conn, title, mark.last_row) if ids else []
        return Change(tuple(bisect.bisect_left(every, row_id) for row_id in ids), appended_after, tuple(ids))

    def _rows_through(self, title: str, mark: SheetMark) -> int:
        """Rows with an ID up to the last one read before: as many as then, unless a tool inserted a row
        with a smaller ID (or deleted one, which the counts already tell)."""
        if mark.last_row is None:
            return 0
        return self.conn.execute(f"SELECT count(*) FROM {_quote(title)} WHERE {ROW_ID} <= ?",
                                 (mark.last_row,)).fetchone()[0]

    def kept_lineage(self) -> int | None:
        """The epoch tables kept between runs were last made with (`sqlite_changes.kept_lineage`)."""
        return kept_lineage(self.conn)

    def rows_at(self, title: str, header: list[str], change: Change) -> list[list[str]]:
        """The cells of the rows updated in place (`change.edited`), as they are now."""
        return self.workbook._rows_with_ids(self.conn, title, header, list(change.edited_ids))

    def tail(self, title: str, header: list[str], mark: SheetMark) -> tuple[list[list[str]], SheetMark]:
        """The rows appended since `mark`, and the mark of the sheet with them."""
        rows, last = self.workbook._rows_after_id(self.conn, title, header, mark.last_row)
        total = mark.rows + len(rows)
        self.workbook._read_up_to[title] = (total, last)
        return rows, self.mark(title, total, last)

    def mark(self, title: str, rows: int, last_row: int | None) -> SheetMark:
        return SheetMark(self.version, *self.counted[title], rows, last_row)

    def whole(self, title: str, keep_rows: bool = True) -> tuple[RawSheet, SheetMark | None]:
        sheet = self.workbook._read_sheet(self.conn, title, keep_rows)
        if self.counted.get(title) is None:
            return sheet, None
        last = self.workbook._read_up_to.get(title, (0, None))[1] if len(sheet.rows) else None
        return sheet, self.mark(title, len(sheet.rows), last)


class ReadSince:
    """A snapshot's sheets, each the earlier snapshot's very sheet where unchanged, its rows with the
    edited ones read again and the new ones after them where it changed so, else read whole; what the
    read saw of each sheet is its `marks`."""

    def __init__(self, reading: SheetReading, since: Snapshot | None):
        self.reading, self.since = reading, since
        self.earlier = {} if since is None else {sheet.title: sheet for sheet in [*since.sheets.values(),
                                                                                 *since.extra.values()]}
        self.marks: dict[str, SheetMark] = {}
        self.appended: dict[str, int] = {}
        self.edited: dict[str, tuple[int, ...]] = {}

    def sheet(self, title: str) -> RawSheet:
        old = self.earlier.get(title)
        mark = self.since.marks.get(title) if self.since is not None and old is not None else None
        change = self.reading.change(title, mark)
        if change == SAME:
            self.marks[title] = mark
            return old
        if change is None:
            sheet, seen = self.reading.whole(title)
            if seen is not None:
                self.marks[title] = seen
            return sheet
        rows = old.rows
        if change.edited:
            rows = list(rows)
            for position, cells in zip(change.edited, self.reading.rows_at(title, old.header, change)):
                rows[position] = cells
            self.edited[title] = change.edited
        self.marks[title] = self.reading.mark(title, mark.rows, mark.last_row)
        if change.appended_after is not None:
            tail, self.marks[title] = self.reading.tail(title, old.header, mark)
            self.appended[title] = change.appended_after
            rows = StackedRows.after(rows, tail)
        return RawSheet(title, old.header, rows)
