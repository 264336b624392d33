"""The demo's sign-in codes, so that a new user can try every role (documented in the README),
and the rows that load the demo into a workbook."""
from __future__ import annotations

import datetime as dt

from demo.college import demo_tables
from workflows.codes import ACCESS, DEMO_ISSUER, PERSONAL, code_row
from workflows.meta import demo_note_row
from workflows.schema import TABLES

# (person_id, code, kind, who they are in the demo college)
DEMO_CODES: tuple[tuple[str, str, str, str], ...] = (
    ("2024070303", "VOL2468", PERSONAL, "郑一婷, volunteer (party member), 计算机学院第一学生党支部"),
    ("2021070243", "COORD1357", ACCESS, "孙睿, coordinator of 计算机学院第一学生党支部"),
    ("2024070247", "LEAD9753", ACCESS, "欧阳瑶, leader"),
)


def demo_code_rows(now: dt.datetime) -> list[dict[str, str]]:
    return [code_row(person_id, code, kind, DEMO_ISSUER, now) for person_id, code, kind, _ in DEMO_CODES]


def load_demo_rows(now: dt.datetime) -> list[tuple[str, list[dict[str, str]]]]:
    """Every table of the demo in workbook order, then the mark that the workbook holds the demo
    (the demo's codes work only while it is there), then the demo's sign-in codes."""
    tables = demo_tables(now)
    rows = [(spec.key, tables[spec.key]) for spec in TABLES if tables.get(spec.key)]
    return rows + [("_meta", [demo_note_row(now)]), ("_access_codes", demo_code_rows(now))]
