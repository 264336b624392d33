"""Which workbook holds the demo: only the default embedded one is filled by the app, a demo
workbook is marked and says so on every page, and the demo's published codes die with the mark."""
from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

import cli
from connectors.config import DEFAULT_URL, configured_workbook_url
from connectors.parsing import parse_snapshot
from connectors.sqlite_workbook import SqliteWorkbook
from demo.codes import DEMO_CODES, demo_code_rows
from tests.builders import tables
from ui.i18n import CATALOG
from tests.pages import APP, demo_workbook, finish_background_reads
from workflows.clock import local_now
from workflows.codes import PERSONAL, code_is_valid, code_row
from workflows.meta import demo_note_row, holds_demo
from workflows.schema import ALL_TABLES

NOW = dt.datetime(2025, 11, 20, 10, 0)
VOLUNTEER, VOLUNTEER_CODE = DEMO_CODES[0][:2]
BANNERS = tuple(CATALOG["data.demo"].values())


def start_app(locale: str = "zh-CN") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.context = {"locale": locale}
    return at.run()


def banner_shown(at: AppTest) -> bool:
    return any(banner in str(element.value) for element in [*at.main.markdown, *at.main.caption] for banner in BANNERS)


def sign_in(at: AppTest, person_id: str, code: str) -> AppTest:
    at.text_input[0].input(person_id)
    at.text_input[1].input(code)
    return at.button[0].click().run()


def rows_per_table(snapshot) -> dict[str, int]:
    return {key: sum(1 for row in sheet.rows if any(cell.strip() for cell in row))
            for key, sheet in snapshot.sheets.items()}


# -- which workbook the app fills ----------------------------------------------------------
def test_only_a_workbook_named_by_flag_environment_or_secrets_is_configured():
    secrets = {"connections": {"workbook": {"url": "gsheets://FROM_SECRETS"}}}
    assert configured_workbook_url(None, {}, {}) is None
    assert configured_workbook_url(None, {}, secrets) == "gsheets://FROM_SECRETS"
    assert configured_workbook_url(None, {"WORKBOOK_URL": DEFAULT_URL}, {}) == DEFAULT_URL
    assert configured_workbook_url("sqlite:///x.sqlite3", {}, {}) == "sqlite:///x.sqlite3"


def test_cli_init_then_starting_the_app_leaves_a_configured_sqlite_workbook_empty(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'real.sqlite3'}"
    assert cli.main(["init", "--workbook", url]) == 0
    monkeypatch.setenv("WORKBOOK_URL", url)
    at = start_app()
    assert not at.exception
    counts = rows_per_table(SqliteWorkbook(url).snapshot())
    assert set(counts) == {spec.key for spec in ALL_TABLES}
    assert counts == {key: 0 for key in counts}  # no demo rows, no `_access_codes`, no mark
    assert not banner_shown(at)


def test_cli_init_then_starting_the_app_leaves_a_google_spreadsheet_empty(fake, tmp_path, monkeypatch, capsys):
    sheet_id = fake.create_spreadsheet()
    monkeypatch.setenv("SHEETS_API_URL", fake.base_url)
    monkeypatch.setenv("WORKBOOK_JOURNAL", str(tmp_path / "journal.sqlite3"))
    assert cli.main(["init", "--workbook", f"gsheets://{sheet_id}"]) == 0
    monkeypatch.setenv("WORKBOOK_URL", f"gsheets://{sheet_id}")
    at = start_app()
    assert not at.exception
    for spec in ALL_TABLES:
        grid = fake.get_values(sheet_id, spec.key)
        assert [row for row in grid[1:] if any(cell.strip() for cell in row)] == [], spec.key
    assert fake.count("values_append") == 0
    assert not banner_shown(at)


@pytest.fixture
def default_workbook(tmp_path, monkeypatch):
    """Nothing configured, so the app opens its default embedded file (here under tmp_path)."""
    monkeypatch.delenv("WORKBOOK_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'data' / 'workbook.sqlite3'}"
    monkeypatch.setattr("ui.state.DEFAULT_URL", url)
    return url


def test_the_default_embedded_workbook_is_filled_with_the_demo_when_empty(default_workbook):
    at = start_app()
    assert not at.exception
    tables = parse_snapshot(SqliteWorkbook(default_workbook).snapshot())
    assert len(tables["people"]) == 322 and holds_demo(tables)
    assert len(tables["_access_codes"]) == len(DEMO_CODES)
    assert banner_shown(at)


def test_the_demo_the_app_loads_is_made_at_now_in_the_workbooks_time_zone(default_workbook):
    start_app()
    tables = parse_snapshot(SqliteWorkbook(default_workbook).snapshot())
    made_at = tables["_meta"]["set_at"].iloc[0]
    assert abs(made_at - local_now("Asia/Shanghai")) < dt.timedelta(minutes=5)


def test_the_default_embedded_workbook_is_not_filled_when_it_holds_data(default_workbook):
    book = SqliteWorkbook(default_workbook)
    book.ensure_schema()
    book.append("people", [{"person_id": "P1", "name": "张三", "political_status": "masses"}])
    start_app()
    assert rows_per_table(book.snapshot())["people"] == 1
    assert not holds_demo(parse_snapshot(book.snapshot()))


# -- the mark, the banner and the demo's codes ---------------------------------------------
def test_the_banner_shows_above_the_page_of_a_demo_workbook_and_not_of_a_real_one(tmp_path, monkeypatch):
    # app.py draws it before running the page, so every page has it. (AppTest runs a page it
    # switches to without app.py, so the pages a run starts on are the ones to look at.)
    demo_url, real_url = (f"sqlite:///{tmp_path / name}" for name in ("demo.sqlite3", "real.sqlite3"))
    demo_workbook(demo_url)
    SqliteWorkbook(real_url).ensure_schema()
    monkeypatch.setenv("WORKBOOK_URL", demo_url)
    signed_out = start_app(locale="en-US")
    assert "Demo data" in signed_out.main.caption[0].value  # English, and first on the page
    signed_in = AppTest.from_file(APP, default_timeout=90)
    signed_in.session_state["person_id"] = DEMO_CODES[1][0]
    assert banner_shown(signed_in.run()) and not signed_in.exception
    monkeypatch.setenv("WORKBOOK_URL", real_url)
    assert not banner_shown(start_app())


def test_a_demo_code_stops_working_when_the_demo_mark_is_gone():
    codes = demo_code_rows(NOW)
    marked = tables(_access_codes=codes, _meta=[demo_note_row(NOW)])
    unmarked = tables(_access_codes=codes)
    switched_off = tables(_access_codes=codes, _meta=[{**demo_note_row(NOW), "value": "false"}])
    assert code_is_valid(marked, VOLUNTEER, VOLUNTEER_CODE)
    assert not code_is_valid(unmarked, VOLUNTEER, VOLUNTEER_CODE)
    assert not code_is_valid(switched_off, VOLUNTEER, VOLUNTEER_CODE)


def test_a_code_a_coordinator_issued_works_with_or_without_the_demo_mark():
    issued = [code_row(VOLUNTEER, "K7Q2M9XA", PERSONAL, DEMO_CODES[1][0], NOW)]
    assert code_is_valid(tables(_access_codes=issued), VOLUNTEER, "K7Q2M9XA")
    assert code_is_valid(tables(_access_codes=issued, _meta=[demo_note_row(NOW)]), VOLUNTEER, "K7Q2M9XA")


def test_signing_in_with_a_demo_code_is_refused_once_the_mark_is_deleted(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    demo_workbook(url)
    monkeypatch.setenv("WORKBOOK_URL", url)
    monkeypatch.setenv("WORKBOOK_REFRESH_SECONDS", "0")
    at = sign_in(start_app(), VOLUNTEER, VOLUNTEER_CODE)
    assert at.session_state["person_id"] == VOLUNTEER
    finish_background_reads()  # no read under way started before the edit
    with sqlite3.connect(tmp_path / "w.sqlite3") as db:
        db.execute('DELETE FROM "_meta"')
    start_app()  # its run starts the scheduled read of the edited workbook, off the page
    finish_background_reads()
    at = sign_in(start_app(), VOLUNTEER, VOLUNTEER_CODE)
    assert "person_id" not in at.session_state
    assert at.error[0].value == CATALOG["sign_in.wrong"]["zh"]
    assert not banner_shown(at)
