"""Sign-up, cancellation and check-in: the derived roster and the decisions (workbook.md § signups).

The `signups` sheet is a log. Who is confirmed is derived from it every time, so concurrent
sign-ups never exceed capacity and the sheet may be sorted by hand: rows are taken in
(`at`, `signup_id`) order; a person's latest row decides whether they are active; the first
`capacity` active people are confirmed, the rest waitlisted.
"""
from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workflows import signup_bulk
from workflows.layered import version_of
from workflows.problems import Problem
from workflows.refusals import Refusal
from workflows.tables import (ROW, Tables, active_ids, column_of, columns_of, frame_of, held_in, is_in, per_frame,
                             position_of, positions_in)

CHECKIN_OPENS_BEFORE = dt.timedelta(hours=1)
SIGNUP_ORDER, CHECKIN_ORDER = ["at", "signup_id"], ["at", "checkin_id"]  # the order the logs are taken in
FEW_ROWS = 64  # rows a write appends: judged one by one, not in bulk
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass
class Roster:
    confirmed: list[str] = field(default_factory=list)
    waitlisted: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    attended: list[str] = field(default_factory=list)

    def status_of(self, person_id: str) -> tuple[str, int | None]:
        """("confirmed"|"waitlisted"|"cancelled"|"none", waitlist position)."""
        if person_id in self.confirmed:
            return "confirmed", None
        if person_id in self.waitlisted:
            return "waitlisted", self.waitlisted.index(person_id) + 1
        if person_id in self.cancelled:
            return "cancelled", None
        return "none", None


@dataclass
class Derivation:
    rosters: Mapping[str, Roster]  # a dict, or after a write a version of the one before (`Layered`)
    problems: list[Problem]
    _attendance: "_Attendance | None" = field(default=None, repr=False, compare=False)  # shared while unchanged
    _ledger: "_Ledger | None" = field(default=None, repr=False, compare=False)  # to extend it by later rows
    _make_ledger: object = field(default=None, repr=False, compare=False)  # () -> the ledger, made when first asked
    _signup_problems: int = field(default=0, repr=False, compare=False)  # problems[:n] are the sign-up rows'
    _consulted: frozenset | None = field(default=None, repr=False, compare=False)  # see `_Ledger.consulted`

    def roster(self, activity_id: str) -> Roster:
        return self.rosters.get(activity_id, Roster())

    def activities_of(self, person_id: str) -> list[str]:
        """The activities the person is confirmed or waitlisted for, in ID order."""
        ledger = self.ledger()
        if ledger is not None:
            return sorted(ledger.active_in.get(person_id, ()))
        return sorted(key for key, roster in self.rosters.items()
                      if person_id in roster.confirmed or person_id in roster.waitlisted)

    def ledger(self) -> "_Ledger | None":
        """The ledger the rosters came from; of a derivation made again from its rosters (kept between
        runs), made when first asked: a command that only reads figures never needs it."""
        if self._ledger is None and self._make_ledger is not None:
            self._ledger = self._make_ledger()
        return self._ledger

    def attendance(self) -> pd.DataFrame:
        """Every (activity_id, person_id) attended, one row each: the rosters as one table, made once, and
        the very same frame for the derivations carried from this one past changes that attend no one
        (a sign-up, an edit of places): figures made from it may be taken as they are."""
        return self._same_attendance().frame()

    def _same_attendance(self) -> "_Attendance":
        if self._attendance is None:
            self._attendance = _Attendance(self.rosters)
        return self._attendance


class _Attendance:
    """The attendance of some rosters as one table, made when first asked."""

    def __init__(self, rosters: Mapping[str, Roster]):
        self._rosters, self._frame, self._making = rosters, None, threading.Lock()

    def frame(self) -> pd.DataFrame:
        with self._making:
            if self._frame is None:
                self._frame = _attendance_frame(self._rosters)
                self._rosters = None
            return self._frame


def _attendance_frame(rosters: Mapping[str, Roster]) -> pd.DataFrame:
    """(activity_id, person_id) per attendance, roster by roster: built by column, without a tuple per
    attendance (200,000 of them in a university)."""
    attending = [(activity_id, roster.attended) for activity_id, roster in rosters.items() if roster.attended]
    activity_ids = np.empty(len(attending), dtype=object)
    activity_ids[:] = [activity_id for activity_id, _ in attending]
    lengths = np.fromiter((len(attended) for _, attended in attending), dtype=np.int64, count=len(attending))
    person_ids = np.empty(int(lengths.sum()), dtype=object)
    person_ids[:] = [person_id for _, attended in attending for person_id in attended]
    return pd.DataFrame({"activity_id": np.repeat(activity_ids, lengths), "person_id": person_ids}, dtype=object)


ROSTER_LISTS = ("confirmed", "waitlisted", "cancelled", "attended")


def derivation_rows(derivation: Derivation) -> tuple[pd.DataFrame, list[Problem], dict]:
    """(every roster as rows (activity_id, list: its place in ROSTER_LISTS, person_id) in order, the
    problems, the count of the sign-up rows' among them): all `derivation_from_rows` needs to make the
    derivation again."""
    activity_ids, lists, person_ids = [], [], []
    for activity_id, roster in derivation.rosters.items():
        for number, name in enumerate(ROSTER_LISTS):
            people = getattr(roster, name)
            activity_ids += [activity_id] * len(people)
            lists += [number] * len(people)
            person_ids += people
    rows = pd.DataFrame({"activity_id": pd.Series(activity_ids, dtype=object), "list": np.asarray(lists, dtype=np.int64),
                         "person_id": pd.Series(person_ids, dtype=object)})
    consulted = None if derivation._consulted is None else sorted(derivation._consulted)
    return rows, list(derivation.problems), {"signup_problems": derivation._signup_problems, "consulted": consulted}


def derivation_from_rows(activities: pd.DataFrame, rows: pd.DataFrame, problems: list[Problem], meta: dict
                         ) -> Derivation:
    """The derivation whose `derivation_rows` these are, for these activities (those it was derived with)."""
    rosters = {activity_id: Roster() for activity_id in activities["activity_id"]}
    activity_ids, lists, person_ids = (rows[c].to_numpy() for c in ("activity_id", "list", "person_id"))
    if len(rows):
        bounds = np.flatnonzero(np.r_[True, (activity_ids[1:] != activity_ids[:-1]) | (lists[1:] != lists[:-1]), True])
        for begin, end in zip(bounds[:-1], bounds[1:]):
            setattr(rosters[activity_ids[begin]], ROSTER_LISTS[lists[begin]], person_ids[begin:end].tolist())
    consulted = None if meta.get("consulted") is None else frozenset(meta["consulted"])
    return Derivation(rosters, problems, _make_ledger=lambda: _ledger_of(activities, rosters, consulted),
                      _signup_problems=meta["signup_problems"], _consulted=consulted)


def _ledger_of(activities: pd.DataFrame, rosters: Mapping[str, Roster], consulted: frozenset | None) -> _Ledger:
    """The ledger these rosters (of every activity) came from."""
    made = _Ledger(activities)
    made.consulted = None if consulted is None else set(consulted)
    for activity_id, roster in rosters.items():
        made.active[activity_id] = roster.confirmed + roster.waitlisted
        made.cancelled[activity_id] = list(roster.cancelled)
    made.active_in = signup_bulk.active_in(made.active)
    return made


def deadline_of(activity) -> dt.datetime:
    deadline = activity["signup_deadline"]
    return activity["starts_at"] if pd.isna(deadline) else deadline


def _overlaps(a, b) -> bool:
    return a["starts_at"] < b["ends_at"] and b["starts_at"] < a["ends_at"]


class _Ledger:
    """Active people per activity, in the order they became active. Times are integers (ns), so the
    overlap test of a sign-up row costs a few integer comparisons."""

    def __init__(self, activities: pd.DataFrame):
        keys = list(activities["activity_id"])
        self._take_activities(activities)
        self.active: dict[str, list[str]] = {key: [] for key in keys}
        self.cancelled: dict[str, list[str]] = {key: [] for key in keys}
        self.active_in: dict[str, list[str]] = {}  # person -> activities they are active in (each once)
        # activities whose confirmed people or status a row of another activity was judged by (an overlap
        # looked for); None when not known (a ledger made from rosters kept by an older version)
        self.consulted: set[str] | None = set()

    def _take_activities(self, activities: pd.DataFrame) -> None:
        keys = activities["activity_id"]
        self.capacity = dict(zip(keys, map(_places, activities["capacity"])))
        self.span = dict(zip(keys, zip(_ns(activities["starts_at"]), _ns(activities["ends_at"]))))
        self.cancelled_activity = dict(zip(keys, activities["status"] == "cancelled"))

    def for_activities(self, activities: pd.DataFrame) -> "_Ledger":
        """This ledger for `activities` as they are now (places, status, times): those it holds, and new
        ones no row has signed up for, with no one; everything else shared (neither is changed again)."""
        other = object.__new__(_Ledger)
        other.__dict__.update(self.__dict__)
        other._take_activities(activities)
        new = [key for key in activities["activity_id"] if key not in self.active]
        if new:
            other.active, other.cancelled = version_of(self.active), version_of(self.cancelled)
            for key in new:
                other.active[key], other.cancelled[key] = [], []
        return other

    def copy_for(self, activity_ids: set[str], person_ids: set[str]) -> "_Ledger":
        """A ledger that may change these activities and people, sharing everything else with this one."""
        other = object.__new__(_Ledger)
        other.capacity, other.span, other.cancelled_activity = self.capacity, self.span, self.cancelled_activity
        other.active, other.cancelled = version_of(self.active), version_of(self.cancelled)
        other.active_in = version_of(self.active_in)
        other.consulted = None if self.consulted is None else set(self.consulted)
        for key in activity_ids:
            other.active[key], other.cancelled[key] = list(self.active[key]), list(self.cancelled[key])
        for person_id in person_ids:
            if person_id in other.active_in:
                other.active_in[person_id] = list(other.active_in[person_id])
        return other

    def confirmed(self, activity_id: str) -> list[str]:
        capacity, active = self.capacity[activity_id], self.active[activity_id]
        return active if capacity is None else active[:capacity]

    def clash(self, activity_id: str, person_id: str) -> str | None:
        """The first activity (by ID) overlapping `activity_id` that the person is confirmed for, if any.
        Every overlapping activity the person is active in is `consulted`."""
        start, end = self.span[activity_id]
        found = None
        for other_id in sorted(self.active_in.get(person_id, ())):
            other_start, other_end = self.span[other_id]
            if other_id != activity_id and start < other_end and other_start < end:
                if self.consulted is not None:
                    self.consulted.add(other_id)
                if (found is None and not self.cancelled_activity[other_id]
                        and person_id in self.confirmed(other_id)):
                    found = other_id
        return found

    def is_active(self, activity_id: str, person_id: str) -> bool:
        mine = self.active_in.get(person_id)
        return mine is not None and activity_id in mine

    def apply(self, activity_id: str, person_id: str, action: str) -> None:
        mine = self.active_in.get(person_id)  # holds activity_id exactly when the person is in its `active`
        if action == "cancel":
            if mine is not None and activity_id in mine:
                self.active[activity_id].remove(person_id)
                self.cancelled[activity_id].append(person_id)
                mine.remove(activity_id)
        elif mine is None or activity_id not in mine:
            self.active[activity_id].append(person_id)
            if mine is None:
                mine = self.active_in[person_id] = []
            mine.append(activity_id)
            cancelled = self.cancelled[activity_id]
            if cancelled and person_id in cancelled:
                cancelled.remove(person_id)


def _places(capacity) -> int | None:
    """An activity's places: None for as many as come."""
    return None if pd.isna(capacity) else int(capacity)


def _ns(moments: pd.Series) -> list[int]:
    return list(moments.astype("datetime64[ns]").to_numpy().astype("int64"))


def derive(tables: Tables) -> Derivation:
    """Every activity's roster, and the sign-up and check-in rows the rules refuse.

    The order rule makes each row depend on the rows before it (a cancellation promotes; an overlap
    depends on who is confirmed elsewhere at that moment), so rows are applied one by one; what
    does not depend on order (unknown or inactive people, rows after the deadline) is judged for
    the whole log at once, and check-ins are judged against the finished rosters in bulk."""
    activities = tables["activities"]  # IDs are unique once parsed; the same frame keeps its lookups (`per_frame`)
    ledger, problems = _Ledger(activities), []
    rows = in_order(tables["signups"], SIGNUP_ORDER)
    rows = rows[_of_known(rows, ledger.active, _person_ids(tables))]
    settle = _settle_signups if len(rows) > FEW_ROWS else _apply_signups
    problems = settle(tables, activities, ledger, rows)
    signup_problems = len(problems)
    rosters = {key: _roster(ledger, key) for key in ledger.active}
    problems.extend(_attach_checkins(tables, activities, rosters))
    _ready_to_extend(tables)
    return Derivation(rosters, problems, _ledger=ledger, _signup_problems=signup_problems,
                      _consulted=frozenset(ledger.consulted))


def _ready_to_extend(tables: Tables) -> None:
    """Makes the lookups `extended` needs of the logs as read, with the derivation (off the request
    path in the app), so the first sign-up after a read does not scan 300,000 rows for them."""
    for part in tables.parts("signups"):
        _last_in_order(part, SIGNUP_ORDER)
    for part in tables.parts("checkins"):
        _last_in_order(part, CHECKIN_ORDER)
        _activities_checked_in(part)


def _roster(ledger: _Ledger, activity_id: str, attended: list[str] | None = None) -> Roster:
    confirmed = list(ledger.confirmed(activity_id))
    return Roster(confirmed, ledger.active[activity_id][len(confirmed):], list(ledger.cancelled[activity_id]),
                  list(attended or []))


def _apply_signups(tables: Tables, activities: pd.DataFrame, ledger: _Ledger, rows: pd.DataFrame) -> list[Problem]:
    """Applies the sign-up rows (sorted, of known activities and people) to the ledger, in order;
    the problems of the rows the rules refuse. Every row is looked at for an overlap: the ledger may
    hold earlier rows (`extended`), which the rows alone do not show."""
    refused = _refusals_in_bulk(tables, activities, rows)
    may_clash = np.ones(len(rows), dtype=bool)
    return [problem for _, problem in _one_by_one(tables, activities, ledger, rows, refused, may_clash)]


def _one_by_one(tables, activities, ledger, rows, refused, may_clash):
    """(position in `rows`, problem) of each row refused, applying the others to the ledger in order."""
    deadlines = _deadline_of(activities)
    for i, (activity_id, person_id, action, code) in enumerate(zip(rows["activity_id"], rows["person_id"],
                                                                   rows["action"], refused)):
        if code:
            yield i, _refusal(tables, rows, i, code, deadlines)
        elif (may_clash[i] and action == "signup" and not ledger.is_active(activity_id, person_id)
              and (clash := ledger.clash(activity_id, person_id)) is not None):
            yield i, tables.problem("signups", rows[ROW].iat[i], "activity_id", activity_id, "overlap",
                                    activity_id=clash)
        else:
            ledger.apply(activity_id, person_id, action)


def _refusal(tables, rows, i, code, deadlines) -> Problem:
    if code == "person_not_active":
        return tables.problem("signups", rows[ROW].iat[i], "person_id", rows["person_id"].iat[i], code)
    return tables.problem("signups", rows[ROW].iat[i], "at", rows["at"].iat[i], code,
                          deadline=f"{deadlines[rows['activity_id'].iat[i]]:%Y-%m-%d %H:%M}")


def _settle_signups(tables: Tables, activities: pd.DataFrame, ledger: _Ledger, rows: pd.DataFrame) -> list[Problem]:
    """What `_apply_signups` does, for a whole log: the rows of the activities where an overlap may
    refuse a row are applied one by one, the others settled in bulk (`signup_bulk`): those change
    nothing but their own activity's roster, whatever the order of the rest."""
    where = _activity_positions(activities, rows["activity_id"])
    starts, ends = _spans(activities)
    refused = np.asarray(_refusals_in_bulk(tables, activities, rows), dtype=object)
    may_clash = signup_bulk.overlapping(where, rows["person_id"].to_numpy(), starts, ends)
    entangled = np.isin(where, np.unique(where[may_clash]))
    in_bulk = ~entangled & (refused == "")
    active, cancelled = signup_bulk.settled(rows["activity_id"].to_numpy()[in_bulk],
                                            rows["person_id"].to_numpy()[in_bulk],
                                            (rows["action"] == "cancel").to_numpy(dtype=bool, na_value=False)[in_bulk])
    ledger.active.update(active)
    ledger.cancelled.update(cancelled)
    ledger.active_in = signup_bulk.active_in(active)
    one_by_one = np.flatnonzero(entangled)
    found = [(one_by_one[i], problem) for i, problem in _one_by_one(
        tables, activities, ledger, rows.iloc[one_by_one], refused[one_by_one], may_clash[one_by_one])]
    deadlines = _deadline_of(activities)
    found += [(i, _refusal(tables, rows, i, refused[i], deadlines)) for i in np.flatnonzero(~entangled & ~in_bulk)]
    return [problem for _, problem in sorted(found, key=lambda item: item[0])]


def promoted_by(tables: Tables, cancellations: list[int]) -> dict[int, list[str]]:
    """Per cancellation (its position in the sign-up log in order, `in_order(signups, SIGNUP_ORDER)`),
    the people its row moved from its activity's waitlist to confirmed: confirmed there by the rows
    through it, waitlisted by the rows before it, as `derive` of those rows has them.

    One replay of the log answers them all, and only of the rows of those activities and the ones
    tied to them (`signup_bulk.tied_to`): no other row changes their rosters. Deriving the rosters
    before and after each cancellation took 75 s for a day's cancellations at 30,000 people."""
    activities = tables["activities"]
    rows = in_order(tables["signups"], SIGNUP_ORDER)
    ledger = _Ledger(activities)
    known = _of_known(rows, ledger.active, _person_ids(tables))
    activity_at = np.where(known, positions_in(activities, "activity_id", rows["activity_id"]), -1)
    asked = sorted(position for position in cancellations if known[position])
    moved = {position: [] for position in cancellations}
    if not asked:
        return moved
    tied = signup_bulk.tied_to(np.unique(activity_at[asked]), activity_at, rows["person_id"].to_numpy(),
                               [_spans(activities)])
    replayed = np.flatnonzero((activity_at >= 0) & tied[activity_at])
    log = rows.iloc[replayed]
    refused = np.asarray(_refusals_in_bulk(tables, activities, log), dtype=object)
    may_clash = np.ones(len(log), dtype=bool)

    def replay(start: int, stop: int) -> None:
        for _ in _one_by_one(tables, activities, ledger, log.iloc[start:stop], refused[start:stop],
                             may_clash[start:stop]):
            pass

    done = 0
    for position in asked:
        at = int(np.searchsorted(replayed, position))
        replay(done, at)
        activity_id = log["activity_id"].iat[at]
        waiting = set(ledger.active[activity_id][len(ledger.confirmed(activity_id)):])
        replay(at, at + 1)
        moved[position] = [person_id for person_id in ledger.confirmed(activity_id) if person_id in waiting]
        done = at + 1
    return moved


def extended(derivation: Derivation, tables: Tables, table: str, start: int) -> Derivation | None:
    """The derivation of `tables`, whose `table` differs from the tables `derivation` came from only by
    rows appended after its first `start` rows; None when that cannot be done by applying just those
    rows (they are not last in the log's order, or they change a roster that check-ins were judged by).
    A sign-up then costs the rows it adds, not a derivation of the whole log."""
    if derivation._ledger is None and derivation._make_ledger is None:
        return None
    if table in ("people", "activities"):
        return _with_new_records(derivation, tables, table, start)
    if table not in ("signups", "checkins"):
        return None
    order = SIGNUP_ORDER if table == "signups" else CHECKIN_ORDER
    before, new = _split_at(tables.parts(table), start)
    if new.empty:
        return derivation  # the write added no row the table did not hold
    if not _all_after(before, new, order):
        return None
    activities = tables["activities"]  # IDs are unique once parsed; the same frame keeps its lookups
    known = _of_known(new, derivation.rosters, _person_ids(tables))
    if not known.all():
        new = new[known]
    if len(new) > 1:
        new = new.sort_values(order, kind="stable")
    if table == "checkins":
        return _with_checkins(derivation, tables, activities, new)
    touched = set(new["activity_id"])
    if any(not touched.isdisjoint(_activities_checked_in(part)) for part in tables.parts("checkins")):
        return None  # a changed roster may change which of those check-ins count: derive it all
    ledger = derivation.ledger().copy_for(touched, set(new["person_id"]))
    problems = _apply_signups(tables, activities, ledger, new)
    rosters = version_of(derivation.rosters)
    for activity_id in touched:
        rosters[activity_id] = _roster(ledger, activity_id, derivation.rosters[activity_id].attended)
    cut = derivation._signup_problems
    return Derivation(rosters, derivation.problems[:cut] + problems + derivation.problems[cut:], _ledger=ledger,
                      _signup_problems=cut + len(problems), _attendance=derivation._same_attendance(),
                      _consulted=None if ledger.consulted is None else frozenset(ledger.consulted))


def _with_new_records(derivation: Derivation, tables: Tables, table: str, start: int) -> Derivation | None:
    """People or activities appended that no row of the logs names change no roster (a new activity's is
    empty): the derivation as it was, with those rosters. None when a log row names one of them (a row
    of an unknown person or activity until now, which counts from now on), or another row has its ID."""
    before, new = _split_at(tables.parts(table), start)
    if new.empty:
        return derivation
    column = "person_id" if table == "people" else "activity_id"
    ids = new[column].to_numpy(dtype=object)
    named = [part for log in ("signups", "checkins") for part in tables.parts(log)] + before  # or an ID taken
    if len(set(ids)) < len(ids) or any(_names_any(part, column, ids) for part in named):
        return None
    if table == "people":
        return derivation
    activities = tables["activities"]
    rosters = version_of(derivation.rosters)
    for activity_id in ids:
        rosters[activity_id] = Roster()
    return Derivation(rosters, derivation.problems, _make_ledger=lambda: derivation.ledger().for_activities(activities),
                      _signup_problems=derivation._signup_problems, _consulted=derivation._consulted,
                      _attendance=derivation._same_attendance())


def _names_any(part, column: str, ids: np.ndarray) -> bool:
    """Whether a row of this part of a log names one of `ids` in `column` (of a kept log, by Arrow)."""
    held = held_in(part, column, ids)
    if held is not None:
        return bool(held.any())
    values = column_of(part, column)
    if len(ids) <= FEW_ROWS:  # a write's few IDs: the column compared with each, not hashed
        return any((values == value).any() for value in ids)
    return bool(is_in(pd.Series(values, dtype=object), ids).any())


def _with_checkins(derivation: Derivation, tables: Tables, activities: pd.DataFrame, new: pd.DataFrame) -> Derivation:
    touched = set(new["activity_id"])
    rosters = version_of(derivation.rosters)
    for activity_id in touched:
        old = derivation.rosters[activity_id]
        rosters[activity_id] = Roster(old.confirmed, old.waitlisted, old.cancelled, list(old.attended))
    problems = _judge_checkins(tables, activities, rosters, new)
    return Derivation(rosters, derivation.problems + problems, _ledger=derivation._ledger,
                      _make_ledger=derivation._make_ledger,
                      _signup_problems=derivation._signup_problems, _consulted=derivation._consulted)


ACTIVITY_TIMES = ("starts_at", "ends_at", "signup_deadline")  # what rows are judged by: overlaps, deadlines, windows
PLACES_AND_STATUS = ("capacity", "status")


def past_edit(derivation: Derivation, tables: Tables, table: str, before: pd.DataFrame) -> Derivation | None:
    """The derivation of `tables`, whose `table` differs from the tables `derivation` came from only by
    cells edited in place (its frame was `before`); None when only deriving it all again can tell.

    An edit of cells the rules do not read (a name, a phone, a title, a place, a check-in code) changes
    no roster. An activity's places or status decide who of its active people is confirmed, and nothing
    else of its own: that is made again from its roster, unless a row of another activity was judged by
    who is confirmed there (`_Ledger.consulted`), or the confirmed people change where check-ins were
    judged by them. Then, and after an edit of an activity's times or deadline, the activities tied to
    the edited ones by overlaps (`signup_bulk.tied_to`) are derived again, and only those. So are the
    activities a person has rows of, and those tied to them, after an edit of who that person is or
    whether active. An edit of an activity's ID is derived again whole."""
    before = frame_of(before)
    if table == "people":
        return _past_people_edit(derivation, tables, before)
    if table != "activities":
        return None
    after = tables["activities"]
    if not _unchanged(before, after, ("activity_id",)):
        return None
    timed, placed = (_any_cell_differs(before, after, columns) for columns in (ACTIVITY_TIMES, PLACES_AND_STATUS))
    if not (timed | placed).any():
        return derivation
    if not timed.any():
        carried = _past_places_edit(derivation, tables, placed)
        if carried is not None:
            return carried
    return _with_tied_derived_again(derivation, tables, before, timed | placed)


def _past_people_edit(derivation: Derivation, tables: Tables, before: pd.DataFrame) -> Derivation | None:
    """After an edit of the people sheet in place: the activities with rows of the people whose ID or
    active cell changed (as before the edit and after it) derived again, with those tied to them."""
    after = tables["people"]
    if len(before) != len(after):
        return None
    changed = _any_cell_differs(before, after, ("person_id", "active"))
    if not changed.any():
        return derivation
    named = (frozenset(before["person_id"].to_numpy(dtype=object)[changed])
             | frozenset(after["person_id"].to_numpy(dtype=object)[changed]))
    activities = tables["activities"]
    return _with_tied_derived_again(derivation, tables, activities, np.zeros(len(activities), dtype=bool), named)


def _any_cell_differs(before: pd.DataFrame, after: pd.DataFrame, columns) -> np.ndarray:
    differs = np.zeros(len(after), dtype=bool)
    for column in columns:
        differs |= _cells_differ(before[column], after[column])
    return differs


def _past_places_edit(derivation: Derivation, tables: Tables, edited: np.ndarray) -> Derivation | None:
    """After an edit of places or status alone: each edited activity's roster made again from its own,
    None when a row of another activity or a check-in was judged by who is confirmed there."""
    after = tables["activities"]
    activity_ids = after["activity_id"].to_numpy(dtype=object)[edited]
    if derivation._consulted is None or not derivation._consulted.isdisjoint(activity_ids):
        return None
    rosters = version_of(derivation.rosters)
    for activity_id, capacity in zip(activity_ids, after["capacity"][edited]):
        old, places = derivation.rosters[activity_id], _places(capacity)
        active = old.confirmed + old.waitlisted  # in the order they became active
        confirmed = active if places is None else active[:places]
        if confirmed != old.confirmed and any(activity_id in _activities_checked_in(part)
                                              for part in tables.parts("checkins")):
            return None
        rosters[activity_id] = Roster(list(confirmed), active[len(confirmed):], list(old.cancelled), list(old.attended))
    return Derivation(rosters, derivation.problems, _make_ledger=lambda: derivation.ledger().for_activities(after),
                      _signup_problems=derivation._signup_problems, _consulted=derivation._consulted,
                      _attendance=derivation._same_attendance())


LOG_COLUMNS = {"signups": [ROW, "activity_id", "person_id", "action", *SIGNUP_ORDER],
               "checkins": [ROW, "activity_id", "person_id", "method", *CHECKIN_ORDER]}


def _with_tied_derived_again(derivation: Derivation, tables: Tables, before: pd.DataFrame,
                             edited: np.ndarray, edited_people: frozenset = frozenset()) -> Derivation:
    """The rosters of the activities tied to the `edited` ones (by position), and to those with rows of
    the `edited_people`, derived again from their own rows, every other roster and problem as it was: no
    row of those was judged by a tied activity, before the edit or after it, nor a row of a tied one by
    another (`signup_bulk.tied_to`), and none names an edited person. At 30,000 people an activity is
    tied to a few others (1-5 activities in all, measured), where deriving all 3,000 rosters took 2 s."""
    after = tables["activities"]
    signups, checkins = _LogRows(tables, "signups", after), _LogRows(tables, "checkins", after)
    seeds = edited | signups.naming(edited_people) | checkins.naming(edited_people)
    tied = signup_bulk.tied_to(np.flatnonzero(seeds), signups.activity_at, signups.person_ids,
                               [_spans(before), _spans(after)])
    ledger, people = _Ledger(after), _person_ids(tables)
    rows = in_order(signups.rows(signups.of(tied)), SIGNUP_ORDER)
    rows = rows[_of_known(rows, ledger.active, people)]
    settle = _settle_signups if len(rows) > FEW_ROWS else _apply_signups
    signup_problems = settle(tables, after, ledger, rows)
    tied_ids = after["activity_id"].to_numpy(dtype=object)[tied]
    made = {activity_id: _roster(ledger, activity_id) for activity_id in tied_ids}
    rows = in_order(checkins.rows(checkins.of(tied)), CHECKIN_ORDER)
    checkin_problems = _judge_checkins(tables, after, made, rows[_of_known(rows, made, people)])
    cut = derivation._signup_problems
    signup_problems = signups.merged(derivation.problems[:cut], signup_problems, tied)
    checkin_problems = checkins.merged(derivation.problems[cut:], checkin_problems, tied)
    rosters = version_of(derivation.rosters)
    rosters.update(made)
    consulted = (None if derivation._consulted is None
                 else frozenset(derivation._consulted.difference(tied_ids) | ledger.consulted))
    same_attendance = all(made[key].attended == derivation.rosters[key].attended for key in tied_ids)
    return Derivation(rosters, signup_problems + checkin_problems,
                      _make_ledger=lambda: _ledger_of(after, rosters, consulted), _signup_problems=len(signup_problems),
                      _consulted=consulted, _attendance=derivation._same_attendance() if same_attendance else None)


class _LogRows:
    """A log's rows by activity, read column by column (a kept log is not loaded): which rows are of some
    activities, those rows, and problems of the log put in its order."""

    def __init__(self, tables: Tables, log: str, activities: pd.DataFrame):
        self.log, self.parts = log, tables.parts(log)
        parts = [columns_of(part, ["activity_id", "person_id", ROW]) for part in self.parts if len(part)]
        column = lambda name: np.concatenate([part[name] for part in parts]) if parts else np.zeros(0)  # noqa: E731
        self.activity_at = positions_in(activities, "activity_id", column("activity_id"))
        self.person_ids, self._numbers = column("person_id"), column(ROW).astype(np.int64)
        self._activity_count = len(activities)

    def naming(self, people: frozenset) -> np.ndarray:
        """Per activity (by position): whether a row of it names one of these people."""
        named = np.zeros(self._activity_count, dtype=bool)
        if people:
            rows = (self.activity_at >= 0) & is_in(pd.Series(self.person_ids, dtype=object), people)
            named[self.activity_at[rows]] = True
        return named

    def of(self, activities: np.ndarray) -> np.ndarray:
        """The positions of the rows of these activities (a mask by activity position)."""
        return np.flatnonzero((self.activity_at >= 0) & activities[self.activity_at])

    def rows(self, positions: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows at these positions (ascending), of these columns (those the rules read)."""
        columns, frames, held = columns or LOG_COLUMNS[self.log], [], 0
        for part in self.parts:
            mine = positions[(positions >= held) & (positions < held + len(part))] - held
            if len(mine):
                frames.append(pd.DataFrame(columns_of(part, columns, mine)))
            held += len(part)
        if not frames:
            return pd.DataFrame({name: pd.Series(dtype="datetime64[ns]" if name == "at" else object) for name in columns})
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    def merged(self, kept: list[Problem], made: list[Problem], activities: np.ndarray) -> list[Problem]:
        """The problems of this log: `kept` (in order) without those of rows of these activities, and
        `made` (in order, of those rows), all in the log's order."""
        tied_rows = np.zeros(self._numbers.max() + 1 if len(self._numbers) else 0, dtype=bool)
        tied_rows[self._numbers[self.of(activities)]] = True
        kept = [p for p in kept if not (p.row is not None and 0 <= p.row < len(tied_rows) and tied_rows[p.row])]
        if not kept or not made:
            return kept or made
        wanted = {p.row for p in kept} | {p.row for p in made}
        positions = np.flatnonzero(np.isin(self._numbers, np.fromiter(wanted, dtype=np.int64)))
        order = LOG_COLUMNS[self.log][-2:]
        rank = {number: n for n, number in enumerate(in_order(self.rows(positions, [ROW, *order]), order)[ROW])}
        return sorted(kept + made, key=lambda p: rank[p.row])


def _unchanged(before: pd.DataFrame, after: pd.DataFrame, columns) -> bool:
    """Whether both frames hold the same rows with the same values in these columns."""
    return len(before) == len(after) and not any(_cells_differ(before[c], after[c]).any() for c in columns)


def _cells_differ(before: pd.Series, after: pd.Series) -> np.ndarray:
    """Per row: whether the two columns' values differ (two missing values do not)."""
    same = before.reset_index(drop=True).eq(after.reset_index(drop=True)).fillna(False).to_numpy(dtype=bool)
    return ~(same | (before.isna().to_numpy() & after.isna().to_numpy()))


def _split_at(parts: tuple[pd.DataFrame, ...], start: int) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """A table held as `parts`: its rows before `start` (as whole parts where they can be, so their
    lookups are kept) and the rows from `start` on."""
    held = 0
    for count, part in enumerate(parts):
        if held + len(part) > start:
            before, rest = list(parts[:count]), list(parts[count + 1:])
            if held < start:  # `start` falls inside this part
                part = frame_of(part)
                before.append(part.iloc[:start - held])
                part = part.iloc[start - held:]
            rest = [part, *rest]
            return before, rest[0] if len(rest) == 1 else pd.concat(rest, ignore_index=True)
        held += len(part)
    last = parts[-1]  # no row from `start` on: none is taken from a kept log not loaded either
    return list(parts), last.iloc[:0] if isinstance(last, pd.DataFrame) else pd.DataFrame(columns=[ROW])


def _all_after(before: list[pd.DataFrame], new: pd.DataFrame, order: list[str]) -> bool:
    """Whether every new row comes after every earlier row in (at, id) order."""
    lasts = [_last_in_order(part, order) for part in before if len(part)]
    lasts = [last for last in lasts if not pd.isna(last[0])]
    if not lasts:
        return True
    last_at = max(at for at, _ in lasts)
    if len(new) > FEW_ROWS:
        first_at = new["at"].min()
    else:  # a write's rows: looking at each costs less than pandas' reduction
        first_at = min((at for at in new["at"] if not pd.isna(at)), default=pd.NaT)
    if first_at > last_at:
        return True
    if first_at < last_at:
        return False
    ties_before = max(last_id for at, last_id in lasts if at == last_at)
    return bool(new.loc[new["at"] == last_at, order[1]].min() > ties_before)


def _last_in_order(part, order: list[str]) -> tuple:
    """The part's latest `at` and the greatest ID among its rows at that moment."""
    def compute():
        if isinstance(part, pd.DataFrame) and len(part) <= FEW_ROWS:  # a write's rows: looked at one by one
            moments, keys = part["at"].to_numpy(), part[order[1]].to_numpy()
            timed = [(at, key) for at, key in zip(moments, keys) if not pd.isna(at)]
            last_at, key = max(timed, default=(None, None))
            return (pd.NaT, None) if last_at is None else (pd.Timestamp(last_at), key)
        moments = column_of(part, "at")  # of a kept log not loaded, this column alone; the IDs only at its last moment
        timed = moments[~np.isnat(moments)]
        if not len(timed):
            return pd.NaT, None
        last_at = timed.max()
        return pd.Timestamp(last_at), max(column_of(part, order[1], np.flatnonzero(moments == last_at)))
    return per_frame(part, f"last_in_order:{order[1]}", compute)


def _activities_checked_in(checkins: pd.DataFrame) -> frozenset:
    return per_frame(checkins, "activity_ids", lambda: frozenset(column_of(checkins, "activity_id")))


def _of_known(rows: pd.DataFrame, activities, people: frozenset) -> np.ndarray:
    """Per row: whether its activity and person are known."""
    return _each_in(rows["activity_id"], activities) & _each_in(rows["person_id"], people)


def _each_in(values: pd.Series, keys) -> np.ndarray:
    """Per value: whether it is one of `keys` (a set or a dict's keys): hashed in one go for a whole
    log, looked up one by one for fewer values than keys (a write's rows, one activity's: pandas would
    first convert the 30,000 keys to its string type, 0.13 s)."""
    if len(values) > FEW_ROWS and len(values) >= len(keys):
        return is_in(values, keys)
    return np.fromiter((value in keys for value in values), dtype=bool, count=len(values))


def in_order(rows: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """`rows` sorted stably by `order` (a moment, then a unique ID). A log the app wrote is in that order
    already (its moments are stamped under the write lock), which is checked in one pass instead of
    sorting 300,000 rows by a text column."""
    moments, keys = rows[order[0]].to_numpy(), rows[order[1]].to_numpy()
    if len(rows) < 2 or moments.dtype.kind != "M" or np.isnat(moments).any():
        return rows.sort_values(order, kind="stable")
    later, tied = moments[1:] > moments[:-1], moments[1:] == moments[:-1]
    if (later | tied).all() and (keys[1:][tied] > keys[:-1][tied]).all():
        return rows
    try:  # numpy compares the IDs as they are; pandas would first convert 300,000 of them to its string type
        return rows.take(np.lexsort((keys, moments.view("int64"))))
    except TypeError:  # an ID of another type than the rest
        return rows.sort_values(order, kind="stable")


def _person_ids(tables: Tables) -> frozenset:
    people = tables["people"]
    return per_frame(people, "person_ids", lambda: frozenset(people["person_id"]))


def _refusals_in_bulk(tables: Tables, activities: pd.DataFrame, rows: pd.DataFrame) -> list[str]:
    """Per sign-up row: "person_not_active", "deadline_passed" or "" (the order rule judges the rest)."""
    if rows.empty:
        return []
    active, deadlines = active_ids(tables), _deadline_of(activities)
    if len(rows) <= FEW_ROWS:  # a write's rows: judged one by one, as the bulk judgement below would
        return [_refusal_of_row(person_id, at, deadlines[activity_id], active)
                for person_id, activity_id, at in zip(rows["person_id"], rows["activity_id"], rows["at"])]
    inactive = ~_each_in(rows["person_id"], active)
    deadline = (rows["activity_id"].map(deadlines) if len(rows) > FEW_ROWS
                else pd.Series([deadlines.get(a) for a in rows["activity_id"]], index=rows.index))
    late = (rows["at"] > deadline).to_numpy(dtype=bool, na_value=False)
    return list(np.select([inactive, late], ["person_not_active", "deadline_passed"], default=""))


def _refusal_of_row(person_id: str, at, deadline, active: frozenset) -> str:
    if person_id not in active:
        return "person_not_active"
    return "deadline_passed" if at > deadline else ""  # NaT on either side compares False


def _deadline_of(activities: pd.DataFrame) -> dict:
    return per_frame(activities, "deadline_of", lambda: dict(zip(activities["activity_id"], deadlines(activities))))


def deadlines(activities: pd.DataFrame) -> pd.Series:
    """Each activity's sign-up deadline: its own, else its start (`deadline_of`, for a whole table)."""
    return activities["signup_deadline"].fillna(activities["starts_at"])


def _attach_checkins(tables, activities, rosters) -> list[Problem]:
    """Attendance from the check-in log, judged in bulk: a code check-in counts for a confirmed person
    inside the window; a coordinator's counts always; each person once per activity, first one first."""
    rows = in_order(tables["checkins"], CHECKIN_ORDER)
    rows = rows[_of_known(rows, rosters, _person_ids(tables))]
    return _judge_checkins(tables, activities, rosters, rows)


def _judge_checkins(tables, activities, rosters, rows) -> list[Problem]:
    """Adds the check-in rows (sorted, of known activities and people) that count to the rosters'
    attendance; the problems of the others."""
    if rows.empty:
        return []
    activity_ids, person_ids = rows["activity_id"].to_numpy(), rows["person_id"].to_numpy()
    confirmed = {(a, p) for a in set(activity_ids) for p in rosters[a].confirmed}
    by_code = (rows["method"] == "code").to_numpy(dtype=bool)
    unconfirmed = by_code & ~np.fromiter(((a, p) in confirmed for a, p in zip(activity_ids, person_ids)),
                                         dtype=bool, count=len(rows))
    where = positions_in(activities, "activity_id", activity_ids)  # known activities only (see `_of_known`)
    starts, ends = activities["starts_at"].to_numpy()[where], activities["ends_at"].to_numpy()[where]
    moments = rows["at"].to_numpy()
    inside = (starts - np.timedelta64(CHECKIN_OPENS_BEFORE) <= moments) & (moments <= ends)  # NaT: False
    outside = by_code & ~unconfirmed & ~inside
    problems, refused = [], rows[unconfirmed | outside]
    for number, person_id, at, not_confirmed in zip(refused[ROW], refused["person_id"], refused["at"],
                                                    unconfirmed[unconfirmed | outside]):
        if not_confirmed:
            problems.append(tables.problem("checkins", number, "person_id", person_id, "not_confirmed"))
        else:
            problems.append(tables.problem("checkins", number, "at", f"{at:%Y-%m-%d %H:%M}", "outside_window"))
    counts = ~(unconfirmed | outside)
    _add_attendance(rosters, activity_ids[counts], person_ids[counts])
    return problems


def _add_attendance(rosters, activity_ids, person_ids) -> None:
    """Each person once per activity, in the order of the check-ins that count, after those attended."""
    attendance: dict[str, tuple[list, set]] = {}
    for activity_id, person_id in zip(activity_ids, person_ids):
        if activity_id not in attendance:
            attended = rosters[activity_id].attended
            attendance[activity_id] = (attended, set(attended))
        attended, seen = attendance[activity_id]
        if person_id not in seen:
            seen.add(person_id)
            attended.append(person_id)


# -- decisions for new submissions -------------------------------------------------------
def _person_refusal(tables: Tables, person_id: str) -> Refusal | None:
    return None if person_id in active_ids(tables) else Refusal("unknown_person", person_id)


def _activity(tables: Tables, activity_id: str) -> pd.Series | None:
    """The activity's row; each row taken out of the frame once (a row of mixed types costs pandas more
    than the rest of a decision) and shared by later decisions on the same data. Never changed."""
    activities = tables["activities"]
    found = position_of(activities, "activity_id").get(activity_id)
    if found is None:
        return None
    rows = per_frame(activities, "rows", dict)
    if activity_id not in rows:
        rows[activity_id] = activities.iloc[found]
    return rows[activity_id]


def _activity_positions(activities: pd.DataFrame, activity_ids: pd.Series) -> np.ndarray:
    """Each ID's row position in `activities` (all known)."""
    return positions_in(activities, "activity_id", activity_ids)


def _spans(activities: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each activity's start and end as integers (ns), by position."""
    return per_frame(activities, "spans", lambda: (np.asarray(_ns(activities["starts_at"]), dtype=np.int64),
                                                   np.asarray(_ns(activities["ends_at"]), dtype=np.int64)))


def _submission_refusal(tables: Tables, activity_id: str, person_id: str, now: dt.datetime):
    activity = _activity(tables, activity_id)
    if activity is None:
        return None, Refusal("unknown_activity", activity_id)
    if activity["status"] != "open":
        return activity, Refusal("activity_not_open", activity["status"])
    if now > deadline_of(activity):
        return activity, Refusal("deadline_passed", f"{deadline_of(activity):%Y-%m-%d %H:%M}")
    return activity, _person_refusal(tables, person_id)


def decide_signup(tables: Tables, derivation: Derivation, activity_id: str, person_id: str,
                  now: dt.datetime) -> Refusal | None:
    """None when the sign-up may be recorded (also when the person is already active: it counts once)."""
    activity, refusal = _submission_refusal(tables, activity_id, person_id, now)
    if refusal is not None:
        return refusal
    roster = derivation.roster(activity_id)
    if person_id in roster.confirmed or person_id in roster.waitlisted:
        return None
    mine = [other_id for other_id in derivation.activities_of(person_id)
            if other_id != activity_id and person_id in derivation.roster(other_id).confirmed]
    for other_id in mine:  # only the person's own activities are looked up
        other = _activity(tables, other_id)
        if other is not None and other["status"] != "cancelled" and _overlaps(activity, other):
            return Refusal("overlap", f"{other_id} {other['title']}")
    return None


def decide_cancel(tables: Tables, derivation: Derivation, activity_id: str, person_id: str,
                  now: dt.datetime) -> Refusal | None:
    _, refusal = _submission_refusal(tables, activity_id, person_id, now)
    if refusal is not None:
        return refusal
    roster = derivation.roster(activity_id)
    if person_id not in roster.confirmed and person_id not in roster.waitlisted:
        return Refusal("not_signed_up", person_id)
    return None


def decide_checkin(tables: Tables, derivation: Derivation, activity_id: str, person_id: str,
                   code: str | None, now: dt.datetime) -> Refusal | None:
    """A check-in by code (`code` given) or by a coordinator (`code` None: anyone, any time)."""
    activity = _activity(tables, activity_id)
    if activity is None:
        return Refusal("unknown_activity", activity_id)
    refusal = _person_refusal(tables, person_id)
    if refusal is not None or code is None:
        return refusal
    if activity["status"] == "cancelled":
        return Refusal("activity_cancelled")
    opens = activity["starts_at"] - CHECKIN_OPENS_BEFORE
    if not opens <= now <= activity["ends_at"]:
        return Refusal("outside_window", f"{opens:%m-%d %H:%M} – {activity['ends_at']:%m-%d %H:%M}")
    if person_id not in derivation.roster(activity_id).confirmed:
        return Refusal("not_confirmed")
    if not activity["checkin_code"]:
        return Refusal("no_code_set")
    if code.strip().upper() != str(activity["checkin_code"]).strip().upper():
        return Refusal("wrong_code")
    return None


def new_id(prefix: str, now: dt.datetime) -> str:
    """A unique row ID, made once before the first attempt to write: the idempotency key."""
    return f"{prefix}{now:%Y%m%d%H%M%S}-{secrets.token_hex(4)}"


def signup_row(activity_id: str, person_id: str, action: str, by: str, now: dt.datetime) -> dict[str, str]:
    return {"signup_id": new_id("S", now), "activity_id": activity_id, "person_id": person_id,
            "action": action, "by": by}


def checkin_row(activity_id: str, person_id: str, method: str, by: str, now: dt.datetime) -> dict[str, str]:
    return {"checkin_id": new_id("C", now), "activity_id": activity_id, "person_id": person_id,
            "method": method, "by": by}


def new_checkin_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
