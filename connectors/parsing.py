"""From raw text sheets to typed tables, collecting every cell that does not parse.

Nothing here raises on bad data: a bad cell becomes a `Problem` and the cell is treated as
empty (or the row skipped when the cell is required), never guessed.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from workflows.cells import BadCell, parse_cell
from workflows.headers import column_positions, header_label, normalise
from connectors.sheet import RawSheet, Snapshot
from workflows.problems import Problem
from workflows.schema import ALL_TABLES, APPEND_ONLY, Table, table as schema_table
from workflows.tables import DEFAULT_TIMEZONE, ROW, Tables


def parse_snapshot(snapshot: Snapshot) -> Tables:
    timezone, problems = _timezone(snapshot)
    tz = ZoneInfo(timezone)
    frames, titles, labels = {}, {}, {}
    for table in ALL_TABLES:
        raw = snapshot.sheets.get(table.key)
        frame, found = parse_sheet(table, raw, tz)
        frames[table.key] = frame
        problems.extend(found)
        titles[table.key] = raw.title if raw else table.key
        header = raw.header if raw else []
        labels[table.key] = {key: header_label(table, header, key) for key in table.column_keys}
    return Tables(frames, problems, timezone, titles, labels)


def _timezone(snapshot: Snapshot) -> tuple[str, list[Problem]]:
    settings = snapshot.sheets.get("settings")
    if settings is None:
        return DEFAULT_TIMEZONE, []
    positions = column_positions(schema_table("settings"), settings.header)
    if "key" not in positions or "value" not in positions:
        return DEFAULT_TIMEZONE, []
    for index in range(len(settings.rows)):
        if normalise(settings.cell(index, positions["key"])) == "timezone":
            name = settings.cell(index, positions["value"]).strip()
            if not name:
                return DEFAULT_TIMEZONE, []
            try:
                ZoneInfo(name)
                return name, []
            except (ZoneInfoNotFoundError, ValueError, OSError):  # e.g. `Asia` is a folder of zones, not a zone
                header = settings.header[positions["value"]]
                row = RawSheet.row_number(index)
                return DEFAULT_TIMEZONE, [Problem(settings.title, row, header, name, "unknown_time_zone")]
    return DEFAULT_TIMEZONE, []


def parse_sheet(table: Table, raw: RawSheet | None, tz: ZoneInfo) -> tuple[pd.DataFrame, list[Problem]]:
    if raw is None:
        return empty_frame(table), [Problem(table.zh, None, "", "", "worksheet_missing",
                                            {"table": table.key, "title": table.zh})]
    positions = column_positions(table, raw.header)
    problems = [Problem(raw.title, 1, column.zh, "", "column_missing", {"column": column.key, "label": column.zh})
                for column in table.columns if column.required and column.key not in positions]
    if problems:  # as if every row left that required cell empty: no row is read, the table is empty
        return empty_frame(table), problems
    records, seen_ids = [], {}
    for index, row in enumerate(raw.rows):
        if not any(cell.strip() for cell in row):
            continue
        record, row_problems = _parse_row(table, raw, index, positions, tz)
        problems.extend(row_problems)
        if record is None:
            continue
        duplicate = _duplicate_problem(table, raw, record, seen_ids, positions)
        if duplicate is not None:
            if duplicate is not _RESENT:
                problems.append(duplicate)
            continue
        records.append(record)
    return _frame(table, records), problems


def _parse_row(table, raw, index, positions, tz):
    record, problems, usable = {ROW: RawSheet.row_number(index)}, [], True
    for column in table.columns:
        position = positions.get(column.key)
        text = raw.cell(index, position) if position is not None else ""
        if not text.strip():
            text = column.default
        if not text.strip():
            record[column.key] = "" if column.type == "text" else None
            if column.required and position is not None:
                problems.append(_problem(raw, index, position, "", "required_empty", column=column.key))
                usable = False
            continue
        try:
            record[column.key] = parse_cell(text, column, tz)
        except BadCell as bad:
            record[column.key] = None
            problems.append(_problem(raw, index, position, text, f"cell.{bad.code}", **bad.params))
            usable = usable and not column.required
    if any(record[key] is None for key in table.id_columns):
        usable = False
    return (record if usable else None), problems


def _problem(raw: RawSheet, index: int, position: int, value: str, code: str, **params) -> Problem:
    return Problem(raw.title, RawSheet.row_number(index), raw.header[position], value, code, params)


_RESENT = object()  # a log's identical re-send: skipped, not a problem


def _duplicate_problem(table, raw, record, seen_ids, positions):
    """None for a first occurrence; _RESENT for a log's identical re-send; a Problem otherwise."""
    key = tuple(record[k] for k in table.id_columns)
    first = seen_ids.get(key)
    if first is None:
        seen_ids[key] = record
        return None
    id_column = table.id_columns[0]
    header = raw.header[positions[id_column]]
    if table.kind == APPEND_ONLY and _same_content(first, record):
        return _RESENT
    return Problem(raw.title, record[ROW], header, "/".join(map(str, key)), "duplicate_id",
                   {"first_row": int(first[ROW])})


def _same_content(first: dict, second: dict) -> bool:
    return {k: v for k, v in first.items() if k != ROW} == {k: v for k, v in second.items() if k != ROW}


_DTYPES = {"int": "Int64", "number": "Float64", "bool": "boolean", "date": "datetime64[us]",
           "datetime": "datetime64[us]"}


def _frame(table: Table, records: list[dict]) -> pd.DataFrame:
    columns = [ROW, *table.column_keys]
    frame = pd.DataFrame.from_records(records, columns=columns) if records else pd.DataFrame(columns=columns)
    for column in table.columns:
        dtype = _DTYPES.get(column.type)
        if dtype is not None:
            frame[column.key] = frame[column.key].astype(dtype)
        else:
            frame[column.key] = frame[column.key].astype(object)
    frame[ROW] = frame[ROW].astype("int64")
    return frame.reset_index(drop=True)


def empty_frame(table: Table) -> pd.DataFrame:
    return _frame(table, [])
