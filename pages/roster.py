"""Roster (coordinator): confirmed / waitlisted / attended, check-in by hand, CSV export, the QR code."""
import io

import segno
import streamlit as st

from documents.spreadsheets import xlsx_bytes
from services.activities import Refused, check_in
from ui.display import plain
from ui.downloads import roster_sheet
from ui.i18n import t
from ui.links import share_link, warn_if_only_local
from ui.messages import refusal_text, status_text
from ui.session import data, derivation, flash, guard, now, show_flash
from workflows.access import may_manage_activity
from workflows.roster_view import roster_rows
from workflows.tables import active_people
from ui.state import live

viewer = guard("roster")
st.title(t("page.roster"))
show_flash()
tables = data().tables
activities = tables["activities"]
mine = activities[activities["branch"].apply(lambda b: may_manage_activity(viewer, b))]
if mine.empty:
    st.info(t("activities.none"))
    st.stop()
upcoming_first = mine.assign(past=mine["ends_at"] < now()).sort_values(["past", "starts_at"])
labels = {a.activity_id: f"{a.starts_at:%m-%d %H:%M} {a.title}" for a in upcoming_first.itertuples()}
activity_id = st.selectbox(t("manage.pick"), list(labels), format_func=labels.get, placeholder=t("widget.choose"))
activity = mine[mine["activity_id"] == activity_id].iloc[0]
roster = derivation().roster(activity_id)
rows = roster_rows(roster, tables["people"])

shown = rows.assign(status=[status_text(s, p) for s, p in zip(rows["status"], rows["position"])],
                    attended=rows["attended"].map({True: "✓", False: ""}))
tabs = st.tabs([t("roster.confirmed", n=len(roster.confirmed)), t("roster.waitlisted", n=len(roster.waitlisted)),
                t("roster.attended", n=len(roster.attended))])
columns = {"person_id": t("field.person_id"), "name": t("field.name"), "branch": t("field.member_branch"),
           "status": t("field.status"), "attended": t("status.attended")}
for tab, selection in zip(tabs, [rows["status"] == "confirmed", rows["status"] == "waitlisted", rows["attended"]]):
    tab.dataframe(shown[selection][list(columns)].rename(columns=columns), hide_index=True, width="stretch")

st.download_button(t("roster.download"), xlsx_bytes([roster_sheet(rows, activity_id, status_text)]),
                   file_name=f"roster-{activity_id}.xlsx", icon=":material/download:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

st.subheader(t("roster.checkin_person"))
names = dict(zip(tables["people"]["person_id"], tables["people"]["name"]))
attended = set(roster.attended)
signed_up = [p for p in roster.confirmed + roster.waitlisted if p not in attended]
on_roster = set(signed_up) | attended
walk_ins = [p for p in active_people(tables)["person_id"] if p not in on_roster]
walk_in_set = set(walk_ins)
candidates = signed_up + walk_ins  # the service checks the coordinator may check people in for this activity


def check_in_by_hand() -> None:
    person_id = st.session_state["roster-person"]  # read here: a callback runs before the page does
    try:
        check_in(live(), activity_id, person_id, None, viewer.person_id, now, viewer)
        flash("success", t("roster.checked_in", name=plain(names.get(person_id, person_id))))
    except Refused as refused:
        flash("error", refusal_text(refused.refusal))


if candidates:
    walk_in = f" {t('roster.walk_in')}"  # translated once, not once for each of 30,000 walk-ins
    st.selectbox(t("field.name"), candidates, key="roster-person", placeholder=t("widget.choose"),
                 format_func=lambda p: f"{names.get(p, '')} · {p}" + (walk_in if p in walk_in_set else ""))
    st.button(t("roster.checkin_button"), on_click=check_in_by_hand, type="primary")

st.subheader(t("roster.qr"))
if not activity["checkin_code"]:
    st.info(t("roster.no_code"))
else:
    link = share_link("checkin", activity=activity_id, code=activity["checkin_code"])
    warn_if_only_local(link)
    image = io.BytesIO()
    segno.make(link, error="m").save(image, kind="png", scale=12, border=2)
    st.image(image.getvalue(), width=420, caption=t("roster.qr_caption", code=activity["checkin_code"]))
    st.markdown(f"# {plain(activity['checkin_code'])}")
    st.caption(plain(link))
