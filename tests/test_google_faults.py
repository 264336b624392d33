"""The Google path under faults, against the fake: exactly once across processes (also after
`kill -9`), nothing lost while Google is down, and a rush against the quota.

Writers are separate processes (tests/google_writer.py) sharing one journal file, as every
process of a machine does. Each test is bounded: processes have timeouts, waits are conditions
with deadlines."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from connectors.journal import Journal
from tests.conftest import SheetsBackend
from workflows.headers import column_positions
from workflows.schema import table as schema_table

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 60.0


@pytest.fixture
def sheets(fake, tmp_path):
    backend = SheetsBackend(fake, tmp_path)
    backend.workbook.ensure_schema("zh")
    backend.workbook.snapshot()
    return backend


def writer(sheets, prefix: str, count: int, syncs: int = 0) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.google_writer", sheets.fake.base_url, sheets.spreadsheet_id,
         str(sheets.journal_path), prefix, str(count), "--sync", str(syncs)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=DEADLINE)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    return out


def ids_in_sheet(sheets) -> Counter:
    grid = sheets.grid("signups")
    position = column_positions(schema_table("signups"), grid[0])["signup_id"]
    return Counter(row[position] for row in grid[1:] if len(row) > position and row[position])


def journalled_ids(sheets) -> set[str]:
    journal = Journal(sheets.journal_path, workbook=f"gsheets://{sheets.spreadsheet_id}")
    return {row["signup_id"] for entry in journal.entries() if entry.kind == "append" for row in entry.payload["rows"]}


def sync_until_nothing_waits(sheets) -> None:
    """What `cli.py sync` does once Google answers normally again, bounded."""
    sheets.fake.clear_faults()
    workbook = sheets.open_another()
    for _ in range(5):
        if workbook.sync() == 0:
            return
    raise AssertionError(f"{workbook.journal.waiting()} writes still wait")


def wait_until(condition, what: str, seconds: float = DEADLINE) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)  # polling a condition, not synchronising by sleeping


def test_twenty_processes_under_errors_and_racing_appends_write_every_row_exactly_once(sheets):
    fake = sheets.fake
    fake.error_rate, fake.lost_response_rate = 0.3, 0.1
    fake.racing_appends, fake.race_window = True, 0.01
    writers = [writer(sheets, f"P{n}", 4, syncs=3) for n in range(20)]
    answered = [line for process in writers for line in finished(process).split()]
    assert len(answered) == 80  # every write answered: sent or queued, no traceback
    assert fake.count("values_append") > 0 and any(e["status"] != 200 for e in fake.log)  # faults did happen
    sync_until_nothing_waits(sheets)
    assert ids_in_sheet(sheets) == Counter({f"P{n}-{i}": 1 for n in range(20) for i in range(4)})


def test_writers_and_a_sync_killed_mid_run_leave_every_recorded_row_exactly_once(sheets):
    fake = sheets.fake
    fake.error_rate, fake.lost_response_rate, fake.latency = 0.3, 0.1, 0.02
    fake.racing_appends, fake.race_window = True, 0.01
    writers = [writer(sheets, f"K{n}", 30, syncs=5) for n in range(6)]
    wait_until(lambda: fake.count("values_append") >= 20, "the writers have sent some rows")
    for process in writers[:3]:
        process.send_signal(signal.SIGKILL)
    survivor = writer(sheets, "T", 0, syncs=50)  # an app refreshing beside them, syncing while they write
    syncer = writer(sheets, "S", 0, syncs=50)
    appends_before = fake.count("values_append") + fake.count("values_batch_get")
    wait_until(lambda: fake.count("values_append") + fake.count("values_batch_get") >= appends_before + 3,
               "the sync process is under way")
    syncer.send_signal(signal.SIGKILL)
    for process in writers[:3] + [syncer]:
        process.wait(timeout=DEADLINE)  # reaped: their pids are gone
    for process in writers[3:] + [survivor]:
        finished(process)
    recorded = journalled_ids(sheets)  # every write recorded before its process died
    assert {f"K{n}-{i}" for n in range(3, 6) for i in range(30)} <= recorded
    sync_until_nothing_waits(sheets)
    assert ids_in_sheet(sheets) == Counter({row_id: 1 for row_id in recorded})


def run_cli(env, *argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "cli.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=DEADLINE)


@pytest.fixture
def cli_env(sheets):
    workbook = sheets.workbook
    workbook.append("people", [{"person_id": p, "name": f"志愿者{p[-2:]}", "political_status": "masses"}
                               for p in ("2025000001", "2025000002", "2025000003")])
    workbook.append("activities", [{"activity_id": "A1", "title": "社区义诊", "starts_at": "2099-06-01 09:00",
                                    "ends_at": "2099-06-01 11:00", "capacity": "1", "hours": "2",
                                    "status": "open"}])
    workbook.snapshot()  # the last good read, kept beside the journal
    return {**os.environ, "WORKBOOK_URL": workbook.url, "SHEETS_API_URL": sheets.fake.base_url,
            "WORKBOOK_JOURNAL": str(sheets.journal_path), "SHEETS_RETRY_SECONDS": "0.5"}


def test_the_cli_during_a_full_outage_queues_with_a_provisional_answer_and_sync_sends_it_once(sheets, cli_env):
    sheets.fake.down = True
    first = run_cli(cli_env, "signup", "A1", "2025000001", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"status": "queued", "provisional": "confirmed", "position": None}
    second = run_cli(cli_env, "signup", "A1", "2025000002")
    assert second.returncode == 0, second.stderr
    assert "queued" in second.stdout and "number 1 on the waitlist" in second.stdout
    assert "Traceback" not in first.stderr + second.stderr
    assert sheets.fake.get_values(sheets.spreadsheet_id, "signups")[1:] == []
    sheets.fake.down = False
    done = run_cli(cli_env, "sync", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"waiting": 0}
    signups = sheets.grid("signups")
    person = column_positions(schema_table("signups"), signups[0])["person_id"]
    assert sorted(row[person] for row in signups[1:]) == ["2025000001", "2025000002"]


def test_the_cli_during_an_outage_with_no_copy_kept_says_so_without_a_traceback(sheets, cli_env, tmp_path):
    sheets.fake.down = True
    env = {**cli_env, "WORKBOOK_JOURNAL": str(tmp_path / "elsewhere" / "journal.sqlite3")}
    done = run_cli(env, "signup", "A1", "2025000001", "--json")
    assert done.returncode != 0 and done.stdout == ""
    assert "Traceback" not in done.stderr and "Google Sheets" in done.stderr


def people_and_activity(workbook, capacity: str = "1"):
    workbook.append("people", [{"person_id": p, "name": f"志愿者{p[-2:]}", "political_status": "masses"}
                               for p in ("2025000001", "2025000002", "2025000003")])
    workbook.append("activities", [{"activity_id": "A1", "title": "社区义诊", "starts_at": "2099-06-01 09:00",
                                    "ends_at": "2099-06-01 11:00", "capacity": capacity, "hours": "2",
                                    "status": "open"}])
    workbook.snapshot()


def test_the_last_good_read_is_kept_beside_the_journal_readable_by_the_app_only(sheets):
    people_and_activity(sheets.workbook)
    kept = sheets.journal_path.with_name(f"snapshot-{sheets.spreadsheet_id}.json")
    assert kept.exists() and kept.stat().st_mode & 0o777 == 0o600


def test_fresh_processes_during_an_outage_answer_from_the_kept_read_with_each_others_queued_rows(sheets):
    from connectors.live import LiveWorkbook
    from services.activities import sign_up
    from workflows.clock import local_now

    people_and_activity(sheets.workbook)
    sheets.fake.down = True
    clock = lambda: local_now("Asia/Shanghai")  # noqa: E731
    answers = []
    for person in ("2025000001", "2025000002", "2025000003"):
        live = LiveWorkbook(sheets.open_another(), interval_seconds=float("inf"))  # a fresh process each
        answers.append(sign_up(live, "A1", person, person, clock))
        assert live.data().snapshot.stale and live.last_error is not None
    assert [(a.status, a.position, a.queued) for a in answers] == [
        ("confirmed", None, True), ("waitlisted", 1, True), ("waitlisted", 2, True)]
    sheets.fake.down = False
    assert sheets.open_another().sync() == 0
    assert sorted(ids_in_sheet(sheets).values()) == [1, 1, 1]
