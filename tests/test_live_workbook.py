"""The shared live snapshot: one read per interval, read-your-writes, hand edits within the interval."""
from __future__ import annotations

import threading

from connectors.live import LiveWorkbook
from connectors.sqlite_workbook import SqliteWorkbook


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def person(person_id, name="甲"):
    return {"person_id": person_id, "name": name, "political_status": "群众"}


def live_workbook(tmp_path, clock):
    workbook = SqliteWorkbook(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    workbook.ensure_schema()
    return workbook, LiveWorkbook(workbook, interval_seconds=15, clock=clock)


def names(live):
    return list(live.data().tables["people"]["name"])


def test_many_readers_within_the_interval_cost_one_read(tmp_path):
    clock = Clock()
    _, live = live_workbook(tmp_path, clock)
    threads = [threading.Thread(target=live.data) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    live.data()
    assert live.reads == 1


def test_a_hand_edit_shows_after_the_interval_and_not_before(tmp_path):
    clock = Clock()
    workbook, live = live_workbook(tmp_path, clock)
    assert names(live) == []
    workbook.append("people", [person("1", "手工")])  # another process, or a coordinator's hand
    clock.now = 14.9
    assert names(live) == []
    clock.now = 15.0
    assert names(live) == ["手工"]
    assert live.reads == 2


def test_a_write_through_the_live_workbook_is_visible_to_its_author_at_once(tmp_path):
    clock = Clock()
    _, live = live_workbook(tmp_path, clock)
    live.data()
    assert live.append("people", [person("1", "新")]) is True
    assert names(live) == ["新"]
    live.update("people", {"person_id": "1"}, {"name": "改"})
    assert names(live) == ["改"]


def test_a_failed_read_keeps_the_previous_data_and_says_why(tmp_path):
    clock = Clock()
    workbook, live = live_workbook(tmp_path, clock)
    live.data()

    def broken():
        raise ConnectionError("Google unreachable")

    workbook.snapshot = broken
    clock.now = 20
    assert names(live) == [] and isinstance(live.last_error, ConnectionError)
