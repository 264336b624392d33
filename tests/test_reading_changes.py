"""A refresh of the embedded workbook reads only what changed since the last read, and gives what a
whole read would: the same sheets, the same tables, the same problems, the same rosters."""
from __future__ import annotations

import sqlite3
from unittest.mock import patch

import pandas as pd
from hypothesis import HealthCheck, example, given, settings, strategies as st

from connectors.kept_tables import kept_tables_for
from connectors.live import LiveWorkbook
from connectors.parsing import parse_snapshot
from connectors.sqlite_workbook import SqliteWorkbook
from services.activities import derivation_of
from tests.builders import activity, people, signup
from workflows.schema import ALL_TABLES
from workflows.signup import derive


def new_workbook(tmp_path, name="w.sqlite3"):
    workbook = SqliteWorkbook(f"sqlite:///{tmp_path / name}")
    workbook.ensure_schema()
    workbook.append("people", people("1", "2", "3"))
    workbook.append("activities", [activity("A1", capacity="1"), activity("A2", "2025-11-21 09:00", "2025-11-21 11:00")])
    workbook.append("signups", [signup(1, "1"), signup(2, "2", at="2025-11-10 10:05+08:00")])  # read in the time zone
    return workbook


def another_tool(workbook: SqliteWorkbook) -> sqlite3.Connection:
    return sqlite3.connect(workbook.url.removeprefix("sqlite:///"), isolation_level=None)


def test_a_sheet_nobody_changed_is_the_sheet_read_before_and_a_longer_log_only_adds_its_new_rows(tmp_path):
    workbook = new_workbook(tmp_path)
    first = workbook.snapshot()
    workbook.append("signups", [signup(3, "3")])
    second = workbook.snapshot(since=first)
    assert second.sheets["people"] is first.sheets["people"]
    assert second.appended == {"signups": 2}
    assert [row[0] for row in second.sheets["signups"].rows] == ["S0001", "S0002", "S0003"]
    assert second.sheets == workbook.snapshot().sheets


def test_a_cell_another_tool_changes_is_read_with_its_row_alone_and_a_row_it_deletes_makes_the_sheet_read_whole(tmp_path):
    workbook = new_workbook(tmp_path)
    first = workbook.snapshot()
    with another_tool(workbook) as tool:
        tool.execute("UPDATE people SET \"姓名\" = '改' WHERE \"学号/工号\" = '2'")
    second = workbook.snapshot(since=first)
    assert second.edited == {"people": (1,)} and second.appended == {}
    assert second.sheets["people"].rows[1][1] == "改" and second.sheets == workbook.snapshot().sheets
    with another_tool(workbook) as tool:
        tool.execute("DELETE FROM signups WHERE \"记录编号\" = 'S0001'")
    third = workbook.snapshot(since=second)
    assert [row[0] for row in third.sheets["signups"].rows] == ["S0002"] and third.appended == third.edited == {}


def test_a_row_a_tool_inserts_before_the_last_one_read_makes_the_sheet_read_whole(tmp_path):
    workbook = new_workbook(tmp_path)
    first = workbook.snapshot()
    with another_tool(workbook) as tool:
        tool.execute("DELETE FROM signups WHERE _row = 1")
        tool.execute("INSERT INTO signups (_row, \"记录编号\") VALUES (1, 'S0000')")  # its place taken again
    second = workbook.snapshot(since=first)
    assert second.appended == {} and [row[0] for row in second.sheets["signups"].rows] == ["S0000", "S0002"]


def test_without_its_counting_triggers_or_after_a_schema_change_a_sheet_is_read_whole(tmp_path):
    workbook = new_workbook(tmp_path)
    first = workbook.snapshot()
    with another_tool(workbook) as tool:
        tool.execute('DROP TRIGGER "_changes_insert_signups"')
        tool.execute("INSERT INTO signups (\"记录编号\") VALUES ('S0009')")
    second = workbook.snapshot(since=first)
    assert second.sheets["signups"] is not first.sheets["signups"] and len(second.sheets["signups"].rows) == 3
    with another_tool(workbook) as tool:
        tool.execute('ALTER TABLE people ADD COLUMN "备注" TEXT')
    third = workbook.snapshot(since=second)
    assert all(third.sheets[key] is not second.sheets[key] for key in third.sheets)
    assert third.sheets["people"].header[-1] == "备注"


def test_the_app_own_table_of_counts_is_no_worksheet(tmp_path):
    snapshot = new_workbook(tmp_path).snapshot()
    assert "_changes" not in snapshot.extra and "_changes" not in snapshot.sheets


# -- the same tables as a whole read, whatever happened in between --------------------------------
def whole_read(workbook: SqliteWorkbook):
    return parse_snapshot(SqliteWorkbook(workbook.url).snapshot())


def assert_same_tables(ours, whole):
    for spec in ALL_TABLES:
        pd.testing.assert_frame_equal(ours[spec.key].reset_index(drop=True), whole[spec.key].reset_index(drop=True))
    assert ours.problems == whole.problems
    assert (ours.timezone, ours.titles, ours.labels) == (whole.timezone, whole.titles, whole.labels)


APP_ROWS = st.sampled_from(["S1", "S2", "S3", "Sdup", "Sbad"])
EDITS = {  # (sheet, column, new text): a name, a blank required cell, another ID, one repeating another's, a bad number
    "a name": ("people", "姓名", "改名"), "a name emptied": ("people", "姓名", ""), "an ID": ("people", "学号/工号", "7"),
    "an ID repeated": ("people", "学号/工号", "1"), "a moment": ("signups", "时间", "2025-11-10 09:00"),
    "places": ("activities", "名额", "2"), "places unreadable": ("activities", "名额", "很多"),
}
changes = st.lists(st.one_of(
    st.tuples(st.just("app_signs_up"), st.sampled_from(["1", "2", "3", "9"]), st.sampled_from(["A1", "A2"])),
    st.tuples(st.just("tool_appends"), APP_ROWS, st.sampled_from(["1", "2"])),
    st.tuples(st.just("tool_edits"), st.sampled_from(list(EDITS)), st.integers(1, 4)),
    st.tuples(st.just("tool_deletes"), st.sampled_from(["signups", "people"]), st.integers(1, 4)),
    st.tuples(st.just("app_checks_in"), st.sampled_from(["1", "2"]), st.just("A1")),
    st.tuples(st.just("tool_adds_a_column"), st.sampled_from(["people", "signups"]), st.just("")),
    st.tuples(st.just("tool_sets_the_time_zone"), st.sampled_from(["Asia/Shanghai", "Asia/Urumqi"]), st.just("")),
    st.tuples(st.just("nothing"), st.just(""), st.just("")),
), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes)
@example([("tool_edits", "an ID repeated", 3), ("tool_edits", "a name emptied", 1)])  # the first of an ID edited
@example([("tool_edits", "places unreadable", 1), ("tool_edits", "places", 1)])  # a bad cell mended
@example([("tool_edits", "a name emptied", 2), ("tool_edits", "a name", 2)])  # a row no longer left out
def test_refreshing_after_any_changes_gives_the_tables_and_rosters_of_a_whole_read(tmp_path_factory, steps):
    """Sign-ups by the app, rows a coordinator's tool appends (also a repeated ID, a bad moment),
    cells it edits, rows it deletes, columns it adds, a new time zone, check-ins: after each, the app's
    refreshed data and the tables a command takes from those kept by the one before are a whole read's."""
    from services.activities import check_in, sign_up

    workbook = new_workbook(tmp_path_factory.mktemp("w"))
    live = LiveWorkbook(workbook, interval_seconds=3600)
    derivation_of(live.data())
    clock = lambda: pd.Timestamp("2025-11-10 11:00").to_pydatetime()  # noqa: E731
    for n, (what, first, second) in enumerate(steps):
        with another_tool(workbook) as tool:
            if what == "app_signs_up":
                try:
                    sign_up(live, second, first, first, clock)
                except Exception:  # noqa: BLE001 - a refusal is a step too
                    pass
            elif what == "app_checks_in":
                try:
                    check_in(live, second, first, None, "C", clock)
                except Exception:  # noqa: BLE001
                    pass
            elif what == "tool_appends":
                row_id = {"Sdup": "S0001", "Sbad": f"SB{n}"}.get(first, f"{first}-{n}")
                at = "不是时间" if first == "Sbad" else "2025-11-10 10:30"
                tool.execute('INSERT INTO signups ("记录编号", "活动编号", "学号/工号", "时间") VALUES (?, ?, ?, ?)',
                             (row_id, "A1", second, at))
            elif what == "tool_edits":
                sheet, column, value = EDITS[first]
                tool.execute(f'UPDATE "{sheet}" SET "{column}" = ? WHERE _row = ?', (value, second))
            elif what == "tool_deletes":
                tool.execute(f'DELETE FROM "{first}" WHERE _row = ?', (second,))
            elif what == "tool_adds_a_column":
                tool.execute(f'ALTER TABLE "{first}" ADD COLUMN "备注{n}" TEXT')
            elif what == "tool_sets_the_time_zone":
                tool.execute("DELETE FROM settings WHERE \"参数\" = 'timezone'")
                tool.execute("INSERT INTO settings (\"参数\", \"值\") VALUES ('timezone', ?)", (first,))
        both_read_as_a_whole_read(workbook, live)


def test_the_rosters_are_carried_as_they_are_past_writes_and_reads_of_tables_they_do_not_depend_on(tmp_path):
    workbook = new_workbook(tmp_path)
    live = LiveWorkbook(workbook, interval_seconds=3600)
    rosters = derivation_of(live.data())
    live.append("hours", [{"entry_id": "H1", "person_id": "1", "date": "2025-11-01", "hours": "2"}])
    live.update("hours", {"entry_id": "H1"}, {"status": "approved"})
    assert derivation_of(live.data()) is rosters
    with another_tool(workbook) as tool:
        tool.execute("INSERT INTO requests (\"诉求编号\", \"标题\", \"提交时间\") VALUES ('R1', '灯', '2025-11-01 10:00')")
    assert derivation_of(live.refresh()) is rosters
    live.update("people", {"person_id": "2"}, {"active": "否"})  # who is active decides rosters: derived again
    assert derivation_of(live.data()) is not rosters
    assert derivation_of(live.data()).rosters == derive(whole_read(workbook)).rosters


def test_more_places_for_an_activity_confirm_its_waitlist_without_deriving_every_roster_again(tmp_path):
    """A coordinator's edit in the app, then one typed in the sheet: each roster follows, none derived anew."""
    workbook = new_workbook(tmp_path)
    live = LiveWorkbook(workbook, interval_seconds=3600)
    assert derivation_of(live.data()).roster("A1").waitlisted == ["2"]
    with patch("services.activities.derive", side_effect=AssertionError("every roster derived again")):
        live.update("activities", {"activity_id": "A1"}, {"capacity": "2"})
        assert derivation_of(live.data()).roster("A1").confirmed == ["1", "2"]
        with another_tool(workbook) as tool:
            tool.execute('UPDATE activities SET "名额" = \'1\' WHERE "活动编号" = \'A1\'')
        assert derivation_of(live.refresh()).roster("A1").waitlisted == ["2"]
    assert derivation_of(live.data()).rosters == derive(whole_read(workbook)).rosters


def test_a_new_activity_or_person_no_log_row_names_derives_no_roster_again(tmp_path):
    """A coordinator adds an activity, a volunteer registers: the rosters are carried; one a tool's row
    named before it existed is derived again, and the row counts."""
    workbook = new_workbook(tmp_path)
    live = LiveWorkbook(workbook, interval_seconds=3600)
    derivation_of(live.data())
    with patch("services.activities.derive", side_effect=AssertionError("every roster derived again")):
        live.append("activities", [activity("A3", "2025-11-22 09:00", "2025-11-22 11:00", capacity="1")])
        live.append("people", people("4"))
        assert derivation_of(live.data()).roster("A3").confirmed == []
        live.append("signups", [signup(3, "4", "A3", at="2025-11-11 10:00")])
        assert derivation_of(live.data()).roster("A3").confirmed == ["4"]
    with another_tool(workbook) as tool:
        tool.execute('INSERT INTO signups ("记录编号", "活动编号", "学号/工号", "时间") VALUES (?, ?, ?, ?)',
                     ("S0009", "A4", "3", "2025-11-11 10:01"))
    live.refresh()
    live.append("activities", [activity("A4", "2025-11-23 09:00", "2025-11-23 11:00")])
    assert derivation_of(live.data()).roster("A4").confirmed == ["3"]
    assert derivation_of(live.data()).rosters == derive(whole_read(workbook)).rosters


def test_credited_hours_are_taken_as_they_were_past_a_sign_up_and_made_again_when_someone_attends(tmp_path):
    """The refresh after a sign-up credits no row again: the hours, the activities and who attended are the
    very ones the entries were made of. A check-in changes who attended: the entries are made again."""
    from workflows.hours import credited_entries

    as_of = pd.Timestamp("2025-11-30 10:00").to_pydatetime()
    workbook = new_workbook(tmp_path)
    live = LiveWorkbook(workbook, interval_seconds=3600)
    credited = lambda shown: credited_entries(shown.tables, derivation_of(shown), as_of)  # noqa: E731
    entries = credited(live.data())
    live.append("signups", [signup(3, "3", "A2", at="2025-11-11 10:00")])
    with another_tool(workbook) as tool:
        tool.execute('INSERT INTO signups ("记录编号", "活动编号", "学号/工号", "时间") VALUES (?, ?, ?, ?)',
                     ("S0004", "A2", "1", "2025-11-11 10:01"))
    assert credited(live.data()) is entries and credited(live.refresh()) is entries
    live.append("checkins", [{"checkin_id": "C1", "activity_id": "A1", "person_id": "1", "method": "coordinator",
                              "at": "2025-11-20 10:00"}])
    attended = credited(live.data())
    assert attended is not entries and list(attended["ref"]) == ["A1"]
    whole = whole_read(workbook)
    pd.testing.assert_frame_equal(attended, credited_entries(whole, derive(whole), as_of))


def test_editing_a_log_row_that_another_row_repeats_word_for_word_reads_the_log_whole(tmp_path):
    """A log's identical re-send is no problem while it is identical: once the first row changes, the
    re-send is a duplicate to report, which only a look at the whole log finds."""
    workbook = new_workbook(tmp_path)
    with another_tool(workbook) as tool:
        tool.execute('INSERT INTO signups ("记录编号", "活动编号", "学号/工号", "操作", "时间") '
                     "SELECT \"记录编号\", \"活动编号\", \"学号/工号\", \"操作\", \"时间\" FROM signups WHERE _row = 1")
    live = LiveWorkbook(workbook, interval_seconds=3600)
    assert not [p for p in live.data().tables.problems if p.code == "duplicate_id"]
    kept_tables_for(workbook).read()  # a command reads it too, and keeps what it read
    with another_tool(workbook) as tool:
        tool.execute("UPDATE signups SET \"时间\" = '2025-11-10 09:00' WHERE _row = 1")
    assert_same_tables(live.refresh().tables, whole_read(workbook))
    assert [p.code for p in live.data().tables.problems] == ["duplicate_id"]
    assert_same_tables(kept_tables_for(workbook).read()[0], whole_read(workbook))


def both_read_as_a_whole_read(workbook, live) -> None:
    """The app's refresh and the next command's kept tables give a whole read's tables and rosters."""
    whole = whole_read(workbook)
    again = derive(whole)
    refreshed = live.refresh()
    kept, _, figures = kept_tables_for(workbook).read()
    for tables, derivation in ((refreshed.tables, derivation_of(refreshed)), (kept, figures[("derivation",)])):
        assert_same_tables(tables, whole)
        assert derivation.rosters == again.rosters and derivation.problems == again.problems


def test_a_row_a_tool_replaces_by_its_row_id_is_read_again_though_its_deletion_fires_no_trigger(tmp_path):
    workbook = new_workbook(tmp_path)
    live = LiveWorkbook(workbook, interval_seconds=3600)
    both_read_as_a_whole_read(workbook, live)
    with another_tool(workbook) as tool:
        tool.execute("REPLACE INTO people (_row, \"学号/工号\", \"姓名\", \"政治面貌\") VALUES (2, '2', '换了', '群众')")
        tool.execute("REPLACE INTO signups (_row, \"记录编号\", \"活动编号\", \"学号/工号\", \"时间\") "
                     "VALUES (1, 'S0001', 'A2', '1', '2025-11-10 10:00')")
    both_read_as_a_whole_read(workbook, live)


def test_counts_a_tool_takes_away_are_never_read_as_unchanged(tmp_path):
    """The log of edited rows emptied, the counting table emptied or dropped: the sheets are read whole,
    and the app's own writes go on (the tables the triggers write to are made again)."""
    workbook = new_workbook(tmp_path)
    live = LiveWorkbook(workbook, interval_seconds=3600)
    both_read_as_a_whole_read(workbook, live)
    with another_tool(workbook) as tool:
        tool.execute("UPDATE people SET \"姓名\" = '改' WHERE _row = 1")
        tool.execute("DELETE FROM _changed_rows")
    both_read_as_a_whole_read(workbook, live)
    with another_tool(workbook) as tool:
        tool.execute("DELETE FROM _changes")
        tool.execute("INSERT INTO requests (\"诉求编号\", \"标题\", \"提交时间\") VALUES ('R1', '灯', '2025-11-01 10:00')")
    workbook.ensure_schema()  # the app starting again makes the counts anew
    both_read_as_a_whole_read(workbook, live)
    with another_tool(workbook) as tool:
        tool.execute("DROP TABLE _changes")
    live.append("people", people("8"))
    both_read_as_a_whole_read(workbook, live)


def test_a_refresh_that_finds_the_cells_the_app_wrote_still_gives_a_whole_read(tmp_path):
    """Laying a write over the data gives its cells, but not what only a parse of the sheet finds: here
    the problems of a row in the sheet's order, and a repeated ID whose first row the write left out."""
    workbook = new_workbook(tmp_path)
    with another_tool(workbook) as tool:
        tool.execute("UPDATE people SET \"加入日期\" = '不是日期' WHERE _row = 2")
        tool.execute("INSERT INTO people (\"学号/工号\", \"姓名\", \"政治面貌\") VALUES ('1', '又一个', '群众')")
    live = LiveWorkbook(workbook, interval_seconds=3600)
    both_read_as_a_whole_read(workbook, live)
    live.update("people", {"person_id": "2"}, {"active": "否"})
    both_read_as_a_whole_read(workbook, live)
    live.update("people", {"person_id": "1"}, {"name": ""})
    both_read_as_a_whole_read(workbook, live)


def test_a_table_of_the_counts_name_made_otherwise_is_made_again_and_the_app_starts(tmp_path):
    workbook = SqliteWorkbook(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    with sqlite3.connect(tmp_path / "w.sqlite3") as tool:
        tool.execute("CREATE TABLE _changes (note TEXT)")  # a coordinator's own, or one an older version made
    workbook.ensure_schema()
    workbook.append("people", people("1"))
    live = LiveWorkbook(workbook, interval_seconds=3600)
    live.data()
    workbook.append("people", people("2"))
    both_read_as_a_whole_read(workbook, live)
    assert live.data().tables["people"]["person_id"].tolist() == ["1", "2"]


def test_a_coordinator_s_own_tables_without_the_app_s_row_ids_are_read_and_stay_theirs(tmp_path):
    """A table imported by DB Browser (no `_row`), a full-text index, a sheet rebuilt by
    `CREATE TABLE … AS SELECT` (its `_row` no longer the row ID): the app starts and reads them,
    counts no change of theirs, and the coordinator's own inserts go on working."""
    workbook = new_workbook(tmp_path)
    with another_tool(workbook) as tool:
        tool.execute('CREATE TABLE "备注" ("内容" TEXT)')
        tool.execute("INSERT INTO \"备注\" VALUES ('第一条')")
        tool.execute("CREATE VIRTUAL TABLE search USING fts5(text)")
        tool.execute("CREATE TABLE signups_copy AS SELECT * FROM signups")
        tool.execute("DROP TABLE signups")
        tool.execute("ALTER TABLE signups_copy RENAME TO signups")
    workbook.ensure_schema()  # the app starting
    live = LiveWorkbook(workbook, interval_seconds=3600)
    assert [row[0] for row in live.data().snapshot.extra["备注"].rows] == ["第一条"]
    with another_tool(workbook) as tool:
        tool.execute("INSERT INTO \"备注\" VALUES ('第二条')")
        tool.execute("INSERT INTO search VALUES ('灯坏了')")
    workbook.append("signups", [signup(5, "3", "A2")])
    both_read_as_a_whole_read(workbook, live)
    assert len(live.data().tables["signups"]) == 3


def test_a_read_that_failed_is_read_again_though_nothing_was_written_since(tmp_path, monkeypatch):
    """The cells were read (and the file's version with them), then parsing them failed: the next read
    must not take the data it kept for what the file holds."""
    import connectors.live

    workbook = new_workbook(tmp_path)
    live = LiveWorkbook(workbook, interval_seconds=0)
    live.data()
    with another_tool(workbook) as tool:
        tool.execute("UPDATE people SET \"姓名\" = '改' WHERE _row = 1")
    parse = connectors.live.parse_snapshot
    monkeypatch.setattr(connectors.live, "parse_snapshot", lambda *_: (_ for _ in ()).throw(MemoryError()))
    live.data()
    assert isinstance(live.last_error, MemoryError)
    monkeypatch.setattr(connectors.live, "parse_snapshot", parse)
    assert live.data().tables["people"]["name"].iloc[0] == "改" and live.last_error is None


def test_a_cell_that_is_not_utf8_reads_with_its_bad_bytes_shown_and_stops_nothing(tmp_path):
    workbook = new_workbook(tmp_path)
    with another_tool(workbook) as tool:  # a GBK file imported by the sqlite3 shell
        tool.execute("UPDATE people SET \"姓名\" = CAST(x'd5c5c8fd' AS TEXT) WHERE _row = 1")
    assert "\ufffd" in whole_read(workbook)["people"]["name"].iloc[0]
    live = LiveWorkbook(workbook, interval_seconds=3600)
    live.data()
    live.update("people", {"person_id": "2"}, {"name": "改"})
    both_read_as_a_whole_read(workbook, live)


def test_counts_made_again_while_the_log_of_edits_stays_stop_no_edit(tmp_path):
    workbook = new_workbook(tmp_path)
    live = LiveWorkbook(workbook, interval_seconds=3600)
    live.update("people", {"person_id": "1"}, {"name": "一"})
    with another_tool(workbook) as tool:
        tool.execute("DELETE FROM _changes")
    workbook.ensure_schema()
    live.update("people", {"person_id": "1"}, {"name": "二"})
    both_read_as_a_whole_read(workbook, live)
    with another_tool(workbook) as tool:
        tool.execute("UPDATE people SET \"姓名\" = '三' WHERE _row = 1")
        tool.execute("UPDATE _changes SET edited = 0 WHERE sheet = 'people'")  # set back by hand
    live.update("people", {"person_id": "2"}, {"name": "四"})
    both_read_as_a_whole_read(workbook, live)


def test_a_row_of_a_negative_id_put_into_a_sheet_empty_at_the_last_read_is_read(tmp_path):
    workbook = new_workbook(tmp_path)
    live = LiveWorkbook(workbook, interval_seconds=3600)
    both_read_as_a_whole_read(workbook, live)
    with another_tool(workbook) as tool:
        tool.execute("INSERT INTO requests (_row, \"诉求编号\", \"标题\", \"提交时间\") VALUES (-5, 'R1', '灯', '2025-11-01 10:00')")
    both_read_as_a_whole_read(workbook, live)
