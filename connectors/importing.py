"""Merging rows from a file into the workbook (`cli.py import`), by ID, never rewriting.

Record tables: new IDs are appended, existing rows updated cell by cell (only cells that
differ). Append-only tables: rows whose ID is not there yet are appended. A row without its
ID, or a second row of a record table with the same ID within the file, is skipped.

Columns of the file that the table does not know (a coordinator's own, e.g. 备注) are extra
columns: their cells are copied too, into the sheet's column of that header (added when the sheet
has none). Only a column that cannot be named is left out, and reported: one without a header
but with cells, or a second column with the same header.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from workflows.headers import column_positions, extra_positions, normalise
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
    extra_columns: list[str] = field(default_factory=list)  # header texts of the file's own columns, copied
    ignored_columns: list[str] = field(default_factory=list)  # columns that cannot be placed, and why


def plan_import(current: Snapshot, incoming: dict[str, RawSheet]) -> list[TablePlan]:
    return [_plan_table(spec, current.sheets.get(spec.key), incoming[spec.key])
            for spec in TABLES if spec.key in incoming]


def _rows_by_id(spec: Table, sheet: RawSheet | None, extra: list[str]) -> dict[tuple, dict[str, str]]:
    if sheet is None:
        return {}
    positions = {**extra_positions(spec, sheet.header, extra), **column_positions(spec, sheet.header)}
    found = {}
    for index in range(len(sheet.rows)):
        row = {k: sheet.cell(index, i) for k, i in positions.items()}
        found.setdefault(_key(spec, row), row)
    return found


def _key(spec: Table, row: dict[str, str]) -> tuple:
    return tuple(normalise(row.get(k, "")) for k in spec.id_columns)


def _extra_columns(spec: Table, incoming: RawSheet) -> tuple[dict[str, int], list[str]]:
    """{header text: index} of the file's own columns, and the columns that cannot be placed."""
    schema = set(column_positions(spec, incoming.header).values())
    extra, ignored, seen = {}, [], {}
    for index, cell in enumerate(incoming.header):
        if index in schema:
            continue
        name = cell.strip()
        has_cells = any(incoming.cell(i, index).strip() for i in range(len(incoming.rows)))
        if not name:
            if has_cells:
                ignored.append(f"column {index + 1}: cells without a header")
        elif column_positions(spec, [name]) or normalise(name) in seen:
            ignored.append(f"{name}: a second column with this header")
        elif normalise(name) == "_row":
            ignored.append(f"{name}: a name the workbook keeps for itself")
        else:
            seen[normalise(name)] = index
            extra[name] = index
    return extra, ignored


def _plan_table(spec: Table, existing: RawSheet | None, incoming: RawSheet) -> TablePlan:
    plan = TablePlan(spec.key)
    extra, plan.ignored_columns = _extra_columns(spec, incoming)
    plan.extra_columns = list(extra)
    positions = {**extra, **column_positions(spec, incoming.header)}
    known = _rows_by_id(spec, existing, plan.extra_columns)
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
            workbook.append(plan.table, plan.appends, extra_columns=plan.extra_columns)
        if plan.updates:
            workbook.update_rows(plan.table, plan.updates, extra_columns=plan.extra_columns)
