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
    "int": r"-?\d{1,9}",
    "number": r"-?\d{1,7}(?:\.\d{1,9})?",
}
_MOMENTS = {  # (each character of the form: 0 for an ASCII digit, else itself; pandas' format)
    "date": (("0000-00-00", "%Y-%m-%d"),),
    "datetime": (("0000-00-00", "%Y-%m-%d"), ("0000-00-00 00:00", "%Y-%m-%d %H:%M"),
                 ("0000-00-00 00:00:00", "%Y-%m-%d %H:%M:%S")),
}


@dataclass
class ParsedColumn:
    values: pd.Series  # typed (DTYPES) or object; missing where blank or bad
    blank: np.ndarray  # bool per cell: blank after the column's default
    bad: dict[int, tuple[str, BadCell]]  # position -> (the cell's text, why it does not parse)


def parse_column(column: Column, texts: np.ndarray, stripped: np.ndarray, tz: ZoneInfo) -> ParsedColumn:
    """`texts`: the column's cells as str (blank where the sheet has none), an object array;
    `stripped`: the same cells without surrounding spaces (`stripped_cells`).

    Plain numpy arrays and loops over `str` throughout: pandas' object Series cost more per cell
    than the work itself (and would infer its `str` type, which the app does not use)."""
    if len(texts) <= FEW_CELLS:  # a write's few rows: pandas' bulk operations cost more than each cell
        return _parse_each(column, texts, tz)
    blank = stripped == ""
    if column.default.strip() and blank.any():
        texts = np.where(blank, column.default, texts).astype(object)
        stripped = stripped_cells(texts)
        blank = np.zeros(len(texts), dtype=bool)
    if column.type == "text":
        return ParsedColumn(pd.Series(stripped, dtype=object), blank, {})
    values, done = _fast_values(column, texts, stripped, blank)
    bad = {}
    slow = np.flatnonzero(~blank & ~done)
    if len(slow):
        values = values.astype(object)
        for position in slow:
            text = texts[position]
            try:
                values[position] = parse_cell(text, column, tz)
            except BadCell as why:
                values[position] = None
                bad[int(position)] = (text, why)
    return ParsedColumn(_typed(pd.Series(values, dtype=object if values.dtype == object else None), column),
                        blank, bad)


def stripped_cells(texts: np.ndarray) -> np.ndarray:
    """Each cell without surrounding spaces (the very str where it has none)."""
    return object_array([text.strip() for text in texts])


def object_array(values) -> np.ndarray:
    """A 1-D array of these Python objects as they are (numpy would make a list of lists 2-D)."""
    return np.fromiter(values, dtype=object, count=len(values))


def one_cell(text: str, column: Column, tz: ZoneInfo) -> tuple[object, bool, tuple[str, BadCell] | None]:
    """(value, blank, bad) of one cell as every parser here reads it: a blank cell takes the column's
    default; still blank, it is "" (text) or missing; else `parse_cell` decides its value, or why it
    has none (`bad`: the text read and the reason)."""
    if not text.strip():
        text = column.default
    if not text.strip():
        return ("" if column.type == "text" else None), True, None
    try:
        return parse_cell(text, column, tz), False, None
    except BadCell as why:
        return None, False, (text, why)


def _parse_each(column: Column, texts, tz: ZoneInfo) -> ParsedColumn:
    values, blank, bad = [], np.zeros(len(texts), dtype=bool), {}
    for position, text in enumerate(texts):
        value, blank[position], wrong = one_cell(text, column, tz)
        values.append(value)
        if wrong is not None:
            bad[position] = wrong
    return ParsedColumn(_typed(pd.Series(object_array(values), dtype=object), column), blank, bad)


def _fast_values(column: Column, texts: np.ndarray, stripped: np.ndarray, blank: np.ndarray):
    """(values, done): the values of the cells in a canonical form, and which cells those are."""
    n = len(texts)
    if column.type in ("enum", "bool"):
        words = ({key: key for key, _ in column.choices} | {label: key for key, label in column.choices}
                 if column.type == "enum" else {w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS})
        values = object_array([words.get(text) for text in stripped])
        return values, values != None  # noqa: E711 - elementwise: which cells are one of the words
    if column.type in _MOMENTS:
        return _fast_moments(texts, blank, _MOMENTS[column.type])
    matches = re.compile(_CANONICAL[column.type]).fullmatch
    canonical = np.fromiter((matches(text) is not None for text in texts), dtype=bool, count=n) & ~blank
    numbers = np.full(n, np.nan)
    numbers[canonical] = texts[canonical].astype(float)  # Python's float(), per cell
    done = canonical & _in_range(numbers, column)
    return np.where(done, numbers, np.nan), done


def _fast_moments(texts: np.ndarray, blank: np.ndarray, forms: tuple[tuple[str, str], ...]):
    """Dates and moments in one of the app's fixed-width forms, checked character by character for
    all cells of that width at once, then converted by pandas with the form's format."""
    moments = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[us]")
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    canonical = np.zeros(len(texts), dtype=bool)
    for form, fmt in forms:
        chosen = np.flatnonzero((lengths == len(form)) & ~blank)
        chosen = chosen[_in_form(texts[chosen], form)]
        if len(chosen):
            canonical[chosen] = True
            moments[chosen] = pd.to_datetime(texts[chosen], format=fmt, errors="coerce").to_numpy("datetime64[us]")
    years = moments.astype("datetime64[Y]").astype(np.int64) + 1970  # NaT: the smallest int64, out of range
    done = canonical & ~np.isnat(moments) & (years >= FIRST_DAY.year) & (years <= LAST_DAY.year)
    return np.where(done, moments, np.datetime64("NaT")), done


def _in_form(cells: np.ndarray, form: str) -> np.ndarray:
    """Per cell (each exactly as long as `form`): whether each character is what the form wants."""
    if not len(cells):
        return np.zeros(0, dtype=bool)
    codes = np.frombuffer("".join(cells).encode("utf-32-le", "surrogatepass"), dtype=np.uint32).reshape(len(cells), len(form))
    digit = np.array([c == "0" for c in form])
    wanted = np.array([ord(c) for c in form], dtype=np.uint32)
    return np.where(digit, (codes >= ord("0")) & (codes <= ord("9")), codes == wanted).all(axis=1)


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
