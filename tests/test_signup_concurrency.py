"""Many people sign up at once for fewer places: 100 for 30 from threads, 20 for 6 from separate
cli.py processes (the 100-process load is a benchmark's), on the embedded workbook and on Google
Sheets (the fake, with racing appends)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from connectors.live import LiveWorkbook
from connectors.parsing import parse_snapshot
from services.activities import sign_up
from workflows.clock import local_now
from workflows.signup import derive

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = [f"{2025000000 + n}" for n in range(100)]
CAPACITY = 30
CLI_PEOPLE, CLI_CAPACITY = PEOPLE[:20], 6


def prepare(workbook, capacity=CAPACITY):
    workbook.ensure_schema()
    workbook.append("people", [{"person_id": p, "name": f"志愿者{p[-3:]}", "political_status": "league_member"}
                               for p in PEOPLE])
    workbook.append("activities", [{"activity_id": "A1", "title": "社区义诊", "starts_at": "2099-06-01 09:00",
                                    "ends_at": "2099-06-01 11:00", "capacity": str(capacity), "hours": "2",
                                    "status": "open"}])


def final_roster(workbook):
    tables = parse_snapshot(workbook.snapshot())
    signups = tables["signups"]
    return derive(tables).roster("A1"), Counter(signups["person_id"])


def assert_capacity_filled_the_rest_waiting_none_lost_none_doubled(workbook, people=PEOPLE, capacity=CAPACITY):
    roster, rows_per_person = final_roster(workbook)
    assert len(roster.confirmed) == capacity and len(roster.waitlisted) == len(people) - capacity
    assert sorted(roster.confirmed + roster.waitlisted) == sorted(people)
    assert set(rows_per_person.values()) == {1}


def test_from_threads(backend):
    if backend.name == "sheets":
        backend.fake.racing_appends, backend.fake.race_window = True, 0.002
    workbook = backend.workbook
    prepare(workbook)
    live = LiveWorkbook(workbook, interval_seconds=0)
    clock = lambda: local_now("Asia/Shanghai")  # noqa: E731
    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(lambda p: sign_up(live, "A1", p, p, clock), PEOPLE))
    assert workbook.sync() == 0
    assert_capacity_filled_the_rest_waiting_none_lost_none_doubled(workbook)
    # every answer given at the time is still true: "confirmed" 30 times, waitlist positions 1..70
    assert Counter(o.status for o in outcomes) == {"confirmed": 30, "waitlisted": 70}
    assert sorted(o.position for o in outcomes if o.position) == list(range(1, 71))


def run_cli(env, *argv):
    done = subprocess.run([sys.executable, "cli.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("kind", ["sqlite", "sheets"])
def test_from_separate_cli_processes(kind, tmp_path, request):
    env = {**os.environ}
    if kind == "sqlite":
        from connectors.sqlite_workbook import SqliteWorkbook

        env["WORKBOOK_URL"] = f"sqlite:///{tmp_path / 'w.sqlite3'}"
        workbook = SqliteWorkbook(env["WORKBOOK_URL"])
    else:
        from tests.conftest import SheetsBackend

        fake = request.getfixturevalue("fake")
        backend = SheetsBackend(fake, tmp_path)
        workbook = backend.workbook
        env.update(WORKBOOK_URL=workbook.url, SHEETS_API_URL=fake.base_url,
                   WORKBOOK_JOURNAL=str(backend.journal_path))
    prepare(workbook, CLI_CAPACITY)
    if kind == "sheets":
        fake.racing_appends, fake.race_window = True, 0.02
    with ThreadPoolExecutor(max_workers=10) as pool:  # 10 processes at a time
        answers = list(pool.map(lambda p: json.loads(run_cli(env, "signup", "A1", p, "--json")), CLI_PEOPLE))
    if kind == "sheets":
        fake.racing_appends = False
        assert json.loads(run_cli(env, "sync", "--json")) == {"waiting": 0}
    assert_capacity_filled_the_rest_waiting_none_lost_none_doubled(workbook, CLI_PEOPLE, CLI_CAPACITY)
    roster = json.loads(run_cli(env, "roster", "A1", "--json"))
    assert len(roster["confirmed"]) == CLI_CAPACITY and len(roster["waitlisted"]) == len(CLI_PEOPLE) - CLI_CAPACITY
    if kind == "sqlite":  # one transaction at a time, and each answer counts the rows written before it
        assert Counter(a["status"] for a in answers) == {"confirmed": CLI_CAPACITY,
                                                          "waitlisted": len(CLI_PEOPLE) - CLI_CAPACITY}
        assert sorted(a["position"] for a in answers if a["position"]) == list(range(1, 15))
