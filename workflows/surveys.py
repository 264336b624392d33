"""Surveys, their answers and results, and improvement actions (需求调研—精准施策—效果反馈—改进提升).

A person answers a survey once: a later submission replaces the earlier one in every result.
An anonymous survey stores no respondent_id at all.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd

from workflows.refusals import Refusal
from workflows.signup import Derivation, new_id

ANSWER_LIMIT = 2000


def latest_submissions(responses: pd.DataFrame) -> pd.DataFrame:
    """The answers of each person's latest submission per survey, with a `who` column: the
    respondent, or for an anonymous submission the keyed hash its response_id starts with (see
    `submission_rows`), so one person counts once without being named; an anonymous response_id
    without one (typed by hand) stands alone."""
    anonymous = "#" + responses["response_id"].astype(str).str.split(".", n=1).str[0]
    who = responses["respondent_id"].where(responses["respondent_id"] != "", anonymous)
    responses = responses.assign(who=who)
    submitted = responses.groupby(["survey_id", "who", "response_id"], as_index=False)["submitted_at"].max()
    latest = submitted.sort_values(["submitted_at", "response_id"]).drop_duplicates(["survey_id", "who"], keep="last")
    return responses[responses["response_id"].isin(set(latest["response_id"]))]


def surveys_for(tables, derivation: Derivation, person_id: str, now: dt.datetime) -> pd.DataFrame:
    """Open surveys this person may answer: needs surveys, and the feedback survey of an activity they attended."""
    open_ = open_surveys(tables["surveys"], now)
    keep = [(who := who_may_answer(survey, derivation)) is None or person_id in who
            for survey in open_[["kind", "activity_id"]].to_dict("records")]
    shown = open_[keep] if len(open_) else open_
    return shown.assign(anonymous=anonymous(shown["anonymous"]))


def open_surveys(surveys: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """The rows of `surveys` open at `now`: status open, between their dates (either may be blank)."""
    opens, closes = surveys["opens_at"], surveys["closes_at"]
    return surveys[(surveys["status"] == "open") & (opens.isna() | (opens <= now)) & (closes.isna() | (closes >= now))]


def who_may_answer(survey, derivation: Derivation) -> frozenset | None:
    """The people who may answer an open survey: everyone (None) for a needs survey, those who attended
    its activity for a feedback survey."""
    return None if survey["kind"] != "feedback" else frozenset(derivation.roster(survey["activity_id"]).attended)


def anonymous(flags: pd.Series) -> pd.Series:
    """A survey's 匿名 cell that does not parse counts as yes: no respondent is recorded or shown."""
    return flags.fillna(True).astype(bool)


def questions_of(tables, survey_id: str) -> pd.DataFrame:
    questions = tables["questions"]
    mine = questions[questions["survey_id"] == survey_id].sort_values("_row")
    return mine.assign(required=mine["required"].fillna(False).astype(bool))  # 必答 not parsed: optional


def submission_rows(tables, derivation: Derivation, survey_id: str, person_id: str, answers: dict[str, str],
                    now: dt.datetime, anonymous_as: str = "") -> list[dict] | Refusal:
    """The answer rows of one submission. An anonymous survey stores no respondent_id: its response_id
    starts with `anonymous_as`, a keyed hash of (survey, person) that only the app can make, so a
    later submission replaces the earlier one and nobody can count one person twice."""
    if survey_id not in set(open_surveys(tables["surveys"], now)["survey_id"]):
        return Refusal("survey_closed", survey_id)
    surveys = tables["surveys"].set_index("survey_id")
    survey = surveys.loc[survey_id]
    if survey["kind"] == "feedback" and person_id not in derivation.roster(survey["activity_id"]).attended:
        return Refusal("survey_closed", survey_id)
    questions = questions_of(tables, survey_id)
    missing = [q.question_id for q in questions.itertuples() if q.required and not str(answers.get(q.question_id, "")).strip()]
    long = [q.question_id for q in questions.itertuples() if len(str(answers.get(q.question_id, ""))) > ANSWER_LIMIT]
    if long:
        return Refusal("too_long", str(ANSWER_LIMIT))
    if missing:
        return Refusal("answers_missing", ", ".join(missing))
    response_id = new_id("Q", now)
    anonymous = pd.isna(survey["anonymous"]) or bool(survey["anonymous"])
    respondent = "" if anonymous else person_id
    if anonymous:
        response_id = f"{anonymous_as}.{response_id}" if anonymous_as else response_id
    return [{"response_id": response_id, "survey_id": survey_id, "question_id": q.question_id,
             "respondent_id": respondent, "answer": str(answers.get(q.question_id, "")).strip()}
            for q in questions.itertuples() if str(answers.get(q.question_id, "")).strip()]


def results(tables, survey_id: str) -> list[dict]:
    """Per question: rating mean and distribution, choice counts, or the text answers."""
    answers = latest_submissions(tables["responses"][tables["responses"]["survey_id"] == survey_id])
    found = []
    for question in questions_of(tables, survey_id).itertuples():
        given = answers[answers["question_id"] == question.question_id]["answer"]
        result = {"question_id": question.question_id, "text": question.text, "type": question.type,
                  "answers": int((given != "").sum())}
        if question.type == "rating":
            ratings = pd.to_numeric(given, errors="coerce")
            ratings = ratings[(ratings >= 1) & (ratings <= 5)]
            result["mean"] = None if ratings.empty else round(float(ratings.mean()), 2)
            result["counts"] = {str(n): int((ratings == n).sum()) for n in range(1, 6)}
        elif question.type in ("choice", "multi"):
            options = [o.strip() for o in (question.options or "").split("|") if o.strip()]
            picked = Counter(part.strip() for answer in given for part in answer.split("|") if part.strip())
            result["counts"] = {option: picked.get(option, 0) for option in options} | \
                {other: n for other, n in picked.items() if other not in options}
        else:
            result["texts"] = [text for text in given if text]
        found.append(result)
    return found


def respondents(tables, survey_id: str) -> int:
    answers = latest_submissions(tables["responses"][tables["responses"]["survey_id"] == survey_id])
    return answers["who"].nunique()


def survey_row(values: dict[str, str], now: dt.datetime) -> dict[str, str]:
    return {"survey_id": new_id("V", now), "title": values["title"].strip(), "kind": values.get("kind") or "needs",
            "activity_id": (values.get("activity_id") or "").strip(), "opens_at": values.get("opens_at", ""),
            "closes_at": values.get("closes_at", ""), "anonymous": "true" if values.get("anonymous") else "false",
            "status": "open"}


QUESTION_TYPES = ("rating", "choice", "multi", "text")
QUESTION_LIMIT = 200


def question_rows(survey_id: str, questions: list[dict]) -> list[dict[str, str]]:
    """The question rows of a new survey, numbered 1, 2, … in the order given; blank questions are left out."""
    kept = [q for q in questions if str(q.get("text") or "").strip()]
    return [{"survey_id": survey_id, "question_id": str(number), "text": str(q["text"]).strip()[:QUESTION_LIMIT],
             "type": q.get("type") if q.get("type") in QUESTION_TYPES else "text",
             "options": str(q.get("options") or "").strip(), "required": "true" if q.get("required") else "false"}
            for number, q in enumerate(kept, start=1)]


def action_row(values: dict[str, str], now: dt.datetime) -> dict[str, str]:
    return {"action_id": new_id("X", now), "source": values.get("source", ""), "finding": values.get("finding", ""),
            "action": values.get("action", ""), "owner": values.get("owner", ""), "due_on": values.get("due_on", ""),
            "status": "planned"}


def action_status_changes(status: str, now: dt.datetime, result: str = "") -> dict[str, str]:
    changes = {"status": status}
    if status == "done":
        changes |= {"done_on": f"{now:%Y-%m-%d}", "result": result}
    return changes
