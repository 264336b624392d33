"""The three journeys of journeys.md, in headless Chromium against the running app."""
from __future__ import annotations

import io
import re
import time

import openpyxl

from playwright.sync_api import expect

from connectors.sqlite_workbook import SqliteWorkbook
from tests.e2e.conftest import COORDINATOR, LEADER, VOLUNTEER

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(j, person_id: str, code: str, lands_on: str | None = None) -> None:
    page = j.page
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    j.fill(page.get_by_label("学号/工号"), person_id)
    j.fill(page.get_by_label("登录码"), code)
    j.click(page.get_by_role("button", name="登录", exact=True))
    heading = re.compile("^你好") if lands_on is None else lands_on
    expect(page.get_by_role("heading", name=heading, exact=lands_on is not None)).to_be_visible()


def idle(page) -> None:
    """Until the app has finished running the page (Streamlit marks its state on the app element)."""
    expect(page.locator("[data-testid=stApp]")).not_to_have_attribute("data-test-script-state", "running")


def go(j, page_name: str) -> None:
    """Through the shortcuts on Home (on a phone the menu hides in the sidebar)."""
    j.click(j.page.locator("[data-testid=stMain] a", has_text=page_name).first)
    expect(j.page.get_by_role("heading", name=page_name, exact=True)).to_be_visible()
    idle(j.page)


def home(j) -> None:
    """Through the link at the foot of every page, once the page has finished its run (a tap on the
    link of a run that is being replaced can land on the old one and go nowhere)."""
    idle(j.page)
    j.click(j.page.locator("[data-testid=stMain] a", has_text="返回首页"))
    expect(j.page.get_by_role("heading", name=re.compile("^你好"))).to_be_visible()


def test_volunteer_on_a_phone(journey):
    j = journey("volunteer", PHONE)
    page = j.page
    started = time.monotonic()
    sign_in(j, *VOLUNTEER)
    j.shot("home")
    go(j, "活动报名")
    expect(page.get_by_text(re.compile(r"剩余名额 \d+ / \d+")).first).to_be_visible()
    j.shot("activities")
    first_card = page.locator("[class*='st-key-activity-']").filter(
        has=page.get_by_role("button", name="报名", exact=True)).first
    title = first_card.locator("strong").first.inner_text()
    j.click(first_card.get_by_role("button", name="报名", exact=True))
    expect(page.get_by_text(re.compile(f"(报名成功|名额已满).*{re.escape(title)}"))).to_be_visible()
    steps_to_sign_up, seconds_to_sign_up = j.steps, time.monotonic() - started
    j.shot("signed-up")
    assert steps_to_sign_up <= 5 and seconds_to_sign_up < 60, (steps_to_sign_up, seconds_to_sign_up)
    card = page.locator("[class*='st-key-activity-']").filter(has_text=title).first
    expect(card.get_by_text(re.compile("已确认|候补第"))).to_be_visible()
    expect(card.get_by_role("button", name="报名", exact=True)).to_have_count(0)  # signing up twice is not offered
    j.click(card.get_by_role("button", name="取消报名"))
    j.click(page.get_by_role("button", name="确定取消"))  # it asks first
    expect(page.get_by_text(f"已取消报名“{title}”。")).to_be_visible()

    page.goto(f"{page.url.split('/activities')[0]}/checkin?activity=E2E-NOW&code=NOW123")  # the scanned QR code
    expect(page.get_by_role("heading", name="签到", exact=True)).to_be_visible()  # still signed in on the phone
    expect(page.get_by_label("签到码")).to_have_value("NOW123")
    idle(page)  # the page, opened afresh by the link, has finished its runs: the tap is not lost in one
    j.shot("checkin-from-qr")
    j.click(page.get_by_role("button", name="确认签到"))
    expect(page.get_by_text("签到成功：“楼宇微党课（现场）”")).to_be_visible()
    j.shot("checked-in")

    home(j)
    go(j, "我的记录")
    expect(page.get_by_text("认定时长")).to_be_visible()
    j.shot("my-record")
    j.click(page.get_by_text("申报服务时长"))
    j.fill(page.get_by_label("时长（小时）"), "2")
    j.fill(page.get_by_label("服务内容"), "社区图书角整理")
    expect(page.get_by_label("服务内容")).to_have_value("社区图书角整理")
    j.click(page.get_by_role("button", name="提交申报"))
    expect(page.get_by_text("已提交，等待本支部协调员审核。")).to_be_visible()
    mine = page.locator("[class*='st-key-entries-']").filter(has_text="社区图书角整理")  # my entries: cards on a phone
    expect(mine.get_by_text("待审核")).to_be_visible()  # pending review
    j.click(page.get_by_role("button", name="生成证明（PDF）"))
    with page.expect_download() as download:
        j.click(page.get_by_role("button", name="下载证明"))
    assert download.value.suggested_filename.endswith(".pdf")
    j.shot("certificate")

    home(j)
    go(j, "诉求与微心愿")
    j.click(page.get_by_text("提交诉求或微心愿"))  # opening it runs the page again (the form stays open after)
    j.choose(page.get_by_role("combobox", name="类别"), page.get_by_role("option", name="维修"))  # no default
    j.fill(page.get_by_label("标题"), "E2E 宿舍热水器不热")
    expect(page.get_by_label("标题")).to_have_value("E2E 宿舍热水器不热")
    j.click(page.get_by_role("button", name="提交", exact=True))
    expect(page.get_by_text("已提交。协调员受理后会在这里更新进度。")).to_be_visible()
    expect(page.get_by_text("E2E 宿舍热水器不热")).to_be_visible()
    j.shot("request-submitted")

    home(j)
    go(j, "问卷")
    j.click(page.locator("[data-testid=stSelectbox]").first)
    j.click(page.get_by_role("option", name="楼宇微党课效果反馈"))  # offered: the volunteer attended it
    expect(page.get_by_text("您对本次活动的满意度")).to_be_visible()
    expect(page.get_by_role("button", name="提交问卷")).to_have_count(1)  # the other survey's form is gone
    idle(page)
    j.click(page.get_by_role("radiogroup", name="Q1. 您对本次活动的满意度 *").get_by_text("5", exact=True))
    j.click(page.get_by_role("button", name="提交问卷"))
    expect(page.get_by_text(re.compile("^感谢填写"))).to_be_visible()
    j.shot("survey-answered")


def test_coordinator_at_a_desk(journey):
    j = journey("coordinator", DESKTOP)
    page = j.page
    sign_in(j, *COORDINATOR)
    expect(page.get_by_text("待审核时长")).to_be_visible()
    j.shot("home")

    go(j, "活动管理")
    j.fill(page.get_by_role("textbox", name="活动名称", exact=True), "E2E 社区义诊")
    j.fill(page.get_by_role("textbox", name="开始时间", exact=True), "2099-05-01 09:00")
    j.fill(page.get_by_role("textbox", name="结束时间", exact=True), "2099-05-01 11:00")
    j.fill(page.get_by_role("textbox", name="名额（空 = 不限）", exact=True), "20")
    j.click(page.get_by_role("button", name="保存"))
    expect(page.get_by_text(re.compile("已创建活动“E2E 社区义诊”"))).to_be_visible()
    j.shot("activity-created")

    home(j)
    go(j, "报名名单")
    expect(page.get_by_text(re.compile(r"已确认（\d+）"))).to_be_visible()
    j.click(page.get_by_role("button", name="补签"))
    expect(page.get_by_text(re.compile("^已为 .* 补签。"))).to_be_visible()
    idle(page)
    expect(page.get_by_role("img").first).to_be_visible()  # the check-in QR code
    j.shot("roster")

    home(j)
    go(j, "时长审核")
    expect(page.locator("[data-testid^=glide-cell]", has_text="待审核").first).to_be_attached()
    row = 0  # the first pending entry
    grid = page.locator("[data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + 35 * (row + 1) + 17)  # its row's selection box (rows are 35 px)
    j.steps += 1
    expect(page.get_by_text("已选择 1 条")).to_be_visible()
    j.fill(page.get_by_role("textbox", name="审核意见", exact=True), "属实")
    j.shot("hours-selected")
    j.click(page.get_by_role("button", name="通过所选"))
    expect(page.get_by_text("已处理 1 条申报。")).to_be_visible()
    j.shot("hours-approved")

    home(j)
    go(j, "诉求派单")
    expect(page.get_by_text("处理诉求")).to_be_visible()
    j.shot("request-board")
    home(j)
    go(j, "数据检查")
    expect(page.get_by_text("工作簿中没有发现数据问题。")).to_be_visible()
    with page.expect_download() as download:
        j.click(page.get_by_role("button", name="下载工作簿（Excel）"))
    assert download.value.suggested_filename == "workbook.xlsx"
    made = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))  # made on the click, outside the run
    people = made["people"]  # this workbook's own sheet title, and its own (Chinese) header cells
    header = [cell.value for cell in people[1]]
    assert "在册" in header and {row[header.index("在册")] for row in people.iter_rows(min_row=2, values_only=True)} <= {"是", "否"}
    j.shot("data")


def test_leader_watches_the_dashboard_refresh_by_itself(journey, e2e_workbook):
    j = journey("leader", DESKTOP)
    page = j.page
    sign_in(j, *LEADER)
    go(j, "数据看板")
    hours = page.locator("[data-testid=stMetric]").filter(has_text="服务总时长").locator("[data-testid=stMetricValue]")
    expect(hours).to_be_visible()
    before = float(hours.inner_text())
    j.shot("dashboard")
    SqliteWorkbook(e2e_workbook).append("hours", [{  # a coordinator approves hours elsewhere
        "entry_id": "H-E2E-LIVE", "person_id": COORDINATOR[0], "date": "2025-01-01", "hours": "12.5",
        "status": "approved", "description": "外部导入"}])
    expect(hours).to_have_text(f"{before + 12.5:g}")  # no reload: the dashboard refreshes itself
    j.shot("dashboard-refreshed")
    content = page.locator("[data-testid=stMain]").inner_text()
    assert not re.search(r"\b1[3-9]\d{9}\b", content), "a phone number on the dashboard"
    assert "@" not in content
    with page.expect_download() as download:
        j.click(page.get_by_role("button", name="下载指标（CSV）"))
    assert download.value.suggested_filename.endswith(".csv")
    csv_text = download.value.path().read_bytes().decode("utf-8-sig")  # made on the click, in the page's language
    assert "服务总时长" in csv_text
