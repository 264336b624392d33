"""The services' one notion of "now": a clock giving naive date-times in the workbook's time zone."""
from __future__ import annotations

import datetime as dt
from typing import Callable

from connectors.live import LiveWorkbook
from workflows.clock import local_now

Clock = Callable[[], dt.datetime]


def workbook_clock(live: LiveWorkbook) -> Clock:
    """Now in the time zone of the workbook's `timezone` setting (never the server's own)."""
    return lambda: local_now(live.data().tables.timezone)


def fixed_clock(moment: dt.datetime) -> Clock:
    return lambda: moment
