"""Edits a coordinator makes to a table in the browser: checked cell by cell with the same parsing
as `validate`, turned into targeted updates (checked against the values the page showed) and
appends. Nothing here rewrites a table; rows are never deleted by the app (workbook.md)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from workflows.cells import BadCell, parse_cell
from workflows.headers import column_positions
from workflows.schema import APPEND_ONLY, table as schema_table
from workflows.signup import new_id


def editable_columns(spec, present: list[str]) -> set[str]:
    """The columns a coordinator may type into on the Sheets page: not IDs, not private ones."""
    return {key for key in present if key not in spec.id_columns and not spec.column(key).private}


def sheet_positions(spec, header: list[str]) -> dict[str, int]:
    """{column key: index in the sheet's header row} (headers by key or Chinese header)."""
    return column_positions(spec, header)


@dataclass
class EditPlan:
    updates: list[tuple[dict[str, str], dict[str, str], dict[str, str]]] = field(default_factory=list)  # key, new, old
    appends: list[dict[str, str]] = field(default_factory=list)
    refused: list[tuple[int | str, str, str, tuple[str, dict]]] = field(default_factory=list)  # row, column, value, why

    @property
    def empty(self) -> bool:
        return not (self.updates or self.appends)


def check_cell(table: str, column: str, text: str, timezone: str) -> tuple[str, dict] | None:
    """Why this text cannot go into the column, or None (the parsing `validate` uses)."""
    spec = schema_table(table).column(column)
    if not text.strip():
        return ("required", {}) if spec.required else None
    try:
        parse_cell(text, spec, ZoneInfo(timezone))
    except BadCell as bad:
        return bad.code, bad.params
    return None


def plan_edits(table: str, shown: list[dict[str, str]], edited_rows: dict[int, dict[str, str]],
               added_rows: list[dict[str, str]], deleted_rows: list[int], editable: set[str], timezone: str,
               now: dt.datetime) -> EditPlan:
    """`shown`: the rows as the page showed them (text cells by column key, `_row` the sheet row).
    `edited_rows`/`added_rows`/`deleted_rows`: what the editor reports."""
    spec, plan = schema_table(table), EditPlan()
    for index in deleted_rows:
        plan.refused.append((shown[index]["_row"], "", "", ("no_delete", {})))
    for index, changes in edited_rows.items():
        row, new, old = shown[index], {}, {}
        for column, value in changes.items():
            text = "" if value is None else str(value)
            problem = ("not_editable", {}) if column not in editable or column in spec.id_columns else \
                check_cell(table, column, text, timezone)
            if problem:
                plan.refused.append((row["_row"], column, text, problem))
            elif text != row.get(column, ""):
                new[column], old[column] = text, row.get(column, "")
        if new:
            plan.updates.append(({k: row[k] for k in spec.id_columns}, new, old))
    for number, added in enumerate(added_rows, start=1):
        cells = {k: ("" if v is None else str(v)) for k, v in added.items() if k in editable or k in spec.id_columns}
        if spec.key == "activities" and not cells.get("activity_id"):
            cells["activity_id"] = new_id("A", now)
        if spec.kind == APPEND_ONLY and not any(cells.get(k) for k in spec.id_columns):
            cells[spec.id_columns[0]] = new_id("M", now)
        problems = [(column, text, why) for column in spec.column_keys
                    for text in [cells.get(column, "")] for why in [check_cell(table, column, text, timezone)] if why]
        if problems:
            plan.refused.extend((f"+{number}", column, text, why) for column, text, why in problems)
        else:
            plan.appends.append({k: v for k, v in cells.items() if v})
    return plan
