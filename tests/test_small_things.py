"""The small things of a day: whole-number waitlist places, walk-ins checked in by hand, Home's count
matching its list, a new activity with its check-in code."""
from __future__ import annotations

from connectors.parsing import parse_snapshot
from demo.codes import DEMO_CODES
from tests.pages import open_page, workbook  # noqa: F401 - a fixture
from ui.messages import position_text, status_text
from workflows.signup import derive

VOLUNTEER, COORDINATOR, _ = (p for p, *_ in DEMO_CODES)


def tables(book):
    return parse_snapshot(book.snapshot())


def test_a_waitlist_place_reads_as_a_whole_number():
    assert status_text("waitlisted", 4.0) == "候补第 4 位"
    assert position_text(float("nan")) == "—" and position_text(None) == "—"


def test_a_coordinator_checks_in_a_walk_in_who_never_signed_up(workbook):
    at = open_page("pages/roster.py", COORDINATOR)
    activity_id = at.selectbox[0].value
    picker = at.selectbox(key="roster-person")
    walk_in = next(p for p in picker.options if "未报名" in p)
    person = walk_in.split(" · ")[1].split(" ")[0]
    assert person not in derive(tables(workbook)).roster(activity_id).confirmed
    picker.set_value(person).run()
    next(b for b in at.button if b.label == "补签").click().run()
    assert at.success[0].value.startswith("已为")
    assert person in derive(tables(workbook)).roster(activity_id).attended


def test_a_coordinators_home_lists_exactly_the_activities_its_starting_soon_count_counts(workbook):
    at = open_page("pages/home.py", COORDINATOR)
    count = next(m for m in at.metric if m.label == "7天内开始的活动")
    listed = len(at.dataframe[0].value) if at.dataframe else 0
    assert int(count.value) == listed


def test_a_new_activity_has_a_check_in_code_from_the_start(workbook):
    at = open_page("pages/manage_activities.py", COORDINATOR)
    for key, value in {"title": "新活动带签到码", "starts_at": "2099-05-01 09:00", "ends_at": "2099-05-01 11:00"}.items():
        at.text_input(key=f"field--{key}").input(value)
    next(b for b in at.button if b.label == "保存").click().run()
    created = tables(workbook)["activities"].query("title == '新活动带签到码'")
    assert len(created) == 1 and len(created.iloc[0]["checkin_code"]) >= 4
