"""Whatever a coordinator does to the sheets by hand, nothing crashes (workbook.md § General rules).

A small workbook (a trimmed demo) is edited at random — blank cells, wrong types, Chinese text
in number columns, numbers and dates out of range, duplicated IDs, deleted, reordered, renamed
and extra columns, formulas typed as text, very long text, rows deleted from logs — then the
commands `validate`, `report`, `points` and `roster` and every page for every role run on it,
on both backends. `pytest --hypothesis-profile=long` tries many more edits (tests/conftest.py).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import os
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from streamlit.testing.v1 import AppTest

import cli
from connectors.config import open_workbook
from ui.pages import PAGES
from demo.codes import DEMO_CODES, load_demo_rows
from workflows.schema import ALL_TABLES, TABLES, table as schema_table

APP = str(Path(__file__).resolve().parent.parent / "app.py")
VOLUNTEER, COORDINATOR, LEADER = (p for p, *_ in DEMO_CODES)
ROLES = (None, VOLUNTEER, COORDINATOR, LEADER)
LONG_RUN = settings.get_current_profile_name() == "long"


# -- the small workbook -------------------------------------------------------------------
def small_workbook(now: dt.datetime) -> dict[str, list[dict[str, str]]]:
    """The demo cut down to one branch and a few others: every table, every kind of row, few rows."""
    demo = dict(load_demo_rows(now))
    branch = next(p["branch"] for p in demo["people"] if p["person_id"] == COORDINATOR)
    ours = [p for p in demo["people"] if p["branch"] == branch][:10]
    others = [p for p in demo["people"] if p["branch"] != branch][:4]
    named = [p for p in demo["people"] if p["person_id"] in {VOLUNTEER, COORDINATOR, LEADER}]
    people = {p["person_id"]: p for p in [*named, *ours, *others]}
    activities = [a for a in demo["activities"] if a["branch"] == branch][:8] + \
        [a for a in demo["activities"] if a["branch"] != branch][:2]
    activity_ids = {a["activity_id"] for a in activities}

    def ours_only(rows, *columns):
        return [r for r in rows if all(r[c] in people or r[c] in activity_ids or not r[c] for c in columns)]

    requests = [r for r in demo["requests"] if r["requester_id"] in people or not r["requester_id"]][:10]
    request_ids = {r["request_id"] for r in requests}
    answered = sorted({r["response_id"] for r in demo["responses"]
                       if r["respondent_id"] in people or not r["respondent_id"]})[:6]
    return {
        **demo,
        "people": list(people.values()),
        "activities": activities,
        "signups": ours_only(demo["signups"], "activity_id", "person_id"),
        "checkins": ours_only(demo["checkins"], "activity_id", "person_id"),
        "hours": [r for r in demo["hours"] if r["person_id"] in people],
        "requests": requests,
        "request_events": [e for e in demo["request_events"] if e["request_id"] in request_ids],
        "responses": [r for r in demo["responses"] if r["response_id"] in answered],
    }


Grids = dict[str, list[list[str]]]  # table key -> [header, *rows]


def as_grids(rows: dict[str, list[dict[str, str]]]) -> Grids:
    return {spec.key: [spec.header("zh"), *([r.get(k, "") for k in spec.column_keys] for r in rows.get(spec.key, []))]
            for spec in ALL_TABLES}


# -- the edits ----------------------------------------------------------------------------
NASTY = ["", " ", "三", "二十", "2025/3/7", "2025.3.7", "2025-13-40", "2025-02-29", "2025-03-07 25:61",
         "1e19", "1e308", "-1e308", "1e-320", "NaN", "inf", "-5", "0", "3.5", "1,000", "１２", "0x1F",
         "9999-12-31 23:59-05:00", "0001-01-01", "1899-12-31", "2200-12-31 23:59+14:00", "2025-03-07T09:30+99:00",
         "=SUM(A1:A3)", "=1/0", "+86 138", "@all", "-", "#N/A", "None", "null", "TRUE", "否", "是", "中共党员",
         "coordinator", "leader", "cancelled", "approved", "closed", "resolved", "done", "Asia", "Mars/Olympus",
         "x" * 5000, "长" * 3000, "2024070303", "2021070243", "A0001", "R0001", "SV001", "Q1"]
EDIT_KINDS = ("cell", "cell", "cell", "blank", "duplicate_row", "copy_id", "delete_rows", "drop_column",
              "rename_column", "reorder_columns", "extra_column")
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
edit = st.tuples(st.sampled_from(EDIT_KINDS), st.sampled_from([t.key for t in TABLES]),
                 st.integers(0, 10**6), st.integers(0, 10**6), values)


def apply(grids: Grids, kind: str, table: str, row: int, column: int, value: str) -> None:
    """One hand edit of one sheet (indices wrap around the sheet's size)."""
    header, rows = grids[table][0], grids[table][1:]
    r, c = (row % len(rows) if rows else None), column % len(header) if header else None
    if kind in ("cell", "blank") and r is not None and c is not None:
        rows[r] = rows[r] + [""] * (c + 1 - len(rows[r]))
        rows[r][c] = value if kind == "cell" else ""
    elif kind == "duplicate_row" and r is not None:
        rows.insert(column % (len(rows) + 1), list(rows[r]))
    elif kind == "copy_id" and r is not None and rows:
        rows[r] = [rows[column % len(rows)][0], *rows[r][1:]]
    elif kind == "delete_rows" and r is not None:
        del rows[r:r + 1 + column % 5]
    elif kind == "drop_column" and c is not None:
        header = header[:c] + header[c + 1:]
        rows = [x[:c] + x[c + 1:] for x in rows]
    elif kind == "rename_column" and c is not None:
        header = [*header[:c], value, *header[c + 1:]]
    elif kind == "reorder_columns" and header:
        n = column % len(header)
        width = len(header)
        header = header[n:] + header[:n]
        rows = [(x + [""] * (width - len(x)))[n:] + (x + [""] * (width - len(x)))[:n] for x in rows]
    elif kind == "extra_column":
        header = [*header, value or "备注"]
        rows = [[*x, *[""] * (len(header) - 1 - len(x)), value] for x in rows]
    grids[table] = [header, *rows]


# -- the backends ---------------------------------------------------------------------------
def sqlite_workbook(grids: Grids) -> str:
    path = Path(tempfile.mkdtemp(prefix="hand-edits-")) / "workbook.sqlite3"
    with sqlite3.connect(path) as db:
        for title, (header, *rows) in grids.items():
            names = _unique(header)
            columns = ", ".join(f'"{h}" TEXT' for h in names)
            db.execute(f'CREATE TABLE "{title}" (_row INTEGER PRIMARY KEY AUTOINCREMENT{", " if names else ""}{columns})')
            if names:
                marks, quoted = ", ".join("?" for _ in names), ", ".join(f'"{h}"' for h in names)
                db.executemany(f'INSERT INTO "{title}" ({quoted}) VALUES ({marks})',
                               [(list(r) + [""] * len(names))[:len(names)] for r in rows])
    return f"sqlite:///{path}"


def _unique(header: list[str]) -> list[str]:
    """SQLite needs distinct column names; a sheet does not. Doubled headers get a suffix like a person would."""
    seen, names = set(), []
    for index, name in enumerate(header):
        name = name.replace('"', "'") or f"列{index + 1}"
        while name.casefold() in seen:
            name += "_"
        seen.add(name.casefold())
        names.append(name)
    return names


def sheets_workbook(fake, grids: Grids) -> str:
    spreadsheet_id = fake.create_spreadsheet(sheets=list(grids))
    for title, grid in grids.items():
        fake.set_values(spreadsheet_id, title, grid)
    return f"gsheets://{spreadsheet_id}"


# -- what must not crash --------------------------------------------------------------------
def run_commands(url: str, activity_id: str) -> None:
    """validate, report --json, points and roster, called as cli.py calls them (exceptions not caught)."""
    for argv in (["validate"], ["report", "--json"], ["points"], ["roster", activity_id]):
        args = cli.parser().parse_args([*argv, "--workbook", url])
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = cli.COMMANDS[argv[0]][0](args, open_workbook(url))
        assert code in (0, 1, 2), argv
        if argv[0] == "report":
            assert_figures_are_numbers_or_null(json.loads(out.getvalue()))


def assert_figures_are_numbers_or_null(report: dict) -> None:
    def figures(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from figures(value, f"{path}.{key}")
        else:
            yield path, node
    for path, value in figures({k: v for k, v in report.items() if k != "as_of"}, "report"):
        assert value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)
                                 and math.isfinite(value)), (path, value)


def run_every_page(url: str) -> None:
    os.environ["WORKBOOK_URL"] = url
    for person_id in ROLES:
        at = AppTest.from_file(APP, default_timeout=120)
        at.context = {"locale": "zh-CN"}
        if person_id:
            at.session_state["person_id"] = person_id
        at.run()
        assert not at.exception, (person_id, "app", at.exception)
        for page in PAGES:
            at.switch_page(page.path).run()
            assert not at.exception, (person_id, page.key, at.exception[0].message, at.exception[0].stack_trace)


def check(url: str, grids: Grids) -> None:
    activity_id = next(iter(r[0] for r in grids["activities"][1:] if r), "A0001")
    run_commands(url, activity_id)
    run_every_page(url)


@pytest.fixture
def app_env(monkeypatch, tmp_path_factory):
    """The app and the CLI reach the Sheets fake; the workbook URL is set per example."""
    monkeypatch.setenv("WORKBOOK_URL", "")
    monkeypatch.setenv("WORKBOOK_JOURNAL", str(tmp_path_factory.mktemp("journal") / "journal.sqlite3"))


@pytest.fixture(scope="module")
def base_grids() -> Grids:
    return as_grids(small_workbook(dt.datetime.now().replace(microsecond=0, second=0)))


HAND_EDITS = settings(max_examples=100 if LONG_RUN else 3, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                             HealthCheck.data_too_large])


@HAND_EDITS
@given(edits=st.lists(edit, min_size=1, max_size=12))
def test_random_hand_edits_of_every_table_crash_no_command_and_no_page_on_sqlite(app_env, base_grids, edits):
    grids = {k: [list(r) for r in v] for k, v in base_grids.items()}
    for one in edits:
        apply(grids, *one)
    check(sqlite_workbook(grids), grids)


@settings(HAND_EDITS, max_examples=40 if LONG_RUN else 2)
@given(edits=st.lists(edit, min_size=1, max_size=12))
def test_random_hand_edits_of_every_table_crash_no_command_and_no_page_on_google_sheets(app_env, base_grids,
                                                                                        fake, monkeypatch, edits):
    monkeypatch.setenv("SHEETS_API_URL", fake.base_url)
    grids = {k: [list(r) for r in v] for k, v in base_grids.items()}
    for one in edits:
        apply(grids, *one)
    check(sheets_workbook(fake, grids), grids)


def test_the_small_workbook_holds_every_table_and_runs_unedited(app_env, base_grids):
    assert all(len(base_grids[spec.key]) > 1 for spec in TABLES), "every table has rows"
    assert len(base_grids["people"]) < 25 and schema_table("people").header("zh") == base_grids["people"][0]
    check(sqlite_workbook(base_grids), base_grids)
