"""Saving a coordinator's edits on the Sheets page: targeted, audited, never over someone else's change.

The same for cells typed into the page's table, for an uploaded .xlsx and for a revert.
"""
from __future__ import annotations

from dataclasses import dataclass

from connectors.files import read_xlsx_bytes
from connectors.importing import TablePlan, plan_import
from connectors.live import LiveWorkbook
from connectors.sheet import Conflict
from services.audit import audited_append, audited_update
from services.clock import Clock
from services.outcomes import refuse
from workflows.access import HIDDEN
from workflows.schema import table as schema_table
from workflows.sheet_edits import EditPlan, plan_edits


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


def save_table_edits(live: LiveWorkbook, actor: str, table: str, shown_rows: list[dict], edited: dict[int, dict],
                     added: list[dict], deleted: list[int], editable: set[str],
                     clock: Clock) -> tuple[EditPlan, list[Collision]]:
    """Checks the edits of the page's table cell by cell and writes the ones that pass."""
    plan = plan_edits(table, shown_rows, edited, added, deleted, editable, live.data().tables.timezone, clock())
    return plan, save(live, actor, table, plan, clock)


def overwrite(live: LiveWorkbook, actor: str, table: str, collision: Collision, clock: Clock) -> None:
    """The coordinator chose their value over the other change (which the audit log keeps)."""
    audited_update(live, actor, table, collision.key, {collision.column: collision.mine}, clock)


def revert(live: LiveWorkbook, actor: str, audit_row: dict, clock: Clock) -> None:
    """Puts back the old value of one audited change, if the cell still holds the new one."""
    key = dict(part.split("=", 1) for part in audit_row["record"].split(", "))
    try:
        audited_update(live, actor, audit_row["table"], key, {audit_row["column"]: audit_row["old"]}, clock,
                       expect={audit_row["column"]: audit_row["new"]})
    except Conflict:
        raise refuse("changed_meanwhile", audit_row["column"]) from None


def plan_upload(live: LiveWorkbook, table: str, data: bytes) -> TablePlan | None:
    """What applying an uploaded .xlsx to one table would do (None: the file has no such sheet).
    Private cells are never changed this way: the download masked them."""
    incoming, _ = read_xlsx_bytes(data)
    plans = [p for p in plan_import(live.data().snapshot, incoming) if p.table == table]
    if not plans:
        return None
    plan = plans[0]
    private = {c.key for c in schema_table(table).columns if c.private}
    updates = [(key, {k: v for k, v in changes.items() if k not in private and v != HIDDEN})
               for key, changes in plan.updates]
    plan.updates = [(key, changes) for key, changes in updates if changes]
    plan.appends = [{k: v for k, v in row.items() if k not in private} for row in plan.appends]
    return plan


def apply_upload(live: LiveWorkbook, actor: str, table: str, plan: TablePlan, clock: Clock) -> None:
    """Carries out the plan, the file's own columns included (as extra columns of the sheet)."""
    for key, changes in plan.updates:
        audited_update(live, actor, table, key, changes, clock, extra_columns=plan.extra_columns)
    if plan.appends:
        audited_append(live, actor, table, plan.appends, schema_table(table).id_columns, clock,
                       extra_columns=plan.extra_columns)
