"""The process-wide things every session shares, built once per process (never at import)."""
from __future__ import annotations

import datetime as dt
import threading

import streamlit as st

from connectors.config import DEFAULT_URL, configured_workbook_url, open_workbook
from connectors.live import LiveWorkbook
from demo.codes import load_demo_rows
from ui import settings
from workflows.clock import local_now
from workflows.codes import AttemptLimiter
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
    return LiveWorkbook(workbook, refresh_seconds)


@st.cache_resource(show_spinner=False)
def sign_in_limiter() -> AttemptLimiter:
    return AttemptLimiter(max_failures=5, window=dt.timedelta(minutes=15))
