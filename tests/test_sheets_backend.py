"""What only the Google Sheets backend has to prove: request economy, retries, the journal."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from connectors.parsing import parse_snapshot
from connectors.sheet import QueuedForSync
from tests.conftest import SheetsBackend


@pytest.fixture
def sheets(fake, tmp_path):
    backend = SheetsBackend(fake, tmp_path)
    backend.workbook.ensure_schema("zh")
    backend.workbook.snapshot()  # warm: worksheet titles and headers are known
    fake.reset_log()
    return backend


def person(person_id, name="张三"):
    return {"person_id": person_id, "name": name, "political_status": "masses"}


def signup_ids(workbook):
    return sorted(parse_snapshot(workbook.snapshot())["signups"]["signup_id"])


def test_a_snapshot_is_one_batch_get_for_every_worksheet(sheets):
    sheets.workbook.snapshot()
    assert [e["kind"] for e in sheets.fake.log] == ["values_batch_get"]
    assert len(sheets.fake.log[0]["query"]["ranges"]) == len(sheets.fake.sheet_titles(sheets.spreadsheet_id))


def test_an_append_is_one_raw_insert_rows_request(sheets):
    sheets.workbook.append("people", [person("1001"), person("1002")])
    assert [e["kind"] for e in sheets.fake.log] == ["values_append"]
    query = sheets.fake.log[0]["query"]
    assert query["valueInputOption"] == ["RAW"] and query["insertDataOption"] == ["INSERT_ROWS"]


def test_an_update_reads_the_key_column_then_writes_only_the_changed_cells(sheets):
    sheets.workbook.append("people", [person("1001")])
    sheets.fake.reset_log()
    sheets.workbook.update("people", {"person_id": "1001"}, {"name": "李四"})
    assert [e["kind"] for e in sheets.fake.log] == ["values_batch_get", "values_batch_update"]
    body = sheets.fake.log[1]["body"]
    assert body["valueInputOption"] == "RAW"
    assert body["data"] == [{"range": "'people'!B2", "values": [["李四"]]}]


def test_the_app_never_clears_a_sheet(sheets):
    workbook = sheets.workbook
    workbook.append("people", [person("1001")])
    workbook.update("people", {"person_id": "1001"}, {"name": "李四"})
    workbook.ensure_schema("zh")
    workbook.sync()
    assert sheets.fake.count("values_clear") == sheets.fake.count("values_batch_clear") == 0


def test_transient_errors_are_retried_with_a_bound(sheets):
    sheets.fake.fail_next(2, 429)
    sheets.workbook.append("people", [person("1001")])
    assert people(sheets.workbook) == ["1001"]
    sheets.fake.fail_next(50, 503)
    with pytest.raises(QueuedForSync):
        sheets.workbook.append("people", [person("1002")])
    assert sheets.fake.count("values_append") <= 1 + 2 + 5  # bounded: 5 attempts at most
    sheets.fake._pending_failures.clear()


def test_a_retried_append_checks_the_sheet_first_so_a_row_that_landed_stays_single(sheets, monkeypatch):
    api = sheets.workbook.api
    real_append = api.client.values_append
    calls = []

    def append_then_lose_the_response(*args, **kwargs):
        result = real_append(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            import requests

            raise requests.ConnectionError("response lost")
        return result

    monkeypatch.setattr(api.client, "values_append", append_then_lose_the_response)
    sheets.workbook.append("people", [person("1001")])
    assert people(sheets.workbook) == ["1001"]
    assert len(calls) == 1  # the re-check found the row: nothing re-sent


def people(workbook):
    return list(parse_snapshot(workbook.snapshot())["people"]["person_id"])


def test_a_submission_during_an_outage_is_kept_shown_to_its_author_and_sent_by_sync(sheets):
    sheets.fake.fail_next(100, 503)
    with pytest.raises(QueuedForSync):
        sheets.workbook.append("people", [person("1001")])
    sheets.fake._pending_failures.clear()  # Google is back
    assert sheets.fake.get_values(sheets.spreadsheet_id, "people")[1:] == []
    assert people(sheets.workbook) == ["1001"]  # read-your-writes from the journal
    assert sheets.workbook.sync() == 0
    assert [row[0] for row in sheets.fake.get_values(sheets.spreadsheet_id, "people")[1:]] == ["1001"]
    assert sheets.workbook.journal.entries() == []


def test_an_update_during_an_outage_is_kept_and_sent_by_sync(sheets):
    sheets.workbook.append("people", [person("1001")])
    sheets.fake.fail_next(10, 500)
    with pytest.raises(QueuedForSync):
        sheets.workbook.update("people", {"person_id": "1001"}, {"name": "李四"})
    sheets.fake._pending_failures.clear()
    assert list(parse_snapshot(sheets.workbook.snapshot())["people"]["name"]) == ["李四"]
    assert sheets.workbook.sync() == 0
    assert sheets.fake.get_values(sheets.spreadsheet_id, "people")[1][1] == "李四"


def test_cells_of_extra_columns_written_during_an_outage_are_sent_by_sync_into_their_columns(sheets):
    sheets.fake.fail_next(100, 503)
    with pytest.raises(QueuedForSync):
        sheets.workbook.append("people", [{**person("1001"), "备注": "班长"}], extra_columns=["备注"])
    with pytest.raises(QueuedForSync):
        sheets.workbook.update_rows("people", [({"person_id": "1001"}, {"备注": "团支书"})], extra_columns=["备注"])
    sheets.fake._pending_failures.clear()
    assert sheets.workbook.sync() == 0
    grid = sheets.fake.get_values(sheets.spreadsheet_id, "people")
    assert grid[0].count("备注") == 1 and grid[1][grid[0].index("备注")] == "团支书"
    assert sheets.workbook.journal.entries() == []


def test_appends_lost_to_racing_appenders_in_other_processes_are_resent_once(sheets):
    sheets.fake.racing_appends = True
    sheets.fake.race_window = 0.01
    writers = [sheets.open_another(shared_lock=False) for _ in range(4)]
    start = threading.Barrier(4)

    def write(index):
        workbook = writers[index]
        start.wait()
        for n in range(5):
            workbook.append("signups", [{"signup_id": f"S{index}-{n}", "activity_id": "A1",
                                          "person_id": f"{index}{n}", "at": "2025-11-20 10:00"}])

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    landed = len(sheets.fake.get_values(sheets.spreadsheet_id, "signups")) - 1
    assert landed < 20  # the race really lost rows
    sheets.fake.racing_appends = False
    for workbook in writers:
        workbook.sync()
    grid = sheets.fake.get_values(sheets.spreadsheet_id, "signups")[1:]
    assert sorted(row[0] for row in grid) == sorted(f"S{i}-{n}" for i in range(4) for n in range(5))


def test_the_app_sends_what_waited_in_the_journal_at_its_next_refresh(sheets):
    from connectors.live import LiveWorkbook

    clock = [0.0]
    live = LiveWorkbook(sheets.workbook, interval_seconds=15, clock=lambda: clock[0])
    live.data()
    sheets.fake.fail_next(100, 503)
    assert live.append("people", [person("1001")]) is False  # saved locally, will sync
    sheets.fake._pending_failures.clear()  # Google is back
    clock[0] = 15.0
    assert list(live.data().tables["people"]["person_id"]) == ["1001"]
    assert [row[0] for row in sheets.fake.get_values(sheets.spreadsheet_id, "people")[1:]] == ["1001"]


def test_closing_many_expired_rating_windows_costs_three_requests_not_three_per_request(sheets):
    """One read of the key and status columns, one write of the changed cells, one append of the events."""
    import datetime as dt

    from connectors.live import LiveWorkbook
    from services.requests import close_expired
    from tests.test_requests import resolved_long_ago

    sheets.workbook.append("requests", resolved_long_ago(20))
    live = LiveWorkbook(sheets.workbook, interval_seconds=3600)
    live.data()
    sheets.fake.reset_log()
    assert close_expired(live, lambda: dt.datetime(2025, 12, 1, 12, 0)) == 20
    assert [e["kind"] for e in sheets.fake.log] == ["values_batch_get", "values_batch_update", "values_append"]


def test_a_queued_batch_update_sends_the_rows_still_as_expected_and_leaves_out_one_deleted_or_changed_meanwhile(sheets):
    """Queued in an outage, an update waits in the journal with each row's expected cells. By the time it
    is sent a coordinator deleted one row and changed another: those are left out, the others written."""
    workbook = sheets.workbook
    sheets.hand_write_sheet("people", ["学号/工号", "姓名", "政治面貌"], [[f"100{n}", "甲", "群众"] for n in range(1, 5)])
    sheets.fake.fail_next(10, 503)
    with pytest.raises(QueuedForSync):
        workbook.update_rows("people", [({"person_id": f"100{n}"}, {"name": "新"}) for n in range(1, 5)],
                             expect=[{"name": "甲"}] * 4)
    sheets.fake.clear_faults()
    by_hand = [["1001", "甲", "群众"], ["1003", "改过", "群众"], ["1004", "甲", "群众"], ["", "", ""]]  # 1002 deleted
    sheets.fake.set_values(sheets.spreadsheet_id, "people", by_hand, start_row=2)
    assert workbook.sync() == 0
    rows = sheets.fake.get_values(sheets.spreadsheet_id, "people")[1:]
    assert [row[:2] for row in rows if any(row)] == [["1001", "新"], ["1003", "改过"], ["1004", "新"]]
