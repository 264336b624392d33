"""The figures and rosters the pages offer as files, made for Excel users: headers and sheet names
in the page's language, numbers as numbers, shares as percentages, yes/no as words, enum values by
their labels. (`cli.py export` is not this: it writes the cells as the workbook holds them.)"""
from __future__ import annotations

import pandas as pd

from documents.spreadsheets import Percent, SheetFile, typed_cell
from ui.display import category_label, choice_label
from ui.i18n import t, t_or

SHARE_SUFFIXES = ("_rate", "_share")
LABELLED = {"political_status": ("people", "political_status"), "kind": ("requests", "kind"),
            "status": ("requests", "status")}


def header_label(column: str) -> str:
    """A figure's column by the words the dashboard uses for it."""
    for key in (f"dash.col.{column}", f"kpi.{column}", f"dash.{column}", f"dash.by.{column}"):
        text = t_or(key, "")
        if text:
            return text
    return column


def is_share(column: str) -> bool:
    return column.endswith(SHARE_SUFFIXES)


def _value(column: str, value):
    if column in LABELLED:
        return choice_label(*LABELLED[column], value)
    if column == "category":
        return category_label(value)
    if is_share(column) and isinstance(value, (int, float)) and not isinstance(value, bool):
        return Percent(float(value))
    return typed_cell(value, t("yes"), t("no"))


def figures_sheet(name: str, frame: pd.DataFrame) -> SheetFile:
    """One table of the dashboard's figures as a sheet (the sheet's name: `dash.sheet.<name>`)."""
    columns = [c for c in frame.columns if c != "person_id"]
    rows = [[_value(column, value) for column, value in zip(columns, record)]
            for record in frame[columns].itertuples(index=False)]
    if "period" in columns:  # a month or a week: its first day, as a date
        at = columns.index("period")
        rows = [[*row[:at], typed_cell(row[at]), *row[at + 1:]] for row in rows]
    return SheetFile(t(f"dash.sheet.{name}"), [header_label(c) for c in columns], rows)


def indicators_sheet(indicators: pd.DataFrame) -> SheetFile:
    """Each indicator by its name, its value a number (a share as a percentage)."""
    rows = []
    for key, value in zip(indicators["indicator"], indicators["value"]):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = Percent(float(value)) if is_share(key) else typed_cell(value)
        rows.append([header_label(key), value])
    return SheetFile(t("dash.sheet.indicators"), [t("dash.col.indicator"), t("dash.col.value")], rows)


def dashboard_sheets(tables: dict[str, pd.DataFrame]) -> list[SheetFile]:
    return [indicators_sheet(frame) if name == "indicators" else figures_sheet(name, frame)
            for name, frame in tables.items()]


def roster_sheet(rows: pd.DataFrame, title: str, status_text) -> SheetFile:
    """An activity's roster: ID (text: IDs are not numbers), name, branch, status, waitlist position, attended."""
    header = [t("field.person_id"), t("field.name"), t("field.member_branch"), t("field.status"), t("roster.position"),
              t("status.attended")]
    cells = [[str(r.person_id), r.name, r.branch, status_text(r.status, r.position), typed_cell(r.position),
              t("yes") if r.attended else t("no")] for r in rows.itertuples()]
    return SheetFile(title, header, cells)
