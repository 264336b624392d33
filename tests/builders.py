"""Tiny builders of typed tables for workflow tests: rows as dicts of text, as a sheet holds them."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from connectors.parsing import parse_sheet
from connectors.sheet import RawSheet
from workflows.schema import ALL_TABLES
from workflows.tables import Tables

TZ = ZoneInfo("Asia/Shanghai")


def tables(**rows_by_table: list[dict[str, str]]) -> Tables:
    frames, problems = {}, []
    for spec in ALL_TABLES:
        rows = rows_by_table.get(spec.key, [])
        raw = RawSheet(spec.key, spec.column_keys, [[str(r.get(k, "")) for k in spec.column_keys] for r in rows])
        frames[spec.key], found = parse_sheet(spec, raw, TZ)
        problems.extend(found)
    titles = {spec.key: spec.key for spec in ALL_TABLES}
    labels = {spec.key: {k: k for k in spec.column_keys} for spec in ALL_TABLES}
    return Tables(frames, problems, "Asia/Shanghai", titles, labels)


def people(*ids: str, **more) -> list[dict[str, str]]:
    return [{"person_id": pid, "name": f"P{pid}", "political_status": "masses", **more} for pid in ids]


def activity(activity_id="A1", starts="2025-11-20 09:00", ends="2025-11-20 11:00", capacity="2", **more):
    return {"activity_id": activity_id, "title": f"活动{activity_id}", "starts_at": starts, "ends_at": ends,
            "capacity": capacity, "hours": "2", "status": "open", "checkin_code": "K7Q2", **more}


def signup(n: int, person_id: str, activity_id="A1", at="2025-11-10 10:00", action="signup"):
    return {"signup_id": f"S{n:04}", "activity_id": activity_id, "person_id": person_id, "action": action, "at": at}
