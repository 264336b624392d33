"""'Now' in the workbook's time zone: every rule compares local, naive date-times."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def local_now(timezone: str) -> dt.datetime:
    return dt.datetime.now(ZoneInfo(timezone)).replace(tzinfo=None)
