"""Private cells are hidden row by row exactly as `may_see_private_row` says, however many rows a
table has: the verdicts are made once per owner, and must be the ones made for each row."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workflows.access import COORDINATOR, HIDDEN, LEADER, VOLUNTEER, Viewer, masked, may_see_private_row

PEOPLE = pd.DataFrame({"person_id": ["1", "2", "3"], "branch": ["一支部", "二支部", ""]})
VIEWERS = [Viewer("", "", VOLUNTEER, ""), Viewer("1", "甲", VOLUNTEER, "一支部"),
           Viewer("2", "乙", COORDINATOR, "二支部"), Viewer("9", "丙", COORDINATOR, ""), Viewer("8", "丁", LEADER, "")]
TABLES = {
    "people": pd.DataFrame({"person_id": ["1", "2", "3", "4", ""], "phone": ["1381", "1382", "1383", "1384", "1385"]}),
    "requests": pd.DataFrame({"request_id": ["R1", "R2", "R3", "R4"], "requester_id": ["1", "2", None, np.nan],
                              "contact": ["微信 a", "微信 b", "微信 c", ""]}),
    "activities": pd.DataFrame({"activity_id": ["A1", "A2", "A3", "A4"], "branch": ["一支部", "二支部", "", None],
                                "checkin_code": ["K1", "K2", "K3", "K4"]}),
}
PRIVATE = {"people": "phone", "requests": "contact", "activities": "checkin_code"}


@pytest.mark.parametrize("table", list(TABLES))
@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: f"{v.role}-{v.person_id or 'anonymous'}-{v.branch or 'none'}")
def test_each_row_is_masked_as_the_rule_for_that_row_says(table, viewer):
    frame = TABLES[table]
    shown = masked(table, frame, viewer, PEOPLE)
    branch_of = dict(zip(PEOPLE["person_id"], PEOPLE["branch"]))
    column = PRIVATE[table]
    for position, row in enumerate(frame.to_dict("records")):
        may_see = may_see_private_row(viewer, table, row, branch_of)
        original = frame[column].iat[position]
        expected = original if may_see or original == "" else HIDDEN
        assert shown[column].iat[position] == expected, (table, viewer, row)


def test_a_coordinator_sees_their_branchs_phones_only_in_a_table_of_thousands():
    people = pd.DataFrame({"person_id": [f"{n}" for n in range(3000)],
                           "branch": ["一支部" if n % 2 else "二支部" for n in range(3000)]})
    frame = people.assign(phone=[f"138{n:08}" for n in range(3000)])
    shown = masked("people", frame, Viewer("1", "甲", COORDINATOR, "一支部"), people)
    hidden = shown["phone"] == HIDDEN
    assert hidden.sum() == 1500 and not hidden[people["branch"] == "一支部"].any()
