"""What a backend hands out: the cells of worksheets exactly as they are, as text."""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Callable, Protocol

import numpy as np

# (column, clock): fill that column of every appended row with the time of the write itself
Stamp = tuple[str, Callable[[], dt.datetime]]


def stamped(rows: list[dict[str, str]], stamp: Stamp | None) -> list[dict[str, str]]:
    if stamp is None:
        return rows
    from workflows.cells import format_datetime

    column, clock = stamp
    value = format_datetime(clock())
    return [{**row, column: value} for row in rows]


class StackedRows(Sequence):
    """A sheet's rows as read followed by the rows written since, held as chunks: a write adds its
    rows without copying the 300,000 read ones (the data before the write still holds those)."""

    MOST_CHUNKS = 32  # past this, the written rows are joined into one chunk (the read rows never are)

    def __init__(self, chunks: tuple[list[list[str]], ...]):
        self._chunks = chunks
        self._ends = list(itertools.accumulate(len(chunk) for chunk in chunks))

    @classmethod
    def after(cls, rows: Sequence[list[str]], more: list[list[str]]) -> "StackedRows":
        chunks = (rows._chunks if isinstance(rows, StackedRows) else (rows,)) + (list(more),)
        if len(chunks) > cls.MOST_CHUNKS:
            chunks = (chunks[0], [row for chunk in chunks[1:] for row in chunk])
        return cls(chunks)

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(self)[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        chunk = bisect.bisect_right(self._ends, index)
        return self._chunks[chunk][index - (self._ends[chunk - 1] if chunk else 0)]

    def __iter__(self):
        return itertools.chain.from_iterable(self._chunks)

    def rows_from(self, start: int) -> list[list[str]]:
        """The rows from `start` on, without going through the chunks before it."""
        chunk = bisect.bisect_right(self._ends, start)
        begin = self._ends[chunk - 1] if chunk else 0
        return [row for part in self._chunks[chunk:] for row in part][start - begin:]

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __repr__(self) -> str:
        return f"StackedRows({list(self)!r})"


@dataclass
class RawSheet:
    """One worksheet as read: its header row and data rows, every cell text.

    Blank rows are kept so that `row_number(i)` is the number a person sees in the sheet.
    """

    title: str
    header: list[str]
    rows: Sequence[list[str]] = field(default_factory=list)  # a list, or StackedRows after a write
    # The same cells as one 2-D array of str (rows x header), where a backend read them so: the parser
    # takes its columns from it instead of transposing 300,000 rows.
    grid: np.ndarray | None = field(default=None, repr=False, compare=False)

    @staticmethod
    def row_number(index: int) -> int:
        return index + 2  # row 1 is the header

    def cell(self, index: int, column: int) -> str:
        row = self.rows[index]
        return row[column] if column < len(row) else ""


@dataclass
class Snapshot:
    """Every worksheet of the workbook, read at one moment, keyed by table key.

    A table whose worksheet does not exist is absent. `extra` holds worksheets that are
    no table of the workbook (kept, never touched).
    """

    sheets: dict[str, RawSheet]
    taken_at: dt.datetime
    extra: dict[str, RawSheet] = field(default_factory=dict)
    stale: bool = False  # the last good read kept on disk, used because the workbook did not answer
    # What a backend that can tell changes (SQLite) saw of each sheet, by title, to read only what changed
    # at the next read (`snapshot(since=...)`); and, by title, the sheets that read only appended rows to an
    # earlier snapshot's: how many rows that one had (the rest are new); and the sheets whose rows at these
    # positions were edited since and read again. Sheets unchanged are the earlier snapshot's very objects.
    marks: dict = field(default_factory=dict, compare=False, repr=False)
    appended: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    edited: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)


@dataclass
class Tail:
    """The rows of one worksheet after its first `start` rows, read just after a write."""

    header: list[str]
    rows: list[list[str]]
    start: int


class Conflict(Exception):
    """A targeted update found cells that someone else changed since they were read."""

    def __init__(self, table: str, key: dict[str, str], current: dict[str, str]):
        super().__init__(f"{table} {key}: changed meanwhile to {current}")
        self.table, self.key, self.current = table, key, current


class RowNotFound(LookupError):
    def __init__(self, table: str, key: dict[str, str]):
        super().__init__(f"no row in {table} with {key}")
        self.table, self.key = table, key


class QueuedForSync(Exception):
    """The write is saved in the local journal and will reach the sheet when it is reachable."""

    def __init__(self, message: str, rows: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.rows = rows  # an append's rows as journalled (stamped), to show their author


class Workbook(Protocol):
    """Rows are dicts keyed by column key. A write may also carry cells of extra columns (a
    coordinator's own, not the table's): `extra_columns` names them by header text, the rows key
    their cells by that text, and a header cell is added for any the sheet lacks. Without it a
    write never touches an extra column."""

    url: str

    def snapshot(self) -> Snapshot: ...

    def append(self, table: str, rows: list[dict[str, str]], stamp: Stamp | None = None,
               extra_columns: Sequence[str] = ()) -> list[dict[str, str]]:
        """Appends the rows (stamped at the moment of the write) and returns them as written."""

    def rows_after(self, table: str, start: int) -> Tail:
        """The table's rows after its first `start` rows, with the header as it is now."""

    def update(self, table: str, key: dict[str, str], changes: dict[str, str],
               expect: dict[str, str] | None = None, extra_columns: Sequence[str] = ()) -> None: ...

    def update_rows(self, table: str, items: list[tuple[dict[str, str], dict[str, str]]],
                    extra_columns: Sequence[str] = (), expect: list[dict[str, str]] | None = None) -> None: ...

    def ensure_schema(self, lang: str = "zh") -> list[str]: ...

    def sync(self) -> int: ...

    def waiting(self) -> int: ...


class TargetedUpdates:
    """`update` and `update_rows` of every backend: both are a batch of (key, changes)."""

    def update(self, table: str, key: dict[str, str], changes: dict[str, str],
               expect: dict[str, str] | None = None, extra_columns: Sequence[str] = ()) -> None:
        """Changes only the named cells of the first row with `key`; with `expect`, only if
        those cells still hold the expected values (else `Conflict`)."""
        self._update(table, [(key, changes)], None if expect is None else [expect], tuple(extra_columns))

    def update_rows(self, table: str, items: list[tuple[dict[str, str], dict[str, str]]],
                    extra_columns: Sequence[str] = (), expect: list[dict[str, str]] | None = None) -> None:
        """`update` of many rows in one write (all keys name the same columns); with `expect` (one dict
        per item), only if every row still holds its expected values, else `Conflict` and none is changed."""
        if expect is not None and len(expect) != len(items):
            raise ValueError("update_rows: one expectation per item")
        self._update(table, items, expect, tuple(extra_columns))

    def _update(self, table: str, items: list, expect: list[dict[str, str]] | None, extra_columns: tuple = ()) -> None:
        raise NotImplementedError
