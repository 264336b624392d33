"""A form stays as the person left it after an error: open, with what they typed."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import VOLUNTEER
from tests.e2e.test_journeys import PHONE, go, idle, sign_in


def test_an_empty_hours_report_keeps_the_form_open_with_an_explanation(journey):
    j = journey("form-error", PHONE)
    page = j.page
    sign_in(j, *VOLUNTEER)
    go(j, "我的记录")
    j.click(page.get_by_text("申报服务时长"))
    j.fill(page.get_by_label("服务内容"), "只写了内容")
    j.click(page.get_by_role("button", name="提交申报"))
    expect(page.get_by_text("时长（小时）：", exact=False).first).to_be_visible()
    idle(page)
    expect(page.get_by_label("服务内容")).to_be_visible()  # the form is still open
    expect(page.get_by_label("服务内容")).to_have_value("只写了内容")
    j.shot("still-open")
