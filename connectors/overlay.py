"""Laying a write over the cached data, so its author sees it without a re-read of the workbook.

Only the rows (or the one row) a write touched are parsed; the other tables and rows are
shared with the data they came from, which stays unchanged for anyone still reading it.
"""
from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
from zoneinfo import ZoneInfo

from workflows.headers import column_positions, normalise
from connectors.parsing import ids_of, parse_sheet
from connectors.sheet import RawSheet, Snapshot, StackedRows
from workflows.schema import RECORD, table as schema_table
from workflows.tables import ROW, Stacked, Tables

# Problems of a sheet that its parse does not give: `parsing.timezone_of`'s, of the settings' time zone
NOT_OF_PARSING = frozenset({"unknown_time_zone"})
FEW_KEYS = 8  # keys a write names: each looked for in the rows, not all rows' IDs hashed
_PLAIN_CELLS = re.compile("[!-~\0]*")  # cells joined by NUL, none other than printable ASCII without spaces


def aligned_cells(header: list[str], positions: dict[str, int], row: dict[str, str]) -> list[str]:
    cells = [""] * len(header)
    for key, value in row.items():
        if key in positions:
            cells[positions[key]] = "" if value is None else str(value)
    return cells


def with_rows(tables: Tables, snapshot: Snapshot, table: str, new_rows: list[list[str]],
              header: list[str] | None = None) -> tuple[Tables, Snapshot]:
    """The data with `new_rows` (cells in sheet order) added at the end of the table's sheet.
    Rows whose ID the table holds already are left out: laying a write twice changes nothing."""
    spec = schema_table(table)
    old = snapshot.sheets.get(table)
    if old is None or not new_rows:
        return tables, snapshot
    header = header or old.header
    new_rows = _not_known(spec, tables.parts(table), column_positions(spec, header), new_rows)
    if not new_rows:
        return tables, snapshot
    sheet = RawSheet(old.title, header, StackedRows.after(old.rows, new_rows))
    parsed, problems = parse_sheet(spec, RawSheet(old.title, header, new_rows), ZoneInfo(tables.timezone),
                                   first_index=len(old.rows))
    problems = [p for p in problems if p.row is not None and p.row > 1]  # the sheet's and header's are known
    frame = Stacked.after(tables.parts(table), parsed) if len(parsed) else tables.frames[table]
    return _replaced(tables, table, frame, problems), _with_sheet(snapshot, table, sheet)


def with_cells(tables: Tables, snapshot: Snapshot, table: str, key: dict[str, str],
               changes: dict[str, str]) -> tuple[Tables, Snapshot]:
    """The data with the cells of the row holding `key` changed (nothing, if it is not there yet)."""
    spec = schema_table(table)
    old, frame = snapshot.sheets.get(table), tables[table]
    if old is None:
        return tables, snapshot
    match = pd.Series(True, index=frame.index)
    for column, value in key.items():
        match &= frame[column].astype(str).map(normalise) == normalise(value)
    if not match.any():
        return tables, snapshot
    position = int(match.to_numpy().nonzero()[0][0])
    index = int(frame.iloc[position][ROW]) - 2
    positions = column_positions(spec, old.header)
    cells = list(old.rows[index]) + [""] * max(0, len(old.header) - len(old.rows[index]))
    for column, value in changes.items():
        if column in positions:
            cells[positions[column]] = str(value)
    rows = list(old.rows)
    rows[index] = cells
    parsed, problems = parse_sheet(spec, RawSheet(old.title, old.header, [cells]), ZoneInfo(tables.timezone),
                                   first_index=index)
    frame = pd.concat([frame.iloc[:position], parsed, frame.iloc[position + 1:]], ignore_index=True)
    number = RawSheet.row_number(index)
    kept = [p for p in tables.problems if not (p.sheet == old.title and p.row == number)]
    found = [p for p in problems if p.row == number]
    return (dataclasses.replace(tables, frames={**tables.frames, table: frame}, problems=kept + found),
            _with_sheet(snapshot, table, RawSheet(old.title, old.header, rows)))


def with_cells_of_rows(tables: Tables, snapshot: Snapshot, table: str,
                       items: list[tuple[dict[str, str], dict[str, str]]]) -> tuple[Tables, Snapshot]:
    """The data with the cells of the first row holding each key changed, as the backends write them: the
    rows are found by their ID cells in the sheet in one pass, and parsed again together, the table
    copied once (row by row, closing 3,000 requests at once in a table of 30,000 scanned and copied it
    3,000 times). A row the edit made usable, or unusable, is in the table or out of it as a read finds."""
    spec = schema_table(table)
    old = snapshot.sheets.get(table)
    if old is None or not items:
        return tables, snapshot
    positions = column_positions(spec, old.header)
    if any(column in changes for _, changes in items for column in spec.id_columns) or any(
            column not in positions for key, _ in items for column in key):
        for key, changes in items:  # an ID edited: the next item may name it
            tables, snapshot = with_cells(tables, snapshot, table, key, changes)
        return tables, snapshot
    rows, edited = list(old.rows), set()
    lookup = _first_rows if len(items) > FEW_KEYS else _first_row_finder
    found_in = {}  # the key's columns -> where each (normalised) key is first
    for key, changes in items:
        columns = tuple(key)
        if columns not in found_in:
            found_in[columns] = lookup(rows, [positions[column] for column in columns])
        index = found_in[columns].get(tuple(map(normalise, key.values())))
        if index is None:
            continue
        cells = list(rows[index]) + [""] * max(0, len(old.header) - len(rows[index]))
        for column, value in changes.items():
            if column in positions:
                cells[positions[column]] = str(value)
        rows[index] = cells
        edited.add(index)
    if not edited:
        return tables, snapshot
    indexes = sorted(edited)
    parsed, problems = parse_sheet(spec, RawSheet(old.title, old.header, [rows[i] for i in indexes]),
                                   ZoneInfo(tables.timezone))
    number_of = {RawSheet.row_number(k): RawSheet.row_number(i) for k, i in enumerate(indexes)}  # block -> sheet
    frame = tables[table]
    parsed[ROW] = parsed[ROW].map(number_of).astype(frame[ROW].dtype)
    numbers = set(number_of.values())
    if (_among_repeated_ids(spec, tables, old.title, frame, parsed, problems, numbers)
            or _resent_in_log(spec, rows, indexes, positions)):
        whole, found = parse_sheet(spec, RawSheet(old.title, old.header, rows), ZoneInfo(tables.timezone))
        kept = [p for p in tables.problems if p.sheet != old.title or p.code in NOT_OF_PARSING]
        return (dataclasses.replace(tables, frames={**tables.frames, table: whole}, problems=kept + found),
                _with_sheet(snapshot, table, RawSheet(old.title, old.header, rows)))
    frame = _with_rows_replaced(frame, parsed, sorted(number_of.values()))
    kept = [p for p in tables.problems if not (p.sheet == old.title and p.row in numbers)]
    found = [dataclasses.replace(p, row=number_of[p.row]) for p in problems if p.row in number_of]
    return (dataclasses.replace(tables, frames={**tables.frames, table: frame}, problems=kept + found),
            _with_sheet(snapshot, table, RawSheet(old.title, old.header, rows)))


def _among_repeated_ids(spec, tables: Tables, title: str, frame: pd.DataFrame, parsed: pd.DataFrame,
                        problems: list, numbers: set[int]) -> bool:
    """Whether an edited row's ID is another row's too (before the edit or after it): then which of them
    counts is the sheet's order to tell, and the sheet is parsed whole, as a read would."""
    if any(p.code == "duplicate_id" for p in problems) or any(
            p.sheet == title and p.code == "duplicate_id" and (p.row in numbers or p.params.get("first_row") in numbers)
            for p in tables.problems):
        return True
    if parsed.empty:
        return False
    held = ~frame[ROW].isin(numbers)  # the other rows, by column: the frame is not copied
    for column in spec.id_columns:
        held &= frame[column].isin(set(parsed[column]))
    return bool(held.any())


def _resent_in_log(spec, rows, indexes: list[int], positions: dict[str, int]) -> bool:
    """Whether a log row edited is one of rows with the same ID: an identical re-send is no problem and in
    no frame, so only the cells tell (and, once they differ, the later is a duplicate a read reports)."""
    if spec.kind == RECORD or any(column not in positions for column in spec.id_columns):
        return False
    at = [positions[column] for column in spec.id_columns]
    ids = lambda row: tuple(row[p].strip() if p < len(row) else "" for p in at)  # noqa: E731 - as the parser reads them
    edited = {ids(rows[index]) for index in indexes}
    return sum(ids(row) in edited for row in rows) > len(indexes)


def _with_rows_replaced(frame: pd.DataFrame, parsed: pd.DataFrame, numbers: list[int]) -> pd.DataFrame:
    """The frame (in sheet order) with its rows of these sheet row numbers, if any, replaced by `parsed`
    (the rows parsed again, those still usable). A write's few rows are cut in between the frame's
    slices; many are put in order by a sort."""
    rows = frame[ROW].to_numpy()
    if len(numbers) > FEW_KEYS or (len(rows) > 1 and not (rows[1:] > rows[:-1]).all()):
        others = frame[~frame[ROW].isin(numbers)]
        return pd.concat([others, parsed], ignore_index=True).sort_values(ROW, kind="stable", ignore_index=True)
    pieces, start, new = [], 0, parsed[ROW].to_numpy()
    for number in numbers:
        at = int(np.searchsorted(rows, number))
        pieces += [frame.iloc[start:at], parsed[new == number]]
        start = at + (at < len(rows) and rows[at] == number)
    return pd.concat([*pieces, frame.iloc[start:]], ignore_index=True)


def _first_rows(rows, id_positions: list[int]) -> dict[tuple, int]:
    """The index of the first row holding each (normalised) combination of ID cells."""
    first: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        first.setdefault(tuple(_normalised(row[p]) if p < len(row) else "" for p in id_positions), index)
    return first


class _first_row_finder:
    """`_first_rows(...).get(key)` for a write's few keys: the rows read up to the first that holds it.
    The ID column (and whether every cell in it is plain) is taken once for every key asked: the batch
    changes no ID (`with_cells_of_rows`)."""

    def __init__(self, rows, id_positions: list[int]):
        self.rows, self.id_positions = rows, id_positions
        self.column = self.joined = None

    def get(self, key: tuple) -> int | None:
        if len(self.id_positions) != 1:
            return _first_rows(self.rows, self.id_positions).get(key)
        if self.column is None:
            position = self.id_positions[0]
            self.column = [row[position] if position < len(row) else "" for row in self.rows]
            joined = "\0".join(self.column)
            plain = joined.count("\0") == len(self.column) - 1 and _PLAIN_CELLS.fullmatch(joined)  # no NUL in a cell
            self.joined = joined.lower() if plain and self.column else None  # each cell reads as its lower case
        column, wanted = self.column, key[0]
        if self.joined is not None and wanted:
            if "\0" in wanted or not _PLAIN_CELLS.fullmatch(wanted):
                return None  # a key no such cell reads as
            at = ("\0" + self.joined + "\0").find("\0" + wanted + "\0")
            return None if at < 0 else self.joined.count("\0", 0, at)
        end = len(column)
        if normalise(wanted) == wanted:  # a cell holding the key exactly reads as it: none past it is read
            try:
                end = column.index(wanted) + 1
            except ValueError:
                pass
        try:
            return list(map(_normalised, column[:end])).index(wanted)
        except ValueError:
            return None


def _normalised(cell: str) -> str:
    """`normalise`, quicker for the ASCII an ID mostly is (its NFKC form is itself, casefold is lower)."""
    return cell.strip().lower() if cell.isascii() else normalise(cell)


def _not_known(spec, parts, positions: dict[str, int], rows: list[list[str]]) -> list[list[str]]:
    """The rows whose ID the table (held as `parts`) does not hold yet, IDs compared as the parser
    reads them. Each part's IDs are a set made once per part (see `index_for_writes`), so the whole
    table is never scanned again for the few rows written."""
    if any(k not in positions for k in spec.id_columns):
        return rows
    ids = [tuple(row[positions[k]].strip() if positions[k] < len(row) else "" for k in spec.id_columns) for row in rows]
    held = [ids_of(spec, part) for part in parts if len(part)]
    return [row for row, key in zip(rows, ids) if not any(key in part_ids for part_ids in held)]


def index_for_writes(tables: Tables) -> None:
    """Makes the ID sets `_not_known` looks rows up in for the logs written most (on the thread that
    reads the workbook, so the first write after a read does not pay for them)."""
    for table in ("signups", "checkins", "hours"):
        if table in tables.frames:
            for part in tables.parts(table):
                ids_of(schema_table(table), part)


def _replaced(tables: Tables, table: str, frame: pd.DataFrame, problems: list) -> Tables:
    return dataclasses.replace(tables, frames={**tables.frames, table: frame}, problems=tables.problems + problems)


def _with_sheet(snapshot: Snapshot, table: str, sheet: RawSheet) -> Snapshot:
    return dataclasses.replace(snapshot, sheets={**snapshot.sheets, table: sheet})
