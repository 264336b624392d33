"""Request board (coordinator): overdue first; accept, reject, assign (suggested members), resolve."""
import streamlit as st

from services.outcomes import Refused
from services.requests import act
from ui.display import category_label, plain, readable
from ui.i18n import t, t_or
from ui.messages import choice_text, refusal_text
from ui.session import data, flash, guard, now, show_flash
from ui.state import live
from workflows.requests import board, suggested_members, timeline
from workflows.tables import once_per_value

viewer = guard("request_board")
st.title(t("page.request_board"))
show_flash()
tables = data().tables
actors = dict(zip(tables["people"]["person_id"], tables["people"]["name"])) | {"system": t("actor.system")}
everything = board(tables, now())
left, middle, right = st.columns(3)
statuses = left.multiselect(t("requests.status"), sorted(s for s in everything["status"].unique() if isinstance(s, str)),
                            default=[s for s in ("submitted", "accepted", "assigned", "reopened") if s in set(everything["status"])],
                            format_func=lambda s: t(f"request_status.{s}"), placeholder=t("widget.choose_many"))
categories = middle.multiselect(t("requests.category"), sorted(c for c in everything["category"].unique() if c),
                                format_func=category_label, placeholder=t("widget.choose_many"))
buildings = right.multiselect(t("dash.building"), sorted(b for b in everything["building"].unique() if b), placeholder=t("widget.choose_many"))
shown = everything[everything["status"].isin(statuses)] if statuses else everything
if categories:
    shown = shown[shown["category"].isin(categories)]
if buildings:
    shown = shown[shown["building"].isin(buildings)]
if shown.empty:
    st.info(t("board.none"))
    st.stop()

view = readable("requests", shown)
flags = shown["overdue"].map({True: "⚠ " + t("dash.col.overdue"), False: ""}).where(~shown["due_soon"], t("board.soon"))
table = view.assign(flag=flags, assignee_id=view["assignee_id"].map(lambda p: actors.get(p, p)))
table = table[["flag", "title", "kind", "category", "building", "status", "due", "assignee_id"]]
st.dataframe(table.rename(columns={"flag": "", "title": t("dash.col.title"), "kind": t("dash.col.kind"),
                                   "category": t("dash.col.category"), "building": t("dash.col.building"),
                                   "status": t("dash.col.status"), "due": t("dash.col.due"),
                                   "assignee_id": t("board.assignee")}),
             hide_index=True, width="stretch", column_config={t("dash.col.due"): st.column_config.DatetimeColumn(
                 format="MM-DD HH:mm")})

status_labels = once_per_value(everything["status"], lambda status: choice_text("request_status", status))
labels = {request_id: f"{title} · {status}"
          for request_id, title, status in zip(everything["request_id"], everything["title"], status_labels)}
options = list(shown["request_id"])
kept = st.session_state.get("board_request")  # the request last picked or acted on stays picked
acted_on = st.session_state.get("board_acted_on")
if kept in labels and kept not in options and kept == acted_on:  # e.g. just resolved, which the filter hides
    options.insert(0, kept)
request_id = st.selectbox(t("board.pick"), options, index=options.index(kept) if kept in options else 0,
                          format_func=labels.get, placeholder=t("widget.choose"))
st.session_state["board_request"] = request_id
if request_id != acted_on:
    st.session_state.pop("board_acted_on", None)
request = everything.set_index("request_id").loc[request_id]
st.write(plain(request["details"]))


def step(action: str, **details) -> None:
    st.session_state["board_acted_on"] = request_id  # stays on screen, even once the filter would hide it
    try:
        act(live(), request_id, action, viewer, now, **details)
        flash("success", t("board.done", step=t(f"step.{action}")))
    except Refused as refused:
        flash("error", refusal_text(refused.refusal))


status = request["status"]
if status == "submitted":
    st.button(t("step.accept"), type="primary", on_click=step, args=("accept",))
    reason = st.text_input(t("board.reason"), key=f"reason-{request_id}", max_chars=300)
    st.button(t("step.reject"), on_click=lambda: step("reject", reason=st.session_state[f"reason-{request_id}"]))
if status in ("submitted", "accepted", "reopened"):
    members = suggested_members(tables, request_id, limit=8)
    people = tables["people"]
    suggested = set(members["person_id"])
    options = list(members["person_id"]) + [p for p in people["person_id"] if p not in suggested]
    names = dict(zip(people["person_id"], people["name"]))
    st.selectbox(t("board.assign_to"), options, key=f"assignee-{request_id}",
                 format_func=lambda p: ("★ " if p in suggested else "") + f"{names.get(p, '')} · {p}", placeholder=t("widget.choose"))
    st.button(t("step.assign"), type="primary",
              on_click=lambda: step("assign", assignee_id=st.session_state[f"assignee-{request_id}"]))
if status == "assigned":
    st.text_area(t("board.resolution"), key=f"resolution-{request_id}", max_chars=1000)
    st.button(t("step.resolve"), type="primary",
              on_click=lambda: step("resolve", resolution=st.session_state[f"resolution-{request_id}"]))

with st.expander(t("requests.timeline"), expanded=True):
    for event in timeline(tables, request_id).itertuples():
        if event.effective:
            st.write(f"{event.at:%m-%d %H:%M} · {plain(t_or(f'step.{event.action}', event.action))} · {plain(actors.get(event.actor, event.actor))}"
                     + (f" · {plain(event.note)}" if event.note else ""))
