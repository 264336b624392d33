"""My record (volunteer): credited hours, points, rank; attended activities; my entries; report; certificate."""
import streamlit as st

from services.certificates import issue_certificate
from services.hours import report_hours
from services.outcomes import Refused
from ui import settings
from ui.cards import Card, show_cards
from ui.display import number_text
from ui.i18n import t
from ui.inbox import choices_form
from ui.messages import choice_text, field_error, refusal_text
from ui.session import current_leaderboard, data, flash, guard, my_credited_entries, now, show_flash
from ui.state import attempt_log, live

viewer = guard("my_record")
st.title(t("page.my_record"))
show_flash()
tables = data().tables
moment = now()
board = current_leaderboard()
me = board[board["person_id"] == viewer.person_id]
hours, points, rank = ((me.iloc[0]["hours"], me.iloc[0]["points"], int(me.iloc[0]["rank"])) if not me.empty
                       else (0.0, 0.0, None))
first, second, third = st.columns(3)
first.metric(t("record.hours"), f"{hours:g}")
second.metric(t("record.points"), f"{points:g}")
third.metric(t("record.rank"), t("record.rank_value", rank=rank, of=len(board)) if rank else "—")

st.subheader(t("record.attended"))
entries = my_credited_entries()
attended = entries[(entries["person_id"] == viewer.person_id) & (entries["kind"] == "activity")]
if attended.empty:
    st.info(t("record.attended_none"))
else:
    show_cards([Card(r.title, (f"{r.date:%Y-%m-%d}",), t("activities.hours", hours=f"{r.hours:g}"))
                for r in attended.sort_values("date", ascending=False).itertuples()], key="attended")

st.subheader(t("record.entries"))
mine = tables["hours"][tables["hours"]["person_id"] == viewer.person_id].sort_values("date", ascending=False)
if mine.empty:
    st.info(t("record.entries_none"))
else:
    show_cards([Card(r.description or "—", (f"{r.date:%Y-%m-%d}", t("activities.hours", hours=number_text(r.hours)),
                                             r.review_note and t("record.review_note_line", note=r.review_note)),
                     choice_text("hours_status", r.status)) for r in mine.itertuples()], key="entries")


def report() -> None:
    values = {key: st.session_state[f"report-{key}"] for key in ("date", "hours", "description", "evidence")}
    values["date"] = f"{values['date']:%Y-%m-%d}" if values["date"] else ""
    values["hours"] = f"{values['hours']:g}" if values["hours"] is not None else ""
    reported = report_hours(live(), viewer, values, now)
    if reported.errors:
        flash("error", "；".join(f"{t(f'field.{_label(k)}')}：{field_error(e)}" for k, e in reported.errors.items()))
        st.session_state["report-form-open"] = True  # kept open while the person fixes it
        return
    flash("success", t("record.reported"))
    st.session_state["report-form-open"] = False
    for key in ("hours", "description", "evidence"):
        st.session_state.pop(f"report-{key}", None)


def _label(key: str) -> str:
    return {"hours": "hours_reported", "description": "service"}.get(key, key)


with st.expander(t("record.report"), key="report-form-open", on_change="rerun"):
    with st.form("report"):
        st.date_input(t("field.date"), value=moment.date(), max_value=moment.date(), key="report-date")
        st.number_input(t("field.hours_reported"), min_value=0.0, max_value=24.0, step=0.5, value=None, key="report-hours")
        st.text_area(t("field.service"), max_chars=500, key="report-description")
        st.text_input(t("field.evidence"), max_chars=300, key="report-evidence")
        st.form_submit_button(t("record.report_submit"), type="primary", on_click=report)

st.subheader(t("record.certificate"))
if st.button(t("record.certificate_make"), icon=":material/picture_as_pdf:"):
    try:
        issued = issue_certificate(live(), viewer.person_id, viewer.person_id, now(), attempt_log(),
                                   public_url=settings.public_url())
    except Refused as refused:
        issued = None
        st.error(refusal_text(refused.refusal))
    if issued is not None:
        certificate, pdf = issued
        st.success(t("record.certificate_ready", number=certificate.number))
        st.download_button(t("record.certificate_download"), pdf, file_name=f"certificate-{certificate.number}.pdf",
                           mime="application/pdf", type="primary", icon=":material/download:")

choices_form(viewer)
