"""A data problem: something in the workbook a person must look at, where they can find it."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # the row number a person sees (header = 1); None for the sheet itself
    column: str
    value: str
    problem: str

    def as_dict(self) -> dict:
        return asdict(self)
