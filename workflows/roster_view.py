"""The roster of one activity as rows a coordinator reads and exports."""
from __future__ import annotations

import pandas as pd

from workflows.signup import Roster
from workflows.tables import typed_frame

TYPES = {"status": "object", "position": "Int64", "person_id": "object", "name": "object", "branch": "object",
         "attended": "bool"}
COLUMNS = list(TYPES)


def roster_rows(roster: Roster, people: pd.DataFrame) -> pd.DataFrame:
    """Confirmed, then waitlisted in order, then anyone else who attended (e.g. checked in by hand)."""
    names = dict(zip(people["person_id"], people["name"]))
    branches = dict(zip(people["person_id"], people["branch"]))
    rows = [("confirmed", None, p) for p in roster.confirmed]
    rows += [("waitlisted", n, p) for n, p in enumerate(roster.waitlisted, start=1)]
    rows += [("attended", None, p) for p in roster.attended if p not in roster.confirmed + roster.waitlisted]
    return typed_frame([{"status": s, "position": n, "person_id": p, "name": names.get(p, ""),
                         "branch": branches.get(p, ""), "attended": p in roster.attended} for s, n, p in rows], TYPES)
