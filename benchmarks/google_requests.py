"""Sheets API requests per operation on the demo college: ours vs the st-gsheets-connection pattern.

    .venv/bin/python -m benchmarks.google_requests

Both run against the Sheets fake (tests/fake_sheets.py) on 127.0.0.1, which logs every request.
Ours: the live workbook every session shares (`connectors.live`) and the services. The pattern most
Streamlit apps on Google Sheets follow (st-gsheets-connection's `conn.read(worksheet, ttl)` and
`conn.update(worksheet, data)`), done with gspread: a read of each worksheet per TTL, and for a save a
fresh read of the worksheet, then `clear` and a rewrite of all of it.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import gspread

from connectors.config import open_workbook
from connectors.live import LiveWorkbook
from connectors.sheets_api import RedirectedHTTPClient
from demo.codes import load_demo_rows
from services.activities import sign_up
from services.hours import review_hours
from services.requests import act
from tests.fake_sheets import FakeSheetsServer
from workflows.access import viewer_for
from workflows.schema import table as schema_table
from workflows.tables import active_people

NOW = dt.datetime(2025, 11, 20, 10, 0)


def requests_per_operation() -> dict:
    with FakeSheetsServer() as fake, tempfile.TemporaryDirectory() as folder:
        spreadsheet_id = fake.create_spreadsheet(sheets=["Sheet1"])
        env = {"WORKBOOK_URL": f"gsheets://{spreadsheet_id}", "SHEETS_API_URL": fake.base_url,
               "WORKBOOK_JOURNAL": str(Path(folder) / "journal.sqlite3")}
        workbook = open_workbook(env=env, secrets={})
        workbook.ensure_schema("zh")
        for table, rows in load_demo_rows(NOW):
            workbook.append(table, rows)
        ours = _ours(fake, LiveWorkbook(open_workbook(env=env, secrets={}), interval_seconds=3600))
        theirs = _pattern(fake, spreadsheet_id)
    return {f"{operation}: ours / pattern": f"{ours[operation]} / {theirs[operation]}" for operation in ours}


def _counted(fake: FakeSheetsServer, action) -> int:
    fake.reset_log()
    action()
    return len(fake.log)


def _ours(fake: FakeSheetsServer, live: LiveWorkbook) -> dict:
    live.data()
    tables = live.data().tables
    clock = lambda: NOW  # noqa: E731
    pending = tables["hours"][tables["hours"]["status"] == "pending"]
    people = tables["people"].set_index("person_id")
    branch = people.loc[pending.iloc[0]["person_id"], "branch"]
    mine = pending[pending["person_id"].map(people["branch"]) == branch]
    coordinator = tables["people"][(tables["people"]["role"] == "coordinator") & (tables["people"]["branch"] == branch)]
    reviewer = viewer_for(tables["people"], coordinator.iloc[0]["person_id"])
    future = tables["activities"][(tables["activities"]["status"] == "open") & (tables["activities"]["starts_at"] > NOW)]
    volunteer = active_people(tables).iloc[-1]["person_id"]
    submitted = tables["requests"][tables["requests"]["status"] == "accepted"]
    return {
        "refresh (every viewer, per interval)": _counted(fake, live.refresh),
        "sign-up": _counted(fake, lambda: sign_up(live, future.iloc[0]["activity_id"], volunteer, volunteer, clock)),
        "approval of 1 entry": _counted(fake, lambda: review_hours(live, reviewer, [mine.iloc[0]["entry_id"]],
                                                                   "approved", "", clock)),
        "batch approval (a branch's pending entries)": _counted(
            fake, lambda: review_hours(live, reviewer, list(mine["entry_id"].iloc[1:]), "approved", "", clock)),
        "dispatch of a request": _counted(fake, lambda: act(live, submitted.iloc[0]["request_id"], "assign",
                                                            reviewer, clock,
                                                            assignee_id=volunteer)),
    }


def _pattern(fake: FakeSheetsServer, spreadsheet_id: str) -> dict:
    client = gspread.Client(None, http_client=lambda auth, session: RedirectedHTTPClient(fake.base_url))
    spreadsheet = client.open_by_key(spreadsheet_id)
    sheets = {sheet.title: sheet for sheet in spreadsheet.worksheets()}

    def read_all():
        for sheet in sheets.values():
            sheet.get_all_values()

    def save(table: str):
        sheet = sheets.get(table) or sheets[schema_table(table).zh]
        values = sheet.get_all_values()  # the cache is cleared after a write: read it again
        sheet.clear()
        sheet.update(values, "A1")

    return {"refresh (every viewer, per interval)": _counted(fake, read_all),
            "sign-up": _counted(fake, lambda: save("signups")),
            "approval of 1 entry": _counted(fake, lambda: save("hours")),
            "batch approval (a branch's pending entries)": _counted(fake, lambda: save("hours")),
            "dispatch of a request": _counted(fake, lambda: (save("requests"), save("request_events")))}


if __name__ == "__main__":
    for key, value in requests_per_operation().items():
        print(f"{key:<52}{value}")
