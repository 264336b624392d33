"""Page runs at the university size, as a person waits for them (AppTest, one process, wall and CPU time).

    .venv/bin/python -m benchmarks.page_runs PATH.sqlite3      (prints one JSON object)

The app starts on the workbook (its first page run reads it and prepares the figures); then each page
is run twice for one of its users: the first run of that page, and a warm one. The four pages of
issue 14's targets come first, then the coordinator's desk pages (each on its first table/activity).
"""
from __future__ import annotations

import json
import os
import sys
import time

COORDINATOR_PAGES = ("hours_review", "request_board", "roster", "sheets", "data", "survey_admin")
APP = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "app.py")


def timed_run(at) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return time.perf_counter() - wall, time.process_time() - cpu


def main(path: str) -> dict:
    os.environ["WORKBOOK_URL"] = f"sqlite:///{path}"
    from streamlit.testing.v1 import AppTest

    from connectors.parsing import parse_snapshot
    from connectors.sqlite_workbook import SqliteWorkbook

    people = parse_snapshot(SqliteWorkbook(f"sqlite:///{path}").snapshot())["people"]
    leader = people.loc[people["role"] == "leader", "person_id"].iloc[0]
    volunteer = people.loc[(people["role"] == "volunteer") & people["active"].fillna(True), "person_id"].iloc[0]
    coordinator = people.loc[people["role"] == "coordinator", "person_id"].iloc[0]
    del people
    result = {}
    start = AppTest.from_file(APP, default_timeout=600)
    result["app start (read + prepare) s"] = timed_run(start)[0]
    for page, person in (("pages/dashboard.py", leader), ("pages/activities.py", volunteer),
                         ("pages/leaderboard.py", None), ("pages/my_record.py", volunteer),
                         *((f"pages/{name}.py", coordinator) for name in COORDINATOR_PAGES)):
        at = AppTest.from_file(APP, default_timeout=600)
        if person:
            at.session_state["person_id"] = person
        at.run()
        at.switch_page(page)
        name = page.removeprefix("pages/").removesuffix(".py")
        result[f"{name} first s"] = timed_run(at)[0]
        result[f"{name} warm s"] = timed_run(at)[0]
    return result


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
