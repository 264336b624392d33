"""Home: who you are, what is coming, and (for coordinators) the work waiting."""
import streamlit as st

from ui.cards import Card, show_cards
from ui.display import number_text, plain
from ui.i18n import t
from ui.inbox import inbox_list
from ui.pages import PAGES_BY_KEY, menu_keys
from ui.session import data, guard, now as workbook_now
from workflows.access import COORDINATOR, LEADER
from workflows.overview import headline_counts, starting_soon, upcoming_activities, work_waiting

viewer = guard("home")
tables = data().tables
now = workbook_now()

st.title(t("home.welcome", name=plain(viewer.name)))
if viewer.branch:
    st.caption(t("home.branch", branch=plain(viewer.branch)))

shortcuts = [PAGES_BY_KEY[key] for key in menu_keys(viewer) if key != "home"]
for row in range(0, len(shortcuts), 4):
    for column, page in zip(st.columns(4), shortcuts[row:row + 4]):
        column.page_link(page.path, label=t(f"page.{page.key}"), icon=page.icon, width="stretch")

inbox_list(viewer)

if viewer.role == COORDINATOR:
    st.subheader(t("home.waiting"))
    waiting = work_waiting(tables, viewer, now)
    columns = st.columns(3)
    for column, key in zip(columns, ["hours_pending", "requests_new", "starting_soon"]):
        column.metric(t(f"home.{key}"), waiting[key])

if viewer.role == LEADER:
    st.subheader(t("home.overview"))
    counts = headline_counts(tables)
    for column, key in zip(st.columns(3), ["people", "activities", "requests"]):
        column.metric(t(f"home.{key}"), counts[key])

st.subheader(t("home.starting_soon" if viewer.role == COORDINATOR else "home.upcoming"))
# a coordinator sees the activities their "starting soon" count counts; others the next open ones
coming = starting_soon(tables, viewer.branch, now) if viewer.role == COORDINATOR else upcoming_activities(tables, now)
if coming.empty:
    st.info(t("home.no_upcoming"))
else:
    show_cards([Card(a.title, (f"{a.starts_at:%m-%d %H:%M}", a.location, a.category),
                     t("activities.hours", hours=number_text(a.hours))) for a in coming.itertuples()], key="upcoming")
