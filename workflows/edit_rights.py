"""Who may change which cells of which rows by hand (the Sheets page's editor, upload and revert).

The model (SECURITY.md):
- Leaders and the administrator (the command line, `viewer` None) may change anything.
- A coordinator changes the rows of their own branch: `people` of their branch, `hours` and log
  rows (`signups`, `checkins`) of those people, `activities` of their branch or of none. Requests,
  request events, surveys, questions, responses and improvement actions are the community's shared
  desk: any coordinator. `settings` is for leaders and the administrator only.
- Nobody but a leader or the administrator changes a person's `role` or `branch` (moving someone
  into one's own branch is how a takeover starts), nor moves an activity to another branch.
Pure: the row as it is (and as it would become), the people's branches, the viewer in; yes or no out.
"""
from __future__ import annotations

import pandas as pd

from workflows.access import COORDINATOR, HIDDEN, LEADER, Viewer, may_see_private_row
from workflows.schema import table as schema_table

LEADERS_ONLY_TABLES = frozenset({"settings"})
LEADERS_ONLY_COLUMNS = {"people": frozenset({"role", "branch"})}
SHARED_TABLES = frozenset({"requests", "request_events", "surveys", "questions", "responses", "actions"})
OWNER_COLUMN = {"hours": "person_id", "signups": "person_id", "checkins": "person_id"}


def may_edit_row(viewer: Viewer | None, table: str, row: dict, branch_of: dict[str, str]) -> bool:
    """Whether the viewer may change (or add) this row at all."""
    if viewer is None or viewer.role == LEADER:
        return True
    if viewer.role != COORDINATOR or not viewer.branch or table in LEADERS_ONLY_TABLES:
        return False
    if table in SHARED_TABLES:
        return True
    if table == "people":
        return (row.get("branch") or "") == viewer.branch
    if table == "activities":
        return (row.get("branch") or "") in ("", viewer.branch)
    if table in OWNER_COLUMN:
        return branch_of.get(row.get(OWNER_COLUMN[table]) or "") == viewer.branch
    return False


def may_edit_cell(viewer: Viewer | None, table: str, before: dict, column: str, value: str,
                  branch_of: dict[str, str]) -> bool:
    """Whether the viewer may set `column` of the row (as it is: `before`) to `value`."""
    if viewer is None or viewer.role == LEADER:
        return True
    if column in LEADERS_ONLY_COLUMNS.get(table, ()):
        return False
    after = {**before, column: value}  # e.g. an hours row handed to a person of another branch
    return may_edit_row(viewer, table, before, branch_of) and may_edit_row(viewer, table, after, branch_of)


def may_add_row(viewer: Viewer | None, table: str, row: dict, branch_of: dict[str, str]) -> bool:
    """Whether the viewer may add this row (a new person comes as a volunteer of their own branch)."""
    if viewer is None or viewer.role == LEADER:
        return True
    if table == "people" and (row.get("role") or "volunteer") != "volunteer":
        return False
    return may_edit_row(viewer, table, row, branch_of)


def record_key(record: str) -> dict[str, str]:
    """The key an audit row names its record by (`activity_id=A1` or `survey_id=V1, question_id=2`)."""
    return dict(part.split("=", 1) for part in str(record).split(", ") if "=" in part)


def visible_changes(audit: pd.DataFrame, viewer: Viewer, tables) -> pd.DataFrame:
    """The audit rows the viewer may see (a coordinator: changes of rows they may edit), with the old
    and new values of secret and private columns (🔒, check-in codes) masked unless theirs to see."""
    if viewer.role == LEADER or audit.empty:
        return audit
    branch_of = dict(zip(tables["people"]["person_id"], tables["people"]["branch"]))
    keep, hide = [], []
    for table, record, column in zip(audit["table"], audit["record"], audit["column"]):
        row = _current_row(tables, table, record_key(record))
        allowed = row is not None and may_edit_row(viewer, table, row, branch_of)
        keep.append(allowed)
        private = table in tables.frames and column in _private_columns(table)
        hide.append(allowed and private and not may_see_private_row(viewer, table, row, branch_of))
    shown = audit[pd.Series(keep, index=audit.index, dtype=bool)].copy()
    masked = pd.Series(hide, index=audit.index, dtype=bool)[shown.index]
    for column in ("old", "new"):
        shown[column] = shown[column].where(~masked | (shown[column] == ""), HIDDEN)
    return shown


def _current_row(tables, table: str, key: dict[str, str]) -> dict | None:
    if table not in tables.frames or not key:
        return None
    frame = tables[table]
    match = pd.Series(True, index=frame.index)
    for column, value in key.items():
        if column not in frame.columns:
            return None
        match &= frame[column].astype(str) == value
    return None if not match.any() else frame[match].iloc[0].to_dict()


def _private_columns(table: str) -> set[str]:
    return {column.key for column in schema_table(table).columns if column.private}
