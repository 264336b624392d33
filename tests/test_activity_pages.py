"""The activity pages under AppTest: a volunteer signs up, cancels, checks in; a coordinator
creates and edits an activity, makes a check-in code, checks someone in by hand."""
from __future__ import annotations



from connectors.parsing import parse_snapshot
from workflows.clock import local_now
from tests.pages import open_page, workbook  # noqa: F401 - a fixture
from demo.codes import DEMO_CODES
from workflows.listing import activity_listing
from workflows.signup import derive

VOLUNTEER, COORDINATOR, _ = (p for p, *_ in DEMO_CODES)


def tables(book):
    return parse_snapshot(book.snapshot())


def an_open_activity(book, full: bool):
    t = tables(book)
    listing = activity_listing(t, derive(t), local_now("Asia/Shanghai"), VOLUNTEER)
    listing = listing[listing["open_for_signup"] & (listing["my_status"] == "none") & listing["capacity"].notna()]
    chosen = listing[(listing["places_left"] == 0) if full else (listing["places_left"] > 0)]
    return chosen.iloc[0]


def test_a_volunteer_signs_up_is_told_confirmed_and_can_cancel(workbook):
    item = an_open_activity(workbook, full=False)
    at = open_page("pages/activities.py", VOLUNTEER)
    assert not at.exception
    at.button(key=f"signup-{item.activity_id}").click().run()
    assert at.success[0].value == f"报名成功：“{item.title}”，您已确认参加。"
    assert VOLUNTEER in derive(tables(workbook)).roster(item.activity_id).confirmed
    at.button(key=f"cancel-{item.activity_id}").click().run()
    assert "已取消报名" in at.success[0].value
    assert VOLUNTEER not in derive(tables(workbook)).roster(item.activity_id).confirmed


def test_signing_up_for_a_full_activity_says_the_waitlist_position(workbook):
    item = an_open_activity(workbook, full=True)
    at = open_page("pages/activities.py", VOLUNTEER)
    at.button(key=f"signup-{item.activity_id}").click().run()
    assert at.warning[0].value.endswith(f"您在候补第 {item.waitlist + 1} 位；有人取消时会自动递补。")


def test_the_qr_link_opens_check_in_ready_to_confirm(workbook):
    item = an_open_activity(workbook, full=False)
    code = tables(workbook)["activities"].set_index("activity_id").loc[item.activity_id, "checkin_code"]
    open_page("pages/activities.py", VOLUNTEER).button(key=f"signup-{item.activity_id}").click().run()
    at = open_page("pages/checkin.py", VOLUNTEER, activity=item.activity_id, code=code)
    assert not at.exception
    assert at.selectbox[0].value == item.activity_id and at.text_input[0].value == code
    at.button[0].click().run()
    # the activity has not started: the window is not open, and the page says so
    assert "不在签到时间内" in at.error[0].value


def test_a_coordinator_creates_an_activity_that_volunteers_then_see(workbook):
    at = open_page("pages/manage_activities.py", COORDINATOR)
    assert not at.exception
    values = {"title": "社区义诊", "category": "志愿服务", "location": "学生公寓1号楼", "starts_at": "2099-05-01 09:00",
              "ends_at": "2099-05-01 08:00", "capacity": "三十", "hours": "2"}
    for key, value in values.items():
        at.text_input(key=f"field--{key}").input(value)
    at.button[0].click().run()
    assert at.error[0].value == "请修改标红的项目后再保存。"
    assert {e.value for e in at.error[1:]} == {"结束时间：结束时间必须晚于开始时间", "名额（空 = 不限）：不是数字"}
    at.text_input(key="field--ends_at").input("2099-05-01 11:00")
    at.text_input(key="field--capacity").input("30")
    at.button[0].click().run()
    assert at.success[0].value.startswith("已创建活动“社区义诊”")
    created = tables(workbook)["activities"].query("title == '社区义诊'").iloc[0]
    assert created["branch"] == "计算机学院第一学生党支部" and created["capacity"] == 30
    volunteer = open_page("pages/activities.py", VOLUNTEER)
    assert any("社区义诊" in m.value for m in volunteer.markdown)


def test_editing_an_activity_changes_only_the_changed_cells(workbook):
    before = {r["activity_id"]: r for r in tables(workbook)["activities"].to_dict("records")}
    chosen = next(a for a, r in before.items() if r["branch"] == "计算机学院第一学生党支部")
    at = open_page("pages/manage_activities.py", COORDINATOR)
    at.selectbox[0].set_value(chosen).run()
    at.text_input(key=f"field-{chosen}-location").input("新地点")
    at.button[0].click().run()
    assert at.success[0].value == "已保存修改。"
    after = {r["activity_id"]: r for r in tables(workbook)["activities"].to_dict("records")}
    changed = {(a, k) for a in after for k in after[a] if str(after[a][k]) != str(before[a][k])}
    assert changed == {(chosen, "location")}


def test_a_coordinator_makes_a_check_in_code_and_checks_someone_in_by_hand(workbook):
    at = open_page("pages/roster.py", COORDINATOR)
    assert not at.exception
    activity_id = at.selectbox[0].value
    roster = derive(tables(workbook)).roster(activity_id)
    person = at.selectbox[1].value
    at.button[0].click().run()
    assert at.success[0].value.startswith("已为")
    assert person in derive(tables(workbook)).roster(activity_id).attended
    assert len(roster.attended) + 1 == len(derive(tables(workbook)).roster(activity_id).attended)
    manage = open_page("pages/manage_activities.py", COORDINATOR)
    manage.selectbox[0].set_value(activity_id).run()
    old = tables(workbook)["activities"].set_index("activity_id").loc[activity_id, "checkin_code"]
    next(b for b in manage.button if b.label == "生成新签到码").click().run()
    new = tables(workbook)["activities"].set_index("activity_id").loc[activity_id, "checkin_code"]
    assert new != old and manage.success[0].value == f"新签到码：{new}"


def test_an_edit_of_a_cell_someone_changed_meanwhile_is_refused_not_lost(workbook):
    chosen = tables(workbook)["activities"].query("branch == '计算机学院第一学生党支部'").iloc[0]["activity_id"]
    at = open_page("pages/manage_activities.py", COORDINATOR)
    at.selectbox[0].set_value(chosen).run()
    workbook.update("activities", {"activity_id": chosen}, {"location": "协调员手工改的地点"})
    at.text_input(key=f"field-{chosen}-location").input("页面上改的地点")
    at.button[0].click().run()
    assert at.error[0].value == "保存失败：有人刚刚修改了这个活动（地点）。请刷新后再改。"
    assert tables(workbook)["activities"].set_index("activity_id").loc[chosen, "location"] == "协调员手工改的地点"
