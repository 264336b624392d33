"""The shared live snapshot: one workbook read per process per refresh interval.

Every page of every session reads through one `LiveWorkbook`. When the data is older than
the interval, the first caller refreshes it while the others keep using the previous data;
a write through it refreshes at once, so its author sees it (read-your-writes). Parsing
happens once per snapshot, not once per page run.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from connectors.headers import column_positions
from connectors.parsing import parse_snapshot
from connectors.sheet import QueuedForSync, Snapshot, Stamp, Workbook
from workflows.schema import table as schema_table
from workflows.tables import Tables


@dataclass(frozen=True)
class LiveData:
    tables: Tables
    taken_at: dt.datetime  # when the workbook was read
    version: int  # increases with each read
    snapshot: Snapshot | None = None  # the cells as they are, for edits that compare with them

    def cells_of(self, table: str, row_number: int) -> dict[str, str]:
        """The text of each known column of one sheet row, exactly as the sheet holds it."""
        sheet = self.snapshot.sheets[table]
        positions = column_positions(schema_table(table), sheet.header)
        index = row_number - 2
        return {key: sheet.cell(index, position) for key, position in positions.items()}


class LiveWorkbook:
    def __init__(self, workbook: Workbook, interval_seconds: float = 15.0, clock=time.monotonic):
        self.workbook, self.interval, self._clock = workbook, interval_seconds, clock
        self._data: LiveData | None = None
        self._read_at = 0.0
        self._refreshing = threading.Lock()
        self.reads = 0
        self.last_error: Exception | None = None

    def data(self) -> LiveData:
        if self._data is None:
            with self._refreshing:
                if self._data is None:
                    self._read()
            return self._data
        if self._clock() - self._read_at >= self.interval and self._refreshing.acquire(blocking=False):
            try:
                self._read_or_keep()
            finally:
                self._refreshing.release()
        return self._data

    def refresh(self) -> LiveData:
        """Reads the workbook now (waiting for a read under way, then reading again)."""
        with self._refreshing:
            self._read_or_keep() if self._data else self._read()
        return self._data

    def _read_or_keep(self) -> None:
        """A failed read keeps the previous data on screen, with the error to show beside it.
        Writes still waiting in the journal (Google was unreachable) are sent again first."""
        try:
            self._read()
            if self.workbook.waiting():  # this read found writes Google did not get: send them, read again
                self.workbook.sync()
                self._read()
            self.last_error = None
        except Exception as error:  # noqa: BLE001 - any backend failure: keep serving what we have
            self._read_at = self._clock()
            self.last_error = error

    def _read(self) -> None:
        snapshot = self.workbook.snapshot()
        version = self._data.version + 1 if self._data else 1
        self._read_at = self._clock()
        self.reads += 1
        self._data = LiveData(parse_snapshot(snapshot), snapshot.taken_at, version, snapshot)

    def append(self, table: str, rows: list[dict[str, str]], stamp: Stamp | None = None) -> bool:
        """Appends and refreshes; False when the rows wait in the journal for Google to answer."""
        return self._write(lambda: self.workbook.append(table, rows, stamp))

    def update(self, table: str, key: dict[str, str], changes: dict[str, str],
               expect: dict[str, str] | None = None) -> bool:
        return self._write(lambda: self.workbook.update(table, key, changes, expect))

    def _write(self, write) -> bool:
        try:
            write()
            sent = True
        except QueuedForSync:
            sent = False
        self.refresh()
        return sent
