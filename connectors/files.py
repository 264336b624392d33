"""Workbook files on disk: an .xlsx with one sheet per table, or a folder of <table>.csv.

Reading copies cells as text, as a coordinator's paste would. Writing neutralises cells a
spreadsheet program would run as a formula (OWASP "CSV injection"): in .xlsx they are
written as text cells; in CSV they get a leading apostrophe, which reading removes again.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from openpyxl import Workbook as ExcelBook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from connectors.headers import tables_by_title
from connectors.sheet import RawSheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def needs_neutralising(value: str) -> bool:
    return value.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(value)


def neutralise_for_csv(value: str) -> str:
    return "'" + value if needs_neutralising(value) else value


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
    sheets = read_sheets(path)
    by_table = tables_by_title(list(sheets))
    unknown = [title for title in sheets if title not in by_table.values()]
    return {key: sheets[title] for key, title in by_table.items()}, unknown


def _read_csv(path: Path) -> RawSheet:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        grid = [[unneutralise_csv(cell) for cell in row] for row in csv.reader(handle)]
    return RawSheet(path.stem, grid[0] if grid else [], grid[1:])


def _read_xlsx(path: Path) -> dict[str, RawSheet]:
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


def write_sheets(sheets: list[RawSheet], path: str | Path) -> Path:
    """Writes .xlsx when the path has that suffix, else a folder of CSV files."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(sheets, path)
    elif path.suffix:
        raise ValueError(f"{path}: export writes .xlsx, or CSV files into a folder (a path without suffix)")
    else:
        _write_csv_folder(sheets, path)
    return path


def _write_xlsx(sheets: list[RawSheet], path) -> None:
    if isinstance(path, Path):
        path.parent.mkdir(parents=True, exist_ok=True)
    book = ExcelBook()
    book.remove(book.active)
    for raw in sheets:
        sheet = book.create_sheet(raw.title[:31])
        for r, row in enumerate([raw.header, *raw.rows], start=1):
            for c, value in enumerate(row, start=1):
                if value != "":
                    cell = sheet.cell(row=r, column=c, value=ILLEGAL_CHARACTERS_RE.sub("", value))  # xlsx cannot hold them
                    cell.data_type = "s"  # text, never a formula
    book.save(path)


def to_csv_text(raw: RawSheet) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in [raw.header, *raw.rows]:
        writer.writerow([neutralise_for_csv(v) for v in row])
    return buffer.getvalue()


def _write_csv_folder(sheets: list[RawSheet], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for raw in sheets:
        (folder / f"{raw.title}.csv").write_text(to_csv_text(raw), encoding="utf-8-sig", newline="")


def xlsx_bytes(sheets: list[RawSheet]) -> bytes:
    """The sheets as an .xlsx file in memory (for a download button)."""
    import io

    buffer = io.BytesIO()
    _write_xlsx(sheets, buffer)
    return buffer.getvalue()


def frame_as_sheet(title: str, frame, labels: dict[str, str]) -> RawSheet:
    """A typed table back as text cells, headed by the sheet's own header labels."""
    columns = [c for c in frame.columns if not str(c).startswith("_")]
    rows = [[_cell_text(value) for value in record] for record in frame[columns].itertuples(index=False)]
    return RawSheet(title, [labels.get(c, c) for c in columns], rows)


def _cell_text(value) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
