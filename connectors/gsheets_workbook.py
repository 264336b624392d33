"""The Google Sheets workbook: one spreadsheet, one worksheet per table, through gspread.

Reads: one `values:batchGet` for every worksheet; each good read is also kept on disk beside
the journal (`snapshot_file`), for a process that starts while Google does not answer.
Appends: journalled first, then one `values:append` (RAW, INSERT_ROWS) per batch: appends to one
worksheet that arrive while one is being sent in this process wait and go together in the next
request; there is no read-back (the live snapshot lays the rows over what it read). Later
snapshots verify them. Updates: the key column is re-read at write time, then one
`values:batchUpdate` (RAW) of just the changed cells. Nothing here clears or rewrites a sheet.

Exactly once: see connectors/journal.py. The process that records an append sends it; if an
attempt fails, it checks the sheet before the next attempt; once it gives up, the entry is free
and any process's `sync` re-sends it, claiming it and checking the sheet under the journal's
send lock, so two processes never both send it.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from workflows.headers import (check_extra_columns, column_positions, header_for_new_columns, missing_columns,
                               missing_extra, normalise, tables_by_title, write_positions)
from connectors import snapshot_file
from connectors.journal import SENT, UNSENT, ClaimLost, Journal
from connectors.sheet import (Conflict, QueuedForSync, RawSheet, RowNotFound, Snapshot, Stamp, TargetedUpdates,
                              stamped)
from connectors.sheets_api import SheetsApi, column_letter, is_transient, quote_title
from workflows import clock as system_clock
from workflows.schema import ALL_TABLES, INTERNAL_TABLES, Table, table as schema_table


@dataclass
class _Pending:
    """One caller's append waiting to be sent with others to the same worksheet."""

    entry_id: int
    rows: list[dict]
    extra: list[str]
    done: bool = False
    error: BaseException | None = None


@dataclass
class _AppendQueue:
    """Appends to one worksheet from one process. Whoever finds nobody sending sends everything that
    waits in one request; those arriving meanwhile wait for the next one (a group commit)."""

    condition: threading.Condition = field(default_factory=threading.Condition)
    waiting: list = field(default_factory=list)
    sending: bool = False

    def submit(self, item: _Pending, send) -> None:
        with self.condition:
            self.waiting.append(item)
            while not item.done:
                if self.sending:
                    self.condition.wait()
                    continue
                batch, self.waiting, self.sending = self.waiting, [], True
                self.condition.release()
                try:
                    send(batch)
                except BaseException as error:  # noqa: BLE001 - handed to every caller of the batch
                    for pending in batch:
                        pending.error = pending.error or error
                finally:
                    self.condition.acquire()
                    self.sending = False
                    for pending in batch:
                        pending.done = True
                    self.condition.notify_all()
        if item.error is not None:
            raise item.error


class AppendQueues:
    """The append queues of one spreadsheet in this process, one per worksheet."""

    def __init__(self):
        self._queues: dict[str, _AppendQueue] = {}
        self._guard = threading.Lock()

    def of(self, table: str) -> _AppendQueue:
        with self._guard:
            return self._queues.setdefault(table, _AppendQueue())


_queues_by_spreadsheet: dict[str, AppendQueues] = {}
_queues_guard = threading.Lock()


def _append_queues(spreadsheet_id: str) -> AppendQueues:
    with _queues_guard:
        return _queues_by_spreadsheet.setdefault(spreadsheet_id, AppendQueues())


def _row_id(spec: Table, row: dict) -> tuple[str, ...]:
    return tuple(normalise(str(row.get(k, "") or "")) for k in spec.id_columns)


class GoogleSheetsWorkbook(TargetedUpdates):
    def __init__(self, url: str, api: SheetsApi, journal: Journal, clock=None,
                 settle_seconds: float = 5.0, wall_clock=time.time, min_sync_interval: float = 0.0):
        """`min_sync_interval`: `sync` sends at most once in that many seconds (an app refreshing often)."""
        self.url, self.api, self.journal = url, api, journal
        self._clock, self._wall, self.settle_seconds = clock or (lambda: system_clock.utc_now()), wall_clock, settle_seconds
        self.min_sync_interval = min_sync_interval
        self._titles: list[str] | None = None
        self._headers: dict[str, list[str]] = {}
        self._queues = _append_queues(api.id)
        self._kept_path = snapshot_file.snapshot_path(journal.path, api.id)
        self._kept_grids: list | None = None
        self._last_read_at: float | None = None
        self._last_sync_at: float | None = None

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
        taken_at = self._clock()
        self._keep(titles, grids, taken_at)
        self._last_read_at = self._wall()
        return self._snapshot_of(titles, grids, taken_at, started)

    def stale_snapshot(self) -> Snapshot | None:
        """The last good read kept on disk, with the journal's writes laid over it, marked stale; None if
        there is none. For a process that starts while Google does not answer."""
        kept = snapshot_file.load(self._kept_path)
        if kept is None:
            return None
        titles, grids, taken_at = kept
        snapshot = self._snapshot_of(titles, grids, taken_at, None)
        snapshot.stale = True
        return snapshot

    def _keep(self, titles: list[str], grids: list, taken_at) -> None:
        if grids == self._kept_grids:
            return
        try:
            snapshot_file.save(self._kept_path, titles, grids, taken_at)
            self._kept_grids = grids
        except OSError:  # a full disk must not stop reading; the previous copy stays
            pass

    def _snapshot_of(self, titles: list[str], grids: list, taken_at, started: float | None) -> Snapshot:
        """`started`: when the read began (None for the copy kept on disk: it confirms nothing)."""
        raw = {title: RawSheet(title, list(grid[0]) if grid else [], [list(r) for r in grid[1:]])
               for title, grid in zip(titles, grids)}
        by_table = tables_by_title(titles)
        sheets = {key: raw[title] for key, title in by_table.items()}
        if started is not None:
            for key, sheet in sheets.items():
                self._headers[key] = sheet.header
        self._reconcile(sheets, started)
        extra = {title: sheet for title, sheet in raw.items() if title not in by_table.values()}
        return Snapshot(sheets, taken_at, extra)

    def _reconcile(self, sheets: dict[str, RawSheet], started: float | None) -> None:
        """Confirms journalled writes the sheet shows, marks lost ones, overlays what waits. On the copy
        kept on disk (`started` None) it only overlays: every journalled row it lacks."""
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
            judged = (started is not None and entry.state == SENT and entry.sent_at is not None
                      and entry.sent_at <= started)
            if judged and not missing and started - entry.sent_at >= self.settle_seconds:
                self.journal.remove(entry.id)
            elif judged and missing:
                self.journal.mark_unsent(entry.id, "not in the sheet after it was sent")
            if missing and sheet is not None and (judged or entry.state == UNSENT or started is None):
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
        rows = stamped(rows, stamp)
        entry_id = self.journal.record("append", table, {"rows": rows, **({"extra": extra} if extra else {})},
                                       claim=True)
        try:
            self._queues.of(table).submit(_Pending(entry_id, rows, extra), lambda batch: self._send_batch(table, batch))
        except QueuedForSync as queued:
            raise QueuedForSync(str(queued), rows) from queued.__cause__
        return rows

    def _send_batch(self, table: str, batch: list[_Pending], checked: bool = False) -> None:
        """One `values:append` of every row of the batch's entries (all claimed by this process). Before a
        retry, and first of all when `checked`, only the rows the sheet lacks are sent."""
        spec = schema_table(table)
        ids = [p.entry_id for p in batch]
        try:
            title = self._title(table)
            extra = list(dict.fromkeys(name for p in batch for name in p.extra))
            header = self._header_with_columns_for(spec, title, [r for p in batch for r in p.rows], extra)
            pending = [(p.extra, r) for p in batch for r in p.rows]

            def before_retry():  # a lost response may hide rows that did land
                if not self.journal.renew(ids):
                    raise ClaimLost(f"{table}: another process sends these rows now")
                lacking = {_row_id(spec, r) for r in self._not_in_sheet(spec, title, header, [r for _, r in pending])}
                pending[:] = [(x, r) for x, r in pending if _row_id(spec, r) in lacking]

            if checked:
                before_retry()
            self.api.append(f"{quote_title(title)}!A1", lambda: [_aligned(spec, header, r, x) for x, r in pending],
                            before_retry)
        except Exception as error:
            for entry_id in ids:
                self.journal.mark_failed_attempt(entry_id, str(error))
            if not (is_transient(error) or isinstance(error, ClaimLost)):
                raise
            queued = QueuedForSync(f"{table}: saved locally, will be sent when Google Sheets answers")
            queued.__cause__ = error
            for p in batch:
                p.error = queued
            return
        for entry_id in ids:
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
    def _update(self, table: str, items: list, expect: list[dict[str, str]] | None, extra_columns: tuple = ()) -> None:
        items = [(dict(key), {k: str(v) for k, v in changes.items()}) for key, changes in items]
        extra = list(extra_columns)
        check_extra_columns(schema_table(table), extra)  # before anything is journalled
        expect = None if expect is None else [{k: str(v) for k, v in cells.items()} for cells in expect]
        payload = {"items": items, **({"extra": extra} if extra else {}), **({"expect": expect} if expect else {})}
        entry_id = self.journal.record("update", table, payload, claim=True)
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

    def _send_updates(self, table: str, items: list, expect: list[dict] | None, extra=(),
                      leave_out_refused: bool = False) -> None:
        """One read (header, key columns and the expected columns) and one write: 2 requests, whatever
        the number of rows. A row not found, or not holding what it expects, raises before anything is
        written; with `leave_out_refused` (a queued change sent later) it is left out and the rest written."""
        spec = schema_table(table)
        title = self._title(table)
        header = self._header_with_columns_for(spec, title, [changes for _, changes in items], extra)
        wanted = list(dict.fromkeys(name for cells in expect or () for name in cells))
        header, rows, current = self._locate(spec, title, header, [key for key, _ in items], wanted)
        refused = set()
        for index, ((key, _), row_number, cells, now) in enumerate(zip(items, rows, expect or [{}] * len(items), current)):
            differing = {k: now.get(k, "") for k, v in cells.items() if now.get(k, "") != str(v)}
            if row_number is None or differing:
                if not leave_out_refused:
                    raise RowNotFound(table, key) if row_number is None else Conflict(table, key, differing)
                refused.add(index)
        positions = write_positions(spec, header, extra)
        q = quote_title(title)
        cells = [{"range": f"{q}!{column_letter(positions[k])}{row_number}", "values": [[v]]}
                 for index, ((_, changes), row_number) in enumerate(zip(items, rows)) if index not in refused
                 for k, v in changes.items() if k in positions]
        if cells:
            self.api.write_cells(cells)

    def _locate(self, spec: Table, title: str, header: list[str], keys: list[dict],
                wanted: list[str] = ()) -> tuple[list[str], list, list[dict[str, str]]]:
        """The header as it is now, the sheet row number of the first row with each key, and the text
        of the `wanted` columns in each of those rows: all in one read."""
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
        current = [{} if row is None else
                   {k: (g[row - 1][0] if row - 1 < len(g) and g[row - 1] else "") for k, g in zip(wanted, wanted_grids)}
                   for row in rows]
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
        """Sends what waits in the journal and is free to send (see connectors/journal.py); returns how
        many writes still wait. With `min_sync_interval`, a call sooner than that after the last one
        sends nothing."""
        if not self.journal.entries():
            return 0  # nothing journalled: no request at all
        now = self._wall()
        if self._last_sync_at is not None and now - self._last_sync_at < self.min_sync_interval:
            return self.journal.waiting()
        self._last_sync_at = now
        try:
            for round_ in range(rounds):
                if not (round_ == 0 and self._read_just_now()):
                    self.snapshot()  # confirms what landed, marks what a racing append lost
                sendable = self.journal.sendable()
                if not sendable or not self._resend(sendable):
                    break
            else:
                self.snapshot()
        except Exception as error:
            if not is_transient(error):
                raise
        return self.journal.waiting()  # Google did not answer: it all waits for the next sync

    def _read_just_now(self) -> bool:
        return self._last_read_at is not None and self._wall() - self._last_read_at < 1.0

    def _resend(self, entries) -> bool:
        """Claims each entry and sends what the sheet lacks, under the lock every process shares, in the
        journal's order; consecutive appends to one worksheet go in one request."""
        with self.journal.send_lock() as held:
            if not held:
                return False  # another process (or thread) is re-sending
            claimed = [e for e in (self.journal.claim(entry.id) for entry in entries) if e is not None]
            appends: dict[str, list[_Pending]] = {}
            for entry in claimed:
                if entry.kind == "append":
                    appends.setdefault(entry.table, []).append(
                        _Pending(entry.id, entry.payload["rows"], entry.payload.get("extra", [])))
                else:
                    self._resend_appends(appends)
                    appends = {}  # sent: the appends after this update form the next batches
                    self._resend_update(entry)
            self._resend_appends(appends)
        return True

    def _resend_appends(self, appends: dict[str, list[_Pending]]) -> None:
        for table, batch in appends.items():
            try:
                self._send_batch(table, batch, checked=True)
            except Exception:  # noqa: BLE001 - not transient: it stays in the journal, the rest go on
                pass

    def _resend_update(self, entry) -> None:
        try:
            self._send_updates(entry.table, entry.payload["items"], entry.payload.get("expect"),
                               entry.payload.get("extra", []), leave_out_refused=True)
            self.journal.remove(entry.id)
        except (Conflict, RowNotFound):
            self.journal.remove(entry.id)
        except Exception as error:  # noqa: BLE001 - it waits for the next sync
            self.journal.mark_failed_attempt(entry.id, str(error))


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
