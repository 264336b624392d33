"""Separate processes writing to a Google Sheets workbook on the fake, for the fault tests:

    python -m tests.google_writer BASE_URL SPREADSHEET_ID JOURNAL PREFIX:COUNT:SYNCS ...

For each PREFIX:COUNT:SYNCS it forks one writer process (forked from this one once the modules
are imported, so twenty cost one start-up) and prints `started PREFIX PID`. A writer appends
COUNT sign-up rows with IDs PREFIX-0 … PREFIX-(COUNT-1), one write each, then calls `sync` up
to SYNCS times while anything waits, as an app refreshing would; it prints each ID once its
write returned (sent or queued). This process then waits for them all and prints
`exit PREFIX STATUS` for each (-9 for one killed by SIGKILL). Entries stay in the journal after
they are confirmed (a long settle time), so a test can list every write that was recorded."""
from __future__ import annotations

import os
import sys
import traceback

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


def say(line: str) -> None:
    """One line in one write(2): lines of the processes sharing the pipe never interleave."""
    os.write(1, (line + "\n").encode())


def write(base_url: str, spreadsheet_id: str, journal_path: str, prefix: str, count: int, syncs: int) -> None:
    workbook = open_workbook(base_url, spreadsheet_id, journal_path)
    for n in range(count):
        try:
            workbook.append("signups", [signup(f"{prefix}-{n}")])
        except QueuedForSync:
            pass
        say(f"{prefix}-{n}")
    for _ in range(syncs):
        if workbook.sync() == 0:
            break


def main(argv: list[str]) -> int:
    base_url, spreadsheet_id, journal_path, *specs = argv
    children = {}
    for spec in specs:
        prefix, count, syncs = spec.split(":")
        pid = os.fork()
        if pid == 0:
            status = 0
            try:
                write(base_url, spreadsheet_id, journal_path, prefix, int(count), int(syncs))
            except BaseException:  # noqa: BLE001 - reported to the test through the exit status
                traceback.print_exc()
                status = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        children[pid] = prefix
        say(f"started {prefix} {pid}")
    failed = 0
    for pid, prefix in children.items():
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        failed |= code > 0
        say(f"exit {prefix} {code}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
