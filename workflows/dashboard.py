"""Everything the dashboard shows, computed in one place from the indicators and series."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from workflows.indicators import indicators, report
from workflows.points import leaderboard
from workflows.series import breakdown, coverage, open_requests, scoped, trends
from workflows.signup import Derivation, derive

PREVIOUS_PERIOD = dt.timedelta(days=30)
HEADLINES: tuple[tuple[str, str], ...] = (
    ("volunteers_registered", "count"), ("hours_total", "number"), ("hours_avg", "number"), ("party_share", "rate"),
    ("activities_held", "count"), ("attendance_rate", "rate"), ("participation_rate", "rate"),
    ("compliance_rate", "rate"), ("requests_received", "count"), ("response_rate", "rate"),
    ("resolution_rate", "rate"), ("on_time_rate", "rate"), ("overdue_open", "count"),
    ("satisfaction_avg", "number"), ("coverage_rate", "rate"), ("wishes_fulfilled", "count"),
)
LOWER_IS_BETTER = {"overdue_open"}


@dataclass
class DashboardFigures:
    report: dict
    headline: dict
    change: dict  # against the same figure 30 days earlier
    trends: pd.DataFrame
    by_status: pd.DataFrame
    by_college: pd.DataFrame
    coverage: pd.DataFrame
    open_requests: pd.DataFrame
    leaderboard: pd.DataFrame

    def indicator_frame(self) -> pd.DataFrame:
        rows = [{"indicator": key, "value": value} for key, value in self.report.items() if key != "by_branch"]
        return pd.DataFrame(rows)

    def tables(self) -> dict[str, pd.DataFrame]:
        branches = pd.DataFrame([{"branch": b, **v} for b, v in self.report["by_branch"].items()])
        return {"indicators": self.indicator_frame(), "by_branch": branches, "trends": self.trends,
                "political_status": self.by_status, "college": self.by_college, "coverage": self.coverage,
                "open_requests": self.open_requests, "leaderboard": self.leaderboard}


def dashboard_figures(tables, derivation: Derivation, as_of: dt.datetime, branch: str | None, frequency: str,
                      since: dt.date | None) -> DashboardFigures:
    """`derivation`: the rosters of `tables` (a branch's part is derived anew from its own rows)."""
    if branch:
        tables = scoped(tables, branch)
        derivation = derive(tables)
    now_figures = report(tables, derivation, as_of)
    before = indicators(tables, derivation, as_of - PREVIOUS_PERIOD)
    keys = [key for key, _ in HEADLINES]
    change = {key: _difference(now_figures[key], before[key]) for key in keys}
    return DashboardFigures(
        now_figures, {key: now_figures[key] for key in keys}, change,
        trends(tables, derivation, as_of, frequency, since),
        breakdown(tables, derivation, as_of, "political_status"), breakdown(tables, derivation, as_of, "college"),
        coverage(tables), open_requests(tables, as_of), leaderboard(tables, derivation, as_of, top=10))


def _difference(now, before):
    if now is None or before is None:
        return None
    return round(now - before, 4)
