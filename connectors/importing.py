"""Merging rows from a file into the workbook (`cli.py import`), by ID, never rewriting.

Record tables: new IDs are appended, existing rows updated cell by cell (only cells that
differ). Append-only tables: rows whose ID is not there yet are appended. A row without its
ID, or a second row of a record table with the same ID within the file, is skipped.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workflows.headers import column_positions, normalise
from connectors.sheet import RawSheet, Snapshot, Workbook
from workflows.schema import RECORD, TABLES, Table


@dataclass
class Skipped:
    sheet: str
    row: int
    reason: str


@dataclass
class TablePlan:
    table: str
    appends: list[dict[str, str]] = field(default_factory=list)
    updates: list[tuple[dict[str, str], dict[str, str]]] = field(default_factory=list)  # (key, changes)
    skipped: list[Skipped] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def plan_import(current: Snapshot, incoming: dict[str, RawSheet]) -> list[TablePlan]:
    return [_plan_table(spec, current.sheets.get(spec.key), incoming[spec.key])
            for spec in TABLES if spec.key in incoming]


def _rows_by_id(spec: Table, sheet: RawSheet | None) -> dict[tuple, dict[str, str]]:
    if sheet is None:
        return {}
    positions = column_positions(spec, sheet.header)
    found = {}
    for index in range(len(sheet.rows)):
        row = {k: sheet.cell(index, i) for k, i in positions.items()}
        found.setdefault(_key(spec, row), row)
    return found


def _key(spec: Table, row: dict[str, str]) -> tuple:
    return tuple(normalise(row.get(k, "")) for k in spec.id_columns)


def _plan_table(spec: Table, existing: RawSheet | None, incoming: RawSheet) -> TablePlan:
    plan = TablePlan(spec.key)
    positions = column_positions(spec, incoming.header)
    plan.ignored_columns = [h for i, h in enumerate(incoming.header) if i not in positions.values() and h.strip()]
    known = _rows_by_id(spec, existing)
    seen: set[tuple] = set()
    for index, cells in enumerate(incoming.rows):
        if not any(c.strip() for c in cells):
            continue
        row = {k: incoming.cell(index, i) for k, i in positions.items()}
        key = _key(spec, row)
        number = RawSheet.row_number(index)
        if any(part == "" for part in key):
            plan.skipped.append(Skipped(incoming.title, number, f"no {'/'.join(spec.id_columns)}"))
        elif key in seen:
            if spec.kind == RECORD:
                plan.skipped.append(Skipped(incoming.title, number, "the same ID appears earlier in the file"))
        elif key in known:
            seen.add(key)
            if spec.kind == RECORD:
                changes = {k: v for k, v in row.items() if v != known[key].get(k, "") and k not in spec.id_columns}
                if changes:
                    plan.updates.append(({k: row[k] for k in spec.id_columns}, changes))
        else:
            seen.add(key)
            plan.appends.append({k: v for k, v in row.items() if v != ""})
    return plan


def apply_import(workbook: Workbook, plans: list[TablePlan]) -> None:
    for plan in plans:
        if plan.appends:
            workbook.append(plan.table, plan.appends)
        if plan.updates:
            workbook.update_rows(plan.table, plan.updates)
