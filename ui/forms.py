"""Forms that create a record: the idempotency key each submission carries, and what a double click sends.

The key is made when the form is shown (services/submissions.py), so sending the same form twice
creates one record. After a success the form clears for the next record; a second click that was
already on its way carries the values just saved, and gets the key they were saved under, so it
finds its record instead of creating a twin.
"""
from __future__ import annotations

import streamlit as st

from services.submissions import form_key
from ui.session import now


def submission_key(form: str, kind: str, values) -> str:
    """The key this submission of `form` carries (`kind`: activity, request or survey)."""
    last = st.session_state.get(f"{form}-saved")
    if last is not None and last[1] == values:
        return last[0]
    make_key_when_shown(form, kind)  # (a rerun cut short may not have made it yet)
    return st.session_state[f"{form}-key"]


def mark_saved(form: str, key: str, values) -> None:
    """The submission under `key` was saved: the next one of `form` is a new record with a key of its own."""
    st.session_state[f"{form}-saved"] = (key, values)
    st.session_state[f"{form}-just-saved"] = True
    st.session_state.pop(f"{form}-key", None)


def second_click_after_save(form: str, submitted: bool) -> bool:
    """Whether this submission is a double click's second one, arriving after the first was saved and
    the form emptied (call it on every run: the run after a save ends the window)."""
    return bool(st.session_state.pop(f"{form}-just-saved", False)) and submitted


def make_key_when_shown(form: str, kind: str) -> None:
    """Makes the form's key when the form is shown (before any click)."""
    if f"{form}-key" not in st.session_state:
        st.session_state[f"{form}-key"] = form_key(kind, now)
