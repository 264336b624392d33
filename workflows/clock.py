"""'Now' in the workbook's time zone: every rule compares local, naive date-times.

`utc_now` is the one place the app reads the system clock (tests fix it here); the server's
own time zone never enters: every moment a person sees is in the workbook's zone.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def local_now(timezone: str) -> dt.datetime:
    """Now as a naive date-time in `timezone` (microseconds kept: they order log rows written at once)."""
    return in_zone(utc_now(), timezone)


def from_epoch(seconds: float, timezone: str) -> dt.datetime:
    """A moment given in seconds since the epoch, as a naive date-time in `timezone`."""
    return in_zone(dt.datetime.fromtimestamp(seconds, dt.timezone.utc), timezone)


def in_zone(moment: dt.datetime, timezone: str) -> dt.datetime:
    """An aware moment as a naive date-time in `timezone` (a naive one is taken as UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
