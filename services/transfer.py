"""Whole files in and out: importing a workbook file (merged by ID) and exporting every table."""
from __future__ import annotations

from pathlib import Path

from connectors.files import read_tables
from connectors.importing import TablePlan, plan_import
from connectors.live import LiveWorkbook
from connectors.sheet import RawSheet
from documents.spreadsheets import SheetFile, write_sheets
from services.audit import CREATED
from services.clock import Clock
from workflows.schema import TABLES
from workflows.signup import new_id


def import_file(live: LiveWorkbook, path: str | Path, actor: str, clock: Clock) -> tuple[list[TablePlan], list[str]]:
    """Record tables merge by ID (new rows appended, changed cells updated), logs append new IDs;
    the file's own columns are copied as extra columns. Returns the plans carried out and the
    titles of sheets that are no table."""
    incoming, unknown = read_tables(path)
    live.workbook.ensure_schema("zh")
    plans = plan_import(live.refresh().snapshot, incoming)
    for plan in plans:
        if plan.appends:
            live.append(plan.table, plan.appends, extra_columns=plan.extra_columns)
        if plan.updates:
            live.update_rows(plan.table, plan.updates, extra_columns=plan.extra_columns)
    now = clock()
    summary = [{"audit_id": new_id("U", now), "actor": actor, "table": plan.table, "record": f"import {Path(path).name}",
                "column": CREATED, "old": "", "new": f"+{len(plan.appends)} ~{len(plan.updates)}"}
               for plan in plans if plan.appends or plan.updates]
    if summary:
        live.append("_audit", summary, stamp=("at", clock))
    return plans, unknown


def export_workbook(live: LiveWorkbook, path: str | Path) -> tuple[Path, list[str]]:
    """Every table to .xlsx (or a folder of CSV files), as the sheets hold them, extra columns
    included, every row as wide as its header; formulas neutralised. The same file from either
    backend: blank rows at the end (which Google does not return) are left out."""
    snapshot = live.refresh().snapshot
    sheets = [_without_blank_tail(snapshot.sheets[spec.key]) for spec in TABLES if spec.key in snapshot.sheets]
    return write_sheets(sheets, path), [sheet.title for sheet in sheets]


def _without_blank_tail(sheet: RawSheet) -> SheetFile:
    rows = list(sheet.rows)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    return SheetFile(sheet.title, list(sheet.header), rows)
