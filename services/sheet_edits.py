"""Saving a coordinator's edits on the Sheets page: targeted, audited, never over someone else's change.

The same for cells typed into the page's table, for an uploaded .xlsx and for a revert.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from connectors.files import read_xlsx_bytes
from connectors.importing import TablePlan, plan_import
from connectors.live import LiveWorkbook
from connectors.sheet import Conflict
from services.audit import audited_append, audited_update, current_cells
from services.clock import Clock
from services.outcomes import refuse
from workflows.access import HIDDEN, Viewer
from workflows.edit_rights import may_add_row, may_edit_cell, record_key, visible_changes
from workflows.schema import table as schema_table
from workflows.sheet_edits import EditPlan, check_cell, plan_edits


@dataclass
class Collision:
    """A cell someone else changed since the page showed it."""

    key: dict[str, str]
    column: str
    shown: str
    theirs: str
    mine: str


def save(live: LiveWorkbook, actor: Viewer, table: str, plan: EditPlan, clock: Clock) -> list[Collision]:
    """Writes every update the actor may make whose cells still hold what the page showed, and every
    new row they may add; the rest goes to `plan.refused`. Returns the collisions (nothing of theirs
    is overwritten)."""
    _keep_within_rights(live, actor, table, plan)
    collisions = []
    for key, new, old in plan.updates:
        try:
            audited_update(live, actor.person_id, table, key, new, clock, expect=old)
        except Conflict as conflict:
            collisions += [Collision(key, column, old[column], conflict.current.get(column, ""), new[column])
                           for column in new if column in conflict.current]
    if plan.appends:
        audited_append(live, actor.person_id, table, plan.appends, schema_table(table).id_columns, clock)
    return collisions


def _keep_within_rights(live: LiveWorkbook, actor: Viewer, table: str, plan: EditPlan) -> None:
    """Moves every cell and new row the actor may not write into `plan.refused` (SECURITY.md's model)."""
    tables = live.data().tables
    branch_of = dict(zip(tables["people"]["person_id"], tables["people"]["branch"]))
    updates = []
    for key, new, old in plan.updates:
        before = _row_of(live, table, key)
        allowed = {c: v for c, v in new.items() if before is not None and may_edit_cell(actor, table, before, c, v, branch_of)}
        plan.refused += [(_label(key), c, v, ("not_yours", {})) for c, v in new.items() if c not in allowed]
        if allowed:
            updates.append((key, allowed, {c: old[c] for c in allowed if c in old}))
    plan.updates = updates
    appends = []
    for number, row in enumerate(plan.appends, start=1):
        if may_add_row(actor, table, row, branch_of):
            appends.append(row)
        else:
            plan.refused.append((f"+{number}", "", _label({k: row.get(k, "") for k in schema_table(table).id_columns}),
                                 ("not_yours", {})))
    plan.appends = appends


def _row_of(live: LiveWorkbook, table: str, key: dict[str, str]) -> dict | None:
    """The row's cells as the sheet holds them now (None: no such row)."""
    return current_cells(live, table, key) or None


def _label(key: dict[str, str]) -> str:
    return ", ".join(str(v) for v in key.values())


def save_table_edits(live: LiveWorkbook, actor: Viewer, table: str, shown_rows: list[dict], edited: dict[int, dict],
                     added: list[dict], deleted: list[int], editable: set[str],
                     clock: Clock) -> tuple[EditPlan, list[Collision]]:
    """Checks the edits of the page's table cell by cell and writes the ones that pass."""
    plan = plan_edits(table, shown_rows, edited, added, deleted, editable, live.data().tables.timezone, clock())
    return plan, save(live, actor, table, plan, clock)


def overwrite(live: LiveWorkbook, actor: Viewer, table: str, collision: Collision, clock: Clock) -> None:
    """The coordinator chose their value over the other change (which the audit log keeps)."""
    plan = EditPlan(updates=[(collision.key, {collision.column: collision.mine}, {})])
    _keep_within_rights(live, actor, table, plan)
    if not plan.updates:
        raise refuse("not_yours", _label(collision.key))
    audited_update(live, actor.person_id, table, collision.key, {collision.column: collision.mine}, clock)


def revert(live: LiveWorkbook, actor: Viewer, audit_id: str, clock: Clock) -> None:
    """Puts back the old value of one audited change — one the actor may see and make — if the cell
    still holds the new one. The values come from the log itself, never from the page."""
    tables = live.data().tables
    audit = tables["_audit"]
    found = audit[audit["audit_id"] == audit_id]
    if found.empty or visible_changes(found, actor, tables).empty:
        raise refuse("not_yours", audit_id)
    change = found.iloc[0]
    key = record_key(change["record"])
    plan = EditPlan(updates=[(key, {change["column"]: change["old"]}, {change["column"]: change["new"]})])
    _keep_within_rights(live, actor, change["table"], plan)
    if not plan.updates:
        raise refuse("not_yours", audit_id)
    try:
        audited_update(live, actor.person_id, change["table"], key, {change["column"]: change["old"]}, clock,
                       expect={change["column"]: change["new"]})
    except Conflict:
        raise refuse("changed_meanwhile", change["column"]) from None


@dataclass
class UploadPreview:
    """What applying an uploaded file would do, and the cells refused (as the editor refuses them)."""

    plan: TablePlan
    refused: list = field(default_factory=list)  # (row, column, value, (code, params))


def plan_upload(live: LiveWorkbook, actor: Viewer, table: str, data: bytes) -> UploadPreview | None:
    """What applying an uploaded .xlsx to one table would do (None: the file has no such sheet).
    Every cell goes through the editor's checks and the actor's rights; private cells are never
    changed this way (the download masked them)."""
    incoming, _ = read_xlsx_bytes(data)
    plans = [p for p in plan_import(live.data().snapshot, incoming) if p.table == table]
    if not plans:
        return None
    plan, spec = plans[0], schema_table(table)
    timezone = live.data().tables.timezone
    private = {c.key for c in spec.columns if c.private}
    checked = EditPlan()
    for key, changes in plan.updates:
        changes = {k: v for k, v in changes.items() if k not in private and v != HIDDEN}
        bad = {k: why for k, v in changes.items() if k in spec.column_keys
               for why in [check_cell(table, k, v, timezone)] if why}
        checked.refused += [(_label(key), k, changes[k], why) for k, why in bad.items()]
        changes = {k: v for k, v in changes.items() if k not in bad}
        if changes:
            checked.updates.append((key, changes, {}))
    for number, row in enumerate(plan.appends, start=1):
        row = {k: v for k, v in row.items() if k not in private}
        bad = [(k, row.get(k, ""), why) for k in spec.column_keys
               for why in [check_cell(table, k, row.get(k, ""), timezone)] if why]
        checked.refused += [(f"+{number}", k, v, why) for k, v, why in bad]
        if not bad:
            checked.appends.append(row)
    _keep_within_rights(live, actor, table, checked)
    plan.updates = [(key, changes) for key, changes, _ in checked.updates]
    plan.appends = checked.appends
    return UploadPreview(plan, checked.refused)


def apply_upload(live: LiveWorkbook, actor: Viewer, table: str, preview: UploadPreview, clock: Clock) -> None:
    """Carries out the plan, the file's own columns included (as extra columns of the sheet)."""
    plan = preview.plan
    checked = EditPlan(updates=[(key, changes, {}) for key, changes in plan.updates], appends=list(plan.appends))
    _keep_within_rights(live, actor, table, checked)  # rights as they are now, not as when previewed
    for key, changes, _ in checked.updates:
        audited_update(live, actor.person_id, table, key, changes, clock, extra_columns=plan.extra_columns)
    if checked.appends:
        audited_append(live, actor.person_id, table, checked.appends, spec_ids(table), clock,
                       extra_columns=plan.extra_columns)


def spec_ids(table: str) -> tuple[str, ...]:
    return schema_table(table).id_columns
