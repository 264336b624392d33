"""Spreadsheet files the app produces for people: .xlsx workbooks, CSV files and folders.

Cells a spreadsheet program would run as a formula are neutralised (OWASP "CSV injection"):
in .xlsx they are written as text cells; in CSV they get a leading apostrophe, which the
reader (`connectors/files.py`) removes again.

A cell is text, or (in the figures and rosters the pages offer) a number, a date, a date-time or a
`Percent`: those are written as Excel numbers with a number format, so Excel can sum and sort them.
`cli.py export` writes text cells only: the cells as the workbook holds them.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass(frozen=True)
class Percent:
    """A share (0.2236) that Excel shows as 22.4 % and still computes with as 0.2236."""

    value: float


Cell = str | int | float | dt.date | dt.datetime | Percent
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass
class SheetFile:
    """One sheet of a file to write: a title, a header row and rows of cells (text unless typed)."""

    title: str
    header: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


def needs_neutralising(value: str) -> bool:
    return value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value)


def neutralise_for_csv(value: str) -> str:
    return "'" + value if needs_neutralising(value) else value


def write_sheets(sheets: list[SheetFile], path: str | Path) -> Path:
    """Writes .xlsx when the path has that suffix, else a folder of CSV files."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(sheets, path)
    elif path.suffix:
        raise ValueError(f"{path}: export writes .xlsx, or CSV files into a folder (a path without suffix)")
    else:
        _write_csv_folder(sheets, path)
    return path


def _write_xlsx(sheets: list[SheetFile], path) -> None:
    from openpyxl import Workbook as ExcelBook  # loaded with the first file made: pages offering one start sooner
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    book = ExcelBook()
    book.remove(book.active)
    for raw in sheets:
        sheet = book.create_sheet(_sheet_title(raw.title))
        for r, row in enumerate([raw.header, *raw.rows], start=1):
            for c, value in enumerate(row, start=1):
                _write_cell(sheet, r, c, value, ILLEGAL_CHARACTERS_RE)
        if any(not isinstance(value, str) for row in raw.rows for value in row):  # a table of figures: a header that stays
            sheet.freeze_panes = "A2"
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    book.save(path)


def _sheet_title(title: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet's name."""
    return re.sub(r"[\[\]:*?/\\]", "_", title)[:31] or "_"


def _write_cell(sheet, row: int, column: int, value: Cell, illegal: re.Pattern) -> None:
    """`illegal`: the characters an .xlsx file cannot hold (openpyxl's list)."""
    if isinstance(value, Percent):
        if not math.isnan(value.value):
            sheet.cell(row=row, column=column, value=value.value).number_format = PERCENT_FORMAT
    elif isinstance(value, bool):  # a yes/no reaches here only as its label; a stray one is written as text
        sheet.cell(row=row, column=column, value=str(value)).data_type = "s"
    elif isinstance(value, (int, float)):
        if not (isinstance(value, float) and math.isnan(value)):
            sheet.cell(row=row, column=column, value=value)
    elif isinstance(value, dt.datetime):
        sheet.cell(row=row, column=column, value=value.replace(tzinfo=None)).number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        sheet.cell(row=row, column=column, value=value).number_format = DATE_FORMAT
    elif value != "":
        cell = sheet.cell(row=row, column=column, value=illegal.sub("", str(value)))
        cell.data_type = "s"  # text, never a formula


def to_csv_text(raw: SheetFile) -> str:
    """Every row as wide as the header (or as the widest row, should one hold cells past the
    header): a sheet that leaves out trailing empty cells (Google does) gives the same file as
    one that keeps them."""
    grid = [raw.header, *raw.rows]
    width = max(len(row) for row in grid)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in grid:
        writer.writerow([neutralise_for_csv(v) if isinstance(v, str) else _csv_text(v) for v in row]
                        + [""] * (width - len(row)))
    return buffer.getvalue()


def _csv_text(value: Cell) -> str:
    """A typed cell as a spreadsheet program reads it back as the same number, date or share."""
    if isinstance(value, Percent):
        return "" if math.isnan(value.value) else f"{value.value * 100:.1f}%"
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:g}"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return str(value)


def _write_csv_folder(sheets: list[SheetFile], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for raw in sheets:
        (folder / f"{raw.title}.csv").write_text(to_csv_text(raw), encoding="utf-8-sig", newline="")


def xlsx_bytes(sheets: list[SheetFile]) -> bytes:
    """The sheets as an .xlsx file in memory (for a download button)."""
    buffer = io.BytesIO()
    _write_xlsx(sheets, buffer)
    return buffer.getvalue()


def frame_as_sheet(title: str, frame, labels: dict[str, str]) -> SheetFile:
    """A typed table as typed cells (numbers, dates; yes/no as 是/否), headed by the sheet's own header labels."""
    columns = [c for c in frame.columns if not str(c).startswith("_")]
    rows = [[typed_cell(value) for value in record] for record in frame[columns].itertuples(index=False)]
    return SheetFile(title, [labels.get(c, c) for c in columns], rows)


def typed_cell(value, yes: str = "是", no: str = "否") -> Cell:
    """A value of a typed table as a cell: empty for missing, numbers as numbers, a time as a date or
    a date-time, yes/no as its word."""
    import numpy as np
    import pandas as pd

    if value is None or (not isinstance(value, (str, Percent)) and pd.isna(value)):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return yes if value else no
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value == dt.datetime.combine(value.date(), dt.time()):
        return value.date()
    return value if isinstance(value, (str, int, float, dt.date, Percent)) else str(value)
