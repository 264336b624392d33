"""The embedded workbook: one SQLite file holding the same sheets as the Google Spreadsheet.

Each worksheet is a SQL table whose columns are the header cells, in order, all TEXT, plus a
hidden `_row` that keeps the order rows were added in. A coordinator can open the file in any
SQLite tool, rename or add columns and edit cells; the app reads it like a sheet. Tables whose
name starts with `_` are the app's own (e.g. sign-in codes) and are not worksheets.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from connectors.files_private import private_file
from connectors.sqlite_changes import COUNTS, EDITED_ROWS, count_changes, new_kept_lineage
from workflows.headers import (check_extra_columns, column_positions, header_for_new_columns, missing_columns,
                               missing_extra, normalise, tables_by_title, write_positions)
from connectors.sheet import Conflict, RawSheet, RowNotFound, Snapshot, Stamp, Tail, TargetedUpdates, stamped
from workflows import clock as system_clock
from workflows.schema import ALL_TABLES, INTERNAL_TABLES, table as schema_table

ROW_ID = "_row"
# Each read copies the write-ahead log into the file (`_checkpoint`), off the request path. SQLite's own
# checkpoint, by whichever commit fills the log, made one sign-up in ~300 at 30,000 people wait 0.2 s;
# it stays as a safety net for a process that only writes.
WAL_PAGES_BEFORE_CHECKPOINT = 20_000
IDLE_CONNECTIONS = 16  # kept open for the next transaction; more than this many at once are opened anew
_pools: dict[str, "_Connections"] = {}
_pools_lock = threading.Lock()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _has_text_affinity(declared: str) -> bool:
    """SQLite's rule for a column's affinity from its declared type (https://sqlite.org/datatype3.html 3.1)."""
    declared = (declared or "").upper()
    return "INT" not in declared and any(word in declared for word in ("CHAR", "CLOB", "TEXT"))


# An ID cell that does not read as its own lower case: other than printable ASCII without spaces, or a blob.
# The same expression is the condition of the partial index `_irregular_ids_<table>` (`_index_ids`), which
# SQLite keeps for any tool's writes and uses for exactly this condition.
_IRREGULAR = "{column} GLOB '*[^!-~]*' OR typeof({column}) = 'blob'"


def _first_with(rows, target: tuple, width: int, wanted: list[str]):
    """(row ID, {wanted: text}) of the first row whose ID cells read as `target`; (None, {}) if none."""
    for row in rows:
        if tuple(normalise(_text(v)) for v in row[1:1 + width]) == target:
            return _located_row(row, width, wanted)
    return None, {}


def _located_row(row, width: int, wanted: list[str]) -> tuple:
    """(row ID, {wanted: text}) of a row of `_locating_query` (None: no row)."""
    return (None, {}) if row is None else (row[0], dict(zip(wanted, [_text(v) for v in row[1 + width:]])))


def _fetched(conn: sqlite3.Connection, sql: str, parameters=()) -> list:
    """The rows of a query. A cell that is not UTF-8 text (a file in another encoding, put in by another
    tool) is read with its bad bytes as U+FFFD, so the sheet still reads and the cell can be seen."""
    try:
        return conn.execute(sql, parameters).fetchall()
    except sqlite3.OperationalError as error:
        if "decode" not in str(error):
            raise
    conn.text_factory = lambda data: data.decode("utf-8", "replace")
    try:
        return conn.execute(sql, parameters).fetchall()
    finally:
        conn.text_factory = str


def _grid(rows: list, width: int) -> np.ndarray:
    """The rows (each `width` cells) as one 2-D array of the very str objects read."""
    if not rows:
        return np.empty((0, width), dtype=object)
    return np.array(rows, dtype=object).reshape(len(rows), width)


def connections_for(url: str) -> "_Connections":
    with _pools_lock:
        if url not in _pools:
            path = url.removeprefix("sqlite:///")
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                private_file(path)
            _pools[url] = _Connections(path)
        return _pools[url]


class _Connections:
    """Open connections to one workbook file, reused: opening and setting up a connection costs
    more than the few statements of a sign-up. A connection serves one transaction at a time."""

    def __init__(self, path: str):
        self.path = path
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def take(self) -> sqlite3.Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        return self.opened()

    def give_back(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if len(self._idle) < IDLE_CONNECTIONS:
                self._idle.append(conn)
                return
        conn.close()

    def close_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def opened(self) -> sqlite3.Connection:
        """A new connection, set up as every connection of the pool is."""
        if self.path == ":memory:":  # one database for every connection of this process
            conn = sqlite3.connect("file:workbook?mode=memory&cache=shared", uri=True, timeout=60,
                                   isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")  # we issue BEGIN ourselves (isolation_level=None)
        conn.execute("PRAGMA busy_timeout=60000")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA wal_autocheckpoint={WAL_PAGES_BEFORE_CHECKPOINT}")
        return conn


@dataclass
class _KnownSchema:
    """What was looked up of one version of the workbook's schema (see `SqliteWorkbook._schema_known`)."""
    version: int | None
    titles: list[str] | None = None
    headers: dict[str, list[str]] = field(default_factory=dict)
    row_keys: dict[str, str | None] = field(default_factory=dict)  # title -> what orders its rows (`_row_key`)
    text_affinity: dict[str, list[bool]] = field(default_factory=dict)  # title -> per header cell


class SqliteWorkbook(TargetedUpdates):
    reads_changes_since = True  # `snapshot(since=...)`
    def __init__(self, url: str, clock=None):
        self.url = url
        self.connections = connections_for(url)
        self._clock = clock or (lambda: system_clock.utc_now())
        self._read_up_to: dict[str, tuple[int, int]] = {}  # title -> (rows read, row ID of the last)
        self._schema = _KnownSchema(None)  # see `_schema_known`
        self._watcher: sqlite3.Connection | None = None  # see `unchanged_since_snapshot`
        self._watch_lock = threading.Lock()
        self._version_read: int | None = None

    def close(self) -> None:
        """Closes this process's idle connections to the file. Once the last connection is closed SQLite
        copies the write-ahead log into the file and removes it, so the file alone holds every commit
        (before it is moved or copied)."""
        with self._watch_lock:
            if self._watcher is not None:
                self._watcher.close()
                self._watcher = None
        self.connections.close_idle()

    # -- reading ---------------------------------------------------------------------------
    def snapshot(self, since: Snapshot | None = None) -> Snapshot:
        """Every sheet. With `since` (an earlier snapshot of this workbook): a sheet nobody changed since
        is that snapshot's very sheet, and a sheet only appended to since is its rows followed by the
        rows read after them (`Snapshot.appended`), as the change counts tell (`sqlite_changes`)."""
        self._version_read = self._data_version()  # taken before the read: a commit after it is never missed
        from connectors.sqlite_reading import ReadSince, SheetReading

        with self._transaction("BEGIN") as conn:
            sheets = SheetReading(self, conn)
            reading = ReadSince(sheets, since)
            known = set(sheets.by_table.values())
            tables = {key: reading.sheet(title) for key, title in sheets.by_table.items()}
            extra = {title: reading.sheet(title) for title in sheets.titles if title not in known}
        self._checkpoint()
        return Snapshot(tables, self._clock(), extra, marks=reading.marks, appended=reading.appended,
                        edited=reading.edited)

    @contextmanager
    def reading(self):
        """(the sheets as one read transaction sees them, taken_at): see `SheetReading`."""
        from connectors.sqlite_reading import SheetReading

        with self._transaction("BEGIN") as conn:
            yield SheetReading(self, conn), self._clock()
        self._checkpoint()

    def unchanged_since_snapshot(self) -> dt.datetime | None:
        """The moment it was found that nothing was committed to the file since the last `snapshot` began
        (by this process, another one or any other tool); None when something was, or it cannot tell.
        A scheduled read of an idle workbook then costs one question instead of reading 7 M cells."""
        if self._version_read is None:
            return None
        return self._clock() if self._data_version() == self._version_read else None

    def _data_version(self) -> int:
        """SQLite's `data_version` as one connection that never writes sees it: it changes with every
        commit of any other connection to the file, in any process."""
        with self._watch_lock:
            if self._watcher is None:
                self._watcher = self.connections.opened()
            return self._watcher.execute("PRAGMA data_version").fetchone()[0]

    @contextmanager
    def sheet_reader(self):
        """(read, taken_at): `read(key)` is that table's sheet (None when the workbook has none), read
        when asked, all in one read transaction, so a caller can let each sheet go before the next."""
        with self._transaction("BEGIN") as conn:
            by_table = tables_by_title(self._titles(conn))
            yield (lambda key: self._read_sheet(conn, by_table[key], keep_rows=False) if key in by_table else None
                   ), self._clock()

    def _checkpoint(self) -> None:
        """Copies the write-ahead log into the file as far as no reader needs it, without waiting for
        (or making wait) any writer."""
        conn = self.connections.take()
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            self.connections.give_back(conn)

    def _titles(self, conn: sqlite3.Connection) -> list[str]:
        known = self._schema_known(conn)
        if known.titles is None:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                "AND name NOT IN (?, ?) ORDER BY rowid", (COUNTS, EDITED_ROWS)).fetchall()
            known.titles = [row[0] for row in rows]
        return list(known.titles)

    def _header(self, conn: sqlite3.Connection, title: str) -> list[str]:
        known = self._schema_known(conn)
        if title not in known.headers:
            rows = [row for row in conn.execute(f"PRAGMA table_info({_quote(title)})").fetchall() if row[1] != ROW_ID]
            known.headers[title] = [row[1] for row in rows]
            known.text_affinity[title] = [_has_text_affinity(row[2]) for row in rows]
        return list(known.headers[title])

    def _row_key(self, conn: sqlite3.Connection, title: str) -> str | None:
        """What orders the sheet's rows as they were added: `_row`, the app's own row ID; `rowid` for a
        table another tool made without it (or with a `_row` that is not its row ID); None for a table
        without row IDs (WITHOUT ROWID), read as SQLite hands it out."""
        keys = self._schema_known(conn).row_keys
        if title not in keys:
            info = conn.execute(f"PRAGMA table_info({_quote(title)})").fetchall()
            primary = [row for row in info if row[5]]
            if len(primary) == 1 and primary[0][1] == ROW_ID and primary[0][2].upper() == "INTEGER":
                keys[title] = ROW_ID
            else:
                try:
                    conn.execute(f"SELECT rowid FROM {_quote(title)} LIMIT 0")
                    keys[title] = "rowid"
                except sqlite3.OperationalError:
                    keys[title] = None
        return keys[title]

    def _in_order(self, conn: sqlite3.Connection, title: str) -> str:
        key = self._row_key(conn, title)
        return f" ORDER BY {key}" if key else ""

    def _countable(self, conn: sqlite3.Connection) -> list[str]:
        """The sheets whose changes triggers can count: those with the app's own row ID."""
        return [title for title in self._titles(conn) if self._row_key(conn, title) == ROW_ID]

    def _schema_known(self, conn: sqlite3.Connection) -> "_KnownSchema":
        """The titles and headers looked up since the schema last changed. SQLite counts every
        change of the schema, by this app or any other tool (a renamed column, a new sheet), so a write
        asks one number instead of listing the tables and columns again."""
        version = conn.execute("PRAGMA schema_version").fetchone()[0]
        if self._schema.version != version:
            self._schema = _KnownSchema(version)
        return self._schema

    def _read_sheet(self, conn: sqlite3.Connection, title: str, keep_rows: bool = True) -> RawSheet:
        sheet = self._read_rows(conn, title, keep_rows)
        key = self._row_key(conn, title)
        last = conn.execute(f"SELECT max({key}) FROM {_quote(title)}").fetchone()[0] if key else None
        if last is not None:
            self._read_up_to[title] = (len(sheet.rows), last)
        return sheet

    def _read_rows(self, conn: sqlite3.Connection, title: str, keep_rows: bool = True) -> RawSheet:
        """The sheet, its cells also as one 2-D array (`RawSheet.grid`); `keep_rows=False`: only so (the
        rows are the grid's), for a reader that parses the sheet and lets it go."""
        header = self._header(conn, title)
        cursor = conn.cursor()
        if not header:
            return RawSheet(title, header, [[""] for _ in cursor.execute(f"SELECT 1 FROM {_quote(title)}")])
        order = self._in_order(conn, title)
        if self._holds_only_text(cursor, title, header):
            columns = ", ".join(f"COALESCE({_quote(name)}, '')" for name in header)
            rows = _fetched(conn, f"SELECT {columns} FROM {_quote(title)}{order}")
        else:
            columns = ", ".join(_quote(name) for name in header)
            rows = [[_text(value) for value in row] for row in _fetched(conn, f"SELECT {columns} FROM {_quote(title)}{order}")]
        grid = _grid(rows, len(header))
        return RawSheet(title, header, list(map(list, rows)) if keep_rows else grid, grid)

    def _holds_only_text(self, cursor, title: str, header: list[str]) -> bool:
        """The app writes text; a number or blob typed in by another tool is read cell by cell. SQLite
        orders every number before any text and every blob after it, so a comparison or two per cell
        finds them (2.5 times faster than asking each cell's `typeof`); a column of text affinity, as
        the app makes them, turns numbers into text, so only blobs are looked for there."""
        text_affinity = self._schema_known(cursor.connection).text_affinity[title]
        other = " OR ".join(f"{_quote(name)} >= x''" if text else f"{_quote(name)} < '' OR {_quote(name)} >= x''"
                            for name, text in zip(header, text_affinity))
        return cursor.execute(f"SELECT 1 FROM {_quote(title)} WHERE {other} LIMIT 1").fetchone() is None

    # -- writing ---------------------------------------------------------------------------
    def append(self, table: str, rows: list[dict[str, str]], stamp: Stamp | None = None,
               extra_columns=()) -> list[dict[str, str]]:
        return self._with_counting_tables(self._append, table, rows, stamp, extra_columns)

    def _with_counting_tables(self, write, *arguments):
        """`write(*arguments)`; made again once the tables the change-counting triggers write to are,
        when a tool dropped them (every write to a sheet fails without them)."""
        try:
            return write(*arguments)
        except sqlite3.OperationalError as error:
            if COUNTS not in str(error) and EDITED_ROWS not in str(error):
                raise
            self.count_changes()
            return write(*arguments)

    def _append(self, table: str, rows: list[dict[str, str]], stamp: Stamp | None, extra_columns) -> list[dict[str, str]]:
        spec = schema_table(table)
        check_extra_columns(spec, extra_columns)
        with self._transaction("BEGIN IMMEDIATE") as conn:
            rows = stamped(rows, stamp)  # inside the write lock: `at` order is commit order
            title = self._title_or_fail(conn, table)
            header = self._add_columns_for(conn, spec, title, rows, extra_columns)
            positions = write_positions(spec, header, extra_columns)
            new_rows = self._not_yet_present(conn, spec, title, header, rows)
            if not new_rows:
                return rows
            names = [key for key in [*spec.column_keys, *extra_columns]
                     if key in positions and any(r.get(key) for r in new_rows)]
            sql = (f"INSERT INTO {_quote(title)} ({', '.join(_quote(header[positions[k]]) for k in names)}) "
                   f"VALUES ({', '.join('?' for _ in names)})")
            conn.executemany(sql, [tuple(str(r.get(k, "") or "") for k in names) for r in new_rows])
        return rows

    def _not_yet_present(self, conn, spec, title, header, rows):
        """The rows whose ID is not in the sheet yet: a re-sent append stays single.

        The app writes IDs as it made them, so the ID index answers; a hand-typed variant of an
        ID (other width or case) is a duplicate `validate` reports."""
        positions = column_positions(spec, header)
        id_names = [header[positions[k]] for k in spec.id_columns]
        match = " AND ".join(f"{_quote(n)} = ?" for n in id_names)
        fresh, seen = [], set()
        for row in rows:
            key = tuple(str(row.get(k, "") or "") for k in spec.id_columns)
            if key in seen or conn.execute(
                    f"SELECT 1 FROM {_quote(title)} WHERE {match} LIMIT 1", key).fetchone() is not None:
                continue
            seen.add(key)
            fresh.append(row)
        return fresh

    def _rows_after_id(self, conn, title: str, header: list[str], last_row: int | None) -> tuple[list[list[str]], int | None]:
        """The rows whose row ID is past `last_row` (all, for None), in order, and the last one's ID."""
        columns = ", ".join([ROW_ID, *(_quote(name) for name in header)])
        after = "" if last_row is None else f" WHERE {ROW_ID} > ?"  # none read: every row, also one of a negative ID
        rows = _fetched(conn, f"SELECT {columns} FROM {_quote(title)}{after} ORDER BY {ROW_ID}",
                        () if last_row is None else (last_row,))
        return [[_text(value) for value in row[1:]] for row in rows], (rows[-1][0] if rows else last_row)

    def _rows_with_ids(self, conn, title: str, header: list[str], row_ids: list[int]) -> list[list[str]]:
        columns = ", ".join(_quote(name) for name in header)
        found = {}
        for begin in range(0, len(row_ids), 500):  # SQLite's limit of parameters is far above; lists stay short
            chunk = row_ids[begin:begin + 500]
            sql = (f"SELECT {ROW_ID}, {columns} FROM {_quote(title)} WHERE {ROW_ID} IN ({', '.join('?' * len(chunk))})")
            found.update((row[0], [_text(value) for value in row[1:]]) for row in _fetched(conn, sql, chunk))
        return [found[row_id] for row_id in row_ids]

    def _row_ids(self, conn, title: str, through: int) -> list[int]:
        return [row[0] for row in conn.execute(f"SELECT {ROW_ID} FROM {_quote(title)} WHERE {ROW_ID} <= ? "
                                               f"ORDER BY {ROW_ID}", (through,))]

    def rows_after(self, table: str, start: int) -> Tail:
        """The rows after the first `start`. When this workbook last read the table up to exactly `start`
        rows, those are the rows appended since (row IDs are AUTOINCREMENT: never reused), found through
        the row ID instead of counting through the table again."""
        with self._transaction("BEGIN") as conn:
            title = self._title_or_fail(conn, table)
            header = self._header(conn, title)
            columns = ", ".join([ROW_ID, *(_quote(name) for name in header)])
            count, last = self._read_up_to.get(title, (None, None))
            if count == start:
                rows = _fetched(conn, f"SELECT {columns} FROM {_quote(title)} WHERE {ROW_ID} > ? ORDER BY {ROW_ID}",
                                (last,))
            else:
                rows = _fetched(conn, f"SELECT {columns} FROM {_quote(title)} ORDER BY {ROW_ID} LIMIT -1 OFFSET ?",
                                (start,))
            if rows:
                self._read_up_to[title] = (start + len(rows), rows[-1][0])
            return Tail(header, [[_text(value) for value in row[1:]] for row in rows], start)

    def _update(self, table: str, items: list, expect: list[dict[str, str]] | None, extra_columns=()) -> None:
        self._with_counting_tables(self._write_updates, table, items, expect, extra_columns)

    def _write_updates(self, table: str, items: list, expect: list[dict[str, str]] | None, extra_columns) -> None:
        spec = schema_table(table)
        check_extra_columns(spec, extra_columns)
        expected = expect or [{}] * len(items)
        wanted = list(dict.fromkeys(name for cells in expected for name in cells))
        with self._transaction("BEGIN IMMEDIATE") as conn:  # a Conflict or a missing row changes none
            title = self._title_or_fail(conn, table)
            header = self._add_columns_for(conn, spec, title, [changes for _, changes in items], extra_columns)
            positions = write_positions(spec, header, extra_columns)
            located = self._located(conn, spec, title, header, [key for key, _ in items], wanted)
            for (key, changes), cells, (row_id, current) in zip(items, expected, located):
                if row_id is None:
                    raise RowNotFound(table, key)
                differing = {k: current[k] for k, v in cells.items() if current[k] != str(v)}
                if differing:
                    raise Conflict(table, key, differing)
                changes = {k: v for k, v in changes.items() if k in positions}
                if not changes:
                    continue
                assignments = ", ".join(f"{_quote(header[positions[k]])} = ?" for k in changes)
                conn.execute(f"UPDATE {_quote(title)} SET {assignments} WHERE {ROW_ID} = ?",
                                     (*[str(v) for v in changes.values()], row_id))

    def _located(self, conn, spec, title, header, keys: list[dict], wanted: list[str]) -> list[tuple]:
        """`_locate` of each key. Many keys (a batch) are found in one pass over the sheet, not one pass
        each: 3,000 requests closed at once in a sheet of 30,000 took 157 s so."""
        if len(keys) == 1 or any(list(key) != list(keys[0]) for key in keys):
            return [self._locate(conn, spec, title, header, key, wanted) for key in keys]
        sql, width = self._locating_query(spec, title, header, list(keys[0]), wanted)
        first: dict[tuple, tuple] = {}
        for row in _fetched(conn, sql):
            first.setdefault(tuple(normalise(_text(v)) for v in row[1:1 + width]), row)
        return [_located_row(first.get(tuple(normalise(str(v)) for v in key.values())), width, wanted) for key in keys]

    def _locate(self, conn, spec, title, header, key, wanted):
        """The first row whose ID cells match `key` (as `normalise` reads them), with the current text of
        `wanted` columns. A one-column key is looked up in the ID indexes (`_index_ids`), not by reading
        the sheet: 290 ms for the last of 150,000 hours rows, inside the write lock."""
        target = tuple(normalise(str(v)) for v in key.values())
        found = self._located_by_index(conn, spec, title, header, key, target)
        if found is not None:
            return self._row_with(conn, spec, title, header, list(key), wanted, found)
        sql, width = self._locating_query(spec, title, header, list(key), wanted)
        try:
            return _first_with(conn.execute(sql), target, width, wanted)
        except sqlite3.OperationalError as error:
            if "decode" not in str(error):
                raise
        return _first_with(_fetched(conn, sql), target, width, wanted)

    def _located_by_index(self, conn, spec, title, header, key, target: tuple) -> int | None:
        """The row ID of the first row holding the key, 0 for none; None when the indexes cannot tell (a
        key of more columns, an empty one or one holding a NUL, a column that keeps numbers as numbers).

        A cell of printable ASCII without spaces (not `_IRREGULAR`) normalises to its lower case, so it matches
        exactly when it equals the key ignoring ASCII case: the NOCASE index finds the first such row.
        Every other cell (wide forms, padding, a blob) is in the partial index of irregular IDs, few
        rows, each normalised here. The first of both is the row."""
        positions = column_positions(spec, header)
        affinity = self._schema_known(conn).text_affinity.get(title)  # another thread may have begun anew
        if (len(key) != 1 or not target[0] or "\0" in target[0]  # GLOB reads a cell only up to a NUL
                or affinity is None or len(affinity) != len(header) or not affinity[positions[list(key)[0]]]):
            return None
        column = _quote(header[positions[list(key)[0]]])
        irregular = _IRREGULAR.format(column=column)
        first = []
        if all("!" <= character <= "~" for character in target[0]):
            plain = conn.execute(f"SELECT min({ROW_ID}) FROM {_quote(title)} WHERE {column} = ? COLLATE NOCASE "
                                 f"AND NOT ({irregular})", target).fetchone()[0]
            first += [plain] if plain is not None else []
        first += [row_id for row_id, cell in _fetched(conn, f"SELECT {ROW_ID}, {column} FROM {_quote(title)} "
                                                            f"WHERE {irregular}")
                  if normalise(_text(cell)) == target[0]]
        return min(first, default=0)

    def _row_with(self, conn, spec, title, header, id_keys, wanted, row_id: int):
        """(row ID, {wanted: text}) of that row, as `_first_with` gives it; (None, {}) for 0."""
        if not row_id:
            return None, {}
        sql, width = self._locating_query(spec, title, header, id_keys, wanted, where=f"{ROW_ID} = ?")
        return _located_row(_fetched(conn, sql, (row_id,))[0], width, wanted)

    @staticmethod
    def _locating_query(spec, title, header, id_keys: list[str], wanted: list[str], where: str = "") -> tuple[str, int]:
        """The rows' IDs (those meeting `where`), their `id_keys` cells and their `wanted` cells ('' for a
        column the sheet lacks), in the sheet's order; and how many ID cells each row has."""
        positions = column_positions(spec, header)
        id_names = [header[positions[k]] for k in id_keys]
        wanted_names = [header[positions[k]] if k in positions else None for k in wanted]
        selected = ", ".join([ROW_ID, *(_quote(n) for n in id_names),
                              *(_quote(n) if n else "''" for n in wanted_names)])
        return (f"SELECT {selected} FROM {_quote(title)}{f' WHERE {where}' if where else ''} ORDER BY {ROW_ID}",
                len(id_names))

    def count_changes(self) -> bool:
        """Makes the triggers that count each sheet's changes where they are missing (`sqlite_changes`);
        False when the file cannot be written (it is then read whole each time)."""
        try:
            with self._transaction("BEGIN IMMEDIATE") as conn:
                count_changes(conn, self._countable(conn))
            return True
        except sqlite3.OperationalError:  # a read-only file, or one that stays locked
            return False

    def new_kept_lineage(self) -> int | None:
        """A new epoch for tables kept between runs (`sqlite_changes.new_kept_lineage`); None when the file
        cannot be written."""
        try:
            with self._transaction("BEGIN IMMEDIATE") as conn:
                count_changes(conn, self._countable(conn))
                return new_kept_lineage(conn)
        except sqlite3.OperationalError:
            return None

    def ensure_schema(self, lang: str = "zh") -> list[str]:
        """Creates missing worksheets and header cells; touches no existing row or column."""
        created = []
        with self._transaction("BEGIN IMMEDIATE") as conn:
            titles = self._titles(conn)
            by_table = tables_by_title(titles)
            for spec in ALL_TABLES:
                if spec.key not in by_table:
                    self._create_sheet(conn, spec, lang)
                    created.append(spec.key)
                else:
                    header = self._header(conn, by_table[spec.key])
                    added = self._add_columns(conn, spec, by_table[spec.key], missing_columns(spec, header), lang)
                    created.extend(f"{spec.key}.{name}" for name in added)
                    self._index_ids(conn, spec, by_table[spec.key])
            count_changes(conn, self._countable(conn))
        return created

    def _create_sheet(self, conn, spec, lang):
        columns = ", ".join(f"{_quote(name)} TEXT" for name in spec.header(lang))
        conn.execute(f"CREATE TABLE {_quote(spec.key)} ({ROW_ID} INTEGER PRIMARY KEY AUTOINCREMENT, {columns})")
        self._index_ids(conn, spec, spec.key)

    def _index_ids(self, conn, spec, title) -> None:
        """The indexes of the sheet's ID column: as typed (an append looks its IDs up there), ignoring ASCII
        case and the few IDs typed otherwise (an update finds its row by these, `_located_by_index`). A
        workbook made before them, or a tool that dropped them, gets them at the next `ensure_schema` (the
        app's start); without them writes are right, only slower."""
        header = self._header(conn, title)
        positions = column_positions(spec, header)
        if spec.id_columns[0] not in positions:
            return
        column = _quote(header[positions[spec.id_columns[0]]])
        conn.execute(f"CREATE INDEX IF NOT EXISTS {_quote('_by_id_' + spec.key)} ON {_quote(title)} ({column})")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {_quote('_by_id_nocase_' + spec.key)} ON {_quote(title)} "
                     f"({column} COLLATE NOCASE)")
        conn.execute(f"CREATE INDEX IF NOT EXISTS {_quote('_irregular_ids_' + spec.key)} ON {_quote(title)} "
                     f"({column}) WHERE {_IRREGULAR.format(column=column)}")

    def _add_columns(self, conn, spec, title, keys, lang=None) -> list[str]:
        header = self._header(conn, title)
        names = ([spec.column(k).zh if lang == "zh" else k for k in keys] if lang
                 else header_for_new_columns(spec, keys, header))
        for name in names:
            conn.execute(f"ALTER TABLE {_quote(title)} ADD COLUMN {_quote(name)} TEXT")
        return names

    def _add_columns_for(self, conn, spec, title, rows, extra_columns=()) -> list[str]:
        """The header, after adding any column the rows carry a value for but the sheet lacks, and a
        header cell for each named extra column the sheet lacks."""
        header = self._header(conn, title)
        needed = [k for k in missing_columns(spec, header) if any(str(r.get(k, "") or "") for r in rows)]
        new_extra = missing_extra(spec, header, extra_columns)
        if needed:
            self._add_columns(conn, spec, title, needed)
        for name in new_extra:
            conn.execute(f"ALTER TABLE {_quote(title)} ADD COLUMN {_quote(name.strip())} TEXT")
        if needed or new_extra:
            header = self._header(conn, title)
        return header

    def _title_or_fail(self, conn, table: str) -> str:
        title = tables_by_title(self._titles(conn)).get(table)
        if title is None and schema_table(table) in INTERNAL_TABLES:  # the app's own: made when first needed
            self._create_sheet(conn, schema_table(table), "zh")
            return table
        if title is None:
            raise LookupError(f"the workbook has no worksheet {table}; run `python cli.py init`")
        return title

    def sync(self) -> int:
        return 0  # every write is committed at once: nothing waits

    def waiting(self) -> int:
        return 0

    def _transaction(self, begin: str):
        return _Transaction(self.connections, begin)


class _Transaction:
    def __init__(self, connections: _Connections, begin: str):
        self.connections, self.begin = connections, begin

    def __enter__(self) -> sqlite3.Connection:
        self.conn = self.connections.take()
        try:
            self.conn.execute(self.begin)
        except BaseException:
            self.conn.close()
            raise
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        try:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")
        except BaseException:
            self.conn.close()  # in an unknown state: not for another transaction
            raise
        self.connections.give_back(self.conn)
        return False
