"""The rosters derived in bulk are exactly those of the rule applied row by row.

`reference_derive` is the derivation the app had before it judged the log in bulk (every sign-up
and check-in row looked at in turn, as workbook.md states the rule). Hypothesis writes logs with
several overlapping activities, cancellations, inactive people, late rows and check-ins by code and
by hand; both must give the same rosters, attendance and problems in the same order.
"""
from __future__ import annotations

from dataclasses import replace
from unittest.mock import patch

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings, strategies as st

from connectors.arrow_frames import KeptColumns, dtypes_of, frame_bytes, frame_from_bytes
from tests.builders import activity, people, signup, tables
from workflows import signup as signup_rules
from workflows.signup_bulk import tied_to
from workflows.signup import (CHECKIN_OPENS_BEFORE, SIGNUP_ORDER, Derivation, Roster, derivation_from_rows,
                              derivation_rows, derive, extended, in_order, past_edit, promoted_by)
from workflows.tables import ROW, Deferred, Stacked, active_people


def _capacity(activity) -> int | None:
    value = activity["capacity"]
    return None if pd.isna(value) else int(value)


def deadline_of(activity):
    deadline = activity["signup_deadline"]
    return activity["starts_at"] if pd.isna(deadline) else deadline


def _overlaps(a, b) -> bool:
    return a["starts_at"] < b["ends_at"] and b["starts_at"] < a["ends_at"]


class _Ledger:
    """Active people per activity, in the order they became active."""

    def __init__(self, activities: dict[str, dict]):
        self.activities = activities
        self.active: dict[str, list[str]] = {key: [] for key in activities}
        self.cancelled: dict[str, list[str]] = {key: [] for key in activities}
        self.active_in: dict[str, set[str]] = {}  # person -> activities they are active in

    def confirmed(self, activity_id: str) -> list[str]:
        capacity = _capacity(self.activities[activity_id])
        active = self.active[activity_id]
        return active if capacity is None else active[:capacity]

    def clash(self, activity_id: str, person_id: str) -> str | None:
        """An activity overlapping `activity_id` that the person is confirmed for, if any."""
        target = self.activities[activity_id]
        for other_id in sorted(self.active_in.get(person_id, ())):
            other = self.activities[other_id]
            if (other_id != activity_id and other["status"] != "cancelled" and _overlaps(target, other)
                    and person_id in self.confirmed(other_id)):
                return other_id
        return None

    def apply(self, activity_id: str, person_id: str, action: str) -> None:
        active, cancelled = self.active[activity_id], self.cancelled[activity_id]
        if action == "cancel":
            if person_id in active:
                active.remove(person_id)
                cancelled.append(person_id)
                self.active_in[person_id].discard(activity_id)
        elif person_id not in active:
            active.append(person_id)
            self.active_in.setdefault(person_id, set()).add(activity_id)
            if person_id in cancelled:
                cancelled.remove(person_id)


def reference_derive(tables: Tables) -> Derivation:
    """Every activity's roster, and the sign-up and check-in rows the rules refuse."""
    activities = {row["activity_id"]: row for row in tables["activities"].to_dict("records")}
    active_people, known_people = _active_people(tables), set(tables["people"]["person_id"])
    ledger, problems = _Ledger(activities), []
    rows = tables["signups"].sort_values(["at", "signup_id"], kind="stable").to_dict("records")
    for row in rows:
        activity = activities.get(row["activity_id"])
        if activity is None or row["person_id"] not in known_people:
            continue  # unknown activity or person: reported by validation already
        refusal = _refusal_of_row(row, activity, active_people, ledger)
        if refusal is not None:
            column, code, params = refusal
            problems.append(tables.problem("signups", row[ROW], column, row[column], code, **params))
            continue
        ledger.apply(row["activity_id"], row["person_id"], row["action"])
    rosters = {key: Roster(list(ledger.confirmed(key)), ledger.active[key][len(ledger.confirmed(key)):],
                           list(ledger.cancelled[key])) for key in activities}
    problems.extend(_attach_checkins(tables, activities, rosters))
    return Derivation(rosters, problems)


def _active_people(tables: Tables) -> set[str]:
    return set(active_people(tables)["person_id"])


def _refusal_of_row(row, activity, active_people, ledger) -> tuple[str, str, dict] | None:
    """The column, problem code and params of a sign-up row the rules refuse."""
    if row["person_id"] not in active_people:
        return "person_id", "person_not_active", {}
    if row["at"] > deadline_of(activity):
        return "at", "deadline_passed", {"deadline": f"{deadline_of(activity):%Y-%m-%d %H:%M}"}
    if row["action"] == "signup" and row["person_id"] not in ledger.active[row["activity_id"]]:
        clash = ledger.clash(row["activity_id"], row["person_id"])
        if clash is not None:
            return "activity_id", "overlap", {"activity_id": clash}
    return None


def _attach_checkins(tables, activities, rosters) -> list[Problem]:
    problems, known_people = [], set(tables["people"]["person_id"])
    for row in tables["checkins"].sort_values(["at", "checkin_id"], kind="stable").to_dict("records"):
        activity = activities.get(row["activity_id"])
        roster = rosters.get(row["activity_id"])
        if activity is None or roster is None or row["person_id"] not in known_people:
            continue  # unknown activity or person: reported by validation already
        if row["method"] == "code":
            if row["person_id"] not in roster.confirmed:
                problems.append(tables.problem("checkins", row[ROW], "person_id", row["person_id"],
                                               "not_confirmed"))
                continue
            if not (activity["starts_at"] - CHECKIN_OPENS_BEFORE <= row["at"] <= activity["ends_at"]):
                problems.append(tables.problem("checkins", row[ROW], "at", f"{row['at']:%Y-%m-%d %H:%M}",
                                               "outside_window"))
                continue
        if row["person_id"] not in roster.attended:
            roster.attended.append(row["person_id"])
    return problems


PEOPLE = ["1", "2", "3", "4", "5"]
ACTIVITIES = [activity("A1", "2025-11-20 09:00", "2025-11-20 11:00", capacity="2"),
              activity("A2", "2025-11-20 10:00", "2025-11-20 12:00", capacity="1"),  # overlaps A1
              activity("A3", "2025-11-20 11:00", "2025-11-20 12:00", capacity="", signup_deadline="2025-11-10 10:30"),
              activity("A4", "2025-11-20 09:30", "2025-11-20 10:30", capacity="3", status="cancelled")]
sign_ups = st.lists(st.tuples(st.sampled_from(PEOPLE + ["9"]), st.sampled_from(["A1", "A2", "A3", "A4", "A9"]),
                              st.sampled_from(["signup", "signup", "cancel"]), st.integers(0, 59)), max_size=25)
check_ins = st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(["A1", "A2", "A3"]),
                               st.sampled_from(["code", "coordinator"]), st.sampled_from(["07:00", "08:30", "09:15",
                                                                                            "11:30", "12:01"])),
                     max_size=10)


@pytest.mark.parametrize("few_rows", [signup_rules.FEW_ROWS, 0], ids=["a write's few rows", "a whole log"])
@settings(max_examples=60, deadline=None)
@given(sign_ups, check_ins)
def test_the_bulk_derivation_gives_the_rosters_and_problems_of_the_rule_applied_row_by_row(few_rows, signups, checkins):
    """With `few_rows` 0 every log takes the paths of a whole log (judged and settled in bulk)."""
    book = tables(
        people=people(*PEOPLE[:4]) + people("5", active="否"),
        activities=ACTIVITIES,
        signups=[signup(n, p, a, at=f"2025-11-10 10:{m:02}", action=action)
                 for n, (p, a, action, m) in enumerate(signups)],
        checkins=[{"checkin_id": f"C{n:03}", "activity_id": a, "person_id": p, "method": method,
                   "at": f"2025-11-20 {time}"} for n, (p, a, method, time) in enumerate(checkins)])
    with patch.object(signup_rules, "FEW_ROWS", few_rows):
        ours = derive(book)
    reference = reference_derive(book)
    assert ours.rosters == reference.rosters
    assert ours.problems == reference.problems


@pytest.mark.parametrize("few_rows", [signup_rules.FEW_ROWS, 0], ids=["a write's few rows", "many rows at once"])
@settings(max_examples=30, deadline=None)
@given(sign_ups, check_ins, st.integers(0, 25), st.sampled_from(["signups", "checkins"]))
def test_a_derivation_brought_up_to_date_by_appended_rows_equals_deriving_the_whole_log(few_rows, signups, checkins,
                                                                                    cut, table):
    """What a sign-up, cancellation or check-in does to the live data: rows appended after the others.
    With `few_rows` 0 the appended rows take the paths of many rows (another tool's batch)."""
    signup_rows = [signup(n, p, a, at=f"2025-11-10 10:{m:02}", action=action)
                   for n, (p, a, action, m) in enumerate(sorted(signups, key=lambda e: e[3]))]
    checkin_rows = [{"checkin_id": f"C{n:03}", "activity_id": a, "person_id": p, "method": method,
                     "at": f"2025-11-20 {time}"} for n, (p, a, method, time) in enumerate(sorted(checkins, key=lambda e: e[3]))]
    logs = {"signups": signup_rows, "checkins": checkin_rows}
    cut = min(cut, len(logs[table]))
    build = lambda rows: tables(people=people(*PEOPLE[:4]) + people("5", active="否"), activities=ACTIVITIES,  # noqa: E731
                                **{**logs, table: rows})
    before, after = build(logs[table][:cut]), build(logs[table])
    with patch.object(signup_rules, "FEW_ROWS", few_rows):
        brought_up_to_date = extended(derive(before), after, table, len(before[table]))
    if brought_up_to_date is None:  # refused (rows not last in order, or check-ins to re-judge): derived anew
        return
    whole = derive(after)
    assert brought_up_to_date.rosters == whole.rosters
    assert brought_up_to_date.problems == whole.problems


def test_a_sign_up_to_a_future_activity_is_brought_up_to_date_without_a_new_derivation():
    log = [signup(1, "1", "A1", at="2025-11-10 10:00"), signup(2, "2", "A1", at="2025-11-10 10:01")]
    build = lambda rows: tables(people=people(*PEOPLE[:4]), activities=ACTIVITIES, signups=rows)  # noqa: E731
    before, after = build(log), build(log + [signup(3, "3", "A1", at="2025-11-10 10:02")])
    quicker = extended(derive(before), after, "signups", 2)
    assert quicker is not None and quicker.roster("A1").waitlisted == ["3"]


def test_a_batch_of_sign_ups_appended_at_once_is_judged_against_the_places_people_hold_already():
    """More rows than a write's at once (another tool's batch): person 1, confirmed for A1, signs up
    for the overlapping A2 among 65 other rows, and is refused as a whole derivation refuses them."""
    log = [signup(1, "1", "A1", at="2025-11-10 10:00")]
    batch = [signup(2, "1", "A2", at="2025-11-10 10:05")] + [
        signup(10 + n, "2", "A1", at=f"2025-11-10 11:{n % 60:02}") for n in range(signup_rules.FEW_ROWS + 1)]
    build = lambda rows: tables(people=people("1", "2"), activities=ACTIVITIES, signups=rows)  # noqa: E731
    before, after = build(log), build(log + batch)
    carried = extended(derive(before), after, "signups", 1)
    assert carried.roster("A2").confirmed == [] and [p.code for p in carried.problems] == ["overlap"]
    assert carried.rosters == derive(after).rosters and carried._consulted == derive(after)._consulted == {"A1"}


APART = [activity("B1", "2025-11-21 09:00", "2025-11-21 11:00", capacity="2"),  # no two of these overlap
         activity("B2", "2025-11-22 09:00", "2025-11-22 11:00", capacity="1"),
         activity("B3", "2025-11-23 09:00", "2025-11-23 11:00", capacity="")]
busy_logs = st.lists(st.tuples(st.sampled_from(["1", "2", "3"]), st.sampled_from(["B1", "B2", "B3", "A1", "A2"]),
                               st.sampled_from(["signup", "cancel"]), st.integers(0, 59)), max_size=60)


@settings(max_examples=80, deadline=None)
@given(busy_logs)
@example([("1", "B1", "signup", 0), ("2", "B1", "signup", 1), ("2", "B1", "cancel", 2), ("1", "B1", "cancel", 5)])
@example([("1", "B2", "signup", 0), ("2", "B2", "signup", 1), ("1", "B2", "cancel", 2), ("1", "B2", "signup", 3)])
def test_people_who_cancel_and_sign_up_again_keep_the_place_of_their_latest_sign_up_when_settled_in_bulk(signups):
    """Activities no overlap touches are settled without looking at each row in turn; A1 and A2
    overlap, so a log mixing them with the others takes both paths."""
    book = tables(people=people("1", "2", "3"), activities=ACTIVITIES[:2] + APART,
                  signups=[signup(n, p, a, at=f"2025-11-10 10:{m:02}", action=action)
                           for n, (p, a, action, m) in enumerate(signups)])
    with patch.object(signup_rules, "FEW_ROWS", 0):
        ours = derive(book)
    reference = reference_derive(book)
    assert ours.rosters == reference.rosters
    assert ours.problems == reference.problems


EDITS = st.tuples(st.sampled_from(["A1", "A2", "A3", "B1", "B2", "B3"]),
                  st.sampled_from([("capacity", "0"), ("capacity", "1"), ("capacity", "3"), ("capacity", ""),
                                   ("status", "cancelled"), ("status", "closed"), ("title", "改名"),
                                   ("ends_at", "2025-11-20 09:45"), ("signup_deadline", "2025-11-10 10:20"),
                                   ("starts_at", "2025-11-20 08:00"), ("ends_at", "2025-11-21 10:00"),
                                   ("ends_at", "2025-11-20 09:30")]))


def _held_as(frame: pd.DataFrame, held: str):
    """A log as the app may hold it: one frame, parts (rows laid over by writes), or kept between runs
    and not loaded (its columns read from Arrow)."""
    if held == "parts":
        return Stacked((frame.iloc[:len(frame) // 2], frame.iloc[len(frame) // 2:]))
    if held == "kept":
        data, types = frame_bytes(frame), dtypes_of(frame)
        return Deferred(lambda: frame_from_bytes(data, types, len(frame)), len(frame), KeptColumns(lambda: data, types))
    return frame


def _edited(activities: list[dict], edits) -> list[dict]:
    changed = {key: dict(row) for key, row in ((row["activity_id"], row) for row in activities)}
    for activity_id, (column, value) in edits:
        changed[activity_id][column] = value
    return list(changed.values())


@pytest.mark.parametrize("held", ["one frame", "parts", "kept"])
@pytest.mark.parametrize("few_rows", [signup_rules.FEW_ROWS, 0], ids=["a write's few rows", "a whole log"])
@settings(max_examples=80, deadline=None)
@given(busy_logs, check_ins, st.lists(EDITS, min_size=1, max_size=3), st.booleans())
def test_a_derivation_carried_past_edited_activities_equals_deriving_them_anew(held, few_rows, signups, checkins, edits,
                                                                             kept):
    """What a coordinator's edit of the activities sheet does to the rosters: what `past_edit` makes of
    it (also of a derivation kept between runs, `kept`; of logs `held` in parts or kept) is what a whole
    derivation makes, whether it moves an activity onto others, gives it places, or cancels it."""
    activities = ACTIVITIES[:3] + APART
    build = lambda rows: tables(people=people("1", "2", "3"), activities=rows,  # noqa: E731
                                signups=[signup(n, p, a, at=f"2025-11-10 10:{m:02}", action=action)
                                         for n, (p, a, action, m) in enumerate(signups)],
                                checkins=[{"checkin_id": f"C{n:03}", "activity_id": a, "person_id": p,
                                           "method": method, "at": f"2025-11-20 {time}"}
                                          for n, (p, a, method, time) in enumerate(checkins)])
    before, after = build(activities), build(_edited(activities, edits))
    for log in ("signups", "checkins"):
        after.frames[log] = _held_as(after[log], held)
    with patch.object(signup_rules, "FEW_ROWS", few_rows):
        derivation = derive(before)
        if kept:
            derivation = derivation_from_rows(before["activities"], *derivation_rows(derivation))
        carried = past_edit(derivation, after, "activities", before["activities"])
        whole = derive(build(_edited(activities, edits)))
    assert dict(carried.rosters.items()) == whole.rosters
    assert carried.problems == whole.problems
    assert carried._signup_problems == whole._signup_problems
    assert carried.activities_of("1") == whole.activities_of("1")
    assert carried._consulted == whole._consulted or (kept and carried._consulted is None)


def _busy_ahead() -> list[dict]:
    """B1 (2 places) with three people signed up; A1 and A2 overlap, and person 4 signed up for both."""
    return [signup(1, "1", "B1"), signup(2, "2", "B1"), signup(3, "3", "B1"),
            signup(4, "4", "A1", at="2025-11-10 10:01"), signup(5, "4", "A2", at="2025-11-10 10:02")]


def test_more_places_for_an_activity_no_overlap_ties_to_another_confirm_its_waitlist_without_deriving_again():
    build = lambda rows: tables(people=people("1", "2", "3", "4"), activities=rows, signups=_busy_ahead())  # noqa: E731
    before = build(ACTIVITIES[:2] + APART)
    after = build(_edited(ACTIVITIES[:2] + APART, [("B1", ("capacity", "3"))]))
    carried = past_edit(derive(before), after, "activities", before["activities"])
    assert carried is not None and carried.roster("B1").confirmed == ["1", "2", "3"]
    assert dict(carried.rosters.items()) == derive(after).rosters


@pytest.mark.parametrize("kept", [False, True], ids=["derived", "kept between runs"])
def test_a_sign_up_after_more_places_were_given_is_judged_by_the_places_as_edited(kept):
    rows = ACTIVITIES[:2] + APART
    build = lambda activities, log: tables(people=people("1", "2", "3", "4", "5"), activities=activities,  # noqa: E731
                                           signups=log)
    before, edited = build(rows, _busy_ahead()), build(_edited(rows, [("B1", ("capacity", "5"))]), _busy_ahead())
    after = build(_edited(rows, [("B1", ("capacity", "5"))]), _busy_ahead() + [signup(6, "5", "B1", at="2025-11-10 10:03")])
    derivation = derive(before)
    if kept:
        derivation = derivation_from_rows(before["activities"], *derivation_rows(derivation))
    carried = extended(past_edit(derivation, edited, "activities", before["activities"]), after, "signups", 5)
    assert carried.roster("B1").confirmed == ["1", "2", "3", "5"]
    assert dict(carried.rosters.items()) == derive(after).rosters


def test_an_edit_of_a_cell_the_rules_do_not_read_keeps_the_derivation_as_it_was():
    build = lambda rows, who=people("1", "2", "3", "4"): tables(people=who, activities=rows,  # noqa: E731
                                                                 signups=_busy_ahead())
    before = build(ACTIVITIES[:2] + APART)
    derivation = derive(before)
    after = build(_edited(ACTIVITIES[:2] + APART, [("A1", ("title", "改名")), ("B2", ("checkin_code", "ZZ99"))]))
    assert past_edit(derivation, after, "activities", before["activities"]) is derivation
    renamed = build(ACTIVITIES[:2] + APART, people("1", "2", "3") + people("4", name="改名", phone="13900000000"))
    assert past_edit(derivation, renamed, "people", before["people"]) is derivation


def test_a_person_no_longer_active_has_only_the_activities_tied_to_theirs_derived_again():
    """Person 4 has rows of A1 and A2 alone; the B activities are tied to neither."""
    build = lambda who: tables(people=who, activities=ACTIVITIES[:2] + APART, signups=_busy_ahead())  # noqa: E731
    before, after = build(people("1", "2", "3", "4")), build(people("1", "2", "3") + people("4", active="否"))
    derivation = derive(before)
    carried = past_edit(derivation, after, "people", before["people"])
    assert carried.roster("A1").confirmed == [] and carried.rosters == derive(after).rosters
    assert carried.problems == derive(after).problems
    assert all(carried.roster(key) is derivation.roster(key) for key in ("B1", "B2", "B3"))


PEOPLE_EDITS = st.tuples(st.integers(0, 3), st.sampled_from([("active", "否"), ("active", "是"), ("active", ""),
                                                             ("person_id", "9"), ("person_id", "3"), ("name", "改名")]))


@pytest.mark.parametrize("held", ["one frame", "kept"])
@settings(max_examples=40, deadline=None)
@given(busy_logs, check_ins, st.lists(PEOPLE_EDITS, min_size=1, max_size=3), st.booleans())
def test_a_derivation_carried_past_edited_people_equals_deriving_them_anew(held, signups, checkins, edits, kept):
    """A coordinator marks people as no longer active (or again active) or corrects an ID — to one no
    log names, or to 3, whom the logs name but the people sheet did not: what `past_edit` makes of it is
    what a whole derivation makes."""
    def build(edited):
        who = people("1", "2", "4") + people("5", active="否")
        for position, (column, value) in edited:
            if column == "person_id":  # IDs stay unique
                value = value + str(position) if value == "9" else value
                if any(person["person_id"] == value for person in who):
                    continue
            who[position][column] = value
        return tables(people=who, activities=ACTIVITIES[:3] + APART,
                      signups=[signup(n, p, a, at=f"2025-11-10 10:{m:02}", action=action)
                               for n, (p, a, action, m) in enumerate(signups)],
                      checkins=[{"checkin_id": f"C{n:03}", "activity_id": a, "person_id": p,
                                 "method": method, "at": f"2025-11-20 {time}"}
                                for n, (p, a, method, time) in enumerate(checkins)])
    before, after = build([]), build(edits)
    for log in ("signups", "checkins"):
        after.frames[log] = _held_as(after[log], held)
    derivation = derive(before)
    if kept:
        derivation = derivation_from_rows(before["activities"], *derivation_rows(derivation))
    carried, whole = past_edit(derivation, after, "people", before["people"]), derive(build(edits))
    assert dict(carried.rosters.items()) == whole.rosters
    assert carried.problems == whole.problems
    assert carried._signup_problems == whole._signup_problems
    assert carried._consulted == whole._consulted or (kept and carried._consulted is None)


@pytest.mark.parametrize("edit", [("A1", ("capacity", "0")), ("B1", ("starts_at", "2025-11-20 10:30")),
                                  ("B1", ("signup_deadline", "2025-11-01 10:00"))],
                         ids=["places of an activity an overlap looked at", "an activity moved onto others", "a deadline"])
def test_edits_that_may_change_other_rosters_derive_again_only_the_activities_tied_to_the_edited_one(edit):
    """A1 and A2 overlap and share person 4, so A1's places tie them; the B activities overlap nothing.
    B1 moved onto A1 and A2 is tied to neither: no one has rows of both."""
    build = lambda rows: tables(people=people("1", "2", "3", "4"), activities=rows, signups=_busy_ahead())  # noqa: E731
    before = build(ACTIVITIES[:2] + APART)
    after = build(_edited(ACTIVITIES[:2] + APART, [edit]))
    derivation = derive(before)
    carried = past_edit(derivation, after, "activities", before["activities"])
    assert dict(carried.rosters.items()) == derive(after).rosters and carried.problems == derive(after).problems
    untouched = {"A1": ["B2", "B3"], "B1": ["B2", "B3"]}[edit[0]]
    assert all(carried.rosters[key] is derivation.rosters[key] for key in untouched)


def test_a_deadline_brought_forward_refuses_the_sign_ups_after_it_and_confirms_the_waitlist_of_no_other():
    build = lambda rows: tables(people=people("1", "2", "3", "4"), activities=rows, signups=_busy_ahead())  # noqa: E731
    before = build(ACTIVITIES[:2] + APART)
    after = build(_edited(ACTIVITIES[:2] + APART, [("A1", ("signup_deadline", "2025-11-10 10:00"))]))
    derivation = derive(before)
    assert [p.code for p in derivation.problems] == ["overlap"]
    carried = past_edit(derivation, after, "activities", before["activities"])
    assert carried.roster("A1").confirmed == [] and carried.roster("A2").confirmed == ["4"]
    assert [p.code for p in carried.problems] == ["deadline_passed"] and carried.problems == derive(after).problems
    assert carried.roster("B1") is derivation.roster("B1")


def test_activities_are_tied_through_a_person_with_rows_of_both_and_a_row_naming_no_one_ties_nothing():
    """Three activities in a chain of overlaps (0-1, 1-2) and one apart (3): person a has rows of 0 and
    1, person b of 1 and 2; a row of 3 and 0 names no one."""
    spans = [(np.array([0, 5, 9, 50]), np.array([10, 15, 20, 60]))]
    activity_at = np.array([0, 1, 1, 2, 3, 0, -1])
    person_ids = np.array(["a", "a", "b", "b", None, None, "a"], dtype=object)
    assert tied_to(np.array([0]), activity_at, person_ids, spans).tolist() == [True, True, True, False]
    assert tied_to(np.array([3]), activity_at, person_ids, spans).tolist() == [False, False, False, True]
    person_ids[3] = None
    assert tied_to(np.array([0]), activity_at, person_ids, spans).tolist() == [True, True, False, False]


def test_an_activity_moved_off_another_lets_the_sign_up_it_refused_count():
    """Person 4 is confirmed for A1 and refused for the overlapping A2; A1 shortened to end before A2
    begins ties A2 to it by the times it had."""
    build = lambda rows: tables(people=people("1", "2", "3", "4"), activities=rows, signups=_busy_ahead())  # noqa: E731
    before = build(ACTIVITIES[:2] + APART)
    after = build(_edited(ACTIVITIES[:2] + APART, [("A1", ("ends_at", "2025-11-20 09:30"))]))
    carried = past_edit(derive(before), after, "activities", before["activities"])
    assert carried.roster("A2").confirmed == ["4"] and carried.problems == []
    assert carried.rosters == derive(after).rosters


def test_a_changed_activity_id_is_derived_again_whole():
    build = lambda rows: tables(people=people("1", "2", "3", "4"), activities=rows, signups=_busy_ahead())  # noqa: E731
    before = build(ACTIVITIES[:2] + APART)
    after = build(_edited(ACTIVITIES[:2] + APART, [("B3", ("activity_id", "B9"))]))
    assert past_edit(derive(before), after, "activities", before["activities"]) is None


def test_more_places_where_check_ins_were_judged_by_who_was_confirmed_judge_those_check_ins_again():
    build = lambda rows: tables(people=people("1", "2", "3", "4"), activities=rows, signups=_busy_ahead(),  # noqa: E731
                                checkins=[{"checkin_id": "C1", "activity_id": "B1", "person_id": "3", "method": "code",
                                           "at": "2025-11-21 09:30"}])
    before = build(ACTIVITIES[:2] + APART)
    after = build(_edited(ACTIVITIES[:2] + APART, [("B1", ("capacity", "3"))]))
    derivation = derive(before)
    assert [p.code for p in derivation.problems] == ["overlap", "not_confirmed"]
    carried = past_edit(derivation, after, "activities", before["activities"])
    assert carried.roster("B1").attended == ["3"]  # the check-in that was refused counts
    assert [p.code for p in carried.problems] == ["overlap"] and carried.problems == derive(after).problems
    assert carried.rosters == derive(after).rosters


NEW_RECORDS = st.sampled_from([("activities", [activity("B4", "2025-11-24 09:00", "2025-11-24 11:00", capacity="1")]),
                               ("activities", [activity("A9", "2025-11-20 10:30", "2025-11-20 11:30", capacity="1")]),
                               ("activities", [activity("B5"), activity("B6", capacity="")]),
                               ("activities", [activity("B1")]),  # an ID taken
                               ("people", people("4")), ("people", people("9")), ("people", people("3"))])


@pytest.mark.parametrize("few_rows", [signup_rules.FEW_ROWS, 0], ids=["a write's few rows", "a whole log"])
@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["1", "2", "3", "9"]), st.sampled_from(["B1", "B2", "A1", "A2", "A9"]),
                          st.sampled_from(["signup", "cancel"]), st.integers(0, 59)), max_size=30),
       NEW_RECORDS, st.booleans())
@example([("9", "B1", "signup", 0), ("1", "B1", "signup", 1)], ("people", people("9")), False)
@example([("1", "A9", "signup", 0), ("1", "A1", "signup", 1)], ("activities", [activity("A9", "2025-11-20 10:30",
                                                                                "2025-11-20 11:30", capacity="1")]), True)
def test_a_derivation_carried_past_new_people_or_activities_equals_deriving_them_anew(few_rows, signups, added,
                                                                                    kept):
    """Person 9 and activity A9 are named by log rows before they exist: once they do, those rows count."""
    table, rows = added
    records = {"people": people("1", "2", "3"), "activities": ACTIVITIES[:2] + APART}
    log = [signup(n, p, a, at=f"2025-11-10 10:{m:02}", action=action) for n, (p, a, action, m) in enumerate(signups)]
    before = tables(signups=log, **records)
    after = tables(signups=log, **{**records, table: records[table] + rows})
    after.frames[table] = Stacked((before[table], after[table].iloc[len(before[table]):]))  # as a write lays rows
    with patch.object(signup_rules, "FEW_ROWS", few_rows):
        derivation = derive(before)
        if kept:
            derivation = derivation_from_rows(before["activities"], *derivation_rows(derivation))
        carried = extended(derivation, after, table, len(before[table]))
        whole = derive(after)
    if carried is None:  # a log row names one of them, or an ID is taken
        return
    assert dict(carried.rosters.items()) == whole.rosters
    assert carried.problems == whole.problems
    later = tables(signups=log + [signup(99, "1", "B4", at="2025-11-10 11:00")], **{**records, table: records[table] + rows})
    with patch.object(signup_rules, "FEW_ROWS", few_rows):
        again = extended(carried, later, "signups", len(log))
    if again is not None:  # the ledger made for the new activities takes a sign-up to one of them
        assert dict(again.rosters.items()) == derive(later).rosters


cancelling_logs = st.lists(st.tuples(st.sampled_from(["1", "2", "3", "4", "9"]),
                                     st.sampled_from(["A1", "A2", "A3", "B1", "B2", "B3", "A9"]),
                                     st.sampled_from(["signup", "signup", "cancel"]), st.integers(0, 59)), max_size=40)


@settings(max_examples=80, deadline=None)
@given(cancelling_logs)
@example([("1", "B2", "signup", 0), ("2", "B2", "signup", 1), ("1", "B2", "cancel", 2)])
@example([("4", "B2", "signup", 0), ("1", "B2", "signup", 1), ("4", "B2", "cancel", 2)])
@example([("1", "A2", "signup", 0), ("2", "A1", "signup", 1), ("3", "A1", "signup", 2), ("1", "A1", "signup", 3),
          ("2", "A1", "cancel", 4)])
@example([("1", "A1", "signup", 0), ("2", "A1", "signup", 1), ("3", "A1", "signup", 2), ("3", "A2", "signup", 3),
          ("1", "A2", "signup", 4), ("1", "A1", "cancel", 5), ("3", "A2", "cancel", 6)])
def test_who_a_cancellation_promotes_is_who_the_rosters_derived_before_and_after_it_tell(signups):
    """Overlapping activities, apart ones, a deadline, an inactive person (4), an unknown one (9) and an
    unknown activity: each cancellation moves from its activity's waitlist to confirmed exactly the
    people the rosters derived from the log up to it and through it show moved (as notify asked of
    two whole derivations per cancellation)."""
    book = tables(people=people("1", "2", "3") + people("4", active="否"),
                  activities=ACTIVITIES[:3] + APART,
                  signups=[signup(n, p, a, at=f"2025-11-10 10:{m:02}", action=action)
                           for n, (p, a, action, m) in enumerate(signups)])
    rows = in_order(book["signups"], SIGNUP_ORDER)
    cancellations = list(np.flatnonzero((rows["action"] == "cancel").to_numpy()))
    roster_through = lambda end, activity_id: derive(  # noqa: E731
        replace(book, frames={**book.frames, "signups": rows.iloc[:end]})).rosters.get(activity_id, Roster())
    expected = {}
    for position in cancellations:
        activity_id = rows["activity_id"].iat[position]
        before, after = roster_through(position, activity_id), roster_through(position + 1, activity_id)
        expected[position] = [person for person in after.confirmed if person in before.waitlisted]
    assert promoted_by(book, cancellations) == expected
