"""Parsed tables kept between runs of the commands that only read (report, points, roster, validate,
notify).

Each run of such a command used to read and parse the whole embedded workbook: at 30,000 people
7 M cells, some 5 s before the first figure. Now the tables a run parsed, what it saw of each sheet
(`SheetMark`) and the figures registered with `keep_between_runs` (the rosters) are kept in a file
beside the workbook (`<workbook>-kept`). The next run asks the workbook what changed since
(`SheetReading.change`): a sheet nobody changed is taken as kept (and loaded only if the command reads
it), rows appended to a log or edited in a record sheet are parsed alone, any other sheet is read and
parsed whole; the kept figures are carried past the appends as a write carries them
(`live.carry_forward`), or computed again. What a run gives is what a whole read gives
(tests/test_reading_changes.py holds it to that beside the app's own refresh).

The file is a cache, readable and writable by the app's user only, like the workbook. One made by
other code (`fingerprint`), for another time zone, or that cannot be read, is not used; a failure
to keep one is logged, never the command's.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import secrets
import sqlite3
import sys
import threading
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow

from connectors.arrow_frames import KeptColumns, NotKeepable, checked, dtypes_of, frame_bytes, frame_from_bytes
from connectors.files_private import private_file
from connectors.live import carried, carries
from connectors.parsing import parse_appended, parse_edited, parse_sheet, timezone_of
from connectors.sqlite_changes import SheetMark
from connectors.sqlite_reading import SAME, Change, SheetReading
from connectors.sqlite_workbook import SqliteWorkbook
from workflows.headers import header_label
from workflows.problems import Problem
from workflows.schema import ALL_TABLES, Table
from workflows.tables import Deferred, Tables

_ROOT = Path(__file__).resolve().parent.parent
# Rows changed since (appended or edited) this few are read and parsed again at the next run instead of
# keeping the tables anew
SMALL_CHANGE = (20_000, 0.05)  # rows, and share of the rows kept


@dataclass(frozen=True)
class Keeper:
    compute: object  # (tables) -> the figure
    as_rows: object  # (figure) -> (frame, problems, meta: dict of JSON values)
    from_rows: object  # (tables, frame, problems, meta) -> the figure


_KEEPERS: dict[str, Keeper] = {}


def keep_between_runs(name: str, compute, as_rows, from_rows) -> None:
    """The figure memoised as `name` (see `live.carry_forward`) is kept with the tables, and computed
    with them when it cannot be carried."""
    _KEEPERS[name] = Keeper(compute, as_rows, from_rows)


def kept_tables_for(workbook) -> KeptTables | None:
    """The kept tables of an embedded workbook in a file (`<workbook>-kept`); None for any other."""
    if not isinstance(workbook, SqliteWorkbook):
        return None
    path = workbook.url.removeprefix("sqlite:///")
    return None if path == ":memory:" else KeptTables(workbook, Path(path + "-kept"))


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Of the code that parses and derives, and the libraries that hold the tables: kept tables are used
    only by the code that made them."""
    digest = hashlib.sha256(f"python {sys.version} numpy {np.__version__} pandas {pd.__version__} "
                            f"pyarrow {pyarrow.__version__}".encode())
    for path in sorted([*(_ROOT / "connectors").glob("*.py"), *(_ROOT / "workflows").glob("*.py"),
                        *(_ROOT / "services").glob("*.py")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def zone_rules(name: str) -> str:
    """A digest of the time zone's rules as this machine has them: moments written with an offset are
    read in it, and the rules of a zone change now and then (a tzdata update)."""
    for base in zoneinfo.TZPATH:
        path = Path(base) / name
        if path.is_file():
            return hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        return hashlib.sha256(resources.files("tzdata").joinpath("zoneinfo", *name.split("/")).read_bytes()).hexdigest()
    except (ModuleNotFoundError, OSError):
        return ""


@dataclass
class _Read:
    """What one run read, table by table."""
    frames: dict
    problems: dict
    titles: dict
    labels: dict
    headers: dict
    marks: dict  # table -> SheetMark of its sheet (absent: none, so nothing is kept of it)
    before: dict  # table -> the kept frame it was made from (unchanged, appended to or edited)
    changes: dict  # table -> rows kept before the appended ones; None: changed otherwise
    rows_changed: dict = dataclasses.field(default_factory=dict)  # table -> rows edited or appended (not read whole)


class KeptTables:
    def __init__(self, workbook: SqliteWorkbook, path: Path):
        self.workbook, self.path = workbook, path
        self._kept: _Generation | None = None
        self._found: str | None = None  # the generation the file held when this run read it, used or not

    def read(self) -> tuple[Tables, dt.datetime, dict]:
        """(the tables, when read, the figures kept or computed for them, keyed as `LiveData.memo` keys)."""
        self._kept = _Generation.of(self.path)
        self._found = self._kept.generation if self._kept is not None else None  # kept anew only over these
        try:
            return self._read(self._kept.state if self._kept is not None else None)
        except (NotKeepable, KeyError, TypeError, ValueError, sqlite3.DatabaseError):
            logging.getLogger(__name__).warning("the kept tables could not be used: the workbook is read whole",
                                                exc_info=True)
            self._kept = None
            return self._read(None)

    def _read(self, state: dict | None) -> tuple[Tables, dt.datetime, dict]:
        if state is None:  # a first run: the sheets' changes are counted from now on, if they were not
            self.workbook.count_changes()
        with self.workbook.reading() as (sheets, taken_at):
            settings = self._whole(sheets, "settings")
            timezone, first_problems = timezone_of(settings[0] if settings else None)
            if state is not None and ((state["timezone"], state["zone_rules"], state["lineage"])
                                      != (timezone, zone_rules(timezone), sheets.kept_lineage())):
                state = None  # another time zone or its rules, or the workbook is another file (made anew, put back)
            read = self._read_tables(sheets, state, ZoneInfo(timezone), settings)
        tables = Tables(read.frames, first_problems + [p for table in ALL_TABLES for p in read.problems[table.key]],
                        timezone, read.titles, read.labels)
        memo, computed = self._figures(state, read, tables)
        if state is None or self._worth_keeping(read, computed):
            self._save(timezone, read, tables, memo, state)
        return tables, taken_at, memo

    # -- reading ---------------------------------------------------------------------------
    def _whole(self, sheets: SheetReading, key: str):
        title = sheets.by_table.get(key)
        return None if title is None else sheets.whole(title, keep_rows=False)

    def _read_tables(self, sheets: SheetReading, state, tz: ZoneInfo, settings) -> _Read:
        read = _Read({}, {}, {}, {}, {}, {}, {}, {})
        for table in ALL_TABLES:
            key, title = table.key, sheets.by_table.get(table.key)
            kept = (state or {}).get("tables", {}).get(key)
            mark = SheetMark(*kept["mark"]) if kept and kept["title"] == title else None
            change = sheets.change(title, mark) if title is not None else None
            found = None
            if key == "settings":  # read already, for the time zone: parsed again (a few rows)
                change = SAME if change == SAME else None
            elif change == SAME:
                found = self._kept_table(table, kept, deferred=True)
                read.before[key] = found[0] if found is not None else None
            elif change is not None:
                found = self._changed(sheets, table, title, kept, mark, change, tz, read)
            if found is None:
                raw, seen = (settings if key == "settings" else self._whole(sheets, key)) or (None, None)
                found = parse_sheet(table, raw, tz)
                if change != SAME:
                    read.changes[key] = None
                read.headers[key] = raw.header if raw is not None else []
                read.before.pop(key, None)
                mark = seen
            else:
                read.headers[key] = kept["header"]
                mark = read.marks.get(key, mark)
            if mark is not None:
                read.marks[key] = mark
            read.frames[key], read.problems[key] = found
            read.titles[key] = title or key
            read.labels[key] = {column: header_label(table, read.headers[key], column) for column in table.column_keys}
        return read

    def _changed(self, sheets: SheetReading, table: Table, title: str, kept, mark: SheetMark, change: Change, tz,
                 read: _Read):
        """The kept table with the rows edited since parsed again and the rows appended since parsed
        alone; None when it is better read whole."""
        found = before = self._kept_table(table, kept, deferred=not change.edited)  # rows appended: judged by column
        header = kept["header"]
        if found is not None and change.edited:
            edited = list(zip(change.edited, sheets.rows_at(title, header, change)))
            found = parse_edited(table, title, header, edited, *found, tz)
        seen = sheets.mark(title, mark.rows, mark.last_row)
        if found is not None and change.appended_after is not None:
            rows, seen = sheets.tail(title, header, mark)
            found = parse_appended(table, title, header, rows, change.appended_after, *found, tz)
        if found is not None:
            read.before[table.key], read.marks[table.key] = before[0], seen
            read.changes[table.key] = None if change.edited else len(before[0])
            read.rows_changed[table.key] = len(change.edited) + len(found[0]) - len(before[0])
        return found

    def _kept_table(self, table: Table, kept, deferred: bool = False) -> tuple[pd.DataFrame, list[Problem]] | None:
        """(its frame, its problems) as kept; with `deferred`, the frame is loaded when first asked for."""
        name, generation = f"table:{table.key}", self._kept
        problems = generation.problems(name) if generation is not None else None
        if problems is None:
            return None
        load = lambda: frame_from_bytes(generation.data(name), kept["dtypes"], kept["length"])  # noqa: E731
        if not deferred:
            return load(), problems
        checked(generation.data(name), kept["dtypes"], kept["length"])  # now: a damaged file fails here, not later
        return Deferred(load, kept["length"], KeptColumns(lambda: generation.data(name), kept["dtypes"])), problems

    # -- figures ---------------------------------------------------------------------------
    def _figures(self, state, read: _Read, tables: Tables) -> tuple[dict, bool]:
        """(the kept figures, carried to these tables or computed again, whether any had to be computed)."""
        memo, computed = {}, False
        for name, keeper in _KEEPERS.items():
            value = None
            if state is not None and name in state.get("figures", ()) and carries(name, read.changes, read.before):
                problems = self._kept.problems(f"figure:{name}")
                if problems is not None:
                    saved = state["figures"][name]
                    rows = frame_from_bytes(self._kept.data(f"figure:{name}"), saved["dtypes"], saved["length"])
                    kept_tables = dataclasses.replace(tables, frames={**tables.frames, **read.before})
                    value = keeper.from_rows(kept_tables, rows, problems, saved["meta"])
                    value = carried({(name,): value}, read.before, tables, read.changes).get((name,))
            if value is None:
                value, computed = keeper.compute(tables), True
            memo[(name,)] = value
        return memo, computed

    # -- keeping -------------------------------------------------------------------------
    def _worth_keeping(self, read: _Read, computed: bool) -> bool:
        """Whether to keep this run's tables: when a sheet was read whole, a kept figure had to be computed
        again, or the rows changed since are more than a next run should read and parse again."""
        if computed or any(change is None and key in read.marks and key not in read.rows_changed
                           for key, change in read.changes.items()):
            return True
        changed = sum(read.rows_changed.values())
        kept = sum(len(frame) for frame in read.before.values() if frame is not None)
        return changed > SMALL_CHANGE[0] or changed > SMALL_CHANGE[1] * max(kept, 1)

    def _save(self, timezone: str, read: _Read, tables: Tables, memo: dict, kept: dict | None) -> None:
        """Keeps this run's tables and figures, unless another run kept others since this one read (it
        read the workbook later, or was about to)."""
        try:
            entries, state = {}, {"fingerprint": fingerprint(), "timezone": timezone, "zone_rules": zone_rules(timezone),
                                  "tables": {}, "figures": {}, "generation": secrets.token_hex(8)}
            before = kept["tables"] if kept else {}
            for table in ALL_TABLES:
                key, mark = table.key, read.marks.get(table.key)
                if mark is None:
                    continue
                if key not in read.changes and key in before:  # what was kept of it is still its own
                    state["tables"][key] = before[key]
                    continue
                frame = tables[key]
                state["tables"][key] = {"title": read.titles[key], "header": read.headers[key], "dtypes": dtypes_of(frame),
                                        "mark": list(dataclasses.astuple(mark)), "length": len(frame)}
                entries[f"table:{key}"] = (read.problems[key], frame_bytes(frame))
            for name, keeper in _KEEPERS.items():
                frame, problems, meta = keeper.as_rows(memo[(name,)])
                state["figures"][name] = {"dtypes": dtypes_of(frame), "meta": meta, "length": len(frame)}
                entries[f"figure:{name}"] = (problems, frame_bytes(frame))
            self._write(state, entries, self._found)
        except (NotKeepable, OSError, sqlite3.Error, TypeError, ValueError):
            logging.getLogger(__name__).warning("the tables read were not kept for the next run", exc_info=True)

    # -- the file ------------------------------------------------------------------------
    def _write(self, state: dict, entries: dict, generation_read: str | None) -> None:
        conn = _connect(self.path)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if _generation(_state_in(conn)) != generation_read:
                    conn.execute("ROLLBACK")  # newer tables were kept meanwhile, or the file is another: they stay
                    return
                state["lineage"] = self.workbook.new_kept_lineage()
                if state["lineage"] is None:  # a workbook this process may not write: nothing is kept
                    conn.execute("ROLLBACK")
                    return
                for name, (problems, data) in entries.items():
                    conn.execute("INSERT OR REPLACE INTO kept VALUES (?, ?, ?)",
                                 (name, json.dumps([_problem_fields(p) for p in problems], ensure_ascii=False), data))
                conn.execute("INSERT OR REPLACE INTO kept VALUES ('state', ?, NULL)", (json.dumps(state, ensure_ascii=False),))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()


def _state_in(conn: sqlite3.Connection):
    row = conn.execute("SELECT meta FROM kept WHERE name = 'state'").fetchone()
    try:
        return json.loads(row[0]) if row else None
    except (ValueError, TypeError):
        return None


def _generation(state) -> str | None:
    return state.get("generation") if isinstance(state, dict) else None


def _connect(path: Path) -> sqlite3.Connection:
    private_file(path)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)  # see _Generation
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS kept (name TEXT PRIMARY KEY, meta TEXT, data BLOB)")
    return conn


class _Generation:
    """What the kept file holds, as one read transaction of it sees it: open as long as frames may still be
    loaded from it (`Deferred`), so they are those of the state they were kept with, even when another
    run keeps newer ones meanwhile. A frame may be loaded on any thread: the connection is used by one
    at a time."""

    def __init__(self, conn: sqlite3.Connection, state: dict | None, generation: str | None):
        self.conn, self.state, self.generation = conn, state, generation  # state: None unless this code's
        self._using = threading.Lock()

    @classmethod
    def of(cls, path: Path) -> "_Generation | None":
        if not path.exists():
            return None
        try:
            conn = _connect(path)
            conn.execute("BEGIN")
            state = _state_in(conn)
        except (OSError, sqlite3.Error):
            return None
        usable = isinstance(state, dict) and state.get("fingerprint") == fingerprint()
        return cls(conn, state if usable else None, _generation(state))

    def problems(self, name: str) -> list[Problem] | None:
        try:
            with self._using:
                row = self.conn.execute("SELECT meta FROM kept WHERE name = ?", (name,)).fetchone()
            return None if row is None else [Problem(*p) for p in json.loads(row[0])]
        except (sqlite3.Error, ValueError, TypeError):
            return None

    def data(self, name: str) -> bytes:
        with self._using:
            return self.conn.execute("SELECT data FROM kept WHERE name = ?", (name,)).fetchone()[0]


def _problem_fields(problem: Problem) -> list:
    return [problem.sheet, problem.row, problem.column, problem.value, problem.code, problem.params]
