"""Matching worksheets and header cells to the tables and columns of the schema.

A header matches a column by its key or its Chinese header, ignoring case, surrounding
spaces and full-width/half-width differences (workbook.md § General rules).
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from workflows.schema import ALL_TABLES, Table


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip().casefold()


def sheet_title_for(table: Table, titles: list[str]) -> str | None:
    """The worksheet holding `table`: named by its key or its Chinese title, the key first."""
    wanted = [normalise(table.key), normalise(table.zh)]
    by_name = {}
    for title in titles:
        by_name.setdefault(normalise(title), title)
    for name in wanted:
        if name in by_name:
            return by_name[name]
    return None


def tables_by_title(titles: list[str]) -> dict[str, str]:
    """{table key: worksheet title} for every table that has a worksheet."""
    return dict(_tables_by_title(tuple(titles)))


@lru_cache(maxsize=64)  # every write asks again, of the same few titles
def _tables_by_title(titles: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    found = []
    for table in ALL_TABLES:
        title = sheet_title_for(table, list(titles))
        if title is not None:
            found.append((table.key, title))
    return tuple(found)


def column_positions(table: Table, header: list[str]) -> dict[str, int]:
    """{column key: index in the header}; the first matching header cell wins."""
    return dict(_column_positions(table, tuple(header)))


@lru_cache(maxsize=256)  # every write and every parse asks again, of the same few headers
def _column_positions(table: Table, header: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    names = {}
    for column in table.columns:
        names.setdefault(normalise(column.key), column.key)
        names.setdefault(normalise(column.zh), column.key)
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = names.get(normalise(cell))
        if key is not None and key not in positions:
            positions[key] = index
    return tuple(positions.items())


def header_label(table: Table, header: list[str], key: str) -> str:
    """How the sheet names a column (its own header cell), else the Chinese header."""
    index = column_positions(table, header).get(key)
    return header[index] if index is not None else table.column(key).zh


def missing_columns(table: Table, header: list[str]) -> list[str]:
    present = column_positions(table, header)
    return [key for key in table.column_keys if key not in present]


def header_for_new_columns(table: Table, keys: list[str], header: list[str]) -> list[str]:
    """Header cells for columns to add: Chinese unless the sheet mostly names columns by key."""
    positions = column_positions(table, header)
    by_key = sum(normalise(header[i]) == normalise(k) for k, i in positions.items())
    speaks_keys = by_key > len(positions) - by_key
    return [key if speaks_keys else table.column(key).zh for key in keys]


# -- extra columns: a coordinator's own, named by their header text ------------------------
def is_schema_header(table: Table, name: str) -> bool:
    """Whether a header cell would name a column of the table (by key or Chinese header)."""
    return bool(column_positions(table, [name]))


def extra_positions(table: Table, header: list[str], names) -> dict[str, int]:
    """{name: index} of the header cells that hold the extra columns `names` (not columns of the
    table), matched like any header; the first match wins and names without a cell are left out."""
    taken = set(column_positions(table, header).values())
    cells: dict[str, int] = {}
    for index, cell in enumerate(header):
        if index not in taken:
            cells.setdefault(normalise(cell), index)
    return {name: cells[normalise(name)] for name in names if normalise(name) in cells}


def missing_extra(table: Table, header: list[str], names) -> list[str]:
    """The extra column names the header has no cell for yet (each once)."""
    present = extra_positions(table, header, names)
    missing, seen = [], set()
    for name in names:
        if name not in present and normalise(name) not in seen:
            seen.add(normalise(name))
            missing.append(name)
    return missing


def check_extra_columns(table: Table, names) -> None:
    """Refuses (ValueError) a name that cannot be an extra column: blank, or naming a column of the table."""
    for name in names:
        if not normalise(name) or is_schema_header(table, name):
            raise ValueError(f"{table.key}: {name!r} is not an extra column (blank, or a column of the table)")


def write_positions(table: Table, header: list[str], extra=()) -> dict[str, int]:
    """Where a write puts the cells of a row dict: its column keys, and the header texts of the
    extra columns it names (a row key that is neither is not written)."""
    check_extra_columns(table, extra)
    return {**extra_positions(table, header, extra), **column_positions(table, header)}
