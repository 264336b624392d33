"""The Google path under faults, against the fake: exactly once across processes (also after
`kill -9`), nothing lost while Google is down, and a rush against the quota.

Writers are separate processes (tests/google_writer.py) sharing one journal file, as every
process of a machine does. Each test is bounded: processes have timeouts, waits are conditions
with deadlines."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from connectors.journal import Journal
from connectors.retry import Pause
from connectors.sheet import QueuedForSync
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


class Fleet:
    """Writer processes forked by one tests/google_writer.py process: {prefix: pid}, then their output."""

    def __init__(self, sheets, specs: list[str]):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.google_writer", sheets.fake.base_url, sheets.spreadsheet_id,
             str(sheets.journal_path), *specs], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.pids, self.lines = {}, []
        while len(self.pids) < len(specs):
            line = self.process.stdout.readline()
            assert line, "the writers did not start"
            if line.startswith("started "):
                _, prefix, pid = line.split()
                self.pids[prefix] = int(pid)
            else:
                self.lines.append(line.strip())

    def kill(self, prefix: str) -> None:
        os.kill(self.pids[prefix], signal.SIGKILL)

    def finished(self) -> tuple[list[str], dict[str, int]]:
        """(the IDs the writers answered, {prefix: exit status}) once they all ended."""
        out, err = self.process.communicate(timeout=DEADLINE)
        assert "Traceback" not in err, err
        lines = self.lines + out.splitlines()
        statuses = {line.split()[1]: int(line.split()[2]) for line in lines if line.startswith("exit ")}
        return [line for line in lines if re.fullmatch(r"\w+-\d+", line)], statuses


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
    answered, statuses = Fleet(sheets, [f"P{n}:4:3" for n in range(20)]).finished()
    assert statuses == {f"P{n}": 0 for n in range(20)}
    assert len(answered) == 80  # every write answered: sent or queued, no traceback
    assert any(e["status"] != 200 for e in fake.log)  # faults did happen
    sync_until_nothing_waits(sheets)
    assert ids_in_sheet(sheets) == Counter({f"P{n}-{i}": 1 for n in range(20) for i in range(4)})


def test_writers_and_a_sync_killed_mid_run_leave_every_recorded_row_exactly_once(sheets):
    fake = sheets.fake
    fake.error_rate, fake.lost_response_rate, fake.latency = 0.3, 0.1, 0.02
    fake.racing_appends, fake.race_window = True, 0.01
    writers = Fleet(sheets, [f"K{n}:30:5" for n in range(6)])
    wait_until(lambda: fake.count("values_append") >= 20, "the writers have sent some rows")
    for n in range(3):
        writers.kill(f"K{n}")
    syncers = Fleet(sheets, ["T:0:50", "S:0:50"])  # apps refreshing beside them, syncing while they write
    requests_before = len(fake.log)
    wait_until(lambda: len(fake.log) >= requests_before + 3, "the syncs are under way")
    syncers.kill("S")
    _, statuses = writers.finished()
    assert statuses == {"K0": -9, "K1": -9, "K2": -9, "K3": 0, "K4": 0, "K5": 0}
    assert syncers.finished()[1] == {"S": -9, "T": 0}
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
    assert sheets.open_another().sync() == 0  # what `cli.py sync` or the app's next refresh does
    signups = sheets.grid("signups")
    person = column_positions(schema_table("signups"), signups[0])["person_id"]
    assert sorted(row[person] for row in signups[1:]) == ["2025000001", "2025000002"]


def test_the_cli_during_an_outage_with_no_copy_kept_says_so_without_a_traceback(sheets, cli_env, tmp_path,
                                                                              monkeypatch, capsys):
    import cli

    sheets.fake.down = True
    for name, value in {**cli_env, "WORKBOOK_JOURNAL": str(tmp_path / "elsewhere" / "journal.sqlite3")}.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["signup", "A1", "2025000001", "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("signup: Google Sheets did not answer (HTTP 503")


def test_a_spreadsheet_google_does_not_know_is_one_clear_line_on_the_cli(sheets, cli_env, monkeypatch, capsys):
    import cli

    for name, value in {**cli_env, "WORKBOOK_URL": "gsheets://no-such-spreadsheet"}.items():
        monkeypatch.setenv(name, value)
    assert cli.main(["roster", "A1"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("roster: Google Sheets refused the request (HTTP 404")
    assert "shared with the service account" in err


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


def test_a_rush_past_the_quota_answers_everyone_pauses_the_process_and_sends_the_queue_in_one_append(sheets):
    from concurrent.futures import ThreadPoolExecutor

    from connectors.gsheets_workbook import GoogleSheetsWorkbook
    from connectors.live import LiveWorkbook
    from connectors.retry import Backoff
    from connectors.sheets_api import RedirectedHTTPClient, SheetsApi
    from services.activities import sign_up
    from workflows.clock import local_now

    fake = sheets.fake
    people = [f"20251000{n:02}" for n in range(40)]
    sheets.workbook.append("people", [{"person_id": p, "name": "志愿者", "political_status": "masses"} for p in people])
    sheets.workbook.append("activities", [{"activity_id": "A1", "title": "热门活动", "starts_at": "2099-06-01 09:00",
                                           "ends_at": "2099-06-01 11:00", "capacity": "10", "hours": "2",
                                           "status": "open"}])
    later = [0.0]  # one clock for the fake's quota minute and the app's pause
    now = lambda: time.monotonic() + later[0]  # noqa: E731
    backoff = Backoff(attempts=5, base_seconds=0.001, cap_seconds=0.01, cool_down_seconds=30, clock=now)
    api = SheetsApi(RedirectedHTTPClient(fake.base_url), sheets.spreadsheet_id, backoff)
    api.pause = type(api.pause)()  # this test's own process-wide pause
    journal = Journal(sheets.journal_path, workbook=f"gsheets://{sheets.spreadsheet_id}")
    live = LiveWorkbook(GoogleSheetsWorkbook(sheets.workbook.url, api, journal, settle_seconds=0),
                        interval_seconds=float("inf"))
    live.data()
    fake.reset_log()
    fake.quota_per_minute, fake.clock = 6, now
    clock = lambda: local_now("Asia/Shanghai")  # noqa: E731
    with ThreadPoolExecutor(max_workers=40) as pool:
        outcomes = list(pool.map(lambda p: sign_up(live, "A1", p, p, clock), people))
    assert Counter(o.status for o in outcomes) == {"confirmed": 10, "waitlisted": 30}
    assert sorted(o.position for o in outcomes if o.position) == list(range(1, 31))  # queued ones too
    assert any(o.queued for o in outcomes) and any(e["status"] == 429 for e in fake.log)  # the quota was hit
    assert len(fake.log) < len(people)  # the whole process paused: not a request (and its retries) each
    later[0] = 61.0  # a minute later: the quota allows requests again, the pause is over
    fake.reset_log()
    assert live.workbook.sync() == 0
    assert fake.count("values_append") == 1  # every queued sign-up in one request
    position = column_positions(schema_table("signups"), sheets.grid("signups")[0])["person_id"]
    assert Counter(row[position] for row in sheets.grid("signups")[1:]) == Counter(people)


def test_sync_sends_at_most_once_in_its_interval(sheets):
    workbook = sheets.open_another()
    workbook.min_sync_interval = 3600
    sheets.fake.down = True
    with pytest.raises(QueuedForSync):
        workbook.append("signups", [{"signup_id": "S1", "activity_id": "A1", "person_id": "1", "at": "2025-11-20 10:00"}])
    assert workbook.sync() == 1
    sheets.fake.down = False
    sheets.fake.reset_log()
    assert workbook.sync() == 1 and sheets.fake.log == []  # too soon: no request
    workbook.min_sync_interval = 0
    assert workbook.sync() == 0


def test_the_app_started_during_an_outage_shows_the_kept_copy_and_a_queued_sign_up_with_its_place(sheets,
                                                                                                 monkeypatch):
    from connectors.parsing import parse_snapshot
    from demo.codes import DEMO_CODES, load_demo_rows
    from streamlit.testing.v1 import AppTest

    from tests.pages import APP
    from workflows.clock import local_now
    from workflows.listing import activity_listing
    from workflows.signup import derive

    volunteer = DEMO_CODES[0][0]
    for table, rows in load_demo_rows(local_now("Asia/Shanghai").replace(microsecond=0)):
        sheets.workbook.append(table, rows)
    tables = parse_snapshot(sheets.workbook.snapshot())  # the last good read, kept beside the journal
    listing = activity_listing(tables, derive(tables), local_now("Asia/Shanghai"), volunteer)
    full = listing[listing["open_for_signup"] & (listing["my_status"] == "none") & (listing["places_left"] == 0)].iloc[0]
    for name, value in {"WORKBOOK_URL": sheets.workbook.url, "SHEETS_API_URL": sheets.fake.base_url,
                        "WORKBOOK_JOURNAL": str(sheets.journal_path), "SHEETS_RETRY_SECONDS": "0.2"}.items():
        monkeypatch.setenv(name, value)
    sheets.fake.down = True
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["person_id"] = volunteer
    at.run()
    assert not at.exception
    assert any("暂时无法读取工作簿" in w.value for w in at.sidebar.warning)  # the kept copy, and from when
    at.switch_page("pages/activities.py").run()
    assert not at.exception
    at.button(key=f"signup-{full.activity_id}").click().run()
    assert not at.exception
    assert any(f"候补第 {full.waitlist + 1} 位" in i.value and "暂定" in i.value for i in at.info)
    sheets.fake.down = False
    syncing = sheets.open_another()  # `cli.py sync`: another process, without the app's pause after the outage
    syncing.api.pause = Pause()
    assert syncing.sync() == 0
    assert volunteer in derive(parse_snapshot(syncing.snapshot())).roster(full.activity_id).waitlisted
