"""A coordinator's day without a stumble: every page one tap away in the menu, a double-clicked save
creating one record, and the request board staying on the request acted on."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from connectors.parsing import parse_snapshot
from connectors.sqlite_workbook import SqliteWorkbook
from tests.e2e.conftest import COORDINATOR
from tests.e2e.test_journeys import DESKTOP, go, home, idle, sign_in


def test_double_clicking_save_creates_one_activity_and_empties_the_form(journey, e2e_workbook):
    j = journey("double-click", DESKTOP)
    page = j.page
    sign_in(j, *COORDINATOR)
    go(j, "活动管理")
    j.fill(page.get_by_role("textbox", name="活动名称", exact=True), "E2E 双击保存")
    j.fill(page.get_by_role("textbox", name="开始时间", exact=True), "2099-06-01 09:00")
    j.fill(page.get_by_role("textbox", name="结束时间", exact=True), "2099-06-01 11:00")
    page.get_by_role("button", name="保存").evaluate("button => { button.click(); button.click(); }")  # two clicks at once
    expect(page.get_by_text(re.compile("已创建活动“E2E 双击保存”"))).to_be_visible()
    idle(page)
    expect(page.get_by_role("textbox", name="活动名称", exact=True)).to_have_value("")
    j.shot("saved-once")
    j.click(page.get_by_role("button", name="保存"))  # a second save of the now empty form saves nothing
    expect(page.get_by_text("请修改标红的项目后再保存。")).to_be_visible()
    activities = parse_snapshot(SqliteWorkbook(e2e_workbook).snapshot())["activities"]
    assert (activities["title"] == "E2E 双击保存").sum() == 1


def test_the_coordinator_reaches_every_page_from_the_menu_in_one_tap(journey):
    from ui.i18n import CATALOG
    from ui.pages import PAGES

    j = journey("menu", DESKTOP)
    page = j.page
    sign_in(j, *COORDINATOR)
    menu = page.get_by_test_id("stSidebarNav")
    for section in ("志愿活动", "时长与积分", "诉求与心愿", "问卷调查", "数据与设置"):
        expect(menu.get_by_text(section, exact=True)).to_be_visible()
    expect(menu.get_by_role("button")).to_have_count(0)  # no "View N more"
    idle(page)
    j.shot("menu")
    for spec in PAGES:
        if spec.key in ("sign_in", "home"):
            continue
        title = CATALOG[f"page.{spec.key}"]["zh"]
        steps = j.steps
        j.click(menu.get_by_role("link", name=title, exact=True))
        expect(page).to_have_url(re.compile(f"/{spec.key}$"))
        expect(page.get_by_role("heading", name=title, exact=True).first).to_be_visible()
        assert j.steps == steps + 1
    idle(page)


def test_the_request_board_stays_on_the_request_through_accept_assign_and_resolve(journey):
    j = journey("board", DESKTOP)
    page = j.page
    sign_in(j, *COORDINATOR)
    go(j, "诉求派单")
    picker = page.get_by_role("combobox", name="处理诉求")

    def picked_title() -> str:
        return picker.input_value().split(" · ")[0]

    j.click(picker)
    j.click(page.get_by_role("option", name=re.compile(" · 待受理$")).first)  # a new request
    expect(picker).to_have_value(re.compile(" · 待受理$"))
    idle(page)
    title = picked_title()
    for button, done in (("受理", "已受理。"), ("派单", "已派单。")):
        j.click(page.get_by_role("button", name=button, exact=True))
        expect(page.get_by_text(done)).to_be_visible()
        idle(page)
        assert picked_title() == title
    j.fill(page.get_by_label("办理结果"), "已联系宿管处理")
    j.click(page.get_by_role("button", name="办结", exact=True))
    expect(page.get_by_text("已办结。")).to_be_visible()
    idle(page)
    assert picked_title() == title
    expect(picker).to_have_value(f"{title} · 已办结")
    j.shot("resolved-stays")


def test_a_created_survey_empties_its_form_and_a_double_click_creates_it_once(journey, e2e_workbook):
    j = journey("survey-form", DESKTOP)
    page = j.page
    sign_in(j, *COORDINATOR)
    go(j, "问卷与改进")
    j.fill(page.get_by_role("textbox", name="问卷标题", exact=True), "E2E 食堂满意度")
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    idle(page)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 80, box["y"] + 35 + 17)  # the first question's text cell (rows are 35 px)
    page.keyboard.press("Enter")  # edit it, in the grid's own editor
    editor = page.locator("textarea.gdg-input")
    expect(editor).to_be_visible()
    editor.fill("总体满意度")
    j.shot("filled")
    # Typed in the cell, then 创建问卷 double-clicked at once: the press outside the grid ends the edit and
    # hands it to the form before the click submits it (an edit ended by Enter reaches the form 150 ms later,
    # Streamlit's debounce, which shows nothing a test could wait for).
    page.get_by_role("button", name="创建问卷").dblclick()
    j.steps += 1
    expect(page.get_by_text("已创建问卷“E2E 食堂满意度”")).to_be_visible()
    idle(page)
    expect(page.get_by_role("textbox", name="问卷标题", exact=True)).to_have_value("")
    j.shot("created")
    surveys = parse_snapshot(SqliteWorkbook(e2e_workbook).snapshot())["surveys"]
    assert (surveys["title"] == "E2E 食堂满意度").sum() == 1
