"""Parsing by column gives exactly what parsing each cell by itself gives: the same values, the same
rows kept, the same problems in the same order.

The reference below is the parser the app had before it parsed by column (one `parse_cell` per cell,
row after row). Hypothesis writes sheets of cells in the app's own forms, in a coordinator's forms and
in nonsense, and the two must agree on every one.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from unittest.mock import patch

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import connectors.column_parsing as column_parsing
import connectors.row_parsing as row_parsing
from connectors.parsing import parse_sheet
from connectors.sheet import RawSheet
from workflows.cells import BadCell, parse_cell
from workflows.headers import column_positions
from workflows.problems import Problem
from workflows.schema import ALL_TABLES, APPEND_ONLY, table
from workflows.tables import ROW

TZ = ZoneInfo("Asia/Shanghai")


def reference_parse(spec, raw: RawSheet) -> tuple[list[dict], list[Problem]]:
    """The rows kept (as dicts of typed values) and the problems, one cell at a time."""
    positions = column_positions(spec, raw.header)
    records, problems, seen = [], [], {}
    for index, row in enumerate(raw.rows):
        if not any(cell.strip() for cell in row):
            continue
        record, usable = {ROW: index + 2}, True
        for column in spec.columns:
            position = positions.get(column.key)
            text = raw.cell(index, position) if position is not None else ""
            if not text.strip():
                text = column.default
            if not text.strip():
                record[column.key] = "" if column.type == "text" else None
                if column.required and position is not None:
                    problems.append(Problem(raw.title, index + 2, raw.header[position], "", "required_empty",
                                            {"column": column.key}))
                    usable = False
                continue
            try:
                record[column.key] = parse_cell(text, column, TZ)
            except BadCell as bad:
                record[column.key] = None
                problems.append(Problem(raw.title, index + 2, raw.header[position], text, f"cell.{bad.code}",
                                        bad.params))
                usable = usable and not column.required
        if not usable or any(record[k] is None for k in spec.id_columns):
            continue
        key = tuple(record[k] for k in spec.id_columns)
        if key in seen:
            first = seen[key]
            same = {k: v for k, v in first.items() if k != ROW} == {k: v for k, v in record.items() if k != ROW}
            if not (spec.kind == APPEND_ONLY and same):
                problems.append(Problem(raw.title, index + 2, raw.header[positions[spec.id_columns[0]]],
                                        "/".join(map(str, key)), "duplicate_id", {"first_row": first[ROW]}))
            continue
        seen[key] = record
        records.append(record)
    return records, problems


def as_records(frame: pd.DataFrame) -> list[dict]:
    def plain(value):
        if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
        return value.item() if hasattr(value, "item") else value

    return [{key: plain(value) for key, value in row.items()} for row in frame.to_dict("records")]


def normalised(records: list[dict], spec) -> list[dict]:
    """Dates as midnight date-times, numbers as floats: how the typed frame holds them."""
    out = []
    for record in records:
        row = {}
        for key, value in record.items():
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                value = dt.datetime.combine(value, dt.time())
            if isinstance(value, (int, float)) and not isinstance(value, bool) and key != ROW:
                value = float(value)
            row[key] = value
        out.append(row)
    return out


CELLS = st.one_of(
    st.sampled_from(["", " ", "2026-11-20 10:00", "2026-11-20 10:00:05", "2026-11-20", "2026-02-30 10:00",
                     "2026-11-20 24:00", "1899-12-31 10:00", "2201-01-01", "2026/1/5 9:05", "２０２６-11-20 10:00",
                     " 2026-11-20 10:00", "2026-11-20T10:00+00:00", "45", "045", "-3", "4.5", "1,000", "1e3", "0",
                     "1000000001", "approved", "已通过", "Approved", "待审核", "true", "是", "FALSE", "否", "x",
                     "signup", "cancel", "取消", "party_member", "中共党员", "P1", "P2", "A1", " P1 ", "=1+1",
                     "２０２６-１１-２０", "2026-11-2０ 10:00", "2026-11-20\n10:00", "2026-11-20 10:0\ud800", "４５"]),
    st.text(max_size=6))


@st.composite
def sheets(draw):
    spec = draw(st.sampled_from(ALL_TABLES))
    header = list(spec.column_keys)
    if draw(st.booleans()):  # a coordinator dropped an optional column and added one of their own
        optional = [c.key for c in spec.columns if not c.required]
        if optional:
            header.remove(draw(st.sampled_from(optional)))
        header.append("备注")
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(header) + 1), max_size=8))
    if rows and draw(st.booleans()):
        rows.append(list(rows[0]))  # a re-sent row
    return spec, RawSheet(spec.zh, header, rows)


WAYS = {"in bulk": (0, 0), "each cell": (100, 0), "row by row": (0, 100)}  # (FEW_CELLS, FEW_ROWS)


def parsed_in(way: str, spec, raw: RawSheet):
    few_cells, few_rows = WAYS[way]
    with patch.object(column_parsing, "FEW_CELLS", few_cells), patch.object(row_parsing, "FEW_ROWS", few_rows):
        return parse_sheet(spec, raw, TZ)


@pytest.mark.parametrize("way", list(WAYS))
@settings(max_examples=300, deadline=None)
@given(sheet=sheets())
def test_parsing_by_column_agrees_with_parsing_cell_by_cell(way, sheet):
    """Every way a sheet is parsed: by column in bulk (long columns), by column cell by cell, and row by
    row (a write's few rows)."""
    spec, raw = sheet
    frame, problems = parsed_in(way, spec, raw)
    records, expected_problems = reference_parse(spec, raw)
    assert problems == expected_problems
    assert normalised(as_records(frame), spec) == normalised(records, spec)


@settings(max_examples=100, deadline=None)
@given(sheet=sheets())
def test_a_few_rows_parse_to_columns_of_the_same_types_as_a_whole_sheet(sheet):
    """A write's rows are laid after the sheet's as a part of one table: their columns must not differ
    in type, or joining the parts would change the whole table's."""
    spec, raw = sheet
    in_bulk, _ = parsed_in("in bulk", spec, raw)
    row_by_row, _ = parsed_in("row by row", spec, raw)
    assert row_by_row.dtypes.to_dict() == in_bulk.dtypes.to_dict()
    assert list(row_by_row.columns) == list(in_bulk.columns) and row_by_row.columns.dtype == in_bulk.columns.dtype


def test_a_university_sized_column_in_the_apps_own_forms_needs_no_cell_by_cell_parse(monkeypatch):
    """The fast path takes the cells the app writes: none of 10,000 reaches `parse_cell`."""
    calls = []
    monkeypatch.setattr(column_parsing, "parse_cell", lambda *a: calls.append(a))
    spec = table("signups")
    rows = [[f"S{i}", "A1", f"P{i}", "signup", f"2026-11-{1 + i % 28:02d} 10:{i % 60:02d}", ""] for i in range(10_000)]
    frame, problems = parse_sheet(spec, RawSheet("报名", spec.column_keys, rows), TZ)
    assert len(frame) == 10_000 and problems == [] and calls == []
