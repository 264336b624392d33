"""The typed tables every workflow takes: one DataFrame per sheet, plus where each came from."""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workflows.problems import Problem

ROW = "_row"  # the sheet row number of each parsed row
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass
class Tables:
    frames: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    timezone: str = DEFAULT_TIMEZONE
    titles: dict[str, str] = field(default_factory=dict)  # table key -> worksheet title
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column key -> header cell
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)  # what `once` computed

    def __getitem__(self, key: str) -> pd.DataFrame:
        frame = self.frames[key]
        return frame.whole() if isinstance(frame, Stacked) else frame

    def length(self, key: str) -> int:
        """The number of rows of the table, without joining rows laid over it."""
        return len(self.frames[key])

    def parts(self, key: str) -> tuple[pd.DataFrame, ...]:
        """The table as the frames it is held in, in order (one, unless writes laid rows over it). A kept
        table not loaded yet is a part of its own (`Deferred`), loaded only if a rule asks for all of it."""
        return parts_of(self.frames[key])

    def same_as(self, other: "Tables") -> bool:
        """Whether both hold the same tables, problems, time zone, titles and labels."""
        if (self.timezone, self.problems, self.titles, self.labels) != (other.timezone, other.problems, other.titles,
                                                                          other.labels):
            return False
        return self.frames.keys() == other.frames.keys() and all(
            frame is other.frames[key] or self[key].equals(other[key]) for key, frame in self.frames.items())

    def once(self, key, compute):
        """`compute()`, computed once for these tables: figures derived from one snapshot are shared by
        every rule that needs them. Tables are never changed in place (a write makes new ones, which
        start with nothing computed), and what is stored here is only read by its callers."""
        if key not in self.derived:
            self.derived[key] = compute()
        return self.derived[key]

    def problem(self, table: str, row: int, column: str, value, code: str, **params) -> Problem:
        """A problem (`code` of PROBLEM_MESSAGES, with its `params`) named the way the sheet names things."""
        title = self.titles.get(table, table)
        label = self.labels.get(table, {}).get(column, column)
        return Problem(title, int(row), label, "" if value is None else str(value), code, params)


class Stacked:
    """A table's frame held as parts, one after another: the rows writes laid over the data are added
    as a part instead of copying the whole table each time; joined once, when first read whole."""

    MOST_PARTS = 32  # beyond this the laid-over parts are joined into one (the first part is not copied)

    def __init__(self, parts: tuple[pd.DataFrame, ...]):
        self.parts = parts
        self._lock = threading.Lock()

    @classmethod
    def after(cls, parts: tuple[pd.DataFrame, ...], rows: pd.DataFrame) -> "Stacked":
        if len(parts) >= cls.MOST_PARTS:  # the newest rows stay a part of their own: a write looks at them
            parts = (parts[0], pd.concat(parts[1:], ignore_index=True))
        parts = parts + (rows,)
        return cls(parts)

    def __len__(self) -> int:
        return sum(len(part) for part in self.parts)

    def whole(self) -> pd.DataFrame:
        with self._lock:  # joined once even when two readers ask at the same moment
            if len(self.parts) > 1:
                self.parts = (pd.concat([frame_of(part) for part in self.parts], ignore_index=True),)
            return frame_of(self.parts[0])


class Deferred(Stacked):
    """A table's frame made when first asked for (`load()`), its length known before: tables kept between
    runs of a command are loaded only if the command reads them. `columns` (optional) answers for one
    column without making the frame: `column(name, rows)` its values (at those positions), `holds(name,
    values)` per value whether the column has it; a rule that needs a column or two of a 300,000-row
    log (its last moment, the activities checked in, whether new IDs are taken) asks through
    `column_of` and `held_in` and the log is never loaded."""

    def __init__(self, load, length: int, columns=None):
        self._load, self._length, self._loaded, self._columns = load, length, None, columns
        self._lock, self._loading = threading.Lock(), threading.Lock()

    @property
    def parts(self) -> tuple[pd.DataFrame, ...]:
        with self._loading:
            if self._loaded is None:
                self._loaded, self._load, self._columns = (self._load(),), None, None
            return self._loaded

    @parts.setter
    def parts(self, parts: tuple[pd.DataFrame, ...]) -> None:
        self._loaded = parts

    def __len__(self) -> int:
        return self._length

    def column_reader(self):
        """What reads one column without loading the frame (`columns`); None once loaded, or if none."""
        with self._loading:
            return self._columns if self._loaded is None else None


def parts_of(frame) -> tuple:
    """The frames a table is held in, in order; a `Deferred` one not loaded is its own single part."""
    if isinstance(frame, Deferred):
        return (frame,)
    return frame.parts if isinstance(frame, Stacked) else (frame,)


def frame_of(part) -> pd.DataFrame:
    """A part as a frame (a `Deferred` one loaded)."""
    return part.whole() if isinstance(part, Stacked) else part


def column_of(part, name: str, rows: np.ndarray | None = None) -> np.ndarray:
    """One column of a part, at `rows` (positions) or whole, as numpy values; of a kept table not loaded,
    that column alone is read."""
    reader = _column_reader(part)
    if reader is not None:
        return reader.column(name, rows)
    values = frame_of(part)[name].to_numpy()
    return values if rows is None else values[rows]


def columns_of(part, names: list[str], rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Some columns of a part, as `column_of` gives each (of a kept table, read from it once)."""
    reader = _column_reader(part)
    if reader is not None:
        return reader.columns(names, rows)
    return {name: column_of(part, name, rows) for name in names}


def held_in(part, name: str, values: np.ndarray) -> np.ndarray | None:
    """Per value, whether the part's column `name` holds it, when that can be told without loading a
    kept table; None otherwise (the caller looks it up as it would in any frame)."""
    reader = _column_reader(part)
    return None if reader is None else reader.holds(name, values)


def _column_reader(part):
    return part.column_reader() if isinstance(part, Deferred) else None


def typed_frame(rows: list, dtypes: dict[str, str]) -> pd.DataFrame:
    """A frame of `rows` (dicts or tuples) with these columns and types, also when there is no row."""
    return pd.DataFrame(rows, columns=list(dtypes)).astype(dtypes)


_PER_FRAME: dict[tuple[int, str], object] = {}


def per_frame(frame: pd.DataFrame, name: str, compute):
    """`compute()`, once per frame object: a lookup made from one table (who is active, whose branch)
    serves every write laid over the data, since a write to another table shares this frame. Frames
    are never changed in place; the entry goes when the frame does."""
    key = (id(frame), name)
    if key not in _PER_FRAME:
        _PER_FRAME[key] = compute()
        weakref.finalize(frame, _PER_FRAME.pop, key, None)
    return _PER_FRAME[key]


def is_in(values: pd.Series, keys) -> np.ndarray:
    """Per value: whether it is one of `keys` (a set, or a dict's keys). The keys go to pandas as an
    array of objects: given a set or list of text, pandas first converts it to its own string type,
    which cost more than the lookup itself for 30,000 IDs."""
    return values.isin(np.fromiter(keys, dtype=object, count=len(keys))).to_numpy(dtype=bool)


def positions_in(frame: pd.DataFrame, column: str, values: pd.Series | np.ndarray) -> np.ndarray:
    """Each value's row position in `frame` by its unique `column` (an ID), -1 where it has none: each
    distinct value looked up once in `position_of` (a log's 300,000 rows name 3,000 activities; a tenth
    of the time of pandas' indexer, which first converts the values to its own string type)."""
    position = position_of(frame, column)
    codes, distinct = pd.factorize(np.asarray(values, dtype=object))
    found = np.fromiter((position.get(value, -1) for value in distinct), dtype=np.intp, count=len(distinct))
    return np.append(found, -1)[codes]  # a missing value's code is -1: the -1 after them


def position_of(frame: pd.DataFrame, column: str) -> dict:
    """{value: row position} of the frame's unique `column` (an ID), made once per frame."""
    def made():
        return {key: n for n, key in enumerate(frame[column].to_numpy(dtype=object))}

    return per_frame(frame, f"position_of:{column}", made)


def once_per_value(values, compute) -> list:
    """`[compute(v) for v in values]`, with `compute` called once per distinct value: a log of 300,000
    rows repeats a few thousand people or a handful of statuses."""
    done: dict = {}

    def once(value):
        if value not in done:
            done[value] = compute(value)
        return done[value]

    return [once(value) for value in values]


def active_ids(tables: Tables) -> frozenset:
    """The person_ids of the active people."""
    people = tables["people"]
    return per_frame(people, "active_ids", lambda: frozenset(active_people(tables)["person_id"]))


def branch_of(tables: Tables) -> dict[str, str]:
    """Each person's branch."""
    people = tables["people"]
    return per_frame(people, "branch_of", lambda: dict(zip(people["person_id"], people["branch"])))


def active_people(tables: Tables) -> pd.DataFrame:
    """The rows of `people` who are active (在册; an empty cell means yes)."""
    people = tables["people"]
    return people[people["active"].fillna(True).astype(bool)]
