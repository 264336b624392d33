"""The services: the one door for changes. Each records who did what, answers from its own write
without re-reading the workbook, and takes "now" in the workbook's time zone."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from streamlit.testing.v1 import AppTest

from connectors.live import LiveWorkbook
from connectors.sqlite_workbook import SqliteWorkbook
from services.activities import renew_checkin_code, save_activity, sign_up
from services.clock import fixed_clock, workbook_clock
from services.hours import report_hours, review_hours
from services.outcomes import Refused
from services.surveys import add_action, create_survey, move_action
from tests.pages import APP, demo_workbook
from workflows import clock as system_clock
from workflows.access import viewer_for
from demo.codes import DEMO_CODES
from workflows.tables import active_people

VOLUNTEER_ID, COORDINATOR_ID, LEADER_ID = (p for p, *_ in DEMO_CODES)


class CountingWorkbook:
    """The embedded workbook, counting whole-workbook reads."""

    def __init__(self, inner):
        self.inner, self.snapshots = inner, 0

    def snapshot(self, since=None):
        self.snapshots += 1
        return self.inner.snapshot(since=since)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture
def live(tmp_path):
    book = CountingWorkbook(demo_workbook(f"sqlite:///{tmp_path / 'w.sqlite3'}"))
    return LiveWorkbook(book, interval_seconds=3600)


def person(live, person_id):
    return viewer_for(live.data().tables["people"], person_id)


def audit_of(live, table):
    audit = live.data().tables["_audit"]
    return audit[audit["table"] == table]


def now_of(live):
    return fixed_clock(system_clock.local_now(live.data().tables.timezone).replace(microsecond=0))


def test_every_service_that_changes_a_record_table_leaves_an_audit_entry_by_its_actor(live):
    coordinator, volunteer = person(live, COORDINATOR_ID), person(live, VOLUNTEER_ID)
    clock = now_of(live)
    start = clock() + dt.timedelta(days=3)
    created = save_activity(live, coordinator, None, {
        "title": "周末义诊", "branch": coordinator.branch, "starts_at": f"{start:%Y-%m-%d} 09:00",
        "ends_at": f"{start:%Y-%m-%d} 11:00", "capacity": "5", "hours": "2", "status": "open"}, {}, clock)
    renew_checkin_code(live, coordinator, created.activity_id, clock)
    reported = report_hours(live, volunteer, {"date": f"{clock():%Y-%m-%d}", "hours": "2", "description": "图书馆整理"},
                            clock)
    review_hours(live, coordinator, [reported.entry_id], "approved", "", clock)
    create_survey(live, coordinator, {"title": "满意度", "kind": "needs"}, [{"text": "打分", "type": "rating"}], clock)
    action_id = add_action(live, coordinator, {"action": "延长开放时间", "source": "学业"}, clock)
    move_action(live, coordinator, action_id, "done", clock, "已落实")

    for table in ("activities", "hours", "surveys", "questions", "actions"):
        entries = audit_of(live, table)
        assert not entries.empty, f"no audit entry for {table}"
        assert set(entries["actor"]) <= {coordinator.person_id, volunteer.person_id}
    assert set(audit_of(live, "activities")["column"]) >= {"*", "checkin_code"}
    assert set(audit_of(live, "hours")["column"]) >= {"*", "status"}


def test_a_batch_approval_logs_each_entry_with_the_old_value_of_its_own_row(live):
    coordinator, volunteer = person(live, COORDINATOR_ID), person(live, VOLUNTEER_ID)
    clock = now_of(live)
    entries = [report_hours(live, volunteer, {"date": f"{clock():%Y-%m-%d}", "hours": f"{n}", "description": f"整理{n}"},
                            clock).entry_id for n in (1, 2, 3)]
    review_hours(live, coordinator, [entries[0]], "rejected", "重复", clock)
    assert review_hours(live, coordinator, entries, "approved", "", clock).done == 2  # the rejected one is no longer pending
    logged = audit_of(live, "hours")
    status = logged[logged["column"] == "status"]
    assert list(zip(status["record"], status["old"], status["new"])) == [
        (f"entry_id={entries[0]}", "pending", "rejected"), (f"entry_id={entries[1]}", "pending", "approved"),
        (f"entry_id={entries[2]}", "pending", "approved")]


def test_a_new_activity_gets_its_check_in_code_when_it_is_created(live):
    coordinator = person(live, COORDINATOR_ID)
    clock = now_of(live)
    start = clock() + dt.timedelta(days=2)
    created = save_activity(live, coordinator, None, {
        "title": "社区清扫", "branch": coordinator.branch, "starts_at": f"{start:%Y-%m-%d} 09:00",
        "ends_at": f"{start:%Y-%m-%d} 10:00"}, {}, clock)
    activities = live.data().tables["activities"]
    assert activities.set_index("activity_id").loc[created.activity_id, "checkin_code"]


def test_a_coordinator_cannot_create_an_activity_for_another_branch(live):
    coordinator = person(live, COORDINATOR_ID)
    clock = now_of(live)
    saved = save_activity(live, coordinator, None, {"title": "x", "branch": "别的支部", "starts_at": "2030-01-01 09:00",
                                                    "ends_at": "2030-01-01 10:00"}, {}, clock)
    assert saved.errors and "branch" in saved.errors and not saved.created


def test_a_volunteer_cannot_move_an_improvement_action(live):
    volunteer = person(live, VOLUNTEER_ID)
    with pytest.raises(Refused):
        add_action(live, volunteer, {"action": "x"}, now_of(live))


def test_a_write_shows_to_its_author_without_reading_the_whole_workbook_again(live):
    coordinator, volunteer = person(live, COORDINATOR_ID), person(live, VOLUNTEER_ID)
    reads = live.workbook.snapshots
    clock = now_of(live)
    reported = report_hours(live, volunteer, {"date": f"{clock():%Y-%m-%d}", "hours": "1.5", "description": "值班"}, clock)
    review_hours(live, coordinator, [reported.entry_id], "approved", "", clock)
    hours = live.data().tables["hours"].set_index("entry_id")
    assert hours.loc[reported.entry_id, "status"] == "approved" and hours.loc[reported.entry_id, "hours"] == 1.5
    assert live.workbook.snapshots == reads
    assert live.refresh().tables["hours"].set_index("entry_id").loc[reported.entry_id, "status"] == "approved"


def test_a_sign_up_answer_counts_the_sign_ups_another_process_wrote_meanwhile(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    demo_workbook(url)
    mine = LiveWorkbook(SqliteWorkbook(url), 3600)
    coordinator, clock = person(mine, COORDINATOR_ID), now_of(mine)
    day = clock() + dt.timedelta(days=40)
    activity_id = save_activity(mine, coordinator, None, {
        "title": "一个名额", "branch": coordinator.branch, "starts_at": f"{day:%Y-%m-%d} 03:00",
        "ends_at": f"{day:%Y-%m-%d} 04:00", "capacity": "1"}, {}, clock).activity_id
    theirs = LiveWorkbook(SqliteWorkbook(url), 3600)  # another process: it reads now, `mine` does not again
    first, second = list(active_people(mine.data().tables)["person_id"])[:2]
    clock = workbook_clock(mine)  # distinct stamps, in the order of the writes

    assert sign_up(theirs, activity_id, first, first, clock).status == "confirmed"
    outcome = sign_up(mine, activity_id, second, second, clock)

    assert (outcome.status, outcome.position) == ("waitlisted", 1)


def test_a_server_running_in_utc_shows_every_time_in_the_workbooks_zone(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    demo_workbook(url)
    monkeypatch.setenv("WORKBOOK_URL", url)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    fixed = dt.datetime(2026, 3, 1, 0, 43, 5, tzinfo=dt.timezone.utc)
    monkeypatch.setattr(system_clock, "utc_now", lambda: fixed)
    try:
        at = AppTest.from_file(APP, default_timeout=90)
        at.context = {"locale": "zh-CN"}
        at.session_state["person_id"] = COORDINATOR_ID
        at.run()
        captions = " ".join(c.value for c in at.sidebar.caption)
        assert "2026-03-01 08:43:05" in captions, captions
        assert "00:43" not in captions
    finally:
        monkeypatch.undo()
        time.tzset()


def test_on_google_a_sign_up_costs_one_request_and_an_audited_edit_at_most_three(fake, tmp_path):
    from tests.conftest import SheetsBackend

    workbook = SheetsBackend(fake, tmp_path).workbook
    workbook.ensure_schema()
    workbook.append("people", [{"person_id": "P1", "name": "甲", "political_status": "masses"},
                               {"person_id": "C1", "name": "乙", "political_status": "party_member",
                                "role": "coordinator", "branch": "一支部"}])
    workbook.append("activities", [{"activity_id": "A1", "title": "义诊", "branch": "一支部", "capacity": "3",
                                    "starts_at": "2099-06-01 09:00", "ends_at": "2099-06-01 11:00", "status": "open"}])
    live = LiveWorkbook(workbook, interval_seconds=3600)
    clock = fixed_clock(dt.datetime(2099, 5, 1, 9, 0))
    shown = live.data().cells_of("activities", 2)
    fake.reset_log()

    assert sign_up(live, "A1", "P1", "P1", clock).status == "confirmed"
    after_sign_up = len(fake.log)
    save_activity(live, person(live, "C1"), "A1", {**shown, "location": "校医院"}, shown, clock)
    after_edit = len(fake.log)

    assert after_sign_up <= 1, [entry["kind"] for entry in fake.log]
    assert after_edit - after_sign_up <= 3, [entry["kind"] for entry in fake.log[after_sign_up:]]
    assert live.refresh().tables["activities"].iloc[0]["location"] == "校医院"


def test_the_app_closes_unrated_requests_after_a_scheduled_read_not_while_a_page_renders(tmp_path):
    from services.requests import act, submit
    from ui.state import _housekeeping
    from workflows.requests import auto_closes

    book = demo_workbook(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    live = LiveWorkbook(book, interval_seconds=3600, after_read=_housekeeping)
    coordinator, volunteer = person(live, COORDINATOR_ID), person(live, VOLUNTEER_ID)
    long_ago = fixed_clock(now_of(live)() - dt.timedelta(days=30))
    request_id = submit(live, {"kind": "request", "category": "维修", "title": "台灯坏了"}, volunteer, long_ago)
    act(live, request_id, "assign", coordinator, long_ago, assignee_id=coordinator.person_id)
    act(live, request_id, "resolve", coordinator, long_ago, resolution="已换")
    assert auto_closes(live.data().tables, now_of(live)())

    live.refresh()

    requests = live.data().tables["requests"].set_index("request_id")
    assert requests.loc[request_id, "status"] == "closed"
    assert not auto_closes(live.data().tables, now_of(live)())


def test_a_read_that_finds_the_same_cells_keeps_what_was_derived_from_them(live):
    computed = []
    figures = lambda tables: computed.append(1) or len(tables["people"])  # noqa: E731
    live.data().memo("figures", figures)
    live.refresh()
    live.data().memo("figures", figures)
    assert computed == [1]
    live.workbook.update("people", {"person_id": VOLUNTEER_ID}, {"skills": "摄影"})  # a hand edit
    live.refresh()
    live.data().memo("figures", figures)
    assert computed == [1, 1]


def test_saving_a_form_twice_with_its_key_creates_one_activity_one_request_one_survey(live):
    from services.requests import submit
    from services.submissions import form_key

    coordinator, volunteer = person(live, COORDINATOR_ID), person(live, VOLUNTEER_ID)
    clock = now_of(live)
    day = clock() + dt.timedelta(days=9)
    values = {"title": "周末义诊", "branch": coordinator.branch, "starts_at": f"{day:%Y-%m-%d} 09:00",
              "ends_at": f"{day:%Y-%m-%d} 11:00"}
    keys = {kind: form_key(kind, clock) for kind in ("activity", "request", "survey")}
    counts = {table: len(live.data().tables[table]) for table in ("activities", "requests", "surveys", "_audit")}
    for _ in range(2):  # a double click
        save_activity(live, coordinator, None, values, {}, clock, form_key=keys["activity"])
        submit(live, {"kind": "request", "category": "维修", "title": "台灯坏了"}, volunteer, clock,
               form_key=keys["request"])
        create_survey(live, coordinator, {"title": "满意度"}, [{"text": "打分", "type": "rating"}], clock,
                      form_key=keys["survey"])
    tables = live.refresh().tables
    for table, column, key in (("activities", "activity_id", "activity"), ("requests", "request_id", "request"),
                               ("surveys", "survey_id", "survey")):
        assert len(tables[table]) == counts[table] + 1
        assert (tables[table][column] == keys[key]).sum() == 1
