"""The shared live snapshot: one workbook read per process per refresh interval.

Every page of every session reads through one `LiveWorkbook`. When the data is older than
the interval, the first caller refreshes it while the others keep using the previous data.
A write through it is laid over the data at once, so its author sees it (read-your-writes)
without a re-read of the workbook; the next scheduled refresh reads the real sheet. Parsing
happens once per snapshot, and so does anything derived through `LiveData.memo`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from workflows.headers import missing_extra, normalise, write_positions
from connectors.bulk import hand_back_last_read, read_set_aside
from connectors.fair_lock import FairLock
from connectors.overlay import aligned_cells, index_for_writes, with_cells_of_rows, with_rows
from connectors.parsing import parse_snapshot, read_tables
from connectors.sheet import QueuedForSync, Snapshot, Stamp, Workbook
from workflows.clock import in_zone
from workflows.schema import table as schema_table
from workflows.tables import Tables


class ReadBackFailed(RuntimeError):
    """An append without cells was written, but the read after it, which the answer needs, failed."""


@dataclass(frozen=True)
class LiveData:
    tables: Tables
    taken_at: dt.datetime  # when the workbook was read, in the workbook's time zone
    version: int  # increases with each read and each write laid over it
    snapshot: Snapshot | None = None  # the cells as they are, for edits that compare with them
    _memo: dict = field(default_factory=dict, compare=False, repr=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def cells_of(self, table: str, row_number: int, extra_columns=()) -> dict[str, str]:
        """The text of each known column (and of the named extra columns the sheet has) of one
        sheet row, exactly as the sheet holds it."""
        sheet = self.snapshot.sheets[table]
        positions = write_positions(schema_table(table), sheet.header, extra_columns)
        index = row_number - 2
        return {key: sheet.cell(index, position) for key, position in positions.items()}

    def memo(self, name: str, compute, *arguments):
        """`compute(tables, *arguments)`, computed once for this data, whoever asks."""
        key = (name, *arguments)
        with self._memo_lock:
            if key in self._memo:
                return self._memo[key]
        with read_set_aside():  # figures of a whole snapshot, kept as long as it (see `bulk`)
            value = compute(self.tables, *arguments)
        with self._memo_lock:
            return self._memo.setdefault(key, value)



# name -> (extend(value, tables, table, rows before), past_edit(value, tables, table, frame before) or None,
# the tables the figure is computed from): brings a figure memoised on data up to date with rows appended
# to `table`, or cells edited in it (None when it cannot); registered by the services that memoise the figure
_CARRIED: dict = {}


def carry_forward(name: str, extend, depends_on: tuple[str, ...], past_edit=None) -> None:
    """After a write, the figure memoised as `name` is carried to the new data at once, on the writing
    thread, so the next reader (whichever write it follows) never computes it from scratch: as it is when
    the write changed none of the tables it `depends_on`, brought up to date by `extend` when the write
    appended to one of them, by `past_edit` (if given) when it changed one otherwise. A read that finds
    only such changes carries it the same way."""
    _CARRIED[name] = (extend, past_edit, depends_on)


def carried(memo: dict, before: Mapping[str, pd.DataFrame], after: Tables, changes: dict[str, int | None]) -> dict:
    """The figures of `memo` (memoised on data whose frames were `before`) carried to `after`, which
    differs from it by `changes`: {table: rows it had before, when only rows were appended since; None
    when changed otherwise}. Changes to several tables are applied one table after the other."""
    carried = {}
    for name, (extend, past_edit, depends_on) in _CARRIED.items():
        value = memo.get((name,))
        pending = [table for table in depends_on if table in changes]
        while value is not None and pending:
            table = pending.pop(0)
            tables = dataclasses.replace(after, frames={**after.frames, **{other: before[other] for other in pending}})
            if changes[table] is not None:
                value = extend(value, tables, table, changes[table])
            elif past_edit is not None and before.get(table) is not None:
                value = past_edit(value, tables, table, before[table])
            else:
                value = None
        if value is not None:
            carried[(name,)] = value
    return carried


def carries(name: str, changes: dict[str, int | None], before: Mapping[str, pd.DataFrame]) -> bool:
    """Whether the figure memoised as `name` may be carried past `changes` (see `carried`): none of the
    tables it depends on changed otherwise than by appended rows, or by edits it may be carried past
    (the table's frame before them is known)."""
    if name not in _CARRIED:
        return False
    _, past_edit, depends_on = _CARRIED[name]
    return all(changes.get(table, 0) is not None or (past_edit is not None and before.get(table) is not None)
               for table in depends_on)


def changes_between(before: Tables, after: Tables) -> dict[str, int | None]:
    """{table: rows it had in `before`} for each table of `after` made of `before`'s parts and more,
    {table: None} for each other table whose frame is not `before`'s."""
    changes = {}
    for table, frame in after.frames.items():
        if frame is before.frames.get(table):
            continue
        old, new = before.parts(table), after.parts(table)
        same_start = len(new) > len(old) and all(a is b for a, b in zip(old, new))
        changes[table] = before.length(table) if same_start else None
    return changes


def _id_of(spec, positions: dict[str, int], cells: list[str]) -> tuple[str, ...]:
    return tuple(normalise(cells[positions[k]]) if k in positions and positions[k] < len(cells) else ""
                 for k in spec.id_columns)


@dataclass(frozen=True)
class _LastRead:
    """A read as it came (no write laid over it): the next read asks the backend what changed since."""
    snapshot: Snapshot
    tables: Tables
    memo: dict  # the figures memoised on the data of this read


class LiveWorkbook:
    def __init__(self, workbook: Workbook, interval_seconds: float = 15.0, clock=time.monotonic,
                 after_read=None, prepare=None, background: bool = False, keep_cells: bool = True, kept=None,
                 appends_read_back: bool = False):
        """`after_read(live)`: housekeeping run after each scheduled read (e.g. closing expired requests).
        `prepare(data)`: computes what pages show from new data (rosters, figures) before it is shown, on
        the thread that read it. `background`: scheduled reads run on their own thread, so no page run
        waits for a read, its parsing or `prepare`; pages get the previous data meanwhile.
        `keep_cells=False`: for commands that only read figures: each sheet's cells are let go once it is
        parsed (the data has no `snapshot`, so nothing can be laid over it: writes are refused); with `kept`
        (`kept_tables.KeptTables`), the tables an earlier run kept are read only where they changed. With
        `kept` and `appends_read_back` too, appends are taken: the data after one is read again, as the
        changes since (`_append_and_read_back`); other writes are still refused."""
        self._keep_cells, self._kept = keep_cells, kept
        self._appends_read_back = appends_read_back and kept is not None and not keep_cells
        self._appends = 0  # appends made without cells to lay them over
        self._appends_read = 0  # how many of them the data holds (it was read after them)
        self.workbook, self.interval, self._clock, self._after_read = workbook, interval_seconds, clock, after_read
        self._prepare, self._background = prepare, background
        self._prepared: LiveData | None = None  # the latest data `prepare` finished
        self._data: LiveData | None = None
        self._read_at = 0.0
        self._refreshing = threading.Lock()
        self._laying = FairLock()  # one write at a time is laid over the data, first asked first
        self._writes = 0  # how many writes were laid over the data so far
        self._laid: list[tuple[int, object]] = []  # (number, overlay) of writes a read under way may miss
        self.reads = 0
        self.last_error: Exception | None = None
        self._last_read: _LastRead | None = None  # what the last read gave, before any write was laid over it
        self._reads_since = getattr(workbook, "reads_changes_since", False)
        self._read_failed = False

    def data(self) -> LiveData:
        if self._appends_read < self._appends:
            return self._read_back()
        if self._data is None:
            with self._refreshing:
                if self._data is None:
                    self._first_read()
            return self._data
        if self._clock() - self._read_at >= self.interval and self._refreshing.acquire(blocking=False):
            if self._background:
                threading.Thread(target=self._scheduled_read, name="workbook-refresh", daemon=True).start()
            else:
                self._scheduled_read()
        return self._data

    def _read_back(self) -> LiveData:
        """The data read again after appends made without cells: what changed since, those rows among it."""
        with self._refreshing:
            with self._laying:
                made = self._appends  # committed before the read begins, so it finds them
            if self._appends_read < made:
                try:
                    self._read()
                except Exception as error:
                    raise ReadBackFailed(f"what was just written is in the workbook, but reading it back failed "
                                         f"({error}); a command showing it (e.g. `roster`) reads it again") from error
                self._appends_read = made
            return self._data

    def _scheduled_read(self) -> None:
        """A scheduled read (the caller acquired `_refreshing`), then `prepare` for data written meanwhile."""
        try:
            self._read_or_keep()
            self._prepare_latest()
        finally:
            self._refreshing.release()

    def prepared(self) -> LiveData:
        """The latest data whose figures are computed: what a page of heavy figures shows. It is the
        current data, or (after a write, until the figures of the data with it are ready) the data
        just before; a preparation of the current data is then started off the page's thread."""
        current = self.data()
        if self._prepare is None or self._prepared is current:
            return current
        if self._prepared is None:
            with self._refreshing:
                self._prepare_latest()
            return self._prepared or current
        if self._refreshing.acquire(blocking=False):
            threading.Thread(target=self._preparing, name="workbook-prepare", daemon=True).start()
        return self._prepared

    def _preparing(self) -> None:
        try:
            self._prepare_latest()
        finally:
            self._refreshing.release()

    def _prepare_latest(self) -> None:
        """Runs `prepare` on the current data unless it ran already (the caller holds `_refreshing`)."""
        current = self._data
        if self._prepare is None or current is None or current is self._prepared:
            return
        self._prepare_data(current)
        self._prepared = current

    def _prepare_data(self, data: LiveData) -> None:
        try:
            self._prepare(data)
        except Exception:  # noqa: BLE001 - a page computes what is missing itself
            logging.getLogger(__name__).exception("preparing the figures of new data failed")

    def refresh(self) -> LiveData:
        """Reads the workbook now (waiting for a read under way, then reading again)."""
        with self._refreshing:
            self._read_or_keep() if self._data else self._first_read()
        return self._data

    def _first_read(self) -> None:
        """When the workbook does not answer the first read, the copy a backend kept of its last good read
        (Google Sheets keeps one beside its journal) is used, marked stale, with the error to show beside it."""
        try:
            self._read()
        except Exception as error:
            kept = getattr(self.workbook, "stale_snapshot", None)
            snapshot = kept() if kept is not None else None
            if snapshot is None:
                raise
            self._read(snapshot)
            self.last_error = error

    def _read_or_keep(self) -> None:
        """A failed read keeps the previous data on screen, with the error to show beside it.
        Writes still waiting in the journal (Google was unreachable) are then sent again."""
        try:
            self._read()
            self._read_failed = False
            if self.workbook.waiting():  # writes Google did not get: send them (they are laid over this read)
                self.workbook.sync()
            self.last_error = None
        except Exception as error:  # noqa: BLE001 - any backend failure: keep serving what we have
            self._read_at = self._clock()
            self.last_error = error
            self._read_failed = True  # the next read reads, though nothing was committed since this one began
            return
        if self._after_read is not None:
            try:
                self._after_read(self)
            except Exception:  # noqa: BLE001 - housekeeping is retried after the next read
                logging.getLogger(__name__).exception("housekeeping after a read failed")

    def _read(self, snapshot=None) -> None:
        """Reads are one at a time (under `_refreshing`); writes laid over the data while this read was
        under way are laid over its result again, so a slow read never hides a write from its author.
        A backend that can tell what changed since the last read (SQLite) reads only that, and what did
        not change is not parsed again; figures that only appends to their tables changed are carried."""
        if not self._keep_cells and snapshot is None:
            return self._read_tables_only()
        if snapshot is None and self._kept_as_unchanged():
            return
        with self._laying:
            started = self._writes
        base = self._last_read
        hand_back_last_read()
        with read_set_aside():  # millions of cells and no reference cycle (see `bulk`)
            if snapshot is None:
                snapshot = (self.workbook.snapshot(since=base.snapshot) if base is not None and self._reads_since
                            else self.workbook.snapshot())
            same_cells = (self._data is not None and self._data.snapshot is not None
                          and snapshot.sheets == self._data.snapshot.sheets)
            tables = None
            if not same_cells or base is not None:  # read since the last read, parsing costs what changed
                tables = parse_snapshot(snapshot, None if base is None else (base.snapshot, base.tables))
                index_for_writes(tables)  # here, not in the first write after this read
            # writes laid over the data give the cells they wrote, and tables as parsing them gives, but for
            # what only a parse of the sheet finds (a time zone set, problems in the sheet's order)
            unchanged = same_cells and (tables is None or tables.same_as(self._data.tables))
        with self._laying:
            self._read_at = self._clock()
            self.reads += 1
            if unchanged and self._writes == started:  # same cells: keep the data and all derived from it
                self._data = dataclasses.replace(self._data, taken_at=in_zone(snapshot.taken_at,
                                                                               self._data.tables.timezone))
                self._laid = []
                self._last_read = _LastRead(snapshot, tables or self._data.tables, self._data._memo)
                return
        fresh = None
        if tables is not None:
            fresh = LiveData(tables, in_zone(snapshot.taken_at, tables.timezone), 0, snapshot)
            if base is not None:
                fresh._memo.update(carried(base.memo, base.tables.frames, tables, changes_between(base.tables, tables)))
            if self._prepare is not None:  # outside the lock: writers go on meanwhile
                with read_set_aside():
                    self._prepare_data(fresh)
        with self._laying:
            if tables is None:
                tables = parse_snapshot(snapshot)
                fresh = LiveData(tables, in_zone(snapshot.taken_at, tables.timezone), 0, snapshot)
            self._last_read = _LastRead(snapshot, tables, fresh._memo)
            laid = [(number, overlay) for number, overlay in self._laid if number > started]
            for _, overlay in laid:
                tables, snapshot = overlay(tables, snapshot)
            self._laid = laid
            version = self._data.version + 1 if self._data else 1
            if not laid:  # the read data itself, with what was computed or carried for it
                self._data = dataclasses.replace(fresh, version=version)
                if self._prepare is not None:
                    self._prepared = self._data
            else:
                self._data = LiveData(tables, in_zone(snapshot.taken_at, tables.timezone), version, snapshot)

    def _kept_as_unchanged(self) -> bool:
        """Whether the data was kept because the backend says nothing changed since it was read (SQLite
        can tell, in any process), which spares reading the whole workbook to find that out."""
        unchanged_since = getattr(self.workbook, "unchanged_since_snapshot", None)
        if self._data is None or self._data.snapshot is None or unchanged_since is None or self._read_failed:
            return False
        checked_at = unchanged_since()
        if checked_at is None:
            return False
        with self._laying:
            self._read_at = self._clock()
            self._data = dataclasses.replace(self._data, taken_at=in_zone(checked_at, self._data.tables.timezone))
            self._laid = []
        return True

    def _read_tables_only(self) -> None:
        hand_back_last_read()
        memo = {}
        with read_set_aside():
            if self._kept is not None:
                tables, taken_at, memo = self._kept.read()
            else:
                tables, taken_at = read_tables(self.workbook)
        with self._laying:
            self._read_at = self._clock()
            self.reads += 1
            version = self._data.version + 1 if self._data else 1
            self._data = LiveData(tables, in_zone(taken_at, tables.timezone), version, _memo=memo)

    def _refuse_writes_without_cells(self) -> None:
        if not self._keep_cells:
            raise RuntimeError("this live workbook keeps no cells (keep_cells=False): it only reads"
                               + (" and appends" if self._appends_read_back else ""))

    # -- writing ---------------------------------------------------------------------------
    def append(self, table: str, rows: list[dict[str, str]], stamp: Stamp | None = None,
               fresh: bool = False, extra_columns=()) -> bool:
        """Appends and lays the rows over the data; False when they wait in the journal for Google.

        `fresh`: the answer depends on what others appended to this table meanwhile (a place on a
        roster): the rows added since the data was read are laid over it too, in the sheet's order.
        `extra_columns`: the rows also carry cells of these extra columns (see `Workbook`).
        """
        if self._appends_read_back:
            return self._append_and_read_back(table, rows, stamp, extra_columns)
        self._refuse_writes_without_cells()
        self.data()
        with self._laying:  # written and laid in one step: a later write is never laid before this one
            try:
                written, sent = self.workbook.append(table, rows, stamp, extra_columns=extra_columns), True
            except QueuedForSync as queued:
                written, sent = queued.rows, False
            written = written if written is not None else rows
            current = self._data
            sheet = current.snapshot.sheets.get(table)
            if sheet is None:
                return sent
            tail = self._tail(table, len(sheet.rows)) if fresh and sent else None
            header, new_rows = sheet.header, []
            if tail is not None and tail.start == len(sheet.rows):
                header, new_rows = tail.header, list(tail.rows)
            spec = schema_table(table)
            header = header + [name.strip() for name in missing_extra(spec, header, extra_columns)]
            positions = write_positions(spec, header, extra_columns)
            in_tail = {_id_of(spec, positions, cells) for cells in new_rows}
            new_rows += [cells for cells in (aligned_cells(header, positions, row) for row in written)
                         if _id_of(spec, positions, cells) not in in_tail]  # rows the table holds are dropped later
            self._lay(lambda tables, snapshot: with_rows(tables, snapshot, table, new_rows, header), appended_to=table)
        return sent

    def _append_and_read_back(self, table: str, rows: list[dict[str, str]], stamp: Stamp | None,
                              extra_columns) -> bool:
        """An append without cells to lay it over (a command over kept tables): the data after it is read
        again at the next `data()`, as what changed since the kept tables were: these rows, and any that
        others appended meanwhile, in the sheet's order (what `fresh` gives). Some rows parsed and the
        figures carried past them, against parsing the whole workbook to hold its cells. Only the embedded
        workbook keeps tables, and it writes at once or raises: nothing waits in a journal."""
        self.workbook.append(table, rows, stamp, extra_columns=extra_columns)
        with self._laying:
            self._appends += 1
        return True

    def _lay(self, overlay, appended_to: str | None = None) -> None:
        """Lays one write over the current data (the caller holds `_laying`)."""
        self._writes += 1
        self._laid.append((self._writes, overlay))
        current = self._data
        tables, snapshot = overlay(current.tables, current.snapshot)
        data = LiveData(tables, current.taken_at, current.version + 1, snapshot)
        changes = ({appended_to: current.tables.length(appended_to)} if appended_to is not None
                   else changes_between(current.tables, tables))
        data._memo.update(carried(current._memo, current.tables.frames, tables, changes))
        self._data = data

    def _tail(self, table: str, start: int):
        """The rows others appended since the data was read (backends that can tell cheaply: SQLite).
        On Google Sheets this process's own rows are laid over; other processes' show at the next read."""
        rows_after = getattr(self.workbook, "rows_after", None)
        if rows_after is None:
            return None
        try:
            return rows_after(table, start)
        except Exception:  # noqa: BLE001 - the write is done; its own rows are laid over anyway
            return None

    def update(self, table: str, key: dict[str, str], changes: dict[str, str],
               expect: dict[str, str] | None = None, extra_columns=()) -> bool:
        return self.update_rows(table, [(key, changes)], None if expect is None else [expect], extra_columns)

    def update_rows(self, table: str, items: list[tuple[dict[str, str], dict[str, str]]],
                    expect: list[dict[str, str]] | None = None, extra_columns=()) -> bool:
        """Changes the named cells of each keyed row in one write, then lays them over the data
        (cells of extra columns show at the next read). `expect`: one dict per item, the cells each row
        must still hold (else `Conflict`, and no row is changed)."""
        self._refuse_writes_without_cells()
        self.data()
        try:
            self.workbook.update_rows(table, items, extra_columns=extra_columns, expect=expect)
            sent = True
        except QueuedForSync:
            sent = False
        def overlay(tables, snapshot):
            return with_cells_of_rows(tables, snapshot, table, items)

        with self._laying:
            self._lay(overlay)
        return sent
