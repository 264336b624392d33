"""The shared live snapshot: one read per interval, read-your-writes, hand edits within the interval."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from hypothesis import given, settings, strategies as st

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
    workbook.append("people", [person("1", "手工")])  # a change, so the next refresh has to read

    def broken(since=None):
        raise ConnectionError("Google unreachable")

    workbook.snapshot = broken
    clock.now = 20
    assert names(live) == [] and isinstance(live.last_error, ConnectionError)


def test_many_sign_ups_laid_one_by_one_read_the_same_as_the_workbook_read_afresh(tmp_path):
    """Each write lays its row (and the rows another process appended meanwhile) over the data as a
    part of the table; the rosters are brought up to date by those rows. After more writes than the
    parts kept apart, the data and rosters are what a fresh read derives."""
    import datetime as dt

    from services.activities import derivation_of, sign_up
    from services.outcomes import Refused
    from tests.builders import activity, people

    clock = Clock()
    workbook, live = live_workbook(tmp_path, clock)
    other_process = SqliteWorkbook(workbook.url)
    workbook.append("people", people(*(f"{n}" for n in range(1, 61))))
    workbook.append("activities", [activity("A1", starts="2030-01-01 09:00", ends="2030-01-01 11:00", capacity="25"),
                                   activity("A2", starts="2030-01-01 10:00", ends="2030-01-01 12:00", capacity="5")])
    derivation_of(live.data())
    moment, refused = dt.datetime(2029, 12, 1, 8, 0), 0
    for n in range(1, 51):
        try:
            sign_up(live, "A1" if n % 3 else "A2", f"{n}", f"{n}", lambda: moment + dt.timedelta(minutes=n))
        except Refused:  # an overlap with a place another process took for them
            refused += 1
        if n % 7 == 0:
            other_process.append("signups", [{"signup_id": f"X{n}", "activity_id": "A2", "person_id": f"{n + 10}",
                                              "action": "signup", "by": "hand", "at": f"2029-12-01 {8 + n // 60:02}:"
                                              f"{n % 60:02}:30"}])
    laid = live.data()
    assert refused and len(laid.tables.parts("signups")) < laid.tables.length("signups")

    fresh = LiveWorkbook(SqliteWorkbook(workbook.url), interval_seconds=15, clock=clock).data()
    columns = [c for c in fresh.tables["signups"].columns]
    assert laid.tables["signups"][columns].equals(fresh.tables["signups"])
    assert laid.snapshot.sheets["signups"].rows == fresh.snapshot.sheets["signups"].rows
    assert derivation_of(laid).rosters == derivation_of(fresh).rosters
    assert derivation_of(laid).problems == derivation_of(fresh).problems


def test_a_command_that_only_reads_gets_the_same_tables_and_problems_without_keeping_the_cells(tmp_path):
    import pytest

    from tests.builders import activity, people

    workbook, live = live_workbook(tmp_path, Clock())
    workbook.append("people", people("1", "2"))
    workbook.append("activities", [activity("A1", capacity="几个")])  # a bad cell: a problem in both reads
    workbook.append("settings", [{"key": "timezone", "value": "Asia/Urumqi"}])
    reading = LiveWorkbook(SqliteWorkbook(workbook.url), interval_seconds=15, clock=Clock(), keep_cells=False)
    whole, lean = live.data(), reading.data()
    assert lean.snapshot is None and lean.tables.timezone == whole.tables.timezone == "Asia/Urumqi"
    assert lean.tables.problems == whole.tables.problems and lean.tables.problems
    assert all(lean.tables[key].equals(whole.tables[key]) for key in whole.tables.frames)
    assert lean.tables.titles == whole.tables.titles and lean.tables.labels == whole.tables.labels
    with pytest.raises(RuntimeError):
        reading.append("people", people("3"))


def test_an_idle_workbook_is_not_read_again_and_any_commit_anywhere_makes_the_next_refresh_read(tmp_path):
    """SQLite tells whether anything was committed since the last read (by this process, another one or
    a coordinator's own tool), so an idle workbook's scheduled refresh reads no cells at all."""
    clock = Clock()
    workbook, live = live_workbook(tmp_path, clock)
    workbook.append("people", [person("1", "甲")])
    first = live.data()
    clock.now = 15.0
    assert live.data().tables is first.tables and live.reads == 1  # nothing changed: kept, not read
    with sqlite3.connect(tmp_path / "w.sqlite3") as coordinators_tool:
        coordinators_tool.execute("UPDATE people SET \"姓名\" = '乙'")
    clock.now = 30.0
    assert names(live) == ["乙"] and live.reads == 2
    SqliteWorkbook(workbook.url).append("people", [person("2", "丙")])  # another process
    clock.now = 45.0
    assert names(live) == ["乙", "丙"] and live.reads == 3



@pytest.mark.parametrize("rows", [3, 40], ids=["a few rows", "a batch parsed by column"])
def test_a_batch_of_row_updates_laid_over_the_data_reads_the_same_as_the_workbook_read_afresh(tmp_path, rows):
    """Many rows changed in one write (requests closed by the housekeeping, a branch's hours approved)
    are found and parsed together: the data is what a fresh read gives, a row made unusable by the edit
    (its required name emptied, a status no one knows) and one it mended included, and rows it did not name as they were."""
    clock = Clock()
    workbook, live = live_workbook(tmp_path, clock)
    workbook.append("people", [person(f"{n}", f"名{n}") for n in range(1, 61)])
    workbook.update("people", {"person_id": "58"}, {"political_status": "火星人"})
    assert [p.code for p in live.data().tables.problems] == ["cell.not_choice"]
    items = [({"person_id": f"{n}"}, {"name": f"改{n}", "dorm": f"{n}-101"}) for n in range(2, 2 + rows)]
    items += [({"person_id": " 60"}, {"name": ""}), ({"person_id": "59"}, {"political_status": "外星人"}),
              ({"person_id": "2"}, {"skills": "维修"}),
              ({"person_id": "58"}, {"political_status": "群众"})]
    live.update_rows("people", items)
    laid = live.data()
    fresh = LiveWorkbook(SqliteWorkbook(workbook.url), interval_seconds=15, clock=clock).data()
    assert laid.tables["people"].reset_index(drop=True).equals(fresh.tables["people"])
    assert sorted(map(repr, laid.tables.problems)) == sorted(map(repr, fresh.tables.problems))
    assert [p.code for p in fresh.tables.problems] == ["cell.not_choice", "required_empty"]
    assert list(laid.snapshot.sheets["people"].rows) == list(fresh.snapshot.sheets["people"].rows)


ID_CELLS = st.sampled_from(["A1", "a1", " a1", "ａ1", "B2", "b2\t", "", "\0", "C3\0", "ß", "ss", "SS", "a b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(ID_CELLS, max_size=2), max_size=12), st.sampled_from(["A1", "a1", "b2", "ss", "ß", "", "a b", "c3"]))
def test_a_write_of_a_few_keys_finds_the_row_a_pass_over_all_the_ids_finds(rows, key):
    """A single update looks its row up in the ID column joined as one text (plain IDs: lower case alone)
    or, for IDs typed otherwise, normalises them up to the first exact match: the first row holding the
    key either way, as the backends write it."""
    from connectors.overlay import _first_row_finder, _first_rows
    from workflows.headers import normalise

    wanted = (normalise(key),)
    assert _first_row_finder(rows, [0]).get(wanted) == _first_rows(rows, [0]).get(wanted)


@pytest.mark.parametrize("rows, key, changes", [
    ([["ss\u0301", "甲", "群众"], ["ß\u0301", "乙", "群众"]], {"person_id": "ß\u0301"}, {"name": "新"}),
    ([["A1", "", "群众"], ["A1", "乙", "群众"]], {"person_id": "A1"}, {"name": "新"}),
    ([["A1", "甲", "群众"], ["A1", "乙", "群众"]], {"person_id": "A1"}, {"name": ""}),
], ids=["an earlier ID typed as the key reads otherwise", "the edit mends the first of two equal IDs",
        "the edit makes the first of two equal IDs unusable"])
def test_an_update_laid_over_the_data_reads_as_the_workbook_read_afresh_where_ids_repeat_or_read_otherwise(
        tmp_path, rows, key, changes):
    from tests.conftest import SqliteBackend

    backend = SqliteBackend(tmp_path)
    backend.workbook.ensure_schema()
    backend.hand_write_sheet("people", ["学号/工号", "姓名", "政治面貌"], rows)
    live = LiveWorkbook(backend.workbook, interval_seconds=15, clock=Clock())
    live.data()
    live.update("people", key, changes)
    laid = live.data()
    fresh = LiveWorkbook(SqliteWorkbook(backend.workbook.url), interval_seconds=15, clock=Clock()).data()
    assert laid.tables["people"].reset_index(drop=True).equals(fresh.tables["people"])
    assert sorted(map(repr, laid.tables.problems)) == sorted(map(repr, fresh.tables.problems))
    assert list(map(list, laid.snapshot.sheets["people"].rows)) == list(map(list, fresh.snapshot.sheets["people"].rows))


def laid_and_fresh(workbook, live, table, key, changes):
    live.update(table, key, changes)
    return live.data().tables, LiveWorkbook(SqliteWorkbook(workbook.url), interval_seconds=15, clock=Clock()).data().tables


@pytest.mark.parametrize("changes", [{"by": "C9"}, {"at": ""}], ids=["now differing", "now unusable"])
def test_an_edit_of_a_log_row_sent_twice_identically_reads_as_the_workbook_read_afresh(tmp_path, changes):
    """An identical re-send in a log is no problem and in no frame; once the first differs, or cannot be
    used, the second is a duplicate or the row that counts, as a read finds."""
    workbook, live = live_workbook(tmp_path, Clock())
    workbook.append("people", [person("P1")])
    row = {"activity_id": "A1", "person_id": "P1", "action": "signup", "at": "2025-11-01 10:00"}
    workbook.append("signups", [{"signup_id": "S1", **row}, {"signup_id": "S1-again", **row}])
    with sqlite3.connect(tmp_path / "w.sqlite3") as other_tool:
        other_tool.execute('UPDATE signups SET "记录编号" = \'S1\' WHERE "记录编号" = \'S1-again\'')
    live.data()
    laid, fresh = laid_and_fresh(workbook, live, "signups", {"signup_id": "S1"}, changes)
    assert laid["signups"].reset_index(drop=True).equals(fresh["signups"])
    assert sorted(map(repr, laid.problems)) == sorted(map(repr, fresh.problems))


def test_an_edit_of_a_repeated_setting_keeps_the_problem_of_an_unknown_time_zone(tmp_path):
    workbook, live = live_workbook(tmp_path, Clock())
    workbook.append("settings", [{"key": "timezone", "value": "Mars/Phobos"}, {"key": "x", "value": "1"}])
    with sqlite3.connect(tmp_path / "w.sqlite3") as other_tool:  # the key typed again: a duplicate
        other_tool.execute('INSERT INTO settings ("参数", "值") VALUES (\'x\', \'2\')')
    live.data()
    laid, fresh = laid_and_fresh(workbook, live, "settings", {"key": "x"}, {"value": "3"})
    assert sorted(p.code for p in laid.problems) == sorted(p.code for p in fresh.problems) == ["duplicate_id",
                                                                                               "unknown_time_zone"]
