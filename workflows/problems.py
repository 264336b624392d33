"""A data problem: something in the workbook a person must look at, where they can find it.

What is wrong is a `code` and its `params` (the UI's catalog has a sentence for each code, in
every language); `problem` is the English sentence, for the command line and logs.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from workflows.cells import CELL_MESSAGES

# Every problem code, with its English sentence. A cell that does not parse reuses the
# `BadCell` code under "cell.".
PROBLEM_MESSAGES = {
    "worksheet_missing": "worksheet {table} ({title}) is missing",
    "column_missing": "required column {column} ({label}) is missing",
    "required_empty": "{column} is required",
    "duplicate_id": "duplicate ID (first in row {first_row}); this row is ignored",
    "unknown_time_zone": "unknown time zone",
    "ends_before_start": "ends before it starts",
    "hours_not_positive": "must be more than 0 (negative only with source adjustment); this row does not count",
    "hours_over_a_day": ("a self-report is at most {limit} hours (one day's service); a total carried over "
                         "from an earlier record has source import; this row does not count"),
    "hours_zero_adjustment": "an adjustment must not be 0; this row does not count",
    "unknown_person": "unknown person",
    "unknown_activity": "unknown activity",
    "person_not_active": "the person is not active (在册: 否)",
    "deadline_passed": "after the sign-up deadline {deadline}",
    "overlap": "overlaps with {activity_id}, which the person is confirmed for",
    "not_confirmed": "check-in by code of someone not confirmed",
    "outside_window": "check-in by code outside the check-in window",
    **{f"cell.{code}": text for code, text in CELL_MESSAGES.items()},
}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # the row number a person sees (header = 1); None for the sheet itself
    column: str
    value: str
    code: str  # a key of PROBLEM_MESSAGES
    params: dict = field(default_factory=dict, hash=False)

    def __post_init__(self):
        if self.code not in PROBLEM_MESSAGES:
            raise ValueError(f"unknown problem code {self.code!r}: add it to PROBLEM_MESSAGES")

    @property
    def problem(self) -> str:
        """The English sentence."""
        return PROBLEM_MESSAGES[self.code].format(**self.params)

    def as_dict(self) -> dict:
        """sheet, row, column, value, problem (English), code, params: the CLI's JSON."""
        fields = asdict(self)
        return {**{k: fields[k] for k in ("sheet", "row", "column", "value")}, "problem": self.problem,
                "code": self.code, "params": fields["params"]}
