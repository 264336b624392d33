"""Surveys: open by dates, required questions, latest answer wins, anonymity, results."""
from __future__ import annotations

import datetime as dt

from tests.builders import activity, people, signup, tables
from workflows.refusals import Refusal
from workflows.signup import derive
from workflows.surveys import results, submission_rows, surveys_for

NOW = dt.datetime(2025, 12, 1, 12, 0)


def survey(sid="V1", **more):
    return {"survey_id": sid, "title": "调研", "kind": "needs", "status": "open", **more}


QUESTIONS = [{"survey_id": "V1", "question_id": "1", "text": "满意度", "type": "rating", "required": "是"},
             {"survey_id": "V1", "question_id": "2", "text": "需要", "type": "multi", "options": "自习|打印"},
             {"survey_id": "V1", "question_id": "3", "text": "建议", "type": "text"}]


def answer(rid, who, q, value, at):
    return {"response_id": rid, "survey_id": "V1", "question_id": q, "respondent_id": who, "answer": value,
            "submitted_at": at}


def test_a_survey_is_open_between_its_dates_and_while_its_status_is_open():
    t = tables(people=people("1"), surveys=[survey("V1", opens_at="2025-11-01", closes_at="2025-12-31"),
                                            survey("V2", closes_at="2025-11-30"), survey("V3", status="closed"),
                                            survey("V4", opens_at="2025-12-02")])
    assert list(surveys_for(t, derive(t), "1", NOW)["survey_id"]) == ["V1"]


def test_a_feedback_survey_is_offered_only_to_the_activitys_attendees():
    checkins = [{"checkin_id": "C1", "activity_id": "A1", "person_id": "1", "at": "2025-11-20 09:10"}]
    t = tables(people=people("1", "2"), activities=[activity()], signups=[signup(1, "1"), signup(2, "2")],
               checkins=checkins, surveys=[survey(kind="feedback", activity_id="A1")])
    assert list(surveys_for(t, derive(t), "1", NOW)["survey_id"]) == ["V1"]
    assert surveys_for(t, derive(t), "2", NOW).empty


def test_required_questions_must_be_answered():
    t = tables(people=people("1"), surveys=[survey()], questions=QUESTIONS)
    assert submission_rows(t, derive(t), "V1", "1", {"3": "好"}, NOW) == Refusal("answers_missing", "1")


def test_an_anonymous_survey_stores_no_respondent():
    t = tables(people=people("1"), surveys=[survey(anonymous="是")], questions=QUESTIONS)
    rows = submission_rows(t, derive(t), "V1", "1", {"1": "4", "3": "好"}, NOW)
    assert [r["respondent_id"] for r in rows] == ["", ""] and len({r["response_id"] for r in rows}) == 1


def test_results_count_each_persons_latest_submission_only():
    responses = [answer("R1", "1", "1", "1", "2025-11-20 10:00"), answer("R1", "1", "2", "自习", "2025-11-20 10:00"),
                 answer("R2", "2", "1", "5", "2025-11-20 11:00"), answer("R2", "2", "2", "自习|打印", "2025-11-20 11:00"),
                 answer("R3", "1", "1", "4", "2025-11-21 10:00"), answer("R3", "1", "3", "多开自习室", "2025-11-21 10:00"),
                 answer("R4", "", "1", "3", "2025-11-22 10:00")]
    t = tables(surveys=[survey()], questions=QUESTIONS, responses=responses)
    rating, multi, text = results(t, "V1")
    assert rating["mean"] == 4.0 and rating["counts"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert multi["counts"] == {"自习": 1, "打印": 1}  # person 1's later answer left this out
    assert text["texts"] == ["多开自习室"]
