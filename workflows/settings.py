"""The `settings` sheet, read with the defaults of workbook.md."""
from __future__ import annotations

import datetime as dt

from workflows.cells import NUMBER_LIMIT, BadCell, parse_date, parse_number
from workflows.tables import Tables

DEFAULTS = {
    "timezone": "Asia/Shanghai",
    "compliance_hours": "20",
    "deadline_days.default": "3",
    "rating_window_days": "7",
    "points.per_hour": "10",
    "points.per_attendance": "5",
    "points.per_survey": "2",
    "points.per_request_resolved": "10",
    "organization_name": "示例学院",
    # the issuer's details a certificate carries (民发〔2015〕149号); the defaults are blanks to fill in
    "organization_head": "（负责人）",
    "organization_officer": "（经办人）",
    "organization_contact": "（联系电话）",
    "certificate_id_type": "学生证",
}


def setting(tables: Tables, key: str) -> str:
    frame = tables["settings"]
    match = frame[frame["key"].str.strip().str.casefold() == key.casefold()]
    value = match.iloc[0]["value"].strip() if not match.empty else ""
    return value or DEFAULTS.get(key, "")


DAYS_LIMIT = 36500  # a number of days a setting may give: within ±100 years, so dates stay dates


def number_setting(tables: Tables, key: str) -> float:
    """A numeric setting; a value that does not parse, or out of bounds, falls back to the default."""
    limit = DAYS_LIMIT if key.endswith("_days") or key.startswith("deadline_days.") else NUMBER_LIMIT
    return _bounded_number(setting(tables, key), DEFAULTS[key], limit)


def _bounded_number(text: str, default: str, limit: float) -> float:
    try:
        value = parse_number(text)
    except BadCell:
        return parse_number(default)
    return value if abs(value) <= limit else parse_number(default)


def date_setting(tables: Tables, key: str) -> dt.date | None:
    try:
        return parse_date(setting(tables, key)) if setting(tables, key) else None
    except BadCell:
        return None


def term(tables: Tables) -> tuple[dt.date | None, dt.date | None]:
    return date_setting(tables, "term_start"), date_setting(tables, "term_end")


def deadline_days(tables: Tables, category: str) -> float:
    """Days a request of this category has: `deadline_days.<category>`, else `deadline_days.default`."""
    value = setting(tables, f"deadline_days.{category}") if category else ""
    fallback = number_setting(tables, "deadline_days.default")
    return _bounded_number(value, str(fallback), DAYS_LIMIT) if value else fallback
