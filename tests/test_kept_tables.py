"""Tables kept between runs of the commands that only read: exact, private, and never in the way.

That a command given kept tables reads what a whole read gives, whatever happened in between, is
held in tests/test_reading_changes.py beside the app's own refresh.
"""
from __future__ import annotations

import json
import os
import sqlite3
import stat

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

import cli
from connectors.arrow_frames import NotKeepable, dtypes_of, frame_bytes, frame_from_bytes
from connectors.kept_tables import kept_tables_for
from connectors.sqlite_workbook import SqliteWorkbook
from tests.test_reading_changes import another_tool, assert_same_tables, new_workbook, whole_read

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
