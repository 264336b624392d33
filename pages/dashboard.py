"""Dashboard (leader; coordinators for their branch): the indicators of kpis.md, live."""

import streamlit as st

from documents.spreadsheets import to_csv_text, xlsx_bytes
from ui import settings
from ui.charts import breakdown_chart, coverage_chart, requests_chart, trend_chart
from ui.display import choice_label, readable
from ui.downloads import dashboard_sheets
from ui.i18n import in_this_language, language, t
from ui.session import dashboard_of, data, figures_data, figures_moment, guard
from workflows.access import COORDINATOR
from workflows.dashboard import HEADLINES, LOWER_IS_BETTER
from workflows.settings import term

viewer = guard("dashboard")
st.title(t("page.dashboard"))
tables = data().tables
branches = sorted(b for b in tables["people"]["branch"].unique() if b)
left, middle, right = st.columns(3)
if viewer.role == COORDINATOR:
    branch = viewer.branch
    left.text_input(t("dash.branch"), value=branch, disabled=True)
else:
    branch = left.selectbox(t("dash.branch"), [""] + branches, format_func=lambda b: b or t("leaderboard.all"),
                            placeholder=t("widget.choose"))
frequency = middle.segmented_control(t("dash.frequency"), ["week", "month"], default="month",
                                     format_func=lambda f: t(f"dash.{f}")) or "month"
span = right.segmented_control(t("dash.span"), ["term", "all"], default="term",
                               format_func=lambda s: t(f"dash.span_{s}")) or "term"


@st.fragment(run_every=settings.refresh_seconds())
def live_dashboard() -> None:
    """Refreshes by itself from the shared snapshot: no extra workbook reads."""
    shown = figures_data()  # figures computed once per snapshot, by the refresh, for every viewer
    moment = figures_moment(shown)
    since = term(shown.tables)[0] if span == "term" else None
    figures = dashboard_of(shown, branch or None, frequency, since)
    st.caption(t("data.as_of", time=f"{moment:%Y-%m-%d %H:%M}"))
    for row in range(0, len(HEADLINES), 4):
        for column, (key, kind) in zip(st.columns(4), HEADLINES[row:row + 4]):
            value, delta = figures.headline[key], figures.change[key]
            colour = "off" if not delta else "inverse" if key in LOWER_IS_BETTER else "normal"
            column.metric(t(f"kpi.{key}"), _show(value, kind), _show(delta, kind, True) if delta else None,
                          delta_color=colour, help=t("dash.change_help"))
    st.subheader(t("dash.trends"))
    first, second = st.columns(2)
    first.altair_chart(trend_chart(figures.trends, "hours"), width="stretch")
    second.altair_chart(requests_chart(figures.trends), width="stretch")
    first.altair_chart(trend_chart(figures.trends, "activities_held"), width="stretch")
    second.altair_chart(trend_chart(figures.trends, "satisfaction", "line"), width="stretch")
    st.subheader(t("dash.breakdowns"))
    first, second = st.columns(2)
    by_status = figures.by_status.assign(political_status=figures.by_status["political_status"].map(
        lambda key: choice_label("people", "political_status", key)))
    first.altair_chart(breakdown_chart(by_status, "political_status"), width="stretch")
    second.altair_chart(breakdown_chart(figures.by_college, "college"), width="stretch")
    st.subheader(t("dash.coverage"))
    st.altair_chart(coverage_chart(figures.coverage), width="stretch")
    st.subheader(t("dash.open_requests", n=len(figures.open_requests), overdue=int(figures.open_requests["overdue"].sum())))
    st.dataframe(readable("requests", figures.open_requests.drop(columns=["request_id"]))
                 .rename(columns=lambda c: t(f"dash.col.{c}")),
                 hide_index=True, width="stretch")
    st.subheader(t("page.leaderboard"))
    st.dataframe(figures.leaderboard.drop(columns=["person_id"]).rename(columns=lambda c: t(f"dash.col.{c}")),
                 hide_index=True, width="stretch")
    files = in_this_language(  # made on the first click, once per snapshot, filters and language
        lambda: shown.memo("dashboard-files", lambda tables, *key: _files(figures), branch or None, frequency, since,
                           moment, language()))

    first, second = st.columns(2)
    first.download_button(t("dash.download_excel"), lambda: files()[0], file_name=f"indicators-{moment:%Y%m%d}.xlsx",
                          icon=":material/download:")
    second.download_button(t("dash.download_csv"), lambda: files()[1], file_name=f"indicators-{moment:%Y%m%d}.csv",
                           mime="text/csv", icon=":material/download:")


def _files(figures) -> tuple[bytes, bytes]:
    sheets = dashboard_sheets(figures.tables())
    return xlsx_bytes(sheets), to_csv_text(sheets[0]).encode("utf-8-sig")


def _show(value, kind: str, signed: bool = False) -> str:
    if value is None:
        return "—"
    sign = "+" if signed and value > 0 else ""
    if kind == "rate":
        return f"{sign}{value * 100:.1f}%"
    return f"{sign}{value:g}"



live_dashboard()
