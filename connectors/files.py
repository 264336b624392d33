"""Workbook files on disk, read: an .xlsx with one sheet per table, or a folder of <table>.csv.

Reading copies cells as text, as a coordinator's paste would; the apostrophe that an export
put before a formula-like cell is removed again (see `documents/spreadsheets.py`).
"""
from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from workflows.headers import tables_by_title
from connectors.sheet import RawSheet
from documents.spreadsheets import needs_neutralising


def unneutralise_csv(value: str) -> str:
    return value[1:] if value.startswith("'") and needs_neutralising(value[1:]) else value


def excel_cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


def read_xlsx_bytes(data: bytes) -> tuple[dict[str, RawSheet], list[str]]:
    """Like `read_tables`, for an uploaded .xlsx held in memory."""
    import io

    return _known_tables(_read_xlsx(io.BytesIO(data)))


def read_sheets(path: str | Path) -> dict[str, RawSheet]:
    """{sheet title: RawSheet} of an .xlsx file or a folder of CSV files."""
    path = Path(path)
    if path.is_dir():
        return {f.stem: _read_csv(f) for f in sorted(path.glob("*.csv"))}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raise ValueError(f"{path}: not an .xlsx file or a folder of .csv files")


def read_tables(path: str | Path) -> tuple[dict[str, RawSheet], list[str]]:
    """The sheets of a file that are tables of the workbook, and the titles of those that are not."""
    return _known_tables(read_sheets(path))


def _known_tables(sheets: dict[str, RawSheet]) -> tuple[dict[str, RawSheet], list[str]]:
    by_table = tables_by_title(list(sheets))
    unknown = [title for title in sheets if title not in by_table.values()]
    return {key: sheets[title] for key, title in by_table.items()}, unknown


def _read_csv(path: Path) -> RawSheet:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        grid = [[unneutralise_csv(cell) for cell in row] for row in csv.reader(handle)]
    return RawSheet(path.stem, grid[0] if grid else [], grid[1:])


def _read_xlsx(path) -> dict[str, RawSheet]:
    book = load_workbook(path, read_only=True, data_only=False)
    sheets = {}
    for sheet in book.worksheets:
        grid = [[excel_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        grid = _trim(grid)
        sheets[sheet.title] = RawSheet(sheet.title, grid[0] if grid else [], grid[1:])
    book.close()
    return sheets


def _trim(grid: list[list[str]]) -> list[list[str]]:
    rows = [list(row) for row in grid]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


