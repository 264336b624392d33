"""Who may see what: roles, the audience of each page, and private cells.

Private columns (🔒 in workbook.md) are shown only to the person themselves and to
coordinators of their branch; a check-in code only to coordinators of the activity's branch.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from workflows.schema import table as schema_table
from workflows.tables import is_in, once_per_value

VOLUNTEER, COORDINATOR, LEADER = "volunteer", "coordinator", "leader"
PUBLIC = "public"
HIDDEN = "🔒"


@dataclass(frozen=True)
class Viewer:
    person_id: str = ""
    name: str = ""
    role: str = ""  # "" when signed out
    branch: str = ""

    @property
    def signed_in(self) -> bool:
        return bool(self.person_id)

    def is_coordinator_of(self, branch: str | None) -> bool:
        return self.role == COORDINATOR and bool(branch) and branch == self.branch


SIGNED_OUT = Viewer()


def viewer_for(people: pd.DataFrame, person_id: str) -> Viewer | None:
    """The active person with that ID as a viewer, or None."""
    match = people[(people["person_id"] == person_id) & people["active"].fillna(True)]
    if match.empty:
        return None
    row = match.iloc[0]
    return Viewer(row["person_id"], row["name"], row["role"] or VOLUNTEER, row["branch"] or "")


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def same_email(text: str) -> str:
    """An e-mail address as compared: only ASCII letters fold, so `straße` stays apart from
    `strasse` and the Kelvin sign from `k` (no look-alike signs in as someone else)."""
    return str(text or "").strip().translate(_ASCII_LOWER)


def viewer_by_email(people: pd.DataFrame, email: str) -> Viewer | None:
    wanted = same_email(email)
    if not wanted:
        return None
    match = people[people["email"].fillna("").map(same_email) == wanted]
    return viewer_for(people, match.iloc[0]["person_id"]) if not match.empty else None


def may_open(viewer: Viewer, audience: frozenset[str]) -> bool:
    return PUBLIC in audience or (viewer.signed_in and viewer.role in audience)


def may_manage_activity(viewer: Viewer, branch: str | None) -> bool:
    """Coordinators manage their branch's activities and those of no branch."""
    return viewer.role == COORDINATOR and (not branch or branch == viewer.branch)


def may_act_for(actor: "Viewer | None", person_id: str, person_branch: str | None) -> bool:
    """Whether the actor may sign up, cancel or check in this person (None: the trusted command line)."""
    return actor is None or actor.person_id == person_id or actor.is_coordinator_of(person_branch)


def may_see_private_of(viewer: Viewer, person_id: str, branch: str | None) -> bool:
    return viewer.signed_in and (viewer.person_id == person_id or viewer.is_coordinator_of(branch))


def masked(table: str, frame: pd.DataFrame, viewer: Viewer, people: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every private cell the viewer is not entitled to replaced by 🔒."""
    private = [c.key for c in schema_table(table).columns if c.private and c.key in frame.columns]
    if not private or frame.empty:
        return frame
    allowed = _entitled_rows(table, frame, viewer, people)
    shown = frame.copy()
    for column in private:
        shown[column] = shown[column].astype(object).where(allowed | shown[column].isna() | (shown[column] == ""), HIDDEN)
    return shown


def may_see_private_row(viewer: Viewer, table: str, row, branch_of: dict[str, str]) -> bool:
    """Whether the viewer may see the private cells of this row of `table` (a dict or a Series)."""
    if table == "activities":
        return may_manage_activity(viewer, row.get("branch"))
    owner = row.get(_owner_column(table)) or ""
    return may_see_private_of(viewer, owner, branch_of.get(owner))


def _owner_column(table: str) -> str:
    """The column whose value decides who may see a row's private cells (an activity's: its branch)."""
    return "branch" if table == "activities" else {"requests": "requester_id"}.get(table, "person_id")


def visible_rows(table: str, frame: pd.DataFrame, viewer: Viewer, people: pd.DataFrame) -> pd.DataFrame:
    """The rows of a table the viewer may see at all: a coordinator sees the hours entries of their own
    branch's people only (others' entries, notes and evidence are not theirs to read)."""
    if table != "hours" or viewer.role != COORDINATOR:
        return frame
    mine = set(people.loc[people["branch"] == viewer.branch, "person_id"])
    return frame[is_in(frame["person_id"], mine)]


def may_see_row(viewer: Viewer, table: str, row, branch_of: dict[str, str]) -> bool:
    """`visible_rows` for one row (a dict of cells)."""
    return table != "hours" or viewer.role != COORDINATOR or branch_of.get(row.get("person_id")) == viewer.branch


def _entitled_rows(table: str, frame: pd.DataFrame, viewer: Viewer, people: pd.DataFrame) -> pd.Series:
    """`may_see_private_row` for every row: the verdict depends only on the row's owner (an activity's
    branch), so it is made once per distinct one, not once per row of a 300,000-row log."""
    branch_of = dict(zip(people["person_id"], people["branch"]))
    key = _owner_column(table)
    if key not in frame.columns:
        return pd.Series(may_see_private_row(viewer, table, {}, branch_of), index=frame.index, dtype=bool)
    verdicts = once_per_value(frame[key], lambda value: may_see_private_row(viewer, table, {key: value}, branch_of))
    return pd.Series(verdicts, index=frame.index, dtype=bool)
