"""On a 390×844 phone, in Chinese and in English, a volunteer's lists fit the screen: Activities,
My sign-ups and My record are cards, and the Leaderboard's grid fits the screen.
The screenshots (tests/e2e/screenshots/phone-*.png) are the ones in docs/screenshots/."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS, VOLUNTEER

WIDTH = 390
TEXT = {"zh": {"locale": "zh-CN", "id": "学号/工号", "code": "登录码", "sign_in": "登录", "hello": "^你好",
               "home": "返回首页", "activities": "活动报名", "mine": "我的报名", "my_record": "我的记录",
               "leaderboard": "积分榜", "points": "积分", "hours": "时长"},
        "en": {"locale": "en-US", "id": "Student/staff ID", "code": "Sign-in code", "sign_in": "Sign in", "hello": "^Hello",
               "home": "Back to Home", "activities": "Activities", "mine": "My sign-ups", "my_record": "My record",
               "leaderboard": "Leaderboard", "points": "Points", "hours": "Hours"}}


def idle(page) -> None:
    expect(page.locator("[data-testid=stApp]")).not_to_have_attribute("data-test-script-state", "running")


def page_height(page) -> int:
    return int(page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], body')]"
                             ".map(e => e.scrollHeight))"))


def open_from_home(page, words: dict, key: str) -> None:
    page.locator("[data-testid=stMain] a", has_text=words["home"]).first.click()
    expect(page.get_by_role("heading", name=re.compile(words["hello"]))).to_be_visible()
    page.locator("[data-testid=stMain] a", has_text=words[key]).first.click()
    expect(page.get_by_role("heading", name=words[key], exact=True)).to_be_visible()
    idle(page)


def shoot(page, name: str, top: float = 0, tall: bool = False) -> None:
    """The page from `top`, one phone screen high (or up to 1400 px of it): the viewport is made as
    tall as the page first, because Streamlit scrolls inside its main element, not the document."""
    height = page_height(page)
    page.set_viewport_size({"width": WIDTH, "height": min(height, 8000)})
    idle(page)
    page.screenshot(path=str(SHOTS / f"{name}.png"),
                    clip={"x": 0, "y": top, "width": WIDTH, "height": min(1400 if tall else 844, height - top)})


def assert_within_the_screen(locator) -> None:
    for box in (locator.nth(i).bounding_box() for i in range(locator.count())):
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_volunteers_lists_fit_a_phone(browser, app_url, lang):
    words = TEXT[lang]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": WIDTH, "height": 844}, locale=words["locale"])
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(app_url)
        page.get_by_label(words["id"]).fill(VOLUNTEER[0])
        page.get_by_label(words["code"]).fill(VOLUNTEER[1])
        page.get_by_role("button", name=words["sign_in"], exact=True).click()
        expect(page.get_by_role("heading", name=re.compile(words["hello"]))).to_be_visible()

        page.locator("[data-testid=stMain] a", has_text=words["activities"]).first.click()
        expect(page.get_by_role("heading", name=words["activities"], exact=True)).to_be_visible()
        idle(page)
        shoot(page, f"phone-{lang}-activities")
        mine = page.get_by_role("heading", name=words["mine"])
        shoot(page, f"phone-{lang}-my-sign-ups", top=mine.bounding_box()["y"] - 16)
        assert_within_the_screen(page.locator("[class*='st-key-mine-']"))
        page.set_viewport_size({"width": WIDTH, "height": 844})

        open_from_home(page, words, "my_record")
        shoot(page, f"phone-{lang}-my-record", tall=True)
        assert_within_the_screen(page.locator("[class*='st-key-attended-'], [class*='st-key-entries-']"))
        page.set_viewport_size({"width": WIDTH, "height": 844})

        open_from_home(page, words, "leaderboard")
        grid = page.locator("[data-testid=stDataFrame]").first
        expect(grid).to_be_visible()
        shoot(page, f"phone-{lang}-leaderboard")
        assert_within_the_screen(grid)  # its first columns' widths: tests/test_phone_layout.py
    finally:
        context.close()
