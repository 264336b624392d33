"""Manage activities (coordinator): create one, edit one (only the changed cells), new check-in code."""
import streamlit as st

from services.activities import Refused, renew_checkin_code, save_activity
from ui.display import plain
from ui.forms import make_key_when_shown, mark_saved, submission_key
from ui.i18n import t
from ui.messages import field_error, refusal_text
from ui.session import data, flash, guard, now, show_flash
from ui.state import live
from workflows.access import may_manage_activity
from workflows.activity_form import FIELDS
from workflows.schema import ACTIVITY_STATUS

viewer = guard("manage_activities")
st.title(t("page.manage_activities"))
show_flash()
shown = data()
activities = shown.tables["activities"]
mine = activities[activities["branch"].map(lambda b: may_manage_activity(viewer, b)).astype(bool)].sort_values(
    "starts_at", ascending=False)
NEW = ""
labels = {NEW: t("manage.new"), **{a.activity_id: f"{a.starts_at:%m-%d} {a.title} · {a.activity_id}"
                                   for a in mine.itertuples()}}
chosen = st.selectbox(t("manage.pick"), list(labels), format_func=labels.get, placeholder=t("widget.choose"))
row = mine[mine["activity_id"] == chosen].iloc[0] if chosen else None
original = shown.cells_of("activities", int(row["_row"])) if row is not None else {"branch": viewer.branch}
errors_key = f"activity-errors-{chosen}"
FORM = "activity-form"  # the new activity's ID is made when the form is shown: saving twice creates one
if chosen == NEW:
    make_key_when_shown(FORM, "activity")
GENERATION = "activity-form-generation"  # each saved new activity starts the next with new, empty fields
generation = st.session_state.get(GENERATION, 0)
slot = chosen if chosen != NEW or not generation else f"new{generation}"  # the fields' key part


def save() -> None:
    values = {key: st.session_state.get(f"field-{slot}-{key}", "") for key in FIELDS}
    key = submission_key(FORM, "activity", values) if chosen == NEW else None
    try:
        saved = save_activity(live(), viewer, chosen or None, values, original, now, form_key=key)
    except Refused as refused:
        if refused.refusal.code == "changed_meanwhile":
            fields = ", ".join(t(f"field.{k}") for k in refused.refusal.detail.split(", "))
            flash("error", t("manage.conflict", fields=fields))
        else:
            flash("error", refusal_text(refused.refusal))
        return
    st.session_state[errors_key] = saved.errors or {}
    if saved.errors:
        flash("error", t("manage.fix"))
    elif saved.created or saved.already:
        flash("success", t("manage.created", title=plain(values["title"].strip()), activity_id=plain(saved.activity_id)))
        mark_saved(FORM, key, values)
        st.session_state[GENERATION] = generation + 1
    elif not saved.changed:
        flash("info", t("manage.nothing"))
    else:
        flash("success", t("manage.saved"))


errors = st.session_state.get(errors_key, {})
with st.form(f"activity-{slot}"):
    for key in FIELDS:
        label = t(f"field.{key}")
        value = original.get(key, "")
        if key == "status":
            options = [k for k, _ in ACTIVITY_STATUS]
            st.selectbox(label, options, index=options.index(row["status"]) if row is not None and row["status"] in options else 0,
                         format_func=lambda k: t(f"activity_status.{k}"), key=f"field-{slot}-{key}",
                         placeholder=t("widget.choose"))
        elif key == "description":
            st.text_area(label, value=value, key=f"field-{slot}-{key}", max_chars=2000)
        else:
            help_ = t("manage.datetime_help") if key in ("starts_at", "ends_at", "signup_deadline") else None
            st.text_input(label, value=value, key=f"field-{slot}-{key}", help=help_, max_chars=200)
        if key in errors:
            message = t(f"refusal.{errors[key][0]}") if errors[key][0] == "not_yours" else field_error(errors[key])
            st.error(f"{label}：{message}")
    st.form_submit_button(t("manage.save"), type="primary", on_click=save)

if row is not None:
    st.subheader(t("manage.code"))
    st.code(row["checkin_code"] or "—")

    def new_code() -> None:
        code = renew_checkin_code(live(), viewer, chosen, now)
        flash("success", t("manage.code_set", code=code))

    st.button(t("manage.new_code"), on_click=new_code, icon=":material/key:")
