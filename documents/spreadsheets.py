"""Spreadsheet files the app produces for people: .xlsx workbooks, CSV files and folders.

Cells a spreadsheet program would run as a formula are neutralised (OWASP "CSV injection"):
in .xlsx they are written as text cells; in CSV they get a leading apostrophe, which the
reader (`connectors/files.py`) removes again.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook as ExcelBook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass
class SheetFile:
    """One sheet of a file to write: a title, a header row and rows of text cells."""

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


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


def to_csv_text(raw: SheetFile) -> str:
    """Every row as wide as the header (or as the widest row, should one hold cells past the
    header): a sheet that leaves out trailing empty cells (Google does) gives the same file as
    one that keeps them."""
    grid = [raw.header, *raw.rows]
    width = max(len(row) for row in grid)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in grid:
        writer.writerow([neutralise_for_csv(v) for v in row] + [""] * (width - len(row)))
    return buffer.getvalue()


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
    """A typed table back as text cells, headed by the sheet's own header labels."""
    columns = [c for c in frame.columns if not str(c).startswith("_")]
    rows = [[_cell_text(value) for value in record] for record in frame[columns].itertuples(index=False)]
    return SheetFile(title, [labels.get(c, c) for c in columns], rows)


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
