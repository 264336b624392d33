"""Parsing one text cell into a typed value, or saying why it does not parse.

Each parser returns the value, or raises `BadCell` with a message a coordinator can act on.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from zoneinfo import ZoneInfo

from workflows.schema import Column

TRUE_WORDS = {"true", "yes", "y", "1", "是", "t", "✓", "√"}
FALSE_WORDS = {"false", "no", "n", "0", "否", "f", "×"}

_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DATETIME = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


CELL_MESSAGES = {
    "not_date": "not a date (YYYY-MM-DD)",
    "not_real_date": "not a real date",
    "not_datetime": "not a date-time (YYYY-MM-DD HH:MM)",
    "not_real_datetime": "not a real date-time",
    "not_number": "not a number",
    "not_whole_number": "not a whole number",
    "not_bool": "not yes/no (是/否, true/false)",
    "not_choice": "not one of: {allowed}",
    "too_small": "must be at least {limit}",
    "too_large": "must be at most {limit}",
}

# Bounds every cell of a type keeps to, beyond a column's own minimum and maximum: a typed value
# always fits the table's dtype (Int64, Float64, datetime64) and the arithmetic done on it.
WHOLE_LIMIT = 10**9  # capacity, rating: whole numbers within ±10^9
NUMBER_LIMIT = 10**7  # hours and other numbers: finite, within ±10^7
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2200, 12, 31)  # dates and date-times


class BadCell(ValueError):
    """Why a cell does not parse: a `code` (for the UI's catalog) and its English text."""

    def __init__(self, code: str, **params):
        super().__init__(CELL_MESSAGES[code].format(**params))
        self.code, self.params = code, params


def clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(text: str) -> dt.date:
    match = _DATE.match(clean(text))
    if not match:
        raise BadCell("not_date")
    try:
        value = dt.date(*(int(part) for part in match.groups()))
    except (ValueError, OverflowError):
        raise BadCell("not_real_date") from None
    _check_day(value)
    return value


def parse_datetime(text: str, tz: ZoneInfo) -> dt.datetime:
    """A local naive date-time in the workbook's time zone; a date alone means midnight."""
    cleaned = clean(text)
    if _DATE.match(cleaned):
        return dt.datetime.combine(parse_date(cleaned), dt.time())
    match = _DATETIME.match(cleaned)
    if not match:
        raise BadCell("not_datetime")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        value = dt.datetime(int(year), int(month), int(day), int(hour), int(minute),
                            int(second or 0), int((fraction or "0").ljust(6, "0")))
    except (ValueError, OverflowError):
        raise BadCell("not_real_datetime") from None
    _check_day(value.date())
    if offset:
        try:
            value = value.replace(tzinfo=_offset(offset)).astimezone(tz).replace(tzinfo=None)
        except (ValueError, OverflowError):  # an offset of ±24 h or more; a moment beyond year 9999
            raise BadCell("not_real_datetime") from None
        _check_day(value.date())
    return value


def _check_day(value: dt.date) -> None:
    if value < FIRST_DAY:
        raise BadCell("too_small", limit=f"{FIRST_DAY:%Y-%m-%d}")
    if value > LAST_DAY:
        raise BadCell("too_large", limit=f"{LAST_DAY:%Y-%m-%d}")


def _offset(text: str) -> dt.timezone:
    if text == "Z":
        return dt.timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_number(text: str) -> float:
    try:
        value = float(clean(text).replace(",", ""))
    except ValueError:
        raise BadCell("not_number") from None
    if not math.isfinite(value):
        raise BadCell("not_number")
    return value


def parse_int(text: str) -> int:
    value = parse_number(text)
    if value != int(value):
        raise BadCell("not_whole_number")
    return int(value)


def parse_bool(text: str) -> bool:
    word = clean(text).casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise BadCell("not_bool")


def parse_enum(text: str, column: Column) -> str:
    word = clean(text).casefold()
    for key, label in column.choices:
        if word in (key.casefold(), clean(label).casefold()):
            return key
    allowed = ", ".join(f"{key} {label}" for key, label in column.choices)
    raise BadCell("not_choice", allowed=allowed)


_UNEXPECTED = {"date": "not_real_date", "datetime": "not_real_datetime", "int": "not_whole_number",
               "number": "not_number", "bool": "not_bool"}


def parse_cell(text: str, column: Column, tz: ZoneInfo):
    """The typed value of a non-blank cell of `column`; whatever the text, a value or a `BadCell`."""
    try:
        return _parse_cell(text, column, tz)
    except BadCell:
        raise
    except Exception:  # a parser's own failure is still this cell's problem, never the page's
        if column.type == "enum":
            raise BadCell("not_choice", allowed=", ".join(f"{k} {label}" for k, label in column.choices)) from None
        raise BadCell(_UNEXPECTED.get(column.type, "not_number")) from None


def _parse_cell(text: str, column: Column, tz: ZoneInfo):
    kind = column.type
    if kind == "text":
        return text.strip()
    if kind == "enum":
        return parse_enum(text, column)
    if kind == "bool":
        return parse_bool(text)
    if kind == "date":
        return parse_date(text)
    if kind == "datetime":
        return parse_datetime(text, tz)
    value = parse_int(text) if kind == "int" else parse_number(text)
    _check_range(value, column)
    return value


def _check_range(value: float, column: Column) -> None:
    bound = WHOLE_LIMIT if column.type == "int" else NUMBER_LIMIT
    minimum = -bound if column.minimum is None else max(column.minimum, -bound)
    maximum = bound if column.maximum is None else min(column.maximum, bound)
    if value < minimum:
        raise BadCell("too_small", limit=_limit_text(minimum))
    if value > maximum:
        raise BadCell("too_large", limit=_limit_text(maximum))


def _limit_text(limit: float) -> str:
    return str(int(limit)) if float(limit).is_integer() else f"{limit:g}"


def format_datetime(value: dt.datetime) -> str:
    """How the app writes a date-time: local time, seconds only when they matter."""
    if value.microsecond:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if value.second:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.strftime("%Y-%m-%d %H:%M")
