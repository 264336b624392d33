"""Every indicator of kpis.md on a small hand-built workbook, with its expected value written out."""
from __future__ import annotations

import datetime as dt

from tests.builders import tables
from workflows.indicators import report
from workflows.signup import derive

AS_OF = dt.datetime(2025, 12, 1, 12, 0)


def person(pid, status, branch, building="", floor="", active="是"):
    return {"person_id": pid, "name": f"成员{pid}", "political_status": status, "branch": branch,
            "building": building, "floor": floor, "active": active, "phone": "13800000000"}


PEOPLE = [person("P1", "party_member", "B1", "1号楼", "3"), person("P2", "probationary_member", "B1", "1号楼", "4"),
          person("P3", "league_member", "B1", "1号楼", "3"), person("P4", "共青团员", "B2", "2号楼", "1"),
          person("P5", "masses", "B2"), person("P6", "party_member", "B2", "2号楼", "1", active="否")]


def act(aid, day, start, end, capacity, hours, status):
    return {"activity_id": aid, "title": aid, "starts_at": f"{day} {start}", "ends_at": f"{day} {end}",
            "capacity": capacity, "hours": hours, "status": status}


ACTIVITIES = [act("A1", "2025-11-10", "09:00", "11:00", "2", "2", "closed"),
              act("A2", "2025-11-12", "09:00", "11:00", "", "3", "cancelled"),
              act("A3", "2025-12-10", "09:00", "11:00", "5", "1", "open"),
              act("A4", "2025-11-20", "14:00", "16:00", "", "1.5", "closed")]


def su(n, aid, pid, at):
    return {"signup_id": f"S{n}", "activity_id": aid, "person_id": pid, "at": at}


SIGNUPS = [su(1, "A1", "P1", "2025-11-01 10:00"), su(2, "A1", "P3", "2025-11-02 10:00"),
           su(3, "A1", "P4", "2025-11-03 10:00"), su(4, "A2", "P2", "2025-11-01 10:00"),
           su(5, "A3", "P5", "2025-11-20 10:00"), su(6, "A4", "P2", "2025-11-15 10:00"),
           su(7, "A4", "P4", "2025-11-15 10:01"),
           su(8, "A4", "P9", "2025-11-15 10:02"),  # unknown person: ignored
           su(9, "A4", "P5", "2025-11-20 15:00")]  # after the deadline: refused, ignored


def ci(n, aid, pid, at, method="code"):
    return {"checkin_id": f"C{n}", "activity_id": aid, "person_id": pid, "at": at, "method": method}


CHECKINS = [ci(1, "A1", "P1", "2025-11-10 09:05"), ci(2, "A1", "P4", "2025-11-10 09:06"),  # P4 waitlisted: refused
            ci(3, "A2", "P2", "2025-11-12 09:10", "coordinator"), ci(4, "A4", "P2", "2025-11-20 14:10"),
            ci(5, "A4", "P4", "2025-11-20 15:00", "coordinator")]


def hrs(eid, pid, status, hours, date):
    return {"entry_id": eid, "person_id": pid, "status": status, "hours": hours, "date": date, "description": "x"}


HOURS = [hrs("H1", "P3", "approved", "4", "2025-11-05"), hrs("H2", "P1", "pending", "2", "2025-11-05"),
         hrs("H3", "P5", "approved", "1", "2025-12-05"),  # dated after as_of
         hrs("H4", "P1", "approved", "三", "2025-11-05"),  # does not parse: ignored
         hrs("H5", "P6", "approved", "10", "2025-11-01")]  # inactive person: in hours_total only


def req(rid, category, submitted, status, kind="request", resolved="", rating="", due=""):
    return {"request_id": rid, "kind": kind, "category": category, "title": rid, "submitted_at": submitted,
            "status": status, "resolved_at": resolved, "rating": rating, "due_at": due, "contact": "13900000000"}


REQUESTS = [req("R1", "维修", "2025-11-01 10:00", "closed", resolved="2025-11-02 10:00", rating="5"),
            req("R2", "学业", "2025-11-10 10:00", "resolved", "wish", resolved="2025-11-20 10:00"),
            req("R3", "其他", "2025-11-28 10:00", "submitted"),
            req("R4", "学业", "2025-11-25 10:00", "rejected"),
            req("R5", "维修", "2025-11-29 10:00", "assigned", due="2025-12-05 10:00"),
            req("R6", "学业", "2025-12-02 10:00", "submitted"),  # after as_of
            req("R7", "学业", "2025-11-05 10:00", "reopened", "wish", resolved="2025-11-06 10:00", rating="2")]

SURVEYS = [{"survey_id": "S1", "title": "A1反馈", "kind": "feedback", "activity_id": "A1"},
           {"survey_id": "S2", "title": "需求", "kind": "needs"}]
QUESTIONS = [{"survey_id": "S1", "question_id": "1", "text": "满意度", "type": "rating"},
             {"survey_id": "S1", "question_id": "2", "text": "建议", "type": "text"},
             {"survey_id": "S2", "question_id": "1", "text": "需要程度", "type": "rating"},
             {"survey_id": "S2", "question_id": "2", "text": "类别", "type": "choice", "options": "A|B"}]


def ans(rid, sid, qid, who, answer, at):
    return {"response_id": rid, "survey_id": sid, "question_id": qid, "respondent_id": who, "answer": answer,
            "submitted_at": at}


RESPONSES = [ans("RS1", "S1", "1", "P1", "5", "2025-11-11 10:00"), ans("RS1", "S1", "2", "P1", "好", "2025-11-11 10:00"),
             ans("RS2", "S1", "1", "P3", "4", "2025-11-11 11:00"), ans("RS3", "S1", "1", "", "3", "2025-11-11 12:00"),
             ans("RS4", "S1", "1", "", "五", "2025-11-11 13:00"),  # not a rating: left out of the mean
             ans("RS5", "S2", "1", "P1", "1", "2025-11-11 10:00"), ans("RS5", "S2", "2", "P1", "A", "2025-11-11 10:00"),
             ans("RS6", "S1", "1", "P1", "4", "2025-11-12 10:00"),  # P1 again: replaces RS1
             ans("RS7", "S2", "1", "P4", "3", "2025-12-02 10:00")]  # after as_of

ACTIONS = [{"action_id": "X1", "status": "done"}, {"action_id": "X2", "status": "doing"},
           {"action_id": "X3", "status": "planned"}]
SETTINGS = [{"key": "deadline_days.维修", "value": "2"}, {"key": "term_start", "value": "2025-09-01"},
            {"key": "term_end", "value": "2026-01-31"}, {"key": "compliance_hours", "value": "2"}]


def test_every_indicator_of_the_hand_built_workbook():
    t = tables(people=PEOPLE, activities=ACTIVITIES, signups=SIGNUPS, checkins=CHECKINS, hours=HOURS,
               requests=REQUESTS, surveys=SURVEYS, questions=QUESTIONS, responses=RESPONSES, actions=ACTIONS,
               settings=SETTINGS)
    assert report(t, derive(t), AS_OF) == {
        "as_of": "2025-12-01T12:00:00+08:00",
        "volunteers_registered": 5,
        "volunteers_serving": 4,  # P1 2, P2 1.5, P3 4, P4 1.5; P5 none yet
        "hours_total": 19.0,  # 2 + 1.5 + 4 + 1.5 + 0 + 10 (P6, inactive)
        "hours_avg": 3.8,
        "party_share": 0.4,
        "league_share": 0.4,
        "activities_held": 2,  # A1, A4 (A2 cancelled, A3 to come)
        "signups_confirmed": 4,  # A1: P1 P3; A4: P2 P4
        "attendance_rate": 0.75,  # P1, P2, P4 of 4
        "participation_rate": 0.8,  # P1 P2 P4 attended, P3 approved row; not P5
        "requests_received": 6,
        "response_rate": 0.8333,
        "resolution_rate": 0.4,  # R1 R2 of the 5 not rejected
        "on_time_rate": 0.6667,  # R1 R7 on time, R2 late
        "overdue_open": 2,  # R3 (due 12-01 10:00), R7 reopened
        "satisfaction_avg": 3.5,
        "satisfaction_rate": 0.5,
        "wishes_collected": 2,
        "wishes_fulfilled": 1,
        "coverage_rate": 0.75,  # P1 P2 P3 live on a floor with a Party member; P4 does not
        "compliance_rate": 0.5,  # P1 reaches 2 hours in the term, P2 does not
        "survey_submissions": 5,
        "survey_rating_avg": 3.67,  # latest answers: 4 (P1), 4 (P3), 3 (anonymous)
        "actions_done_rate": 0.3333,
        "by_branch": {"B1": {"volunteers": 3, "hours_total": 7.5, "party_share": 0.6667},
                      "B2": {"volunteers": 2, "hours_total": 11.5, "party_share": 0.0}},
    }


def test_an_empty_workbook_gives_nulls_not_errors():
    t = tables()
    figures = report(t, derive(t), AS_OF)
    assert figures["volunteers_registered"] == 0 and figures["hours_total"] == 0.0
    for key in ("hours_avg", "party_share", "league_share", "attendance_rate", "participation_rate", "response_rate",
                "resolution_rate", "on_time_rate", "satisfaction_avg", "satisfaction_rate", "coverage_rate",
                "compliance_rate", "survey_rating_avg", "actions_done_rate"):
        assert figures[key] is None, key
    assert figures["by_branch"] == {}
