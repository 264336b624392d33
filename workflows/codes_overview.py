"""Which volunteers of a coordinator's branch have a sign-in code."""
from __future__ import annotations

import pandas as pd

from workflows.access import COORDINATOR, VOLUNTEER, Viewer
from workflows.codes import current_code
from workflows.tables import Tables, active_people


def branch_volunteers_with_codes(tables: Tables, viewer: Viewer) -> pd.DataFrame:
    """person_id, name, has_code, issued_at of the active volunteers a coordinator may issue codes to."""
    if viewer.role != COORDINATOR or not viewer.branch:
        return pd.DataFrame(columns=["person_id", "name", "has_code", "issued_at"])
    people = active_people(tables)
    mine = people[(people["branch"] == viewer.branch) & (people["role"] == VOLUNTEER)]
    rows = []
    for person_id, name in zip(mine["person_id"], mine["name"]):
        latest = current_code(tables["_access_codes"], person_id)
        rows.append({"person_id": person_id, "name": name, "has_code": latest is not None,
                     "issued_at": f"{latest['issued_at']:%Y-%m-%d %H:%M}" if latest is not None else ""})
    return pd.DataFrame(rows, columns=["person_id", "name", "has_code", "issued_at"])


def may_issue_code(tables: Tables, viewer: Viewer, person_id: str) -> bool:
    """Coordinators issue personal codes to their own branch's active volunteers only."""
    return person_id in set(branch_volunteers_with_codes(tables, viewer)["person_id"])
