"""Fixtures: a fresh embedded workbook per test, and a Google Sheets workbook on the local fake."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import requests
from hypothesis import settings

from connectors.gsheets_workbook import AppendQueues, GoogleSheetsWorkbook
from connectors.journal import Journal
from connectors.retry import Backoff
from connectors.sheets_api import RedirectedHTTPClient, SheetsApi
from connectors.sqlite_workbook import SqliteWorkbook
from tests.fake_sheets import FakeSheetsServer

QUICK_BACKOFF = dict(attempts=5, base_seconds=0.001, cap_seconds=0.01, cool_down_seconds=0.0)

# Property tests: the same examples on every run (reproducible CI) unless asked for more;
# `pytest --hypothesis-profile=long` is the nightly-style run with many more, random, examples.
settings.register_profile("ci", derandomize=True, deadline=None)
settings.register_profile("long", max_examples=500, deadline=None)
settings.load_profile("ci")


@pytest.fixture(scope="session")
def fake_sheets():
    server = FakeSheetsServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake(fake_sheets):
    fake_sheets.latency = 0.0
    fake_sheets.clear_faults()
    fake_sheets.reset_log()
    yield fake_sheets
    fake_sheets.clear_faults()


class SqliteBackend:
    """The embedded workbook, and a coordinator's hands on its file."""

    name = "sqlite"

    def __init__(self, tmp_path: Path):
        self.path = tmp_path / "workbook.sqlite3"
        self.workbook = SqliteWorkbook(f"sqlite:///{self.path}")

    def open_another(self):
        return SqliteWorkbook(f"sqlite:///{self.path}")

    def hand_write_sheet(self, title: str, header: list[str], rows: list[list[str]]) -> None:
        with sqlite3.connect(self.path) as db:
            db.execute(f'DROP TABLE IF EXISTS "{title}"')
            columns = ", ".join(f'"{h}" TEXT' for h in header)
            db.execute(f'CREATE TABLE "{title}" (_row INTEGER PRIMARY KEY AUTOINCREMENT, {columns})')
            marks = ", ".join("?" for _ in header)
            names = ", ".join(f'"{h}"' for h in header)
            db.executemany(f'INSERT INTO "{title}" ({names}) VALUES ({marks})',
                           [list(r) + [""] * (len(header) - len(r)) for r in rows])

    def grid(self, title: str) -> list[list[str]]:
        with sqlite3.connect(self.path) as db:
            cursor = db.execute(f'SELECT * FROM "{title}" ORDER BY _row')
            header = [d[0] for d in cursor.description][1:]
            rows = [[("" if v is None else str(v)) for v in row[1:]] for row in cursor]
        grid = [header, *rows]
        return [_trimmed(row) for row in grid]


class SheetsBackend:
    """A Google Sheets workbook through gspread against the local fake, and hands on the fake."""

    name = "sheets"

    def __init__(self, fake: FakeSheetsServer, tmp_path: Path):
        self.fake = fake
        self.spreadsheet_id = fake.create_spreadsheet(sheets=["Sheet1"])
        self.journal_path = tmp_path / "journal.sqlite3"
        self.workbook = self.open_another(shared_lock=True)

    def open_another(self, shared_lock: bool = True) -> GoogleSheetsWorkbook:
        """Another process's view: with shared_lock=False its appends are not batched with this one's."""
        api = SheetsApi(RedirectedHTTPClient(self.fake.base_url), self.spreadsheet_id, Backoff(**QUICK_BACKOFF))
        journal = Journal(self.journal_path, workbook=f"gsheets://{self.spreadsheet_id}")
        workbook = GoogleSheetsWorkbook(f"gsheets://{self.spreadsheet_id}", api, journal, settle_seconds=0)
        if not shared_lock:
            workbook._queues = AppendQueues()
        return workbook

    def hand_write_sheet(self, title: str, header: list[str], rows: list[list[str]]) -> None:
        if title not in self.fake.sheet_titles(self.spreadsheet_id):
            requests.post(f"{self.fake.base_url}/v4/spreadsheets/{self.spreadsheet_id}:batchUpdate",
                          json={"requests": [{"addSheet": {"properties": {"title": title}}}]}, timeout=10)
        self.fake.set_values(self.spreadsheet_id, title, [header, *rows])
        self.workbook._titles = None

    def grid(self, title: str) -> list[list[str]]:
        return [_trimmed(row) for row in self.fake.get_values(self.spreadsheet_id, title)]


def _trimmed(row: list[str]) -> list[str]:
    row = list(row)
    while row and row[-1] == "":
        row.pop()
    return row


@pytest.fixture(params=["sqlite", "sheets"])
def backend(request, tmp_path):
    if request.param == "sqlite":
        return SqliteBackend(tmp_path)
    return SheetsBackend(request.getfixturevalue("fake"), tmp_path)


@pytest.fixture
def workbook(backend):
    backend.workbook.ensure_schema("zh")
    return backend.workbook
