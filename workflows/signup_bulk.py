"""The order rule of the sign-up log, worked out for a whole log at once (workbook.md § signups).

Applying 300,000 rows one by one in Python cost a second and a half. Only a row that may be refused
as an overlap depends on the rosters of other activities at its moment; every other row of an
activity changes that activity alone, and its end state follows from each person's own rows:
the latest row decides (signup: active, cancel: cancelled if they were active), the place in the
order is that of the sign-up that made them active, a cancelled person's place that of the
cancellation that ended it. Those are found with sorts and masks over integer codes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def overlapping(activity_at: np.ndarray, person_ids: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per row (a person's row of the activity at position `activity_at`, activities spanning
    [starts, ends) as integers): whether the same person has a row of another activity overlapping it."""
    if not len(person_ids):
        return np.zeros(0, dtype=bool)
    people = pd.factorize(person_ids)[0].astype(np.int64)
    pairs, pair_of_row = np.unique(people * len(starts) + activity_at, return_inverse=True)
    people, activities = pairs // len(starts), pairs % len(starts)
    order = np.lexsort((starts[activities], people))  # a person's activities together, by start
    people, begins, finishes = people[order], starts[activities][order], ends[activities][order]
    same_as_before = np.r_[False, people[1:] == people[:-1]]
    same_as_after = np.r_[same_as_before[1:], False]
    latest_end = pd.Series(finishes).groupby(people, sort=False).cummax().to_numpy()
    latest_end_before = np.r_[np.int64(0), latest_end[:-1]]
    next_begin = np.r_[begins[1:], np.int64(0)]
    flagged = (same_as_before & (begins < latest_end_before)) | (same_as_after & (next_begin < finishes))
    of_pair = np.empty(len(pairs), dtype=bool)
    of_pair[order] = flagged
    return of_pair[pair_of_row.ravel()]


def settled(activity_ids: np.ndarray, person_ids: np.ndarray, cancels: np.ndarray):
    """The end state of log rows (in the log's order, none of them refused) of activities where no
    row can be refused as an overlap: ({activity: active people in order}, {activity: cancelled
    people in order}), each as applying the rows one by one would leave them."""
    count = len(activity_ids)
    if not count:
        return {}, {}
    activities, activity_keys = pd.factorize(activity_ids)
    people, person_keys = pd.factorize(person_ids)
    pair = activities.astype(np.int64) * len(person_keys) + people
    order = np.argsort(pair, kind="stable")  # each person's rows of an activity together, in log order
    pair, signs_up = pair[order], ~cancels[order]
    first = np.r_[True, pair[1:] != pair[:-1]]
    last = np.r_[first[1:], True]
    after_sign_up = np.r_[False, signs_up[:-1]] & ~first
    becomes_active, stops_being_active = signs_up & ~after_sign_up, ~signs_up & after_sign_up
    at = np.arange(count)
    pair_start = np.maximum.accumulate(np.where(first, at, 0))
    latest_start = np.maximum.accumulate(np.where(becomes_active, at, -1))
    latest_stop = np.maximum.accumulate(np.where(stops_being_active, at, -1))
    active = last & signs_up  # then the pair's latest start is its own (a start precedes the sign-up)
    cancelled = last & ~signs_up & (latest_stop >= pair_start)
    activity_keys, person_keys = np.asarray(activity_keys, dtype=object), np.asarray(person_keys, dtype=object)
    return (_lists(activity_keys, person_keys, activities[order][active], people[order][active],
                   order[latest_start[active]]),
            _lists(activity_keys, person_keys, activities[order][cancelled], people[order][cancelled],
                   order[latest_stop[cancelled]]))


def _lists(activity_keys, person_keys, activities, people, places) -> dict[str, list[str]]:
    """{activity: its people ordered by place}."""
    if not len(activities):
        return {}
    order = np.lexsort((places, activities))
    activities, people = activities[order], people[order]
    bounds = np.flatnonzero(np.r_[True, activities[1:] != activities[:-1], True])
    return {activity_keys[activities[begin]]: person_keys[people[begin:end]].tolist()
            for begin, end in zip(bounds[:-1], bounds[1:])}


def active_in(active: dict[str, list[str]]) -> dict[str, list[str]]:
    """{person: the activities they are active in}, as lists: a person is active in a few activities,
    where a list is a quarter of a set's size (30,000 sets held 20 MiB)."""
    found: dict[str, list[str]] = {}
    for activity_id, people in active.items():
        for person_id in people:
            mine = found.get(person_id)
            if mine is None:
                found[person_id] = [activity_id]
            else:
                mine.append(activity_id)
    return found


def tied_to(seeds: np.ndarray, activity_at: np.ndarray, person_ids: np.ndarray, spans) -> np.ndarray:
    """Per activity (by position): whether its roster may hang on those at `seeds`, or theirs on it.

    A row is judged by the rosters of other activities only where its person has a row of one that
    overlaps its own (a clash is looked for among those). So the activities tied to the seeds — the
    seeds, and every activity overlapping a tied one, under any of `spans` ((starts, ends) integer
    arrays by position), for a person with rows of both — are judged by one another alone, and
    every other roster comes out as it would without them. `activity_at`: each log row's activity
    position (-1 for one not known); a row naming no one (None) ties nothing."""
    count = len(spans[0][0])
    tied = np.zeros(count, dtype=bool)
    tied[seeds] = True
    people = pd.factorize(person_ids)[0].astype(np.int64)  # -1 for a row naming no one
    known = (activity_at >= 0) & (people >= 0)
    people = people[known]
    pairs = np.unique(people * count + activity_at[known])  # (person, activity) once, by person
    pair_person, pair_activity = pairs // count, pairs % count
    first_of_person = np.searchsorted(pair_person, np.arange(people.max() + 2 if len(people) else 1))
    frontier = tied.copy()
    while frontier.any():
        on_frontier = np.flatnonzero(frontier[pair_activity])  # (person, frontier activity) pairs
        begins, ends = first_of_person[pair_person[on_frontier]], first_of_person[pair_person[on_frontier] + 1]
        lengths = ends - begins
        others = pair_activity[np.repeat(begins - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(lengths.sum())]
        own = np.repeat(pair_activity[on_frontier], lengths)
        overlap = np.zeros(len(own), dtype=bool)
        for starts, finishes in spans:
            overlap |= (starts[own] < finishes[others]) & (starts[others] < finishes[own])
        frontier = np.zeros(count, dtype=bool)
        frontier[others[overlap & ~tied[others]]] = True
        tied |= frontier
    return tied
