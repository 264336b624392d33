"""The process-wide things every session shares, built once per process (never at import)."""
from __future__ import annotations

import threading
import time

import streamlit as st

from connectors.attempts import AttemptLog
from connectors.config import (DEFAULT_URL, app_key, attempts_path, configured_workbook_url, open_workbook,
                               outbox_path, spreadsheet_id)
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
        try:
            workbook.ensure_schema("zh")
        except Exception:
            if not _has_kept_copy(workbook):
                raise
            # Google does not answer: start from the copy of the last good read (checked when it was made)
        if is_default and not any(sheet.rows for sheet in workbook.snapshot().sheets.values()):
            for table, rows in load_demo_rows(local_now(DEFAULT_TIMEZONE).replace(microsecond=0)):
                workbook.append(table, rows)
    return LiveWorkbook(workbook, refresh_seconds, after_read=_housekeeping, prepare=_prepare, background=True)


def _prepare(data) -> None:
    from ui.session import prepare_figures

    prepare_figures(data)


def _has_kept_copy(workbook) -> bool:
    kept = getattr(workbook, "stale_snapshot", None)
    return kept is not None and kept() is not None


def _housekeeping(live: LiveWorkbook) -> None:
    """After each scheduled read: resolved requests nobody rated close after the rating window; and,
    when [notifications] send_from_app is set, what is due is sent (as `cli.py notify` does)."""
    from services.requests import close_expired

    close_expired(live, workbook_clock(live))
    _send_notifications(live)


NOTIFY_EVERY_SECONDS = 60.0  # reads may come every few seconds; what is due is looked for once a minute
_notified_at = {"last": -NOTIFY_EVERY_SECONDS}


def _send_notifications(live: LiveWorkbook) -> None:
    from connectors.notify_channels import channels_from
    from connectors.outbox import Outbox
    from services.notifications import notify

    channels = channels_from(settings.secrets())
    if not channels.in_app or time.monotonic() - _notified_at["last"] < NOTIFY_EVERY_SECONDS:
        return
    _notified_at["last"] = time.monotonic()
    path = outbox_path(configured_workbook_url(secrets=settings.secrets()) or DEFAULT_URL)
    notify(live, Outbox(path), channels, workbook_clock(live))


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
