"""The typed tables every workflow takes: one DataFrame per sheet, plus where each came from."""
from __future__ import annotations

from dataclasses import dataclass, field

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

    def __getitem__(self, key: str) -> pd.DataFrame:
        return self.frames[key]

    def problem(self, table: str, row: int, column: str, value, code: str, **params) -> Problem:
        """A problem (`code` of PROBLEM_MESSAGES, with its `params`) named the way the sheet names things."""
        title = self.titles.get(table, table)
        label = self.labels.get(table, {}).get(column, column)
        return Problem(title, int(row), label, "" if value is None else str(value), code, params)


def typed_frame(rows: list, dtypes: dict[str, str]) -> pd.DataFrame:
    """A frame of `rows` (dicts or tuples) with these columns and types, also when there is no row."""
    return pd.DataFrame(rows, columns=list(dtypes)).astype(dtypes)


def active_people(tables: Tables) -> pd.DataFrame:
    """The rows of `people` who are active (在册; an empty cell means yes)."""
    people = tables["people"]
    return people[people["active"].fillna(True).astype(bool)]
