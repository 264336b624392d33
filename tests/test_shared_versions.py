"""Versions of shared data made by writes: each sees its own changes and none of the others'."""
from __future__ import annotations

from unittest.mock import patch

from connectors.sheet import StackedRows
from workflows.layered import Layered, version_of


def test_a_version_changes_without_changing_the_dict_it_came_from():
    base = {"A1": ["P1"], "A2": []}
    first = version_of(base)
    first["A2"] = ["P2"]
    second = version_of(first)
    second["A3"] = ["P3"]
    assert base == {"A1": ["P1"], "A2": []}
    assert dict(first) == {"A1": ["P1"], "A2": ["P2"]}
    assert dict(second) == {"A1": ["P1"], "A2": ["P2"], "A3": ["P3"]}
    assert len(second) == 3 and "A3" in second and "A3" not in first and second.get("A9") is None


def test_many_versions_merge_their_changes_and_keep_every_value():
    with patch.object(Layered, "MOST_CHANGES", 4):
        version, expected = version_of({}), {}
        for n in range(20):
            version = version_of(version)
            version[f"P{n % 7}"] = n
            expected[f"P{n % 7}"] = n
            assert dict(version) == expected
        assert len(version._changes) <= 5


def test_rows_written_after_a_read_follow_the_read_rows_without_changing_them():
    read = [["S1"], ["S2"]]
    rows = StackedRows.after(read, [["S3"]])
    for n in range(4, 50):
        rows = StackedRows.after(rows, [[f"S{n}"]])
    assert read == [["S1"], ["S2"]]
    assert list(rows) == [[f"S{n}"] for n in range(1, 50)]
    assert len(rows) == 49 and rows[0] == ["S1"] and rows[2] == ["S3"] and rows[-1] == ["S49"]
    assert rows[47:] == [["S48"], ["S49"]] and rows == [[f"S{n}"] for n in range(1, 50)]
    assert len(rows._chunks) <= StackedRows.MOST_CHUNKS


def test_a_table_held_as_parts_splits_at_any_row_into_the_rows_before_and_the_rows_from_it():
    import pandas as pd

    from workflows.signup import _split_at

    parts = (pd.DataFrame({"n": range(0, 5)}), pd.DataFrame({"n": range(5, 7)}), pd.DataFrame({"n": [7]}))
    for start in range(0, 9):
        before, new = _split_at(parts, start)
        assert [n for part in before for n in part["n"]] == list(range(start))
        assert list(new["n"]) == list(range(start, 8))
    before, new = _split_at(parts, 7)
    assert len(before) == 2 and all(a is b for a, b in zip(before, parts))  # whole parts: their lookups are kept
