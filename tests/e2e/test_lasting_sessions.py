"""A sign-in lasts on the device: a reload, a new tab and a scanned QR code keep it; signing out ends it."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS, VOLUNTEER
from tests.e2e.test_journeys import PHONE, idle, sign_in


def kept_cookie_is(page, present: bool) -> None:
    """Until the browser holds (or has dropped) the session cookie."""
    check = "document.cookie.split('; ').some(c => c.startsWith('workbench_session='))"
    page.wait_for_function(f"() => {'' if present else '!'}{check}")


def test_a_reload_a_new_tab_and_a_scanned_qr_code_keep_the_sign_in_until_sign_out(journey):
    j = journey("lasting-session", PHONE)
    page = j.page
    base = page.url.split("/sign_in")[0].rstrip("/")
    sign_in(j, *VOLUNTEER)
    idle(page)
    kept_cookie_is(page, present=True)  # the browser runs the page's cookie script after the run ends
    cookie = next(c for c in page.context.cookies() if c["name"] == "workbench_session")
    assert cookie["sameSite"] == "Lax" and cookie["expires"] > 0  # a lasting cookie, not the tab's

    page.reload()
    expect(page.get_by_role("heading", name=re.compile("^你好"))).to_be_visible()
    idle(page)
    expect(page.locator("[data-testid=stMain] a", has_text="返回首页")).to_have_count(0)  # not on Home itself
    j.shot("reloaded")

    scanned = page.context.new_page()  # the phone's camera opens the QR code's link in a new tab
    scanned.goto(f"{base}/checkin?activity=E2E-NOW&code=NOW123")
    expect(scanned.get_by_label("签到码")).to_have_value("NOW123")
    expect(scanned.get_by_text("请先登录后再打开此页面。")).to_have_count(0)
    scanned.screenshot(path=str(SHOTS / "lasting-session-02-scanned-qr.png"), full_page=True)
    scanned.close()

    j.click(page.get_by_test_id("stExpandSidebarButton"))  # on a phone the menu folds away
    j.click(page.get_by_role("button", name="退出登录"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    idle(page)
    kept_cookie_is(page, present=False)
    page.reload()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    assert not any(c["name"] == "workbench_session" for c in page.context.cookies())
