"""Surveys (members): answer the open surveys meant for you; a later answer replaces an earlier one."""
import streamlit as st

from services.outcomes import Refused
from services.surveys import answer_survey
from ui.i18n import t
from ui.messages import refusal_text
from ui.session import data, derivation, guard, now
from ui.state import live
from workflows.surveys import questions_of, surveys_for

viewer = guard("surveys")
st.title(t("page.surveys"))
tables = data().tables
available = surveys_for(tables, derivation(), viewer.person_id, now())
if available.empty:
    st.info(t("surveys.none"))
    st.stop()
titles = dict(zip(available["survey_id"], available["title"]))
wanted = st.query_params.get("survey", "")
ids = list(titles)
survey_id = st.selectbox(t("surveys.pick"), ids, format_func=titles.get, index=ids.index(wanted) if wanted in ids else 0,
                         placeholder=t("widget.choose"))
survey = available.set_index("survey_id").loc[survey_id]
if survey["anonymous"]:
    st.caption(t("surveys.anonymous"))

questions = questions_of(tables, survey_id)
numbers = {q.question_id: f"Q{n}" for n, q in enumerate(questions.itertuples(), start=1)}
problem_key = f"survey-problem-{survey_id}"  # (message, missing question IDs) of the last try
message, missing = st.session_state.pop(problem_key, ("", ()))
if message:  # above the questions, where the person looks next
    st.error(message)

with st.form(f"answer-{survey_id}"):
    answers = {}
    for q in questions.itertuples():
        label = f"{numbers[q.question_id]}. {q.text}" + (" *" if q.required else "")
        options = [o.strip() for o in (q.options or "").split("|") if o.strip()]
        if q.type == "rating":
            picked = st.radio(label, [1, 2, 3, 4, 5], index=None, horizontal=True, key=f"q-{survey_id}-{q.question_id}")
            st.caption(t("surveys.rating_scale"))  # what the ends mean, below the five (captions would wrap them)
            answers[q.question_id] = "" if picked is None else str(picked)
        elif q.type == "choice":
            picked = st.radio(label, options, index=None, key=f"q-{survey_id}-{q.question_id}")
            answers[q.question_id] = picked or ""
        elif q.type == "multi":
            answers[q.question_id] = "|".join(st.multiselect(label, options, key=f"q-{survey_id}-{q.question_id}",
                                                                    placeholder=t("widget.choose_many")))
        else:
            answers[q.question_id] = st.text_area(label, max_chars=1000, key=f"q-{survey_id}-{q.question_id}")
        if q.question_id in missing:
            st.caption(f":red[{t('surveys.required_here')}]")
    submitted = st.form_submit_button(t("surveys.submit"), type="primary")
if submitted:
    try:
        answer_survey(live(), viewer, survey_id, answers, now)
        st.success(t("surveys.thanks"))
    except Refused as refused:
        refusal = refused.refusal
        if refusal.code == "answers_missing":
            missing = tuple(q.strip() for q in refusal.detail.split(","))
            message = t("refusal.answers_missing", detail=t("list.separator").join(numbers.get(q, q) for q in missing))
            st.session_state[problem_key] = (message, missing)
            st.rerun()  # the message above the questions and beside each one left out
        st.error(refusal_text(refusal))
