"""Check in (volunteer): with the code shown on site, or by the QR link that carries it."""
import streamlit as st

from services.activities import Refused, check_in
from ui.display import plain
from ui.i18n import t
from ui.messages import refusal_text
from ui.session import data, derivation, guard, now
from ui.state import attempt_log, live
from workflows.listing import checkin_choices

viewer = guard("checkin")
st.title(t("page.checkin"))
st.write(t("checkin.intro"))
tables = data().tables
wanted_activity = st.query_params.get("activity", "")
wanted_code = st.query_params.get("code", "")

open_now = checkin_choices(tables, derivation(), viewer.person_id, now())
choices = dict(zip(open_now["activity_id"], open_now["title"]))
if wanted_activity and wanted_activity not in choices:
    activities = tables["activities"]
    match = activities[activities["activity_id"] == wanted_activity]
    if not match.empty:
        choices[wanted_activity] = match.iloc[0]["title"]
if not choices:
    st.info(t("checkin.none"))
    st.stop()

with st.form("checkin"):
    ids = list(choices)
    activity_id = st.selectbox(t("checkin.activity"), ids, format_func=choices.get, placeholder=t("widget.choose"),
                               index=ids.index(wanted_activity) if wanted_activity in ids else 0)
    code = st.text_input(t("checkin.code"), value=wanted_code, max_chars=12)
    submitted = st.form_submit_button(t("checkin.submit"), type="primary", width="stretch")

if submitted:
    try:
        outcome = check_in(live(), activity_id, viewer.person_id, code, viewer.person_id, now, viewer,
                           attempts=attempt_log())
    except Refused as refused:
        st.error(refusal_text(refused.refusal))
    else:
        key = "checkin.already" if outcome.already else "checkin.done"
        st.success(t(key, title=plain(choices[activity_id])))
        if outcome.queued:
            st.info(t("activities.queued"))
