"""What the app notes about the workbook itself, in its internal `_meta` table (key, value, set_at).

One note so far: `demo`. The demo loader writes it with the demo's rows; while it is there the
workbook holds the demo college, every page says so, and the demo's published sign-in codes work.
Deleting the row (or setting its value to false) makes the workbook a real one.
"""
from __future__ import annotations

import datetime as dt

from workflows.cells import TRUE_WORDS, clean, format_datetime
from workflows.tables import Tables

DEMO = "demo"


def note(tables: Tables, key: str) -> str:
    """The value of the latest `_meta` row with this key ('' when there is none)."""
    meta = tables["_meta"]
    match = meta[meta["key"].fillna("").astype(str).str.strip().str.casefold() == key]
    return "" if match.empty else str(match.iloc[-1]["value"] or "")


def holds_demo(tables: Tables) -> bool:
    return clean(note(tables, DEMO)).casefold() in TRUE_WORDS


def demo_note_row(now: dt.datetime) -> dict[str, str]:
    """The `_meta` row that marks a workbook as holding the demo."""
    return {"key": DEMO, "value": "true", "set_at": format_datetime(now)}
