"""The process-wide things every session shares, built once per process (never at import)."""
from __future__ import annotations

import threading

import streamlit as st

from connectors.attempts import AttemptLog
from connectors.config import DEFAULT_URL, app_key, attempts_path, configured_workbook_url, open_workbook, spreadsheet_id
from connectors.live import LiveWorkbook
from demo.codes import load_demo_rows
from services.clock import workbook_clock
from ui import settings
from workflows.clock import local_now
from workflows.tables import DEFAULT_TIMEZONE

_first_start = threading.Lock()


def live() -> LiveWorkbook:
    """The live workbook of this process."""
    configured = configured_workbook_url(secrets=settings.secrets())
    return _live_for(configured or DEFAULT_URL, settings.refresh_seconds(), configured is None)


@st.cache_resource(show_spinner=False)
def _live_for(url: str, refresh_seconds: float, is_default: bool = False) -> LiveWorkbook:
    """One per workbook and process. Every workbook gets its missing worksheets; only the default
    embedded one, when empty (a first `./start.sh`), also gets the demo. A workbook named by
    configuration is never filled by itself: `cli.py demo` does that when asked."""
    workbook = open_workbook(url, secrets=settings.secrets())
    with _first_start:
        workbook.ensure_schema("zh")
        if is_default and not any(sheet.rows for sheet in workbook.snapshot().sheets.values()):
            for table, rows in load_demo_rows(local_now(DEFAULT_TIMEZONE).replace(microsecond=0)):
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
    return _attempt_log_for(attempts_path(configured_workbook_url(secrets=settings.secrets()) or DEFAULT_URL))


@st.cache_resource(show_spinner=False)
def _attempt_log_for(path: str) -> AttemptLog:
    return AttemptLog(path)  # a cleared cache only opens the same file again


def session_key() -> bytes:
    """The app's key that signs lasting sign-ins (the same key every process of this workbook uses)."""
    return _session_key_for(live().workbook.url)


@st.cache_resource(show_spinner=False)
def _session_key_for(url: str) -> bytes:
    return app_key(url)
