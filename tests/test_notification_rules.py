"""The rules of who is told what and when (workflows/notifications.py), on tiny tables and a fixed clock."""
from __future__ import annotations

import datetime as dt

from tests.builders import activity, people, signup, tables
from workflows.notification_texts import NOTIFICATION_TEXTS, render
from workflows.notifications import BRANCH_DIGEST, due, notification_id, quiet_until

T = dt.datetime
STARTS = "2025-11-20 09:00"


def of_kind(found, kind):
    return [n for n in found if n.kind == kind]


def recipients(found, kind):
    return sorted(n.recipient for n in of_kind(found, kind))


def full_activity_with_a_cancellation(cancel_at="2025-11-18 10:00"):
    """A1 has 2 places: P1 and P2 confirmed, P3 waitlisted; P1 cancels at `cancel_at`."""
    return dict(people=people("P1", "P2", "P3", "P4"), activities=[activity("A1", STARTS, "2025-11-20 11:00", "2")],
                signups=[signup(1, "P1"), signup(2, "P2"), signup(3, "P3", at="2025-11-10 11:00"),
                         signup(4, "P1", at=cancel_at, action="cancel")])


def test_a_cancellation_that_promotes_tells_the_promoted_person_once_and_nobody_else():
    book = tables(**full_activity_with_a_cancellation())
    first = of_kind(due(book, T(2025, 11, 18, 10, 5)), "waitlist_promoted")
    later = of_kind(due(book, T(2025, 11, 18, 16, 0)), "waitlist_promoted")
    assert [n.recipient for n in first] == ["P3"]
    assert [n.id for n in later] == [n.id for n in first]  # asked again: the same notification
    assert first[0].id == notification_id("waitlist_promoted", "A1", "P3", "S0004")
    assert first[0].urgent and first[0].params["title"] == "活动A1"


def test_a_promoted_person_who_cancelled_meanwhile_is_not_told():
    rows = full_activity_with_a_cancellation()
    rows["signups"].append(signup(5, "P3", at="2025-11-18 10:01", action="cancel"))
    assert of_kind(due(tables(**rows), T(2025, 11, 18, 10, 5)), "waitlist_promoted") == []


def test_a_cancellation_that_promotes_nobody_tells_nobody():
    rows = full_activity_with_a_cancellation()
    rows["signups"] = [signup(1, "P1"), signup(2, "P1", at="2025-11-18 10:00", action="cancel")]
    assert of_kind(due(tables(**rows), T(2025, 11, 18, 10, 5)), "waitlist_promoted") == []


def test_nothing_is_due_for_an_event_older_than_the_horizon():
    rows = full_activity_with_a_cancellation(cancel_at="2025-11-15 10:00")
    assert of_kind(due(tables(**rows), T(2025, 11, 18, 10, 5)), "waitlist_promoted") == []
    rows["settings"] = [{"key": "notify.horizon_hours", "value": "100"}]
    assert recipients(due(tables(**rows), T(2025, 11, 18, 10, 5)), "waitlist_promoted") == ["P3"]


def test_reminders_go_to_the_confirmed_a_day_and_two_hours_before_not_to_the_waitlisted_or_cancelled():
    rows = full_activity_with_a_cancellation()
    rows["signups"].append(signup(5, "P4", at="2025-11-10 12:00"))  # waitlisted behind P3
    book = tables(**rows)
    assert of_kind(due(book, T(2025, 11, 19, 8, 59)), "reminder_24h") == []
    day_before = due(book, T(2025, 11, 19, 9, 0))
    assert recipients(day_before, "reminder_24h") == ["P2", "P3"]
    two_hours = due(book, T(2025, 11, 20, 7, 30))
    assert recipients(two_hours, "reminder_2h") == ["P2", "P3"] and of_kind(two_hours, "reminder_24h") == []
    assert not of_kind(due(book, T(2025, 11, 20, 9, 0)), "reminder_2h")  # started: too late
    assert {n.id for n in of_kind(day_before, "reminder_24h")}.isdisjoint(n.id for n in two_hours)


def test_a_cancelled_activity_sends_no_reminder():
    rows = full_activity_with_a_cancellation()
    rows["activities"] = [activity("A1", STARTS, "2025-11-20 11:00", "2", status="cancelled")]
    assert of_kind(due(tables(**rows), T(2025, 11, 19, 12, 0)), "reminder_24h") == []


def test_changing_or_cancelling_an_activity_tells_the_confirmed_and_the_waitlisted_once():
    rows = full_activity_with_a_cancellation()
    rows["signups"] = rows["signups"][:3]  # P1, P2 confirmed, P3 waitlisted
    rows["_audit"] = [
        {"audit_id": "U1", "at": "2025-11-18 10:00", "actor": "C1", "table": "activities", "record": "activity_id=A1",
         "column": "location", "old": "A楼", "new": "B楼"},
        {"audit_id": "U2", "at": "2025-11-18 10:00", "actor": "C1", "table": "activities", "record": "activity_id=A1",
         "column": "starts_at", "old": "x", "new": "y"},
        {"audit_id": "U3", "at": "2025-11-18 12:00", "actor": "C1", "table": "activities", "record": "activity_id=A1",
         "column": "status", "old": "open", "new": "cancelled"},
        {"audit_id": "U4", "at": "2025-11-18 12:30", "actor": "C1", "table": "activities", "record": "activity_id=A1",
         "column": "description", "old": "", "new": "细节"},
    ]
    found = due(tables(**rows), T(2025, 11, 18, 12, 10))
    assert recipients(found, "activity_changed") == ["P1", "P2", "P3"]  # the description is not watched
    assert of_kind(found, "activity_changed")[0].params["changed"] == "location, starts_at"
    rows["activities"] = [activity("A1", STARTS, "2025-11-20 11:00", "2", status="cancelled")]
    found = due(tables(**rows), T(2025, 11, 18, 13, 0))
    assert recipients(found, "activity_cancelled") == ["P1", "P2", "P3"] and not of_kind(found, "activity_changed")
    assert of_kind(found, "activity_cancelled")[0].at == T(2025, 11, 18, 12, 0)


def test_an_activity_cancelled_by_hand_in_the_sheet_is_told_once_and_a_past_one_not_at_all():
    rows = full_activity_with_a_cancellation()
    rows["signups"] = rows["signups"][:3]
    rows["activities"] = [activity("A1", STARTS, "2025-11-20 11:00", "2", status="已取消"),
                          activity("A0", "2025-11-01 09:00", "2025-11-01 11:00", "2", status="cancelled")]
    rows["signups"].append(signup(9, "P4", activity_id="A0", at="2025-10-30 10:00"))
    first, later = due(tables(**rows), T(2025, 11, 18, 13, 0)), due(tables(**rows), T(2025, 11, 19, 9, 0))
    assert recipients(first, "activity_cancelled") == ["P1", "P2", "P3"]
    assert {n.id for n in of_kind(first, "activity_cancelled")} == {n.id for n in of_kind(later, "activity_cancelled")}


def request_rows():
    return dict(
        people=people("R1", "M1", "M2", branch="一支部") + people("C1", branch="一支部", role="coordinator")
        + people("C2", branch="二支部", role="coordinator"),
        requests=[{"request_id": "Q1", "title": "水龙头漏水", "requester_id": "R1", "contact": "13900000000",
                   "submitted_at": "2025-11-10 09:00", "status": "resolved", "assignee_id": "M1",
                   "due_at": "2025-11-13 09:00", "resolution": "已修好", "category": "维修"},
                  {"request_id": "Q2", "title": "想学游泳", "requester_id": "R1", "submitted_at": "2025-11-01 09:00",
                   "status": "accepted", "due_at": "2025-11-04 09:00", "category": "生活"}],
        request_events=[
            {"event_id": "E1", "request_id": "Q1", "at": "2025-11-18 09:00", "actor": "C1", "action": "accept",
             "from_status": "submitted", "to_status": "accepted"},
            {"event_id": "E2", "request_id": "Q1", "at": "2025-11-18 09:10", "actor": "C1", "action": "assign",
             "from_status": "accepted", "to_status": "assigned", "note": "M1"},
            {"event_id": "E3", "request_id": "Q1", "at": "2025-11-18 15:00", "actor": "M1", "action": "resolve",
             "from_status": "assigned", "to_status": "resolved", "note": "已修好"}])


def test_each_step_of_a_request_tells_the_requester_and_an_assignment_tells_the_assignee():
    found = due(tables(**request_rows()), T(2025, 11, 18, 16, 0))
    assert recipients(found, "request_accepted") == ["R1"]
    assert recipients(found, "request_assigned") == ["R1"]
    assert recipients(found, "assigned_to_you") == ["M1"]
    resolved = of_kind(found, "request_resolved")
    assert [n.recipient for n in resolved] == ["R1"] and resolved[0].params["resolution"] == "已修好"
    assert "请评价" in render("request_resolved", resolved[0].params, "zh")[0]
    assert "please rate" in render("request_resolved", resolved[0].params, "en")[0]


def test_a_rejected_request_tells_the_requester_why():
    rows = request_rows()
    rows["requests"][1].update(status="rejected", resolution="不属于受理范围")
    rows["request_events"].append({"event_id": "E5", "request_id": "Q2", "at": "2025-11-18 11:00", "actor": "C1",
                                   "action": "reject", "from_status": "submitted", "to_status": "rejected",
                                   "note": "不属于受理范围"})
    rejected = of_kind(due(tables(**rows), T(2025, 11, 18, 16, 0)), "request_rejected")
    assert [n.recipient for n in rejected] == ["R1"]
    assert "不属于受理范围" in render("request_rejected", rejected[0].params, "zh")[1]


def test_a_rating_that_reopens_a_request_confirms_it_to_the_requester_and_tells_who_handled_it():
    rows = request_rows()
    rows["requests"][0].update(status="reopened", rating="2")
    rows["request_events"].append({"event_id": "E4", "request_id": "Q1", "at": "2025-11-18 15:30", "actor": "R1",
                                   "action": "rate", "from_status": "resolved", "to_status": "reopened",
                                   "note": "2★ 未解决 还在漏"})
    found = due(tables(**rows), T(2025, 11, 18, 16, 0))
    assert recipients(found, "request_reopened") == ["R1"]
    handled = of_kind(found, "reopened_for_assignee")
    assert [n.recipient for n in handled] == ["M1"] and handled[0].params["note"] == "2★ 未解决 还在漏"


def test_overdue_requests_reach_the_branchs_coordinators_as_one_digest_a_day_from_the_digest_hour():
    book = tables(**request_rows())
    assert of_kind(due(book, T(2025, 11, 18, 7, 59)), "requests_overdue") == []
    morning, evening = due(book, T(2025, 11, 18, 8, 0)), due(book, T(2025, 11, 18, 20, 0))
    assert recipients(morning, "requests_overdue") == ["C1"]  # not C2 of another branch
    assert [n.id for n in of_kind(morning, "requests_overdue")] == [n.id for n in of_kind(evening, "requests_overdue")]
    assert of_kind(morning, "requests_overdue")[0].params["count"] == "1"
    next_day = due(book, T(2025, 11, 19, 8, 0))
    assert of_kind(next_day, "requests_overdue")[0].id != of_kind(morning, "requests_overdue")[0].id


def test_the_coordinator_digest_counts_the_work_waiting_and_the_branch_digest_names_no_request():
    rows = request_rows()
    rows["hours"] = [{"entry_id": "H1", "person_id": "M2", "date": "2025-11-17", "hours": "2", "status": "pending"}]
    rows["activities"] = [activity("A9", "2025-11-19 14:00", "2025-11-19 16:00", branch="一支部")]
    found = due(tables(**rows), T(2025, 11, 18, 9, 0))
    digest = of_kind(found, "coordinator_digest")
    assert [n.recipient for n in digest] == ["C1"]
    assert {k: digest[0].params[k] for k in ("hours", "overdue", "tomorrow")} == {"hours": "1", "overdue": "1",
                                                                                 "tomorrow": "1"}
    robot = of_kind(found, BRANCH_DIGEST)
    assert [n.recipient for n in robot] == ["branch:一支部"]
    assert "想学游泳" not in " ".join(render(BRANCH_DIGEST, robot[0].params, "zh"))


def test_a_reviewed_hours_entry_tells_its_person_with_the_note():
    rows = dict(people=people("P1"), hours=[
        {"entry_id": "H1", "person_id": "P1", "date": "2025-11-15", "hours": "3", "description": "社区清扫",
         "status": "rejected", "reviewed_by": "C1", "reviewed_at": "2025-11-18 10:00", "review_note": "缺少证明材料"},
        {"entry_id": "H2", "person_id": "P1", "date": "2025-11-15", "hours": "1", "status": "approved",
         "reviewed_at": "2025-11-18 10:00"},
        {"entry_id": "H3", "person_id": "P1", "date": "2025-11-15", "hours": "1", "status": "pending"}])
    found = due(tables(**rows), T(2025, 11, 18, 12, 0))
    rejected = of_kind(found, "hours_rejected")
    assert [n.recipient for n in rejected] == ["P1"] and rejected[0].params["note"] == "缺少证明材料"
    assert "缺少证明材料" in render("hours_rejected", rejected[0].params, "en")[1]
    assert recipients(found, "hours_approved") == ["P1"]


def test_a_survey_that_opened_reaches_its_audience_a_feedback_survey_only_those_who_attended():
    rows = full_activity_with_a_cancellation()
    rows["checkins"] = [{"checkin_id": "C1", "activity_id": "A1", "person_id": "P2", "at": "2025-11-20 09:10",
                         "method": "coordinator"}]
    rows["surveys"] = [
        {"survey_id": "SV1", "title": "需求调研", "kind": "needs", "opens_at": "2025-11-21 08:00", "status": "open"},
        {"survey_id": "SV2", "title": "活动反馈", "kind": "feedback", "activity_id": "A1",
         "opens_at": "2025-11-21 08:00", "status": "open"},
        {"survey_id": "SV3", "title": "旧问卷", "kind": "needs", "opens_at": "2025-10-01 08:00", "status": "open"}]
    found = of_kind(due(tables(**rows), T(2025, 11, 21, 9, 0)), "survey_opened")
    assert sorted(n.recipient for n in found if n.subject == "SV1") == ["P1", "P2", "P3", "P4"]
    assert [n.recipient for n in found if n.subject == "SV2"] == ["P2"]
    assert not [n for n in found if n.subject == "SV3"]


def test_in_the_quiet_hours_non_urgent_ones_wait_for_the_morning_and_urgent_ones_do_not():
    rows = full_activity_with_a_cancellation(cancel_at="2025-11-18 23:00")
    rows["hours"] = [{"entry_id": "H1", "person_id": "P2", "date": "2025-11-15", "hours": "1", "status": "approved",
                      "reviewed_at": "2025-11-18 22:30"}]
    found = due(tables(**rows), T(2025, 11, 18, 23, 5))
    assert of_kind(found, "waitlist_promoted")[0].not_before is None
    assert of_kind(found, "hours_approved")[0].not_before == T(2025, 11, 19, 7, 0)
    rows["settings"] = [{"key": "notify.quiet_hours", "value": "none"}]
    assert of_kind(due(tables(**rows), T(2025, 11, 18, 23, 5)), "hours_approved")[0].not_before is None


def test_quiet_hours_that_do_not_cross_midnight_end_the_same_day():
    assert quiet_until(T(2025, 1, 1, 13, 0), (dt.time(12), dt.time(14))) == T(2025, 1, 1, 14, 0)
    assert quiet_until(T(2025, 1, 1, 3, 0), (dt.time(22), dt.time(7))) == T(2025, 1, 1, 7, 0)
    assert quiet_until(T(2025, 1, 1, 10, 0), (dt.time(22), dt.time(7))) is None


def test_a_bad_setting_falls_back_to_its_default_instead_of_failing():
    rows = full_activity_with_a_cancellation()
    rows["settings"] = [{"key": "notify.horizon_hours", "value": "三天"}, {"key": "notify.quiet_hours", "value": "晚上"},
                        {"key": "notify.digest_hour", "value": "99"}]
    assert recipients(due(tables(**rows), T(2025, 11, 18, 10, 5)), "waitlist_promoted") == ["P3"]


SECRETS = ("13900000000", "p1@private.example", "K7Q2", "secret-contact-42")


def test_no_message_carries_a_private_value_of_anyone():
    """Phones, e-mails, request contacts and check-in codes are never among a message's params or words."""
    rows = full_activity_with_a_cancellation()
    rows["people"] = people("P1", "P2", "P3", "P4", phone="13900000000", email="p1@private.example", branch="一支部") \
        + people("C1", branch="一支部", role="coordinator")
    rows["signups"].append(signup(5, "P4", at="2025-11-10 12:00"))
    more = request_rows()
    rows["requests"] = [dict(r, contact="secret-contact-42") for r in more["requests"]]
    rows["request_events"] = more["request_events"]
    rows["people"] += people("R1", "M1", branch="一支部", phone="13900000000")
    found = due(tables(**rows), T(2025, 11, 18, 16, 0)) + due(tables(**rows), T(2025, 11, 19, 10, 0))
    assert {n.kind for n in found} >= {"waitlist_promoted", "reminder_24h", "request_resolved", "requests_overdue"}
    for n in found:
        words = " ".join([*n.params.values(), *render(n.kind, n.params, "zh"), *render(n.kind, n.params, "en")])
        assert not any(secret in words for secret in SECRETS), (n.kind, n.recipient)


def test_every_kind_has_a_subject_and_a_body_in_both_languages():
    from workflows.notifications import PERSON_KINDS

    for kind in (*PERSON_KINDS, BRANCH_DIGEST):
        for part in ("subject", "body"):
            assert set(NOTIFICATION_TEXTS[f"notify.{kind}.{part}"]) == {"zh", "en"}


def test_on_the_demo_college_no_message_carries_anyones_phone_email_contact_or_checkin_code():
    from demo.codes import load_demo_rows

    made = T(2025, 11, 20, 10, 0)
    book = tables(**dict(load_demo_rows(made)))
    private = set()
    for table, column in (("people", "phone"), ("people", "email"), ("requests", "contact"),
                          ("activities", "checkin_code")):
        private |= {str(v) for v in book[table][column].dropna() if len(str(v)) >= 4}
    assert len(private) > 100
    found = [n for hours in (0, 9, 13, 26) for n in due(book, made + dt.timedelta(hours=hours))]
    assert len({n.kind for n in found}) >= 5
    for n in found:
        words = " ".join([*n.params.values(), *render(n.kind, n.params, "zh")])
        assert not [secret for secret in private if secret in words], (n.kind, n.recipient)


GARBAGE = ("", "三", "2025-13-40", "=1+1", "-", "  ", "activity_id=", "已取消")


def test_whatever_a_coordinator_typed_into_the_sheets_the_rules_answer_without_failing():
    from workflows.schema import ALL_TABLES

    for index, junk in enumerate(GARBAGE):
        rows = full_activity_with_a_cancellation()
        rows.update(request_rows())
        rows["people"] += people("P1", "P2", "P3", "P4")
        for spec in ALL_TABLES:
            if spec.key in ("settings", "_meta", "_access_codes"):
                continue
            row = {key: junk for key in spec.column_keys}
            rows.setdefault(spec.key, [])
            rows[spec.key] = rows[spec.key] + [row, dict(row, **{spec.column_keys[0]: f"X{index}"})]
        rows["hours"].append({"entry_id": f"HJ{index}", "person_id": "P1", "date": junk, "hours": junk,
                              "status": "approved", "reviewed_at": "2025-11-18 10:00", "review_note": junk})
        rows["settings"] = [{"key": key, "value": junk} for key in
                            ("notify.horizon_hours", "notify.quiet_hours", "notify.digest_hour")]
        for moment in (T(2025, 11, 18, 10, 5), T(2025, 11, 19, 23, 0), T(2025, 11, 20, 8, 0)):
            for n in due(tables(**rows), moment):
                render(n.kind, n.params, "en")
