"""Wish wall (members): open micro-wishes to claim; the wishes I claimed, to mark done."""
import streamlit as st

from services.outcomes import Refused
from services.requests import act, claim
from ui.display import category_label, plain
from ui.i18n import t
from ui.messages import refusal_text
from ui.session import data, flash, guard, now, show_flash
from ui.state import live
from workflows.requests import CLAIMABLE

viewer = guard("wish_wall")
st.title(t("page.wish_wall"))
st.write(t("wishes.intro"))
show_flash()
requests = data().tables["requests"]
wishes = requests[requests["kind"] == "wish"]


def take(request_id: str, title: str) -> None:
    title = plain(title)
    try:
        won = claim(live(), request_id, viewer, now)
        flash("success" if won else "warning", t("wishes.claimed" if won else "wishes.taken", title=title))
    except Refused as refused:
        flash("error", refusal_text(refused.refusal))


def done(request_id: str) -> None:
    try:
        act(live(), request_id, "resolve", viewer, now, resolution=st.session_state.get(f"done-{request_id}", ""))
        flash("success", t("wishes.done"))
    except Refused as refused:
        flash("error", refusal_text(refused.refusal))


open_wishes = wishes[wishes["status"].isin(CLAIMABLE) & (wishes["requester_id"] != viewer.person_id)]
if open_wishes.empty:
    st.info(t("wishes.none"))
for wish in open_wishes.sort_values("submitted_at").itertuples():
    with st.container(border=True):
        st.markdown(f"**{plain(wish.title)}** · {plain(category_label(wish.category))}")
        if wish.details:
            st.write(plain(wish.details))
        st.caption(f"{plain(wish.building)} · {wish.submitted_at:%m-%d}")
        st.button(t("wishes.claim"), key=f"claim-{wish.request_id}", type="primary", on_click=take,
                  args=(wish.request_id, wish.title))

st.subheader(t("wishes.mine"))
mine = requests[(requests["assignee_id"] == viewer.person_id) & (requests["status"] == "assigned")]
if mine.empty:
    st.info(t("wishes.mine_none"))
for wish in mine.itertuples():
    with st.container(border=True):
        st.markdown(f"**{plain(wish.title)}**")
        st.text_input(t("wishes.how"), key=f"done-{wish.request_id}", max_chars=300)
        st.button(t("wishes.mark_done"), key=f"mark-{wish.request_id}", on_click=done, args=(wish.request_id,))
