"""A write's few rows parsed cell by cell into the same typed frame a whole sheet gives.

Pandas' column operations cost about a millisecond each whatever the length, so on the one row a
sign-up appends they cost more than the rest of the write. This reads the rows as the sheet parser
does (the same `parse_cell`, the same problems in the same order, the first row of an ID wins) with
plain lists, and builds the frame once. `tests/test_column_parsing.py` holds both to one reference.
"""
from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from connectors.column_parsing import DTYPES, one_cell
from connectors.sheet import RawSheet
from workflows.problems import Problem
from workflows.schema import APPEND_ONLY, Column, Table
from workflows.tables import ROW

FEW_ROWS = 8  # sheets this short are parsed here, row by row


def parse_few_rows(table: Table, raw: RawSheet, positions: dict[str, int], tz: ZoneInfo, first_index: int = 0
                   ) -> tuple[pd.DataFrame, list[Problem]]:
    """(typed frame, problems) of a sheet's few rows from `first_index` on; the required columns are present."""
    kept, problems, firsts = [], [], {}
    for index, row in enumerate(raw.rows, start=first_index):
        if not "".join(row).strip():
            continue
        number = RawSheet.row_number(index)
        record, usable = _record(table, raw, row, number, positions, tz, problems)
        if not usable or any(record[key] is None for key in table.id_columns):
            continue
        key = tuple(record[k] for k in table.id_columns)
        first = firsts.get(key)
        if first is None:
            firsts[key] = (number, record)
            kept.append((number, record))
        elif not (table.kind == APPEND_ONLY and first[1] == record):  # an identical re-send is no problem
            header = raw.header[positions[table.id_columns[0]]]
            problems.append(Problem(raw.title, number, header, "/".join(map(str, key)), "duplicate_id",
                                    {"first_row": first[0]}))
    return _frame(table, kept), problems


def _record(table, raw, row, number, positions, tz, problems) -> tuple[dict, bool]:
    record, usable = {}, True
    for column in table.columns:
        position = positions.get(column.key)
        text = row[position] if position is not None and position < len(row) else ""
        record[column.key], blank, bad = one_cell(text, column, tz)
        if blank and column.required:
            problems.append(Problem(raw.title, number, raw.header[position], "", "required_empty",
                                    {"column": column.key}))
            usable = False
        if bad is not None:
            text, why = bad
            problems.append(Problem(raw.title, number, raw.header[position], text, f"cell.{why.code}", why.params))
            usable = usable and not column.required
    return record, usable


def _frame(table: Table, kept: list[tuple[int, dict]]) -> pd.DataFrame:
    """Built from arrays already of their final type, which lets pandas skip checking and converting
    them (`_from_arrays` without `verify_integrity`: 0.2 ms instead of 1.2 ms for a sign-up's row).
    The test of this module's column types against a whole sheet's guards that shortcut."""
    arrays = [np.array([number for number, _ in kept], dtype="int64")]
    arrays += [_typed([record[column.key] for _, record in kept], column) for column in table.columns]
    return pd.DataFrame._from_arrays(arrays, columns=_columns(table), index=pd.RangeIndex(len(kept)),
                                     verify_integrity=False)


@functools.lru_cache(maxsize=None)
def _columns(table: Table) -> pd.Index:
    return pd.DataFrame(columns=[ROW, *table.column_keys]).columns  # of the type a whole sheet's has


def _typed(values: list, column: Column):
    dtype = DTYPES.get(column.type)
    if dtype is None:  # text and choices: object, as the sheet parser keeps them (not pandas' `str`)
        return np.array(values, dtype=object)
    if dtype.startswith("datetime"):
        return pd.array(np.array(values, dtype=dtype))  # None is NaT; a date is its midnight
    return pd.array(values, dtype=dtype)
