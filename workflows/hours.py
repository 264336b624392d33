"""Service hours: what is credited to whom, self-reports, reviews, tallies (workbook.md § hours).

Credited hours of a person = Σ hours of each activity they attended (not cancelled, once per
activity) + Σ hours of their approved rows of the `hours` sheet. "As of" a moment, an
activity counts once it has ended and a row once its date has come. A row counts only within
the bounds of its source (`source_rule_breaches`); a row outside them is a data problem.
"""
from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from workflows.access import COORDINATOR, Viewer
from workflows.cells import BadCell, format_datetime, parse_cell
from workflows.schema import table as schema_table
from workflows.signup import Derivation, new_id
from workflows.tables import per_frame, positions_in

ENTRY_TYPES = {"person_id": "object", "date": "datetime64[us]", "kind": "object", "ref": "object", "title": "object",
               "hours": "float64"}
ENTRY_COLUMNS = list(ENTRY_TYPES)
SELF_REPORT_LIMIT = 24  # hours: one day's service


def source_rule_breaches(entries: pd.DataFrame) -> pd.Series:
    """The problem code of the rule each hours row breaks, "" where it keeps it (workbook.md § hours):
    `self_report` > 0 and ≤ 24; `import` > 0, any size (a total carried over); `adjustment` any
    non-zero value. A source that does not parse is judged as the default, `self_report`."""
    hours = entries["hours"].to_numpy(dtype=float, na_value=np.nan)
    source = entries["source"].to_numpy(dtype=object)
    adjustment, imported = source == "adjustment", source == "import"
    known = ~np.isnan(hours)
    with np.errstate(invalid="ignore"):
        codes = np.select([known & ~adjustment & (hours <= 0),
                           known & ~adjustment & ~imported & (hours > SELF_REPORT_LIMIT),
                           known & adjustment & (hours == 0)],
                          ["hours_not_positive", "hours_over_a_day", "hours_zero_adjustment"], default="")
    return pd.Series(codes, index=entries.index, dtype=object)


def counted_rows(entries: pd.DataFrame) -> np.ndarray:
    """Per row of the `hours` sheet, whether it counts: approved and within the bounds of its source."""
    return ((entries["status"].to_numpy(dtype=object) == "approved") & entries["hours"].notna().to_numpy()
            & (source_rule_breaches(entries).to_numpy(dtype=object) == ""))


MOMENTS_KEPT = 2  # credited entries kept per (hours, activities, attendance): the dashboard asks at two moments
_KEEPING_ENTRIES = threading.Lock()


def credited_entries(tables, derivation: Derivation, as_of: dt.datetime | None = None) -> pd.DataFrame:
    """One row per credited activity attendance or approved hours row, ordered by person, date, ref.
    Computed once per (tables, derivation, as_of): report, by-branch, points and trends share it."""
    _kept, entries = tables.once(("credited_entries", id(derivation), as_of),
                                lambda: (derivation, _entries_of_the_same_rows(tables, derivation, as_of)))
    return entries  # `_kept` keeps that derivation alive, so its id names no other while the entry lives


def _entries_of_the_same_rows(tables, derivation: Derivation, as_of: dt.datetime | None) -> pd.DataFrame:
    """The entries made for earlier tables of these very frames of hours and activities and this very
    attendance, at `as_of`; else made now. A sign-up changes none of the three, so the refresh after
    it takes the entries as they were instead of crediting 450,000 rows again."""
    hours, activities, attendance = tables["hours"], tables["activities"], derivation.attendance()
    made = per_frame(hours, "credited_entries", dict)  # (activities, attendance, as_of) -> entries, latest last
    key = (id(activities), id(attendance), as_of)
    with _KEEPING_ENTRIES:
        found = made.get(key)
    if found is not None:
        return found[2]
    entries = _credited_entries(tables, derivation, as_of)
    with _KEEPING_ENTRIES:  # pages and the refresh may make entries of one hours frame at once
        for other in [k for k, (kept, held, _) in made.items() if kept is not activities or held is not attendance]:
            del made[other]  # made of inputs gone by (held here with the entries, so no other frame takes their id)
        while len(made) >= MOMENTS_KEPT:
            del made[next(iter(made))]
        made[key] = (activities, attendance, entries)
    return entries


def _credited_entries(tables, derivation: Derivation, as_of: dt.datetime | None) -> pd.DataFrame:
    activities = tables["activities"]
    held = (activities["status"] != "cancelled").to_numpy(dtype=bool)
    if as_of is not None:
        held = held & (activities["ends_at"] <= as_of).to_numpy(dtype=bool, na_value=False)
    attended = _attended_and_held(derivation.attendance(), activities, held)
    rows = tables["hours"]
    counted = counted_rows(rows)
    if as_of is not None:
        counted &= (rows["date"] <= as_of).to_numpy(dtype=bool)
    approved = {key: rows[key].to_numpy()[counted] for key in ("person_id", "date", "entry_id", "description")}
    approved["hours"] = rows["hours"].to_numpy(dtype=float, na_value=np.nan)[counted]
    parts = {"person_id": (attended["person_id"], approved["person_id"]),
             "date": (attended["starts_at"], approved["date"]),
             "kind": (_one_text(len(attended["person_id"]), "activity"), _one_text(counted.sum(), "entry")),
             "ref": (attended["activity_id"], approved["entry_id"]),
             "title": (attended["title"], approved["description"]),
             "hours": (attended["hours"], approved["hours"])}
    joined = {key: np.concatenate([np.asarray(part, dtype=ENTRY_TYPES[key]) for part in pair])
              for key, pair in parts.items()}
    order = _entry_order(joined["person_id"], joined["date"], joined["ref"])
    return pd.DataFrame({key: pd.Series(values[order], dtype=ENTRY_TYPES[key]) for key, values in joined.items()})


def _attended_and_held(attendance: pd.DataFrame, activities: pd.DataFrame, held: np.ndarray) -> dict[str, np.ndarray]:
    """The attendances of the `held` activities (a mask over `activities`), in their order, with each
    activity's start, title and hours (0 where it has none): an inner merge on the activity ID, done by
    position (pandas' merge converted 170,000 IDs to its string type and back)."""
    where = positions_in(activities, "activity_id", attendance["activity_id"])
    kept = where >= 0
    kept[kept] = held[where[kept]]
    where = where[kept]
    return {"activity_id": attendance["activity_id"].to_numpy(dtype=object)[kept],
            "person_id": attendance["person_id"].to_numpy(dtype=object)[kept],
            "starts_at": activities["starts_at"].to_numpy()[where],
            "title": activities["title"].to_numpy(dtype=object)[where],
            "hours": activities["hours"].to_numpy(dtype=float, na_value=0.0)[where]}


def _one_text(count: int, text: str) -> np.ndarray:
    """`count` cells all holding this one str object (`np.full` would make a copy of it per cell:
    15 MiB for the 300,000 attendances of a university)."""
    cells = np.empty(count, dtype=object)
    cells[:] = text
    return cells


def _entry_order(person_ids: np.ndarray, dates: np.ndarray, refs: np.ndarray) -> np.ndarray:
    """The positions that order entries by person, date, ref (missing last in each, ties as they come):
    `sort_values` on these keys, without the copies of the whole frame it makes on the way (at 30,000
    people a third of the memory of a report)."""
    moments = dates.astype("int64")
    moments[np.isnat(dates)] = np.iinfo(np.int64).max
    people = _sorting_codes(person_ids)
    return np.lexsort((_ref_codes_of_ties(refs, moments, people), moments, people))


def _ref_codes_of_ties(refs: np.ndarray, moments: np.ndarray, people: np.ndarray) -> np.ndarray:
    """Sorting codes of the refs where they decide: among entries of one person at one moment. Few
    entries share both, so only their refs are sorted (sorting all 450,000 texts of a university took
    three quarters of crediting them); every other entry's code is 0, which orders nothing."""
    by_person_and_moment = np.lexsort((moments, people))
    people, moments = people[by_person_and_moment], moments[by_person_and_moment]
    same_as_next = (people[1:] == people[:-1]) & (moments[1:] == moments[:-1])
    tied = np.zeros(len(refs), dtype=bool)
    tied[:-1] |= same_as_next
    tied[1:] |= same_as_next
    codes = np.zeros(len(refs), dtype=np.int64)
    positions = by_person_and_moment[tied]
    if len(positions):
        codes[positions] = _sorting_codes(refs[positions])
    return codes


def _sorting_codes(values: np.ndarray) -> np.ndarray:
    codes, uniques = pd.factorize(values, sort=True)
    return np.where(codes < 0, len(uniques), codes)


def hours_by_person(entries: pd.DataFrame, people: pd.DataFrame) -> pd.Series:
    """Credited hours of every person in `people` (0 when none), rounded to 2 decimals."""
    totals = per_frame(entries, "hours_by_person", lambda: _summed_by_person(entries))
    return totals.reindex(people["person_id"], fill_value=0.0).round(2)  # summed once, asked of many groups


def _summed_by_person(entries: pd.DataFrame) -> pd.Series:
    """Hours per person. Credited entries come ordered by person, so each person's entries are one run
    and the sums are taken run by run, without hashing 500,000 IDs into groups; any other order is
    grouped."""
    ids, hours = entries["person_id"].to_numpy(), entries["hours"].to_numpy(dtype=float, na_value=0.0)
    if len(ids) < 2 or not (ids[1:] >= ids[:-1]).all():
        return entries.groupby("person_id")["hours"].sum()
    starts = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
    return pd.Series(np.add.reduceat(hours, starts), index=pd.Index(ids[starts], dtype=object))


def within(entries: pd.DataFrame, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
    """The entries dated inside [start, end] (either end open when None)."""
    keep = pd.Series(True, index=entries.index)
    if start is not None:
        keep &= entries["date"] >= pd.Timestamp(start)
    if end is not None:
        keep &= entries["date"] < pd.Timestamp(end) + pd.Timedelta(days=1)
    return entries[keep]


# -- self-reports ------------------------------------------------------------------------
def check_self_report(values: dict[str, str], person_id: str, now: dt.datetime,
                      timezone: str) -> tuple[dict[str, str], dict[str, tuple[str, dict]]]:
    """(the hours row to append, {field: (error code, params)})."""
    spec, tz = schema_table("hours"), ZoneInfo(timezone)
    errors, parsed = {}, {}
    for key in ("date", "hours", "description"):
        text = (values.get(key) or "").strip()
        if not text:
            errors[key] = ("required", {})
            continue
        try:
            parsed[key] = parse_cell(text, spec.column(key), tz)
        except BadCell as bad:
            errors[key] = (bad.code, bad.params)
    for key, limit in (("description", 1000), ("evidence", 1000)):
        if len(values.get(key) or "") > limit:
            errors[key] = ("too_long", {"limit": limit})
    if "date" in parsed and parsed["date"] > now.date():
        errors["date"] = ("date_in_future", {})
    if "hours" in parsed and parsed["hours"] > SELF_REPORT_LIMIT:
        errors["hours"] = ("too_large", {"limit": f"{SELF_REPORT_LIMIT:g}"})
    elif "hours" in parsed and not parsed["hours"] > 0:
        errors["hours"] = ("hours_range", {})
    row = {"entry_id": new_id("H", now), "person_id": person_id, "activity_id": (values.get("activity_id") or "").strip(),
           "date": f"{parsed['date']:%Y-%m-%d}" if "date" in parsed else "",
           "hours": f"{parsed['hours']:g}" if "hours" in parsed else "", "source": "self_report",
           "description": (values.get("description") or "").strip(), "evidence": (values.get("evidence") or "").strip(),
           "status": "pending"}
    return row, errors


# -- reviews -----------------------------------------------------------------------------
def may_review(viewer: Viewer, person_branch: str | None) -> bool:
    return viewer.role == COORDINATOR and bool(person_branch) and person_branch == viewer.branch


def review_changes(tables, viewer: Viewer, entry_ids: list[str], decision: str, note: str,
                   now: dt.datetime) -> tuple[list[tuple[dict, dict]], dict[str, str]]:
    """The targeted changes that approve or reject pending entries, and {entry_id: why not} for the rest."""
    entries = tables["hours"].set_index("entry_id")
    branch_of = dict(zip(tables["people"]["person_id"], tables["people"]["branch"]))
    changes, refused = [], {}
    if decision == "rejected" and not note.strip():
        return [], {entry_id: "note_required" for entry_id in entry_ids}
    for entry_id in entry_ids:
        if entry_id not in entries.index:
            refused[entry_id] = "unknown_entry"
        elif entries.loc[entry_id, "status"] != "pending":
            refused[entry_id] = "not_pending"
        elif not may_review(viewer, branch_of.get(entries.loc[entry_id, "person_id"])):
            refused[entry_id] = "not_your_branch"
        else:
            changes.append(({"entry_id": entry_id}, {"status": decision, "reviewed_by": viewer.person_id,
                                                     "reviewed_at": format_datetime(now), "review_note": note.strip()}))
    return changes, refused


# -- tallies -----------------------------------------------------------------------------
def tally(entries: pd.DataFrame, people: pd.DataFrame, by: str) -> pd.DataFrame:
    """Credited hours and people serving per value of a people column (branch, college, political_status)."""
    per_person = hours_by_person(entries, people)
    frame = people[["person_id", by]].assign(hours=per_person.values)
    grouped = frame.groupby(by, dropna=False).agg(people=("person_id", "count"), hours=("hours", "sum"),
                                                    serving=("hours", lambda h: int((h > 0).sum())))
    return grouped.assign(hours=grouped["hours"].round(2)).reset_index()
