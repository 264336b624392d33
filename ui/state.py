"""The process-wide things every session shares, built once per process (never at import)."""
from __future__ import annotations

import datetime as dt
import threading

import streamlit as st

from connectors.attempts import AttemptLog
from connectors.config import attempts_path, open_workbook, spreadsheet_id, workbook_url
from connectors.live import LiveWorkbook
from services.clock import workbook_clock
from ui import settings
from workflows.demo_access import load_demo_rows

_first_start = threading.Lock()


def live() -> LiveWorkbook:
    """The live workbook of this process."""
    return _live_for(workbook_url(secrets=settings.secrets()), settings.refresh_seconds())


@st.cache_resource(show_spinner=False)
def _live_for(url: str, refresh_seconds: float) -> LiveWorkbook:
    """One per workbook and process; an empty workbook gets the schema and the demo on first start."""
    workbook = open_workbook(url, secrets=settings.secrets())
    with _first_start:
        workbook.ensure_schema("zh")
        snapshot = workbook.snapshot()
        if not any(sheet.rows for sheet in snapshot.sheets.values()):
            for table, rows in load_demo_rows(dt.datetime.now().replace(microsecond=0)):
                workbook.append(table, rows)
    return LiveWorkbook(workbook, refresh_seconds, after_read=_housekeeping)


def _housekeeping(live: LiveWorkbook) -> None:
    """After each scheduled read: resolved requests nobody rated close after the rating window."""
    from services.requests import close_expired

    close_expired(live, workbook_clock(live))


def spreadsheet_link() -> str | None:
    """The Google spreadsheet's address, for coordinators to open it; None for the embedded workbook."""
    sheet_id = spreadsheet_id(live().workbook.url)
    return f"https://docs.google.com/spreadsheets/d/{sheet_id}/edit" if sheet_id else None


def attempt_log() -> AttemptLog:
    """The durable count of code attempts beside the workbook, shared by every process using it."""
    return _attempt_log_for(attempts_path(workbook_url(secrets=settings.secrets())))


@st.cache_resource(show_spinner=False)
def _attempt_log_for(path: str) -> AttemptLog:
    return AttemptLog(path)  # a cleared cache only opens the same file again
