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


# What a workbook file may hold: a whole university's export fits; a crafted file (a cell at XFD1, a
# row at 1048576, a zip that inflates to gigabytes) is refused before it is read, not after.
MAX_FILE_BYTES = 60 * 1024 * 1024
MAX_UNPACKED_BYTES = 600 * 1024 * 1024
MAX_ROWS = 500_000
MAX_COLUMNS = 200


def _read_xlsx(source) -> dict[str, RawSheet]:
    _check_package(source)
    book = load_workbook(source, read_only=True, data_only=False)
    try:
        sheets = {}
        for sheet in book.worksheets:
            if (sheet.max_column or 0) > MAX_COLUMNS:  # its stated size: refuse before any row is padded to it
                raise ValueError(f"{sheet.title}: it reaches column {sheet.max_column} (at most {MAX_COLUMNS}); "
                                 "delete the columns right of the data and upload again")
            rows = []
            for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, max_row=MAX_ROWS + 1,
                                                         values_only=True), start=1):
                if number > MAX_ROWS and any(v is not None for v in row):
                    raise ValueError(f"{sheet.title}: more than {MAX_ROWS} rows; split the file")
                rows.append([excel_cell_text(v) for v in row] if any(v is not None for v in row) else [])
            grid = _trim(rows)
            sheets[sheet.title] = RawSheet(sheet.title, grid[0] if grid else [], grid[1:])
        return sheets
    finally:
        book.close()


def _check_package(source) -> None:
    """Size limits of the file itself and of what it unpacks to (a zip bomb is refused unread)."""
    import zipfile

    size = source.getbuffer().nbytes if hasattr(source, "getbuffer") else Path(source).stat().st_size
    if size > MAX_FILE_BYTES:
        raise ValueError(f"the file is larger than {MAX_FILE_BYTES // 2 ** 20} MB")
    try:
        with zipfile.ZipFile(source) as package:
            unpacked = sum(item.file_size for item in package.infolist())
    except zipfile.BadZipFile:
        raise ValueError("not an .xlsx file (it is not a zip package)") from None
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise ValueError(f"the file unpacks to more than {MAX_UNPACKED_BYTES // 2 ** 20} MB")


def _trim(grid: list[list[str]]) -> list[list[str]]:
    rows = [list(row) for row in grid]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


