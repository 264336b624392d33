"""Checking what a coordinator typed into the activity form, field by field."""
from __future__ import annotations

import datetime as dt
import secrets
from zoneinfo import ZoneInfo

from workflows.cells import BadCell, format_datetime, parse_cell
from workflows.schema import table

FIELDS = ["title", "category", "branch", "location", "starts_at", "ends_at", "capacity", "hours",
          "signup_deadline", "status", "description"]


def check_activity(values: dict[str, str], timezone: str) -> tuple[dict[str, str], dict[str, tuple[str, dict]]]:
    """(the cells to write, {field: (error code, params)}). Cells are normalised text, as the sheet holds them."""
    spec, tz = table("activities"), ZoneInfo(timezone)
    cells, errors, parsed = {}, {}, {}
    for key in FIELDS:
        text = (values.get(key) or "").strip()
        column = spec.column(key)
        if len(text) > (5000 if key == "description" else 200):
            errors[key] = ("too_long", {"limit": 5000 if key == "description" else 200})
            continue
        if not text:
            if column.required:
                errors[key] = ("required", {})
            cells[key] = ""
            continue
        try:
            parsed[key] = parse_cell(text, column, tz)
        except BadCell as bad:
            errors[key] = (bad.code, bad.params)
            continue
        cells[key] = format_datetime(parsed[key]) if column.type == "datetime" else text
    if "starts_at" in parsed and "ends_at" in parsed and parsed["ends_at"] <= parsed["starts_at"]:
        errors["ends_at"] = ("ends_before_start", {})
    if "starts_at" in parsed and "signup_deadline" in parsed and parsed["signup_deadline"] > parsed["starts_at"]:
        errors["signup_deadline"] = ("deadline_after_start", {})
    return cells, errors


def new_activity_id(now: dt.datetime) -> str:
    """Short and unique even when two coordinators create activities at once."""
    return f"A{now:%y%m%d}-{secrets.token_hex(2).upper()}"
