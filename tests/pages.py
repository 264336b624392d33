"""Helpers for running the app's pages under AppTest on a demo workbook."""
from __future__ import annotations

import threading

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from connectors.sqlite_workbook import SqliteWorkbook
from workflows.clock import local_now
from demo.codes import load_demo_rows

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def demo_workbook(url: str) -> SqliteWorkbook:
    """An embedded workbook holding the demo, made around now."""
    book = SqliteWorkbook(url)
    book.ensure_schema()
    for table, rows in load_demo_rows(local_now("Asia/Shanghai").replace(microsecond=0)):
        book.append(table, rows)
    return book


@pytest.fixture
def workbook(tmp_path, monkeypatch):
    """A fresh demo workbook that the app under test uses."""
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    monkeypatch.setenv("WORKBOOK_URL", url)
    return demo_workbook(url)


def open_page(page: str, person_id: str | None = None, locale: str = "zh-CN", **query) -> AppTest:
    """The app run as `person_id` (signed out: None), switched to `page`, with `query` in its URL."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.context = {"locale": locale}
    if person_id:
        at.session_state["person_id"] = person_id
    at.run()
    at.switch_page(page)
    at.query_params.update(query)
    return at.run()


def rendered(at: AppTest) -> str:
    """The text of every element of the page, the data of tables and charts included."""
    def walk(node):
        proto = getattr(node, "proto", None)
        yield str(proto) if proto is not None else ""
        for child in getattr(node, "children", {}).values():
            yield from walk(child)
    return "".join(walk(at._tree)) + "".join(frame.value.to_csv() for frame in at.dataframe)


def finish_background_reads() -> None:
    """Waits (bounded) for the workbook's refresh and prepare threads of this process to end."""
    for thread in threading.enumerate():
        if thread.name in ("workbook-refresh", "workbook-prepare"):
            thread.join(timeout=120)
            assert not thread.is_alive()
