"""The Google Sheets workbook: one spreadsheet, one worksheet per table, through gspread.

Reads: one `values:batchGet` for every worksheet. Appends: one `values:append` (RAW,
INSERT_ROWS), serialised within the process, journalled first and verified by later
snapshots. Updates: the key column is re-read at write time, then one `values:batchUpdate`
(RAW) of just the changed cells. Nothing here clears or rewrites a sheet.
"""
from __future__ import annotations

import threading
import time

from workflows.headers import (check_extra_columns, column_positions, header_for_new_columns, missing_columns,
                               missing_extra, normalise, tables_by_title, write_positions)
from connectors.journal import SENT, UNSENT, Journal
from connectors.sheet import (Conflict, QueuedForSync, RawSheet, RowNotFound, Snapshot, Stamp, TargetedUpdates,
                              stamped)
from connectors.sheets_api import SheetsApi, column_letter, is_transient, quote_title
from workflows import clock as system_clock
from workflows.schema import ALL_TABLES, INTERNAL_TABLES, Table, table as schema_table

_append_locks: dict[str, threading.Lock] = {}
_append_locks_guard = threading.Lock()


def _append_lock(spreadsheet_id: str) -> threading.Lock:
    with _append_locks_guard:
        return _append_locks.setdefault(spreadsheet_id, threading.Lock())


def _row_id(spec: Table, row: dict) -> tuple[str, ...]:
    return tuple(normalise(str(row.get(k, "") or "")) for k in spec.id_columns)


class GoogleSheetsWorkbook(TargetedUpdates):
    def __init__(self, url: str, api: SheetsApi, journal: Journal, clock=None,
                 settle_seconds: float = 5.0, wall_clock=time.time):
        self.url, self.api, self.journal = url, api, journal
        self._clock, self._wall, self.settle_seconds = clock or (lambda: system_clock.utc_now()), wall_clock, settle_seconds
        self._titles: list[str] | None = None
        self._headers: dict[str, list[str]] = {}
        self._lock = _append_lock(api.id)

    # -- reading ---------------------------------------------------------------------------
    def _all_titles(self, refresh: bool = False) -> list[str]:
        if self._titles is None or refresh:
            self._titles = self.api.titles()
        return self._titles

    def snapshot(self) -> Snapshot:
        started = self._wall()
        titles = self._all_titles()
        try:
            grids = self.api.batch_get([quote_title(t) for t in titles])
        except Exception as error:
            if is_transient(error):
                raise
            titles = self._all_titles(refresh=True)  # a worksheet was renamed or deleted
            grids = self.api.batch_get([quote_title(t) for t in titles])
        raw = {title: RawSheet(title, grid[0] if grid else [], grid[1:]) for title, grid in zip(titles, grids)}
        by_table = tables_by_title(titles)
        sheets = {key: raw[title] for key, title in by_table.items()}
        for key, sheet in sheets.items():
            self._headers[key] = sheet.header
        self._reconcile(sheets, started)
        extra = {title: sheet for title, sheet in raw.items() if title not in by_table.values()}
        return Snapshot(sheets, self._clock(), extra)

    def _reconcile(self, sheets: dict[str, RawSheet], started: float) -> None:
        """Confirms journalled writes the sheet shows, marks lost ones, overlays what waits."""
        for entry in self.journal.entries():
            sheet = sheets.get(entry.table)
            if entry.kind == "update":
                if sheet is not None:
                    _overlay_update(schema_table(entry.table), sheet, entry.payload)
                continue
            extra = entry.payload.get("extra", [])
            spec = schema_table(entry.table)
            present = _ids_in(spec, sheet) if sheet is not None else set()
            missing = [r for r in entry.payload["rows"] if _row_id(spec, r) not in present]
            judged = entry.state == SENT and entry.sent_at is not None and entry.sent_at <= started
            if judged and not missing and started - entry.sent_at >= self.settle_seconds:
                self.journal.remove(entry.id)
            elif judged and missing:
                self.journal.mark_unsent(entry.id, "not in the sheet after it was sent")
            if missing and sheet is not None and (judged or entry.state == UNSENT):
                _overlay_rows(spec, sheet, missing, extra)

    def _header(self, table: str) -> list[str]:
        if table not in self._headers:
            grid = self.api.batch_get([f"{quote_title(self._title(table))}!1:1"])[0]
            self._headers[table] = grid[0] if grid else []
        return self._headers[table]

    def _title(self, table: str) -> str:
        title = tables_by_title(self._all_titles()).get(table)
        if title is None:
            title = tables_by_title(self._all_titles(refresh=True)).get(table)
        if title is None and schema_table(table) in INTERNAL_TABLES:  # the app's own: made when first needed
            self.ensure_schema()
            title = tables_by_title(self._all_titles(refresh=True)).get(table)
        if title is None:
            raise LookupError(f"the spreadsheet has no worksheet {table}; run `python cli.py init`")
        return title

    # -- appending -------------------------------------------------------------------------
    def append(self, table: str, rows: list[dict[str, str]], stamp: Stamp | None = None,
               extra_columns=()) -> list[dict[str, str]]:
        rows = [{k: str(v) for k, v in row.items() if v is not None and str(v) != ""} for row in rows]
        extra = list(extra_columns)
        check_extra_columns(schema_table(table), extra)  # before anything is journalled
        with self._lock:
            rows = stamped(rows, stamp)
            entry_id = self.journal.record("append", table, {"rows": rows, **({"extra": extra} if extra else {})})
            try:
                self._send_append(entry_id, table, rows, extra)
            except QueuedForSync as queued:
                queued.rows = rows
                raise
        return rows

    def _send_append(self, entry_id: int, table: str, rows: list[dict], extra=()) -> None:
        spec = schema_table(table)
        try:
            title = self._title(table)
            header = self._header_with_columns_for(spec, title, rows, extra)
            pending = list(rows)

            def before_retry():  # a lost response may hide rows that did land
                pending[:] = self._not_in_sheet(spec, title, header, pending)

            self.api.append(f"{quote_title(title)}!A1", lambda: [_aligned(spec, header, r, extra) for r in pending],
                            before_retry)
        except Exception as error:
            if not is_transient(error):
                raise
            self.journal.mark_failed_attempt(entry_id, str(error))
            raise QueuedForSync(f"{table}: saved locally, will be sent when Google Sheets answers") from error
        self.journal.mark_sent(entry_id)

    def _not_in_sheet(self, spec: Table, title: str, header: list[str], rows: list[dict]) -> list[dict]:
        positions = column_positions(spec, header)
        ranges = [f"{quote_title(title)}!{column_letter(positions[k])}:{column_letter(positions[k])}"
                  for k in spec.id_columns]
        columns = self.api.batch_get(ranges)
        length = max(len(c) for c in columns)
        present = {tuple(normalise(c[i][0]) if i < len(c) and c[i] else "" for c in columns) for i in range(1, length)}
        return [r for r in rows if _row_id(spec, r) not in present]

    def _header_with_columns_for(self, spec: Table, title: str, rows: list[dict], extra=()) -> list[str]:
        """The header, after writing header cells for columns the rows need and the sheet lacks, and
        for the named extra columns it lacks."""
        header = self._header(spec.key)
        needed = [k for k in missing_columns(spec, header) if any(r.get(k) for r in rows)]
        new_extra = [name.strip() for name in missing_extra(spec, header, extra)]
        if needed or new_extra:
            names = header_for_new_columns(spec, needed, header) + new_extra
            start = len(header)
            self.api.write_cells([{"range": f"{quote_title(title)}!{column_letter(start)}1",
                                   "values": [names]}])
            header = self._headers[spec.key] = header + names
        return header

    # -- updating --------------------------------------------------------------------------
    def _update(self, table: str, items: list, expect: dict[str, str] | None, extra_columns: tuple = ()) -> None:
        items = [(dict(key), {k: str(v) for k, v in changes.items()}) for key, changes in items]
        extra = list(extra_columns)
        check_extra_columns(schema_table(table), extra)  # before anything is journalled
        entry_id = self.journal.record("update", table, {"items": items, **({"extra": extra} if extra else {})})
        try:
            self._send_updates(table, items, expect, extra)
        except (Conflict, RowNotFound):
            self.journal.remove(entry_id)
            raise
        except Exception as error:
            if not is_transient(error):
                self.journal.remove(entry_id)
                raise
            self.journal.mark_failed_attempt(entry_id, str(error))
            raise QueuedForSync(f"{table}: change saved locally, will be sent when Google Sheets answers") from error
        self.journal.remove(entry_id)

    def _send_updates(self, table: str, items: list, expect: dict | None, extra=()) -> None:
        """One read (header, key columns and the expected columns) and one write: 2 requests."""
        spec = schema_table(table)
        title = self._title(table)
        header = self._header_with_columns_for(spec, title, [changes for _, changes in items], extra)
        header, rows, current = self._locate(spec, title, header, [key for key, _ in items], list(expect or {}))
        for (key, _), row_number in zip(items, rows):
            if row_number is None:
                raise RowNotFound(table, key)
        if expect is not None:
            differing = {k: current.get(k, "") for k, v in expect.items() if current.get(k, "") != str(v)}
            if differing:
                raise Conflict(table, items[0][0], differing)
        positions = write_positions(spec, header, extra)
        q = quote_title(title)
        self.api.write_cells([{"range": f"{q}!{column_letter(positions[k])}{row_number}", "values": [[v]]}
                              for (_, changes), row_number in zip(items, rows) for k, v in changes.items()
                              if k in positions])

    def _locate(self, spec: Table, title: str, header: list[str], keys: list[dict],
                wanted: list[str] = ()) -> tuple[list[str], list, dict[str, str]]:
        """The header as it is now, the sheet row number of the first row with each key, and the text
        of the `wanted` columns in the first key's row: all in one read."""
        positions = column_positions(spec, header)
        id_keys = list(keys[0])
        wanted = [k for k in wanted if k in positions]
        letters = [column_letter(positions[k]) for k in id_keys + wanted]
        q = quote_title(title)
        grids = self.api.batch_get([f"{q}!1:1", *(f"{q}!{L}:{L}" for L in letters)])
        if grids[0] and grids[0][0] != header:  # the header moved since we read it: read again
            self._headers[spec.key] = grids[0][0]
            return self._locate(spec, title, grids[0][0], keys, wanted)
        id_grids, wanted_grids = grids[1:1 + len(id_keys)], grids[1 + len(id_keys):]
        first_row: dict[tuple, int] = {}
        for index in range(1, max(len(g) for g in id_grids)):
            cells = tuple(normalise(g[index][0]) if index < len(g) and g[index] else "" for g in id_grids)
            first_row.setdefault(cells, index + 1)
        rows = [first_row.get(tuple(normalise(str(key[k])) for k in id_keys)) for key in keys]
        current = {}
        if rows and rows[0] is not None:
            index = rows[0] - 1
            current = {k: (g[index][0] if index < len(g) and g[index] else "") for k, g in zip(wanted, wanted_grids)}
        return header, rows, current

    # -- schema and sync -------------------------------------------------------------------
    def ensure_schema(self, lang: str = "zh") -> list[str]:
        titles = self._all_titles(refresh=True)
        by_table = tables_by_title(titles)
        new = [spec for spec in ALL_TABLES if spec.key not in by_table]
        if new:
            self.api.add_sheets([spec.key for spec in new], columns=26)
        data, created = [], [spec.key for spec in new]
        for spec in new:
            data.append({"range": f"{quote_title(spec.key)}!A1", "values": [spec.header(lang)]})
        if by_table:
            grids = self.api.batch_get([f"{quote_title(by_table[s.key])}!1:1" for s in ALL_TABLES if s.key in by_table])
            for spec, grid in zip([s for s in ALL_TABLES if s.key in by_table], grids):
                header = grid[0] if grid else []
                keys = missing_columns(spec, header)
                if keys:
                    names = [spec.column(k).zh if lang == "zh" else k for k in keys]
                    data.append({"range": f"{quote_title(by_table[spec.key])}!{column_letter(len(header))}1",
                                 "values": [names]})
                    created.extend(f"{spec.key}.{n}" for n in names)
        if data:
            self.api.write_cells(data)
        self._titles, self._headers = None, {}
        return created

    def waiting(self) -> int:
        """Writes in the journal not (or no longer) known to be in the sheet."""
        return self.journal.waiting()

    def sync(self, rounds: int = 3) -> int:
        """Sends what waits in the journal; returns how many writes still wait."""
        if not self.journal.entries():
            return 0  # nothing journalled: no request at all
        for _ in range(rounds):
            self.snapshot()
            waiting = self.journal.entries(UNSENT)
            if not waiting:
                return 0
            for entry in waiting:
                self._resend(entry)
        self.snapshot()
        return self.journal.waiting()

    def _resend(self, entry) -> None:
        try:
            if entry.kind == "append":
                with self._lock:
                    spec = schema_table(entry.table)
                    title = self._title(entry.table)
                    header = self._header(entry.table)
                    rows = self._not_in_sheet(spec, title, header, entry.payload["rows"])
                    self._send_append(entry.id, entry.table, rows, entry.payload.get("extra", []))
            else:
                self._send_updates(entry.table, entry.payload["items"], None, entry.payload.get("extra", []))
                self.journal.remove(entry.id)
        except QueuedForSync:
            pass
        except (Conflict, RowNotFound):
            self.journal.remove(entry.id)


def _ids_in(spec: Table, sheet: RawSheet) -> set[tuple[str, ...]]:
    positions = column_positions(spec, sheet.header)
    if any(k not in positions for k in spec.id_columns):
        return set()
    return {tuple(normalise(sheet.cell(i, positions[k])) for k in spec.id_columns) for i in range(len(sheet.rows))}


def _aligned(spec: Table, header: list[str], row: dict, extra=()) -> list[str]:
    positions = write_positions(spec, header, extra)
    cells = [""] * (max(positions.values()) + 1 if positions else 0)
    for key, value in row.items():
        if key in positions:
            cells[positions[key]] = value
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _overlay_rows(spec: Table, sheet: RawSheet, rows: list[dict], extra=()) -> None:
    sheet.rows.extend(_aligned(spec, sheet.header, r, extra) for r in rows)


def _overlay_update(spec: Table, sheet: RawSheet, payload: dict) -> None:
    positions = write_positions(spec, sheet.header, payload.get("extra", []))
    for key, changes in payload["items"]:
        target = tuple(normalise(str(v)) for v in key.values())
        for index, row in enumerate(sheet.rows):
            if tuple(normalise(sheet.cell(index, positions.get(k, 10**6))) for k in key) == target:
                for column, value in changes.items():
                    if column in positions:
                        row.extend([""] * (positions[column] + 1 - len(row)))
                        row[positions[column]] = value
                break
