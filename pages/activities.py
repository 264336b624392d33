"""Activities (volunteer): open activities with places left, sign up or cancel, my sign-ups."""
import streamlit as st

from services.activities import Refused, cancel, sign_up
from ui.cards import Card, show_cards
from ui.display import number_text, plain
from ui.i18n import t
from ui.messages import position_text, refusal_text, status_text
from ui.session import data, derivation, flash, guard, now, show_flash
from ui.state import attempt_log, live
from workflows.listing import activity_listing, label_of_places, my_activities

viewer = guard("activities")
st.title(t("page.activities"))
show_flash()
tables = data().tables


def act(kind: str, activity_id: str, title: str) -> None:
    """Button callback: sign up or cancel, then say what happened."""
    title = plain(title)
    try:
        if kind == "signup":
            outcome = sign_up(live(), activity_id, viewer.person_id, viewer.person_id, now, viewer, attempt_log())
            if outcome.already:
                flash("info", t("activities.already", title=title))
            elif outcome.queued:  # Google did not answer: a provisional answer, clearly marked
                flash("info", t("activities.queued_confirmed", title=title) if outcome.status == "confirmed"
                      else t("activities.queued_waitlisted", title=title, position=outcome.position))
            elif outcome.status == "confirmed":
                flash("success", t("activities.signed_up", title=title))
            else:
                flash("warning", t("activities.waitlisted", title=title, position=position_text(outcome.position)))
        else:
            outcome = cancel(live(), activity_id, viewer.person_id, viewer.person_id, now, viewer, attempt_log())
            flash("success", t("activities.cancelled", title=title))
        if outcome.queued and kind != "signup":
            st.session_state["_flash"] = (st.session_state["_flash"][0],
                                          st.session_state["_flash"][1] + " " + t("activities.queued"))
    except Refused as refused:
        flash("error", refusal_text(refused.refusal))


listing = activity_listing(tables, derivation(), now(), viewer.person_id)
with st.expander(t("activities.filter_category") + " · " + t("activities.filter_dates")):
    categories = st.multiselect(t("activities.filter_category"), sorted(c for c in listing["category"].unique() if c),
                                placeholder=t("widget.choose_many"))
    today = now().date()
    last = max([today, *listing["starts_at"].dt.date])
    dates = st.date_input(t("activities.filter_dates"), value=(today, last))
if categories:
    listing = listing[listing["category"].isin(categories)]
if isinstance(dates, tuple) and len(dates) == 2:
    listing = listing[(listing["starts_at"].dt.date >= dates[0]) & (listing["starts_at"].dt.date <= dates[1])]

if listing.empty:
    st.info(t("activities.none"))
for item in listing.itertuples():
    with st.container(border=True, key=f"activity-{item.activity_id}"):
        st.markdown(f"**{plain(item.title)}**")
        st.caption(f"{item.starts_at:%m-%d %H:%M}–{item.ends_at:%H:%M} · {plain(item.location)} · "
                   + t("activities.hours", hours=number_text(item.hours)) + f" · {plain(item.category)}")
        key, values = label_of_places(item.capacity, item.places_left, item.waitlist)
        places = t(key, **values)
        mine = item.my_status in ("confirmed", "waitlisted", "attended")
        left, right = st.columns([3, 2], vertical_alignment="center")
        left.write(f"**{status_text(item.my_status, item.my_position)}** · {places}" if mine else places)
        if not item.open_for_signup:
            right.caption(t("activities.closed_for_signup"))
        elif mine and item.my_status != "attended":
            with right.popover(t("activities.cancel"), width="stretch"):  # asks before it cancels
                st.write(t("activities.cancel_confirm", title=plain(item.title)))
                st.button(t("activities.cancel_yes"), key=f"cancel-{item.activity_id}", type="primary",
                          on_click=act, args=("cancel", item.activity_id, item.title))
        elif not mine:
            right.button(t("activities.signup"), key=f"signup-{item.activity_id}", type="primary", width="stretch",
                         on_click=act, args=("signup", item.activity_id, item.title))
            st.caption(t("activities.deadline", time=f"{item.deadline:%m-%d %H:%M}"))

st.subheader(t("activities.mine"))
mine = my_activities(tables, derivation(), viewer.person_id)
if mine.empty:
    st.info(t("activities.mine_none"))
else:
    show_cards([Card(r.title, (f"{r.starts_at:%Y-%m-%d %H:%M}", r.location), status_text(r.my_status, r.my_position))
                for r in mine.itertuples()], key="mine")
