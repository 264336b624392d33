"""On a 390 px phone the lists people read fit the screen: cards, or tables whose essential columns
come first and are narrow (the screenshots in docs/screenshots/phone-*.png show them)."""
from __future__ import annotations

import json

import pytest

from demo.codes import DEMO_CODES
from tests.pages import open_page, workbook  # noqa: F401 - the fixture

VOLUNTEER = DEMO_CODES[0][0]
PHONE_CONTENT_WIDTH = 390 - 2 * 16  # Streamlit's side padding on a phone


@pytest.mark.parametrize(("page", "badge"), [("pages/home.py", "小时"), ("pages/activities.py", "已签到"),
                                             ("pages/my_record.py", "小时")])
def test_a_volunteers_lists_are_cards_not_wide_tables(workbook, page, badge):  # noqa: F811
    at = open_page(page, VOLUNTEER)
    assert not at.exception
    assert not at.main.dataframe and not at.main.get("table")
    assert any(f"**{badge}" in m.value or f"{badge}**" in m.value for m in at.main.markdown)


def test_the_leaderboard_puts_points_and_hours_before_the_long_branch_name_within_a_phone_width(workbook):  # noqa: F811
    grid = open_page("pages/leaderboard.py").dataframe[0]
    assert list(grid.value.columns) == ["名次", "姓名", "积分", "时长", "所在支部"]
    widths = [json.loads(grid.proto.columns)[column]["width"] for column in ["名次", "姓名", "积分", "时长"]]
    assert sum(widths) <= PHONE_CONTENT_WIDTH
