"""Requests (volunteer): raise a request or a micro-wish; follow it; rate it once it is resolved."""
import streamlit as st

from services.outcomes import Refused
from services.requests import act, submit
from ui.display import category_label, plain, readable
from ui.forms import make_key_when_shown, mark_saved, submission_key
from ui.i18n import t, t_or
from ui.messages import refusal_text
from ui.session import data, flash, guard, now, show_flash
from ui.state import live
from workflows.requests import REQUEST_CATEGORIES, timeline

viewer = guard("requests")
st.title(t("page.requests"))
show_flash()
tables = data().tables
actors = dict(zip(tables["people"]["person_id"], tables["people"]["name"])) | {"system": t("actor.system")}
me = tables["people"].set_index("person_id").loc[viewer.person_id]


FORM = "request-form"  # the request's ID is made when the form is shown: sending twice files one
FORM_OPEN = "request-form-open"  # the form's expander, kept open while the person fixes what was missing
make_key_when_shown(FORM, "request")


def send() -> None:
    values = {key: st.session_state[f"new-{key}"] for key in ("kind", "category", "title", "details", "contact")}
    values["building"] = me["building"]
    key = submission_key(FORM, "request", values)
    try:
        submit(live(), values, viewer, now, form_key=key)
    except Refused as refused:
        st.session_state[FORM_OPEN] = True
        flash("error", missing_text(refused.refusal) or refusal_text(refused.refusal))
        return
    flash("success", t("requests.sent"))
    mark_saved(FORM, key, values)
    st.session_state[FORM_OPEN] = False
    for field in ("category", "title", "details", "contact"):  # an empty form for the next request
        st.session_state.pop(f"new-{field}", None)


def missing_text(refusal) -> str | None:
    """Which fields are missing, by their labels (the service names them by key)."""
    if refusal.code != "missing_fields":
        return None
    labels = {"title": t("requests.title"), "category": t("requests.category")}
    return t("refusal.missing_fields", detail=t("list.separator").join(labels.get(key.strip(), key)
                                                                      for key in refusal.detail.split(",")))


with st.expander(t("requests.new"), key=FORM_OPEN, on_change="rerun"):
    with st.form("new-request"):
        st.segmented_control(t("requests.kind"), ["request", "wish"], default="request", key="new-kind",
                             format_func=lambda k: t(f"kind.{k}"))
        st.selectbox(t("requests.category"), REQUEST_CATEGORIES, index=None, key="new-category",
                     format_func=category_label, placeholder=t("requests.category_pick"))
        st.text_input(t("requests.title"), max_chars=80, key="new-title")
        st.text_area(t("requests.details"), max_chars=1000, key="new-details")
        st.text_input(t("requests.contact"), max_chars=40, key="new-contact", help=t("requests.contact_help"))
        st.form_submit_button(t("requests.send"), type="primary", on_click=send)


def rate(request_id: str) -> None:
    rating = st.session_state.get(f"rating-{request_id}")
    fixed = st.session_state.get(f"fixed-{request_id}", True)
    try:
        outcome = act(live(), request_id, "rate", viewer, now, rating=None if rating is None else rating + 1, fixed=fixed,
                      feedback=st.session_state.get(f"feedback-{request_id}", ""))
        flash("success", t("requests.rated_closed" if outcome.changes["status"] == "closed" else "requests.rated_reopened"))
    except Refused as refused:
        flash("error", refusal_text(refused.refusal))


st.subheader(t("requests.mine"))
mine = tables["requests"][tables["requests"]["requester_id"] == viewer.person_id].sort_values("submitted_at", ascending=False)
if mine.empty:
    st.info(t("requests.none"))
for request in readable("requests", mine).itertuples():
    raw_status = mine.set_index("request_id").loc[request.request_id, "status"]
    with st.container(border=True):
        st.markdown(f"**{plain(request.title)}** · {plain(request.kind)} · {plain(request.category)}")
        st.caption(t("requests.status_line", status=plain(request.status), time=f"{request.submitted_at:%Y-%m-%d %H:%M}"))
        if request.resolution:
            st.write(t("requests.resolution_line", text=plain(request.resolution)))
        with st.expander(t("requests.timeline")):
            for step in timeline(tables, request.request_id).itertuples():
                if step.effective:
                    st.write(f"{step.at:%m-%d %H:%M} · {plain(t_or(f'step.{step.action}', step.action))} · {plain(actors.get(step.actor, step.actor))}"
                             + (f" · {plain(step.note)}" if step.note else ""))
        if raw_status == "resolved":
            st.feedback("stars", key=f"rating-{request.request_id}")
            st.toggle(t("requests.fixed"), value=True, key=f"fixed-{request.request_id}")
            st.text_input(t("requests.feedback"), max_chars=300, key=f"feedback-{request.request_id}")
            st.button(t("requests.rate"), key=f"rate-{request.request_id}", type="primary", on_click=rate,
                      args=(request.request_id,))
