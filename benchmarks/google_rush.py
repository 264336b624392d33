"""A rush on the Google path: 40 sign-ups in 20 s against the Sheets fake with Google's quota.

    .venv/bin/python -m benchmarks.google_rush [SIGNUPS]     (from the project root, in the venv)

One app process (the live workbook every session shares, refreshing every 15 s, opened as the app
opens it: `connectors.config.open_workbook`) takes 40 sign-ups for an activity with 10 places, one
every half second, while 5 people keep a page open (a page run each second). The fake
(tests/fake_sheets.py, on 127.0.0.1) refuses a request beyond 60 in any minute with a 429, as
Google does per user. The app keeps running after the rush until every sign-up is in the sheet.

Prints the requests used (during the rush, and until everything was in the sheet), the 429s, how
many answers were "queued", the slowest answer a person waited for, and whether every sign-up is
in the sheet exactly once.
"""
from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from connectors.config import open_workbook
from connectors.live import LiveWorkbook
from services.activities import sign_up
from tests.fake_sheets import FakeSheetsServer
from workflows.clock import local_now
from workflows.headers import column_positions
from workflows.schema import table as schema_table

SECONDS, CAPACITY, VIEWERS, QUOTA = 20.0, 10, 5, 60


def prepared(fake: FakeSheetsServer, folder: Path, people: list[str]) -> dict:
    spreadsheet_id = fake.create_spreadsheet(sheets=["Sheet1"])
    env = {"WORKBOOK_URL": f"gsheets://{spreadsheet_id}", "SHEETS_API_URL": fake.base_url,
           "WORKBOOK_JOURNAL": str(folder / "journal.sqlite3")}
    workbook = open_workbook(env=env, secrets={})
    workbook.ensure_schema("zh")
    workbook.append("people", [{"person_id": p, "name": f"志愿者{p[-2:]}", "political_status": "masses"}
                               for p in people])
    workbook.append("activities", [{"activity_id": "A1", "title": "热门活动", "starts_at": "2099-06-01 09:00",
                                    "ends_at": "2099-06-01 11:00", "capacity": str(CAPACITY), "hours": "2",
                                    "status": "open"}])
    return env


def signups_in_sheet(fake: FakeSheetsServer, spreadsheet_id: str) -> Counter:
    grid = fake.get_values(spreadsheet_id, "signups")
    position = column_positions(schema_table("signups"), grid[0])["person_id"]
    return Counter(row[position] for row in grid[1:] if len(row) > position and row[position])


def rush(signups: int = 40) -> dict:
    people_ids = [f"{2025100000 + n}" for n in range(signups)]
    with FakeSheetsServer() as fake, tempfile.TemporaryDirectory() as folder:
        env = prepared(fake, Path(folder), people_ids)
        spreadsheet_id = env["WORKBOOK_URL"].removeprefix("gsheets://")
        workbook = open_workbook(env=env, secrets={})  # the app process, started just now
        live = LiveWorkbook(workbook, interval_seconds=15)
        fake.reset_log()
        fake.quota_per_minute = QUOTA
        clock = lambda: local_now("Asia/Shanghai")  # noqa: E731
        waits, outcomes, started = [], [], time.monotonic()
        guard, stop = threading.Lock(), threading.Event()

        def person(index: int) -> None:
            time.sleep(max(0.0, started + index * SECONDS / signups - time.monotonic()))  # arrival schedule
            begun = time.monotonic()
            outcome = sign_up(live, "A1", people_ids[index], people_ids[index], clock)
            with guard:
                waits.append(time.monotonic() - begun)
                outcomes.append(outcome)

        def viewer() -> None:
            while not stop.wait(1.0):
                live.data()

        viewers = [threading.Thread(target=viewer) for _ in range(VIEWERS)]
        people = [threading.Thread(target=person, args=(i,)) for i in range(signups)]
        for thread in viewers + people:
            thread.start()
        for thread in people:
            thread.join()
        rush_requests, rush_seconds = len(fake.log), time.monotonic() - started
        deadline = time.monotonic() + 180
        while workbook.waiting() and time.monotonic() < deadline:  # the app keeps running: refreshes send
            time.sleep(0.5)
        stop.set()
        for thread in viewers:
            thread.join()
        in_sheet = signups_in_sheet(fake, spreadsheet_id)
        return {
            "requests during the rush": rush_requests,
            "rush lasted (s)": round(rush_seconds, 1),
            "requests until all in the sheet": len(fake.log),
            "all in the sheet after (s)": round(time.monotonic() - started, 1),
            "429 answers": sum(1 for e in fake.log if e["status"] == 429),
            "values:append requests": fake.count("values_append"),
            "answers queued": sum(1 for o in outcomes if o.queued),
            "slowest answer (s)": round(max(waits), 2),
            "median answer (s)": round(sorted(waits)[len(waits) // 2], 3),
            "every sign-up in the sheet once": sorted(in_sheet) == sorted(people_ids) and set(in_sheet.values()) == {1},
        }


def main() -> None:
    signups = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    print(f"{signups} sign-ups in {SECONDS:g} s, quota {QUOTA} requests a minute")
    for key, value in rush(signups).items():
        print(f"{key:<36}{value}")


if __name__ == "__main__":
    main()
