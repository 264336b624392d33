"""Parsing a whole column of text cells at once, with exactly the result of `parse_cell` per cell.

Most cells of a real workbook are written in the form the app itself writes ("2026-11-20 10:00",
"45", "approved"). Those are recognised by one regular expression over the column and converted
by pandas in bulk; every other non-blank cell (full-width digits, "2026/1/5", "是", a typo) goes
through `parse_cell`, which decides its value or its problem. So the fast path only ever takes
cells whose value it computes the same way, and the rest keep the one definition of a cell.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from workflows.cells import (FALSE_WORDS, FIRST_DAY, LAST_DAY, NUMBER_LIMIT, TRUE_WORDS, WHOLE_LIMIT, BadCell,
                             parse_cell)
from workflows.schema import Column

DTYPES = {"int": "Int64", "number": "Float64", "bool": "boolean", "date": "datetime64[us]",
          "datetime": "datetime64[us]"}

FEW_CELLS = 8  # columns this short are parsed cell by cell

_CANONICAL = {  # the forms the app writes, which pandas converts exactly as parse_cell would
    "date": (r"\d{4}-\d{2}-\d{2}", ("%Y-%m-%d",)),
    "datetime": (r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?", ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")),
    "int": (r"-?\d{1,9}", ()),
    "number": (r"-?\d{1,7}(?:\.\d{1,9})?", ()),
}


@dataclass
class ParsedColumn:
    values: pd.Series  # typed (DTYPES) or object; missing where blank or bad
    blank: np.ndarray  # bool per cell: blank after the column's default
    bad: dict[int, tuple[str, BadCell]]  # position -> (the cell's text, why it does not parse)


def parse_column(column: Column, texts: pd.Series, tz: ZoneInfo) -> ParsedColumn:
    """`texts`: the column's cells as str (blank where the sheet has none), indexed 0..n-1."""
    if len(texts) <= FEW_CELLS:  # a write's few rows: pandas' bulk operations cost more than each cell
        return _parse_each(column, texts, tz)
    stripped = _stripped(texts)
    blank = (stripped == "").to_numpy(dtype=bool)
    if column.default.strip() and blank.any():
        texts = texts.where(~blank, column.default)
        stripped = _stripped(texts)
        blank = np.zeros(len(texts), dtype=bool)
    if column.type == "text":
        return ParsedColumn(pd.Series(stripped.to_numpy(dtype=object, na_value=""), dtype=object), blank, {})
    values, done = _fast_values(column, texts, stripped, blank)
    bad = {}
    slow = np.flatnonzero(~blank & ~done)
    if len(slow):
        values = values.astype(object)
        for position in slow:
            text = texts.iat[position]
            try:
                values.iat[position] = parse_cell(text, column, tz)
            except BadCell as why:
                values.iat[position] = None
                bad[int(position)] = (text, why)
    return ParsedColumn(_typed(values, column), blank, bad)


def _stripped(texts: pd.Series) -> pd.Series:
    """Each cell without surrounding spaces: a plain loop over str, cheaper than pandas' `str.strip`."""
    return pd.Series([text.strip() for text in texts.to_numpy(dtype=object)], index=texts.index, dtype=object)


def _parse_each(column: Column, texts: pd.Series, tz: ZoneInfo) -> ParsedColumn:
    values, blank, bad = [], np.zeros(len(texts), dtype=bool), {}
    for position, text in enumerate(texts):
        if not text.strip():
            text = column.default
        if not text.strip():
            values.append("" if column.type == "text" else None)
            blank[position] = True
            continue
        try:
            values.append(parse_cell(text, column, tz))
        except BadCell as why:
            values.append(None)
            bad[position] = (text, why)
    return ParsedColumn(_typed(pd.Series(values, dtype=object), column), blank, bad)


def _fast_values(column: Column, texts: pd.Series, stripped: pd.Series, blank: np.ndarray):
    """(values, done): the values of the cells in a canonical form, and which cells those are."""
    n = len(texts)
    if column.type == "enum":
        words = {key: key for key, _ in column.choices} | {label: key for key, label in column.choices}
        values = stripped.map(words)
        return values.astype(object), values.notna().to_numpy(dtype=bool)
    if column.type == "bool":
        words = {w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS}
        values = stripped.map(words)
        return values.astype(object), values.notna().to_numpy(dtype=bool)
    pattern, formats = _CANONICAL[column.type]
    matches = re.compile(pattern).fullmatch
    canonical = np.fromiter((matches(text) is not None for text in texts.to_numpy(dtype=object)), dtype=bool,
                            count=n) & ~blank
    if column.type in ("date", "datetime"):
        return _fast_moments(texts, canonical, formats)
    numbers = np.full(n, np.nan)
    numbers[canonical] = texts[canonical].to_numpy(dtype=object).astype(float)  # Python's float(), per cell
    done = canonical & _in_range(numbers, column)
    return pd.Series(numbers, index=texts.index).where(done), done


def _fast_moments(texts: pd.Series, canonical: np.ndarray, formats: tuple[str, ...]):
    moments = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us]")
    lengths = np.fromiter(map(len, texts.to_numpy(dtype=object)), dtype=float, count=len(texts))
    for fmt in formats:
        width = len(pd.Timestamp(2000, 1, 1).strftime(fmt))
        chosen = canonical & (lengths == width)
        if chosen.any():
            moments[chosen] = pd.to_datetime(texts[chosen], format=fmt, errors="coerce").astype("datetime64[us]")
    year = moments.dt.year.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        done = canonical & (year >= FIRST_DAY.year) & (year <= LAST_DAY.year)
    return moments.where(done), done


def _in_range(values: np.ndarray, column: Column) -> np.ndarray:
    bound = WHOLE_LIMIT if column.type == "int" else NUMBER_LIMIT
    minimum = -bound if column.minimum is None else max(column.minimum, -bound)
    maximum = bound if column.maximum is None else min(column.maximum, bound)
    with np.errstate(invalid="ignore"):
        return (values >= minimum) & (values <= maximum)


def _typed(values: pd.Series, column: Column) -> pd.Series:
    dtype = DTYPES.get(column.type)
    if values.dtype != object:
        return values.astype(dtype or object)
    present = values.where(values.notna(), None)
    if dtype is None:
        return present
    if dtype.startswith("datetime"):
        return pd.Series(pd.to_datetime(present.tolist()), dtype=dtype) if len(present) else present.astype(dtype)
    return pd.Series(pd.array(present.tolist(), dtype=dtype))
