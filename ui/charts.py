"""Altair charts of the dashboard (labels in the page's language)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from ui.i18n import t


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """Periods as plain labels (2025-03, or 03-10 for a week): no English month names."""
    monthly = len(frame) < 2 or (frame["period"].dt.day == 1).all()
    return frame.assign(label=frame["period"].dt.strftime("%Y-%m" if monthly else "%m-%d"))


def trend_chart(frame: pd.DataFrame, column: str, kind: str = "bar") -> alt.Chart:
    base = alt.Chart(_labelled(frame)).encode(
        x=alt.X("label:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{column}:Q", title=t(f"dash.{column}")),
        tooltip=[alt.Tooltip("label:O", title=t("dash.period")), alt.Tooltip(f"{column}:Q", title=t(f"dash.{column}"))])
    return (base.mark_line(point=True) if kind == "line" else base.mark_bar()).properties(height=220)


def requests_chart(frame: pd.DataFrame) -> alt.Chart:
    names = {"requests_received": t("dash.requests_received"), "requests_resolved": t("dash.requests_resolved")}
    long = _labelled(frame).melt("label", list(names), var_name="what", value_name="n")
    long = long.assign(what=long["what"].map(names))
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("label:O", title=None, axis=alt.Axis(labelAngle=0)), y=alt.Y("n:Q", title=t("dash.requests")),
        color=alt.Color("what:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("label:O", title=t("dash.period")), alt.Tooltip("what:N", title=t("dash.series")),
                 alt.Tooltip("n:Q", title=t("dash.requests"))]).properties(height=220)


def breakdown_chart(frame: pd.DataFrame, by: str) -> alt.Chart:
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{by}:N", title=None, sort="-x"), x=alt.X("hours:Q", title=t("dash.hours")),
        tooltip=[alt.Tooltip(f"{by}:N", title=t(f"dash.by.{by}")), alt.Tooltip("people:Q", title=t("dash.people")), alt.Tooltip("hours:Q", title=t("dash.hours"))],
    ).properties(height=alt.Step(26))


def coverage_chart(frame: pd.DataFrame) -> alt.Chart:
    return alt.Chart(frame).mark_rect().encode(
        x=alt.X("floor:O", title=t("dash.floor"), sort=sorted(frame["floor"].unique(), key=_floor_order)),
        y=alt.Y("building:N", title=None),
        color=alt.Color("party_members:Q", title=t("dash.party_members"), scale=alt.Scale(scheme="reds")),
        tooltip=[alt.Tooltip("building:N", title=t("dash.building")), alt.Tooltip("floor:O", title=t("dash.floor")),
                 alt.Tooltip("people:Q", title=t("dash.people")),
                 alt.Tooltip("party_members:Q", title=t("dash.party_members"))],
    ).properties(height=alt.Step(30))


def _floor_order(value: str):
    return (0, int(value)) if str(value).isdigit() else (1, str(value))
