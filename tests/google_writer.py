"""A separate process writing to a Google Sheets workbook on the fake, for the fault tests:

    python -m tests.google_writer BASE_URL SPREADSHEET_ID JOURNAL PREFIX COUNT [--sync N]

appends COUNT sign-up rows with IDs PREFIX-0 … PREFIX-(COUNT-1), one write each, then (with
--sync) calls `sync` up to N times while anything waits, as an app refreshing would. It prints
each ID once its write returned (sent or queued). Entries stay in the journal after they are
confirmed (a long settle time), so a test can list every write that was recorded."""
from __future__ import annotations

import sys

from connectors.gsheets_workbook import GoogleSheetsWorkbook
from connectors.journal import Journal
from connectors.retry import Backoff
from connectors.sheet import QueuedForSync
from connectors.sheets_api import RedirectedHTTPClient, SheetsApi

QUICK = Backoff(attempts=5, base_seconds=0.001, cap_seconds=0.01, cool_down_seconds=0.0)


def open_workbook(base_url: str, spreadsheet_id: str, journal_path: str) -> GoogleSheetsWorkbook:
    api = SheetsApi(RedirectedHTTPClient(base_url), spreadsheet_id, QUICK)
    journal = Journal(journal_path, workbook=f"gsheets://{spreadsheet_id}")
    return GoogleSheetsWorkbook(f"gsheets://{spreadsheet_id}", api, journal, settle_seconds=3600)


def signup(row_id: str) -> dict[str, str]:
    return {"signup_id": row_id, "activity_id": "A1", "person_id": row_id, "action": "signup",
            "at": "2025-11-20 10:00"}


def main(argv: list[str]) -> int:
    base_url, spreadsheet_id, journal_path, prefix, count = argv[:5]
    syncs = int(argv[argv.index("--sync") + 1]) if "--sync" in argv else 0
    workbook = open_workbook(base_url, spreadsheet_id, journal_path)
    for n in range(int(count)):
        try:
            workbook.append("signups", [signup(f"{prefix}-{n}")])
        except QueuedForSync:
            pass
        print(f"{prefix}-{n}", flush=True)
    for _ in range(syncs):
        try:
            if workbook.sync() == 0:
                break
        except Exception:  # noqa: BLE001 - a failed read under faults: the next round tries again
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
