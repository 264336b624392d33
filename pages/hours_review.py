"""Hours review (coordinator): the branch's self-reported hours; approve or reject several at once."""
import streamlit as st

from services.hours import review_hours
from ui.i18n import t
from ui.messages import choice_text
from ui.session import data, flash, guard, now, show_flash
from ui.state import live

viewer = guard("hours_review")
st.title(t("page.hours_review"))
st.write(t("review.intro"))
show_flash()
shown = data()
tables = shown.tables
people = tables["people"]
branch_people = people[people["branch"] == viewer.branch]
names = dict(zip(branch_people["person_id"], branch_people["name"]))
statuses = ["pending", "approved", "rejected"]
chosen_status = st.segmented_control(t("review.status"), statuses, default="pending",
                                     format_func=lambda s: t(f"hours_status.{s}"))
queue = tables["hours"][tables["hours"]["person_id"].isin(names)]
if chosen_status:
    queue = queue[queue["status"] == chosen_status]
queue = queue.sort_values("date")
if queue.empty:
    st.info(t("review.none"))
    st.stop()

table = [{t("field.name"): names[r.person_id], t("field.date"): f"{r.date:%Y-%m-%d}", t("col.hours"): r.hours,
          t("field.service"): r.description, t("field.evidence"): r.evidence,
          t("field.status"): choice_text("hours_status", r.status), t("field.review_note"): r.review_note}
         for r in queue.itertuples()]
selection_key = f"review-selection-{st.session_state.get('review-round', 0)}"  # a new key clears the ticks
chosen = st.dataframe(table, hide_index=True, width="stretch", on_select="rerun", selection_mode="multi-row",
                      key=selection_key)
st.caption(t("review.selected", n=len(chosen.selection.rows)))
st.text_input(t("field.review_note"), max_chars=300, key="review-note")


def review(decision: str) -> None:
    """Reads the selection and the note from the session: a callback runs before the page does."""
    rows = st.session_state[selection_key]["selection"]["rows"]
    picked = [queue.iloc[i]["entry_id"] for i in rows if i < len(queue)]
    note = st.session_state.get("review-note", "")
    if not picked:
        flash("warning", t("review.pick_first"))
        return
    reviewed = review_hours(live(), viewer, picked, decision, note, now)
    refused = reviewed.refused
    messages = [t("review.done", n=reviewed.done)] if reviewed.done else []
    for reason in sorted(set(refused.values())):
        count = sum(1 for r in refused.values() if r == reason)
        messages.append(t(f"review.refused.{reason}", n=count) if reason != "note_required" else t("review.refused.note_required"))
    flash("success" if reviewed.done and not refused else "warning", " ".join(messages))
    if reviewed.done:  # the reviewed rows leave the list: clear the ticks; else keep them to fix and retry
        st.session_state["review-round"] = st.session_state.get("review-round", 0) + 1


left, right = st.columns(2)
left.button(t("review.approve"), type="primary", width="stretch", on_click=review, args=("approved",))
right.button(t("review.reject"), width="stretch", on_click=review, args=("rejected",))
