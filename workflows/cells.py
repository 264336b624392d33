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
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise BadCell("not_real_date") from None


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
    except ValueError:
        raise BadCell("not_real_datetime") from None
    if offset:
        value = value.replace(tzinfo=_offset(offset)).astimezone(tz).replace(tzinfo=None)
    return value


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


def parse_cell(text: str, column: Column, tz: ZoneInfo):
    """The typed value of a non-blank cell of `column`."""
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
    if column.minimum is not None and value < column.minimum:
        raise BadCell("too_small", limit=f"{column.minimum:g}")
    if column.maximum is not None and value > column.maximum:
        raise BadCell("too_large", limit=f"{column.maximum:g}")


def format_datetime(value: dt.datetime) -> str:
    """How the app writes a date-time: local time, seconds only when they matter."""
    if value.microsecond:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if value.second:
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return value.strftime("%Y-%m-%d %H:%M")
