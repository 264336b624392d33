"""Saving a coordinator's edits: targeted, audited, and refusing to overwrite someone else's change."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

from connectors.live import LiveWorkbook
from connectors.sheet import Conflict
from services.audit import audited_append, audited_update
from workflows.schema import table as schema_table
from workflows.sheet_edits import EditPlan

Clock = Callable[[], dt.datetime]


@dataclass
class Collision:
    """A cell someone else changed since the page showed it."""

    key: dict[str, str]
    column: str
    shown: str
    theirs: str
    mine: str


def save(live: LiveWorkbook, actor: str, table: str, plan: EditPlan, clock: Clock) -> list[Collision]:
    """Writes every update whose cells still hold what the page showed, and every new row;
    returns the collisions (nothing of theirs is overwritten)."""
    collisions = []
    for key, new, old in plan.updates:
        try:
            audited_update(live, actor, table, key, new, clock, expect=old)
        except Conflict as conflict:
            collisions += [Collision(key, column, old[column], conflict.current.get(column, ""), new[column])
                           for column in new if column in conflict.current]
    if plan.appends:
        audited_append(live, actor, table, plan.appends, schema_table(table).id_columns, clock)
    return collisions


def overwrite(live: LiveWorkbook, actor: str, table: str, collision: Collision, clock: Clock) -> None:
    """The coordinator chose their value over the other change (which the audit log keeps)."""
    audited_update(live, actor, table, collision.key, {collision.column: collision.mine}, clock)


def revert(live: LiveWorkbook, actor: str, audit_row: dict, clock: Clock) -> None:
    """Puts back the old value of one audited change, if the cell still holds the new one."""
    key = dict(part.split("=", 1) for part in audit_row["record"].split(", "))
    audited_update(live, actor, audit_row["table"], key, {audit_row["column"]: audit_row["old"]}, clock,
                   expect={audit_row["column"]: audit_row["new"]})
