"""Idempotency keys of forms: made when a form is shown, so a second click of "save" (or a resent
request) finds its record already there instead of creating a twin."""
from __future__ import annotations

from services.clock import Clock
from workflows.activity_form import new_activity_id
from workflows.signup import new_id

PREFIXES = {"activity": None, "request": "R", "survey": "V"}


def form_key(kind: str, clock: Clock) -> str:
    """The ID the record a form creates will have: `kind` is activity, request or survey."""
    return new_activity_id(clock()) if kind == "activity" else new_id(PREFIXES[kind], clock())


def already_there(frame, column: str, key: str | None) -> bool:
    return bool(key) and bool((frame[column] == key).any())
