"""The sign-up rules: derived roster, refusals, check-in."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings, strategies as st

from tests.builders import activity, people, signup, tables
from workflows.signup import decide_cancel, decide_checkin, decide_signup, derive

NOW = dt.datetime(2025, 11, 15, 12, 0)


def roster(t, activity_id="A1"):
    return derive(t).roster(activity_id)


def test_the_first_capacity_active_people_are_confirmed_and_the_rest_waitlisted_in_order():
    t = tables(people=people("1", "2", "3", "4"), activities=[activity(capacity="2")],
               signups=[signup(1, "1", at="2025-11-10 10:00"), signup(2, "2", at="2025-11-10 10:01"),
                        signup(3, "3", at="2025-11-10 10:02"), signup(4, "4", at="2025-11-10 10:03")])
    assert roster(t).confirmed == ["1", "2"]
    assert roster(t).waitlisted == ["3", "4"]
    assert roster(t).status_of("4") == ("waitlisted", 2)


def test_equal_times_are_ordered_by_signup_id():
    t = tables(people=people("1", "2"), activities=[activity(capacity="1")],
               signups=[signup(2, "2"), signup(1, "1")])
    assert roster(t).confirmed == ["1"]


def test_a_cancellation_promotes_the_first_waitlisted_person():
    t = tables(people=people("1", "2", "3"), activities=[activity(capacity="1")],
               signups=[signup(1, "1"), signup(2, "2", at="2025-11-10 10:01"), signup(3, "3", at="2025-11-10 10:02"),
                        signup(4, "1", at="2025-11-11 10:00", action="cancel")])
    assert roster(t).confirmed == ["2"] and roster(t).waitlisted == ["3"] and roster(t).cancelled == ["1"]


def test_signing_up_again_after_cancelling_goes_to_the_end_of_the_queue():
    t = tables(people=people("1", "2"), activities=[activity(capacity="1")],
               signups=[signup(1, "1"), signup(2, "2", at="2025-11-10 10:01"),
                        signup(3, "1", at="2025-11-11 10:00", action="cancel"), signup(4, "1", at="2025-11-11 11:00")])
    assert roster(t).confirmed == ["2"] and roster(t).waitlisted == ["1"]


def test_repeated_signups_count_once_at_the_first():
    t = tables(people=people("1", "2"), activities=[activity(capacity="1")],
               signups=[signup(1, "1"), signup(2, "2", at="2025-11-10 10:01"), signup(3, "1", at="2025-11-10 10:02")])
    assert roster(t).confirmed == ["1"] and roster(t).waitlisted == ["2"]


def test_unlimited_capacity_confirms_everyone():
    t = tables(people=people("1", "2", "3"), activities=[activity(capacity="")],
               signups=[signup(i, str(i)) for i in (1, 2, 3)])
    assert roster(t).confirmed == ["1", "2", "3"] and roster(t).waitlisted == []


def test_rows_after_the_deadline_are_ignored_and_reported():
    t = tables(people=people("1"), activities=[activity(signup_deadline="2025-11-12 00:00")],
               signups=[signup(1, "1", at="2025-11-13 10:00")])
    derivation = derive(t)
    assert derivation.roster("A1").confirmed == []
    assert [(p.row, p.column) for p in derivation.problems] == [(2, "at")]


def test_rows_of_inactive_people_are_ignored_and_reported():
    t = tables(people=people("1", active="否"), activities=[activity()], signups=[signup(1, "1")])
    assert roster(t).confirmed == [] and derive(t).problems[0].column == "person_id"


def test_a_signup_overlapping_a_confirmed_activity_is_ignored_and_reported():
    t = tables(people=people("1"),
               activities=[activity("A1"), activity("A2", starts="2025-11-20 10:00", ends="2025-11-20 12:00")],
               signups=[signup(1, "1", "A1"), signup(2, "1", "A2", at="2025-11-10 11:00")])
    assert roster(t, "A2").confirmed == []
    problem = derive(t).problems[0]
    assert (problem.code, problem.params) == ("overlap", {"activity_id": "A1"})
    assert "overlaps with A1" in problem.problem


def test_rows_of_an_activity_cancelled_later_are_valid_history():
    t = tables(people=people("1"), activities=[activity(status="cancelled")], signups=[signup(1, "1")])
    assert roster(t).confirmed == ["1"] and derive(t).problems == []


def test_a_new_signup_is_refused_with_its_reason():
    t = tables(people=people("1", "2", active="true") + people("3", active="否"),
               activities=[activity("A1"), activity("A2", starts="2025-11-20 10:30", ends="2025-11-20 12:00"),
                           activity("A3", status="closed", starts="2025-12-01 09:00", ends="2025-12-01 10:00")],
               signups=[signup(1, "1", "A1")])
    d = derive(t)
    assert decide_signup(t, d, "A9", "1", NOW).code == "unknown_activity"
    assert decide_signup(t, d, "A3", "1", NOW).code == "activity_not_open"
    assert decide_signup(t, d, "A1", "2", dt.datetime(2025, 11, 20, 9, 1)).code == "deadline_passed"
    assert decide_signup(t, d, "A1", "3", NOW).code == "unknown_person"
    assert decide_signup(t, d, "A1", "404", NOW).code == "unknown_person"
    assert decide_signup(t, d, "A2", "1", NOW).code == "overlap"
    assert decide_signup(t, d, "A1", "1", NOW) is None  # already signed up: harmless
    assert decide_signup(t, d, "A1", "2", NOW) is None


def test_only_people_signed_up_may_cancel_and_only_before_the_deadline():
    t = tables(people=people("1", "2"), activities=[activity()], signups=[signup(1, "1")])
    d = derive(t)
    assert decide_cancel(t, d, "A1", "2", NOW).code == "not_signed_up"
    assert decide_cancel(t, d, "A1", "1", dt.datetime(2025, 11, 20, 9, 30)).code == "deadline_passed"
    assert decide_cancel(t, d, "A1", "1", NOW) is None


def test_check_in_by_code_is_for_confirmed_people_inside_the_window_with_the_right_code():
    t = tables(people=people("1", "2", "3"), activities=[activity(capacity="1")],
               signups=[signup(1, "1"), signup(2, "2", at="2025-11-10 10:05")])
    d = derive(t)
    during = dt.datetime(2025, 11, 20, 8, 30)
    assert decide_checkin(t, d, "A1", "1", "k7q2", during) is None
    assert decide_checkin(t, d, "A1", "1", "WRONG", during).code == "wrong_code"
    assert decide_checkin(t, d, "A1", "2", "K7Q2", during).code == "not_confirmed"
    assert decide_checkin(t, d, "A1", "1", "K7Q2", dt.datetime(2025, 11, 20, 7, 59)).code == "outside_window"
    assert decide_checkin(t, d, "A1", "1", "K7Q2", dt.datetime(2025, 11, 20, 11, 1)).code == "outside_window"
    assert decide_checkin(t, d, "A1", "3", None, dt.datetime(2026, 1, 1)) is None  # a coordinator: anyone, any time


def test_attendance_counts_once_and_ignores_code_checkins_the_rules_refuse():
    checkins = [{"checkin_id": "C1", "activity_id": "A1", "person_id": "1", "at": "2025-11-20 09:10", "method": "code"},
                {"checkin_id": "C2", "activity_id": "A1", "person_id": "1", "at": "2025-11-20 09:20", "method": "code"},
                {"checkin_id": "C3", "activity_id": "A1", "person_id": "2", "at": "2025-11-20 09:10", "method": "code"},
                {"checkin_id": "C4", "activity_id": "A1", "person_id": "2", "at": "2025-11-21 09:10",
                 "method": "coordinator"}]
    t = tables(people=people("1", "2"), activities=[activity(capacity="1")],
               signups=[signup(1, "1"), signup(2, "2", at="2025-11-10 10:05")], checkins=checkins)
    d = derive(t)
    assert d.roster("A1").attended == ["1", "2"]
    assert [(p.row, p.code) for p in d.problems] == [(4, "not_confirmed")]


# -- properties --------------------------------------------------------------------------
events = st.lists(st.tuples(st.sampled_from("123456789"), st.sampled_from(["signup", "signup", "cancel"]),
                            st.integers(0, 50)), max_size=40)


def build(capacity: int, evs):
    rows = [signup(n, pid, at=f"2025-11-10 10:{minute:02}", action=action) for n, (pid, action, minute) in enumerate(evs)]
    return tables(people=people(*"123456789"), activities=[activity(capacity=str(capacity))], signups=rows)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 5), events)
def test_confirmed_never_exceed_capacity_and_nobody_is_both_confirmed_and_waitlisted(capacity, evs):
    r = roster(build(capacity, evs))
    assert len(r.confirmed) <= capacity
    assert not set(r.confirmed) & set(r.waitlisted)
    assert len(r.confirmed + r.waitlisted) == len(set(r.confirmed + r.waitlisted))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 5), events, st.randoms(use_true_random=False))
def test_the_roster_does_not_depend_on_the_order_of_rows_in_the_sheet(capacity, evs, rnd):
    rows = [signup(n, pid, at=f"2025-11-10 10:{minute:02}", action=action) for n, (pid, action, minute) in enumerate(evs)]
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    one = roster(tables(people=people(*"123456789"), activities=[activity(capacity=str(capacity))], signups=rows))
    two = roster(tables(people=people(*"123456789"), activities=[activity(capacity=str(capacity))], signups=shuffled))
    assert (one.confirmed, one.waitlisted) == (two.confirmed, two.waitlisted)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), events)
def test_cancelling_a_confirmed_person_promotes_exactly_the_first_waitlisted(capacity, evs):
    before = roster(build(capacity, evs))
    if not before.confirmed:
        return
    leaving = before.confirmed[0]
    after = roster(build(capacity, evs + [(leaving, "cancel", 59)]))
    promoted = [p for p in after.confirmed if p not in before.confirmed]
    assert promoted == before.waitlisted[:1]
    assert after.waitlisted == before.waitlisted[1:]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 5), events)
def test_a_duplicated_signup_row_counts_once(capacity, evs):
    rows = [signup(n, pid, at=f"2025-11-10 10:{minute:02}", action=action) for n, (pid, action, minute) in enumerate(evs)]
    once = roster(tables(people=people(*"123456789"), activities=[activity(capacity=str(capacity))], signups=rows))
    twice = roster(tables(people=people(*"123456789"), activities=[activity(capacity=str(capacity))],
                          signups=rows + rows))
    assert (once.confirmed, once.waitlisted) == (twice.confirmed, twice.waitlisted)


def test_places_read_as_whole_numbers_or_the_waitlist():
    from workflows.listing import label_of_places

    assert label_of_places(50.0, 14.0, 0) == ("places.left", {"left": 14, "capacity": 50})
    assert label_of_places(20, 0, 2) == ("places.waitlist", {"n": 2})
    assert label_of_places(float("nan"), None, 0) == ("places.unlimited", {})


def test_a_log_is_taken_in_moment_then_id_order_whether_or_not_it_was_written_in_it():
    import pandas as pd

    from workflows.signup import SIGNUP_ORDER, in_order

    def log(*rows):
        return pd.DataFrame({"at": pd.to_datetime([at for at, _ in rows]).astype("datetime64[us]"),
                             "signup_id": [key for _, key in rows]})

    written = log(("2026-01-01 09:00", "S1"), ("2026-01-01 09:00", "S2"), ("2026-01-01 10:00", "S0"))
    assert in_order(written, SIGNUP_ORDER) is written  # already in order: not sorted again
    for shuffled in (log(("2026-01-01 10:00", "S0"), ("2026-01-01 09:00", "S1"), ("2026-01-01 09:00", "S2")),
                     log(("2026-01-01 09:00", "S2"), ("2026-01-01 09:00", "S1"), ("2026-01-01 10:00", "S0")),
                     log(("2026-01-01 09:00", "S1"), (None, "S3"), ("2026-01-01 10:00", "S0"))):
        assert list(in_order(shuffled, SIGNUP_ORDER)["signup_id"]) == list(
            shuffled.sort_values(SIGNUP_ORDER, kind="stable")["signup_id"])
