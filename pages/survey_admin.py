"""Survey admin (coordinator): create a survey and its questions, share it, see results, track actions."""
import io

import altair as alt
import pandas as pd
import segno
import streamlit as st

from services.outcomes import Refused
from services.surveys import add_action, create_survey, move_action
from ui.display import category_label, choice_label, plain
from ui.forms import make_key_when_shown, mark_saved, second_click_after_save, submission_key
from ui.i18n import t
from ui.links import share_link, warn_if_only_local
from ui.messages import choice_text, refusal_text
from ui.session import data, flash, guard, now, show_flash
from ui.state import live
from workflows.requests import REQUEST_CATEGORIES
from workflows.surveys import QUESTION_TYPES, respondents, results

viewer = guard("survey_admin")
st.title(t("page.survey_admin"))
show_flash()
tables = data().tables
FORM = "survey-form"  # the survey's ID is made when the form is shown: creating twice creates one
make_key_when_shown(FORM, "survey")
generation = st.session_state.setdefault("survey-form-generation", 0)  # a new one: an empty form
create, view, improve = st.tabs([t("admin.create"), t("admin.results"), t("admin.actions")])

with create:
    with st.form(f"new-survey-{generation}"):
        title = st.text_input(t("admin.title"), max_chars=80, key=f"survey-title-{generation}")
        kind = st.segmented_control(t("admin.kind"), ["needs", "feedback"], default="needs",
                                    format_func=lambda k: t(f"survey_kind.{k}"), key=f"survey-kind-{generation}")
        titles = dict(zip(tables["activities"]["activity_id"], tables["activities"]["title"]))
        activity = st.selectbox(t("admin.activity"), [""] + list(titles), placeholder=t("widget.choose"),
                                format_func=lambda a: a and titles[a],
                                key=f"survey-activity-{generation}")
        anonymous = st.checkbox(t("admin.anonymous"), key=f"survey-anonymous-{generation}")
        st.caption(t("admin.questions_help"))
        questions = st.data_editor(pd.DataFrame({"text": [""], "type": ["rating"], "options": [""], "required": [True]}),
                                   num_rows="dynamic", key=f"new-questions-{generation}", column_config={
                                       "text": st.column_config.TextColumn(t("admin.q_text"), max_chars=200),
                                       "type": st.column_config.SelectboxColumn(t("admin.q_type"),
                                                                                options=list(QUESTION_TYPES),
                                                                                format_func=lambda k: choice_label(
                                                                                    "questions", "type", k)),
                                       "options": st.column_config.TextColumn(t("admin.q_options")),
                                       "required": st.column_config.CheckboxColumn(t("admin.q_required"))})
        made = st.form_submit_button(t("admin.create_button"), type="primary")
    repeated = second_click_after_save(FORM, made)  # a double click's second: the first made the record
    if made and not repeated:
        values = {"title": title, "kind": kind or "needs", "activity_id": activity, "anonymous": anonymous}
        asked = questions.to_dict("records")
        key = submission_key(FORM, "survey", (values, asked))
        try:
            create_survey(live(), viewer, values, asked, now, form_key=key)
        except Refused:
            st.error(t("admin.need_title_and_question"))
        else:
            mark_saved(FORM, key, (values, asked))
            st.session_state["survey-form-generation"] = generation + 1
            flash("success", t("admin.created", title=plain(title)))
            st.rerun()

surveys = tables["surveys"]
with view:
    if surveys.empty:
        st.info(t("surveys.none"))
    else:
        titles = dict(zip(surveys["survey_id"], surveys["title"]))
        survey_id = st.selectbox(t("surveys.pick"), list(titles), format_func=titles.get, key="results-pick",
                                 placeholder=t("widget.choose"))
        link = share_link("surveys", survey=survey_id)
        warn_if_only_local(link)
        image = io.BytesIO()
        segno.make(link, error="m").save(image, kind="png", scale=6, border=2)
        left, right = st.columns([1, 3])
        left.image(image.getvalue(), width=160)
        right.caption(t("admin.share"))
        right.code(link)
        st.metric(t("admin.respondents"), respondents(tables, survey_id))
        for result in results(tables, survey_id):
            st.markdown(f"**{plain(result['question_id'])}. {plain(result['text'])}** · {t('admin.answers', n=result['answers'])}")
            if "counts" in result:
                counts = pd.DataFrame({"option": list(result["counts"]), "n": list(result["counts"].values())})
                if result.get("mean") is not None:
                    st.caption(t("admin.mean", mean=result["mean"]))
                st.altair_chart(alt.Chart(counts).mark_bar().encode(
                    x=alt.X("n:Q", title=t("dash.people")), y=alt.Y("option:N", title=None, sort=None)).properties(
                    height=alt.Step(24)), width="stretch")
            else:
                for text in result["texts"][:50]:
                    st.write("· " + plain(text))

with improve:
    actions = tables["actions"]
    sources = list(surveys["survey_id"]) + list(REQUEST_CATEGORIES)
    with st.form("new-action"):
        source = st.selectbox(t("admin.source"), sources,
                              format_func=lambda s: dict(zip(surveys["survey_id"], surveys["title"])).get(s) or category_label(s),
                              placeholder=t("widget.choose"))
        finding = st.text_input(t("admin.finding"), max_chars=200)
        measure = st.text_input(t("admin.measure"), max_chars=200)
        due = st.date_input(t("admin.due"), value=None)
        if st.form_submit_button(t("admin.add_action"), type="primary") and measure.strip():
            add_action(live(), viewer, {"source": source, "finding": finding, "action": measure,
                                        "due_on": f"{due:%Y-%m-%d}" if due else ""}, now)
            flash("success", t("admin.action_added"))
            st.rerun()
    for item in actions.itertuples():
        with st.container(border=True):
            st.markdown(f"**{plain(item.action)}** · {choice_text('action_status', item.status)}")
            st.caption(f"{plain(item.finding)} · {plain(category_label(item.source))}" + (f" · {plain(item.result)}" if item.result else ""))
            if item.status != "done":
                result = st.text_input(t("admin.result"), key=f"result-{item.action_id}", max_chars=200)
                left, right = st.columns(2)
                for column, step, label in ((left, "doing", "admin.start"), (right, "done", "admin.mark_done")):
                    if (step == "done" or item.status == "planned") and column.button(
                            t(label), key=f"{step}-{item.action_id}"):
                        try:
                            move_action(live(), viewer, item.action_id, step, now, result)
                        except Refused as refused:
                            flash("error", refusal_text(refused.refusal))
                        st.rerun()
