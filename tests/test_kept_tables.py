"""Tables kept between runs of the commands that only read: exact, private, and never in the way.

That a command given kept tables reads what a whole read gives, whatever happened in between, is
held in tests/test_reading_changes.py beside the app's own refresh.
"""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import threading

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

import cli
from connectors.arrow_frames import NotKeepable, dtypes_of, frame_bytes, frame_from_bytes
from connectors.kept_tables import kept_tables_for
from connectors.sqlite_workbook import SqliteWorkbook
from tests.builders import people, signup
from tests.test_reading_changes import another_tool, assert_same_tables, new_workbook, whole_read
from workflows.signup import derive
from workflows.tables import Deferred

texts = st.one_of(st.none(), st.text(max_size=4), st.sampled_from(["S1", "S1", "学号", ""]))
frames = st.integers(0, 12).flatmap(lambda n: st.fixed_dictionaries({
    "_row": st.lists(st.integers(-2**40, 2**40), min_size=n, max_size=n),
    "text": st.lists(texts, min_size=n, max_size=n),
    "whole": st.lists(st.one_of(st.none(), st.integers(-10**9, 10**9)), min_size=n, max_size=n),
    "number": st.lists(st.one_of(st.none(), st.floats(-1e7, 1e7)), min_size=n, max_size=n),
    "yes": st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n),
    "at": st.lists(st.one_of(st.none(), st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                                                      max_value=pd.Timestamp("2200-12-31").to_pydatetime())),
                   min_size=n, max_size=n),
}))


@given(frames)
def test_a_frame_of_every_type_the_parser_makes_comes_back_exactly(columns):
    frame = pd.DataFrame({
        "_row": np.asarray(columns["_row"], dtype="int64"),
        "text": pd.Series(columns["text"], dtype=object),
        "whole": pd.array(columns["whole"], dtype="Int64"),
        "number": pd.array(columns["number"], dtype="Float64"),
        "yes": pd.array(columns["yes"], dtype="boolean"),
        "at": pd.Series(pd.to_datetime(columns["at"]), dtype="datetime64[us]"),
    })
    back = frame_from_bytes(frame_bytes(frame), dtypes_of(frame))
    pd.testing.assert_frame_equal(back, frame)
    assert [type(value) for value in back["text"]] == [type(value) for value in frame["text"]]


@pytest.mark.parametrize("odd", [b"bytes", 1.5, float("nan"), pd.NA])
def test_a_column_holding_anything_but_text_is_not_kept_rather_than_kept_otherwise(odd):
    with pytest.raises(NotKeepable):
        frame_bytes(pd.DataFrame({"text": pd.Series(["a", odd], dtype=object)}))


def run_report(workbook, kept: bool = True) -> dict:
    """`cli.py report`'s figures, with the tables kept by the command before (or read whole)."""
    from connectors.live import LiveWorkbook
    from services.activities import derivation_of
    from workflows.indicators import report

    live = cli.live_workbook(workbook, only_reads=True) if kept else LiveWorkbook(workbook, keep_cells=False)
    shown = live.data()
    return report(shown.tables, derivation_of(shown), pd.Timestamp("2025-11-30 10:00").to_pydatetime())


def test_a_command_that_only_reads_keeps_its_tables_for_the_next_in_a_file_only_the_app_may_read(tmp_path):
    workbook = new_workbook(tmp_path)
    assert run_report(workbook) == run_report(workbook, kept=False)
    path = tmp_path / "w.sqlite3-kept"
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with another_tool(workbook) as tool:
        tool.execute('INSERT INTO signups ("记录编号", "活动编号", "学号/工号", "时间") VALUES '
                     "('S9', 'A2', '3', '2025-11-10 11:00')")
        tool.execute("UPDATE activities SET \"名额\" = '5' WHERE \"活动编号\" = 'A1'")
    assert run_report(workbook) == run_report(workbook, kept=False)


def test_kept_tables_made_by_other_code_are_not_used(tmp_path, monkeypatch):
    import connectors.kept_tables as kept

    workbook = new_workbook(tmp_path)
    kept_tables_for(workbook).read()
    with another_tool(workbook) as tool:
        tool.execute("UPDATE people SET \"姓名\" = '改' WHERE _row = 1")
    with sqlite3.connect(tmp_path / "w.sqlite3-kept") as file:  # as if the edit were what was kept
        state = json.loads(file.execute("SELECT meta FROM kept WHERE name = 'state'").fetchone()[0])
        state["tables"]["people"]["mark"][2] += 1
        file.execute("UPDATE kept SET meta = ? WHERE name = 'state'", (json.dumps(state),))
    monkeypatch.setattr(kept, "fingerprint", lambda: "another version of the app")
    assert_same_tables(kept_tables_for(workbook).read()[0], whole_read(workbook))


def test_a_kept_file_that_is_not_one_is_set_aside_and_the_command_reads_the_workbook(tmp_path):
    workbook = new_workbook(tmp_path)
    (tmp_path / "w.sqlite3-kept").write_bytes(b"not a database at all")
    assert_same_tables(kept_tables_for(workbook).read()[0], whole_read(workbook))


def test_only_an_embedded_workbook_in_a_file_keeps_tables():
    assert kept_tables_for(SqliteWorkbook("sqlite:///:memory:")) is None


def starting_over(tmp_path, names) -> SqliteWorkbook:
    """The workbook made (again) with the same number of writes, other names."""
    from connectors.sqlite_workbook import _pools

    for path in tmp_path.glob("w.sqlite3*"):
        if "-kept" not in path.name:
            path.unlink()
    _pools.clear()
    workbook = SqliteWorkbook(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    workbook.ensure_schema()
    workbook.append("people", [{"person_id": str(n), "name": name, "political_status": "masses"}
                               for n, name in enumerate(names, start=1)])
    return workbook


def test_tables_kept_of_a_workbook_made_anew_or_of_a_copy_put_back_are_not_taken_for_its_own(tmp_path):
    import shutil

    workbook = starting_over(tmp_path, ["Ann", "Bob", "Cy"])
    kept_tables_for(workbook).read()
    workbook = starting_over(tmp_path, ["Ann", "Bob", "Cyrus"])  # the same counts, other cells
    assert_same_tables(kept_tables_for(workbook).read()[0], whole_read(workbook))

    workbook.close()
    shutil.copy(tmp_path / "w.sqlite3", tmp_path / "backup")
    workbook.update("people", {"person_id": "3"}, {"name": "after the copy"})
    kept_tables_for(workbook).read()
    workbook.close()
    shutil.copy(tmp_path / "backup", tmp_path / "w.sqlite3")  # the copy put back, then as many edits again
    workbook.update("people", {"person_id": "1"}, {"name": "after it was put back"})
    assert_same_tables(kept_tables_for(workbook).read()[0], whole_read(workbook))


def test_of_two_commands_at_once_the_one_that_keeps_last_does_not_mix_its_tables_with_the_other_s(tmp_path, monkeypatch):
    import connectors.kept_tables as kept

    workbook = new_workbook(tmp_path)
    kept_tables_for(workbook).read()
    with another_tool(workbook) as tool:
        tool.execute("DELETE FROM activities WHERE _row = 2")  # so the next command keeps its tables
    slow = kept_tables_for(workbook)
    keep = kept.KeptTables._save

    def others_keep_first(self, *arguments):
        if self is slow:  # meanwhile a person is added and a quicker command keeps its tables
            with another_tool(workbook) as tool:
                tool.execute("INSERT INTO people (\"学号/工号\", \"姓名\", \"政治面貌\") VALUES ('4', 'P4', '群众')")
            kept_tables_for(workbook).read()
        return keep(self, *arguments)

    monkeypatch.setattr(kept.KeptTables, "_save", others_keep_first)
    slow.read()
    monkeypatch.setattr(kept.KeptTables, "_save", keep)
    for _ in range(2):
        assert_same_tables(kept_tables_for(workbook).read()[0], whole_read(workbook))


@pytest.mark.parametrize("damage", ["junk in a table", "another table's frame", "other column types"])
def test_a_damaged_kept_file_is_set_aside_and_the_command_reads_the_workbook(tmp_path, damage):
    workbook = new_workbook(tmp_path)
    kept_tables_for(workbook).read()
    with sqlite3.connect(tmp_path / "w.sqlite3-kept") as file:
        if damage == "junk in a table":
            file.execute("UPDATE kept SET data = x'00ff00ff' WHERE name = 'table:people'")
        elif damage == "another table's frame":
            file.execute("UPDATE kept SET data = (SELECT data FROM kept WHERE name = 'table:signups') "
                         "WHERE name = 'table:people'")
        else:
            state = json.loads(file.execute("SELECT meta FROM kept WHERE name = 'state'").fetchone()[0])
            state["tables"]["people"]["dtypes"]["name"] = "int64"
            file.execute("UPDATE kept SET meta = ? WHERE name = 'state'", (json.dumps(state),))
    tables = kept_tables_for(workbook).read()[0]
    assert_same_tables(tables, whole_read(workbook))


def test_a_kept_file_set_aside_is_kept_anew_by_the_next_command(tmp_path):
    from connectors.kept_tables import _Generation

    workbook = new_workbook(tmp_path)
    kept_tables_for(workbook).read()
    with sqlite3.connect(tmp_path / "w.sqlite3-kept") as file:
        file.execute("UPDATE kept SET data = x'00ff00ff' WHERE name = 'table:people'")
    kept_tables_for(workbook).read()  # sets it aside, and keeps what it read instead
    assert _Generation.of(tmp_path / "w.sqlite3-kept").state is not None
    with sqlite3.connect(tmp_path / "w.sqlite3-kept") as file:
        assert file.execute("SELECT data FROM kept WHERE name = 'table:people'").fetchone()[0] != b"\x00\xff\x00\xff"
    assert_same_tables(kept_tables_for(workbook).read()[0], whole_read(workbook))


def test_a_command_prints_a_line_not_a_traceback_when_the_workbook_cannot_be_read(tmp_path, capsys):
    path = tmp_path / "w.sqlite3"
    path.write_bytes(b"not a database")
    assert cli.main(["report", "--workbook", f"sqlite:///{path}"]) == 2
    assert capsys.readouterr().err.startswith("report: ")


def kept_tables_after(tmp_path, change):
    """The tables and rosters a command reads from those kept, after another tool made `change`
    (connection -> None) to a workbook with a kept log of 102 sign-ups (a small change: nothing is kept
    anew), and a whole read of the workbook."""
    workbook = new_workbook(tmp_path)
    workbook.append("people", people(*(str(n) for n in range(4, 104))))
    workbook.append("signups", [signup(n, str(n), "A2", at="2025-11-11 10:00") for n in range(4, 104)])
    kept_tables_for(workbook).read()
    with another_tool(workbook) as tool:
        change(tool)
    tables, _, figures = kept_tables_for(workbook).read()
    return tables, figures[("derivation",)], whole_read(workbook)


def kept_log_after(tmp_path, rows: list[tuple]):
    """`kept_tables_after` another tool appended `rows` to the kept log."""
    return kept_tables_after(tmp_path, lambda tool: tool.executemany(
        'INSERT INTO signups ("记录编号", "活动编号", "学号/工号", "操作", "时间") VALUES (?, ?, ?, ?, ?)', rows))


def loaded(frame) -> bool:
    return not isinstance(frame, Deferred) or frame.column_reader() is None


def test_a_sign_up_appended_to_a_kept_log_is_judged_and_rostered_without_loading_the_log(tmp_path):
    tables, derivation, whole = kept_log_after(tmp_path, [("S9", "A1", "3", "signup", "2025-11-12 09:00")])
    assert not loaded(tables.frames["signups"].parts[0]) and not loaded(tables.frames["checkins"])
    assert dict(derivation.rosters.items()) == derive(whole).rosters and derivation.roster("A1").waitlisted == ["2", "3"]
    assert tables.problems == whole.problems
    assert_same_tables(tables, whole)  # (loads them now)


def test_more_places_a_coordinator_typed_confirm_the_waitlist_without_loading_the_logs(tmp_path):
    tables, derivation, whole = kept_tables_after(tmp_path, lambda tool: tool.execute(
        'UPDATE activities SET "名额" = \'5\' WHERE "活动编号" = \'A2\''))
    assert not loaded(tables.frames["signups"]) and not loaded(tables.frames["checkins"])
    assert derivation.roster("A2").confirmed == ["4", "5", "6", "7", "8"]
    assert dict(derivation.rosters.items()) == derive(whole).rosters and derivation.problems == derive(whole).problems
    assert_same_tables(tables, whole)


def test_an_activity_a_coordinator_moved_has_its_rows_judged_again_without_loading_the_logs(tmp_path):
    tables, derivation, whole = kept_tables_after(tmp_path, lambda tool: tool.execute(
        'UPDATE activities SET "报名截止" = \'2025-11-11 09:00\' WHERE "活动编号" = \'A2\''))
    assert not loaded(tables.frames["signups"]) and not loaded(tables.frames["checkins"])
    assert [p.code for p in derivation.problems].count("deadline_passed") == 100  # the 100 rows at 11-11 10:00
    assert dict(derivation.rosters.items()) == derive(whole).rosters and derivation.problems == derive(whole).problems
    assert_same_tables(tables, whole)


def test_an_id_appended_again_to_a_kept_log_is_the_duplicate_a_whole_read_finds_and_a_re_send_is_skipped(tmp_path):
    tables, derivation, whole = kept_log_after(tmp_path, [
        ("S0001", "A2", "3", "signup", "2025-11-12 09:01"),  # another row's ID
        ("S0002", "A1", "2", "signup", "2025-11-10 10:05+08:00")])  # S0002 sent again as it was
    assert [p.code for p in tables.problems].count("duplicate_id") == 1
    assert tables.problems == whole.problems and dict(derivation.rosters.items()) == derive(whole).rosters
    assert_same_tables(tables, whole)


def test_a_kept_log_is_read_by_column_and_loaded_on_another_thread_than_the_one_that_read_it(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from workflows.tables import column_of

    tables, _, whole = kept_log_after(tmp_path, [("S9", "A1", "3", "signup", "2025-11-12 09:00")])
    log = tables.parts("signups")[0]
    with ThreadPoolExecutor(1) as other:  # as the app's refresh and prepare threads would
        moments = other.submit(column_of, log, "at").result()
        frame = other.submit(lambda: tables["signups"]).result()
    assert len(moments) == len(log) and loaded(log)
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), whole["signups"].reset_index(drop=True))


def cli_json(*argv) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(list(argv)) == 0
    return json.loads(out.getvalue())


def test_sign_ups_cancellations_and_check_ins_from_the_command_line_read_the_kept_tables_not_the_whole_workbook(
        tmp_path, monkeypatch):
    workbook = new_workbook(tmp_path)  # A1 has one place: 1 holds it, 2 waits
    run_report(workbook)  # the tables are kept
    with another_tool(workbook) as tool:  # meanwhile someone else signs 3 up
        tool.execute('INSERT INTO signups ("记录编号", "活动编号", "学号/工号", "时间") VALUES '
                     "('S9', 'A1', '3', '2025-11-12 09:00')")
    def at(moment):
        return "--workbook", workbook.url, "--as-of", moment, "--json"

    with monkeypatch.context() as no_whole_reads:
        no_whole_reads.setattr(SqliteWorkbook, "snapshot", lambda *_, **__: pytest.fail("read the whole workbook"))
        assert cli_json("cancel", "A1", "1", *at("2025-11-15 10:00")) == {"status": "cancelled", "promoted": "2"}
        assert cli_json("signup", "A1", "1", *at("2025-11-15 10:05")) == {"status": "waitlisted", "position": 2}
        assert cli_json("checkin", "A1", "2", *at("2025-11-20 09:30")) == {"status": "attended", "already": False}
        shown = cli_json("roster", "A1", *at("2025-11-20 09:30"))
    whole = derive(whole_read(workbook)).roster("A1")
    assert shown == {"confirmed": ["2"], "waitlisted": ["3", "1"], "attended": ["2"]}
    assert (whole.confirmed, whole.waitlisted, whole.attended) == (["2"], ["3", "1"], ["2"])


def test_a_command_that_only_appends_to_kept_tables_may_not_change_a_row_and_one_that_only_reads_may_not_append(
        tmp_path):
    workbook = new_workbook(tmp_path)
    with pytest.raises(RuntimeError, match="only reads and appends"):
        cli.live_workbook(workbook, only_appends=True).update("people", {"person_id": "1"}, {"name": "改"})
    with pytest.raises(RuntimeError, match="only reads$"):
        cli.live_workbook(workbook, only_reads=True).append("signups", [signup(9, "3")])
    assert len(whole_read(workbook)["signups"]) == 2


def test_an_append_read_back_by_another_thread_s_read_that_began_before_it_is_read_again(tmp_path, monkeypatch):
    """Two sign-ups on one live workbook that keeps no cells: the second's row is committed while the
    first's read back is under way (and may miss it); the second's answer still holds its row."""
    from connectors.kept_tables import KeptTables
    from services.activities import derivation_of

    workbook = new_workbook(tmp_path)
    live = cli.live_workbook(workbook, only_appends=True)
    live.data()
    reading = KeptTables.read

    def read_while_another_appends(self):
        found = reading(self)
        if not appended_meanwhile:
            another = threading.Thread(target=lambda: appended_meanwhile.append(
                live.append("signups", [signup(9, "3", at="2025-11-12 09:00")])))
            another.start()
            another.join()
        return found

    appended_meanwhile = []
    monkeypatch.setattr(KeptTables, "read", read_while_another_appends)
    live.append("signups", [signup(8, "1", "A2", at="2025-11-12 08:00")])
    assert derivation_of(live.data()).roster("A2").confirmed == ["1"]  # the first's answer (its read missed 3)
    assert derivation_of(live.data()).roster("A1").waitlisted == ["2", "3"]  # the second's: read again


def test_a_sign_up_written_but_not_read_back_says_so_rather_than_that_it_failed(tmp_path, monkeypatch, capsys):
    from connectors.kept_tables import KeptTables

    workbook = new_workbook(tmp_path)
    run_report(workbook)
    reading, reads = KeptTables.read, []

    def read_once_then_fail(self):
        reads.append(1)
        if len(reads) > 1:
            raise sqlite3.OperationalError("database is locked")
        return reading(self)

    monkeypatch.setattr(KeptTables, "read", read_once_then_fail)
    assert cli.main(["signup", "A1", "3", "--workbook", workbook.url, "--as-of", "2025-11-15 10:00"]) == 2
    assert "what was just written is in the workbook, but reading it back failed (database is locked)" in (
        capsys.readouterr().err)
    monkeypatch.undo()
    assert derive(whole_read(workbook)).roster("A1").waitlisted == ["2", "3"]
