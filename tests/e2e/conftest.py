"""One shared app server for the browser journeys: `streamlit run app.py` on a free loopback port,
on a fresh embedded workbook holding the demo plus an activity happening right now."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from connectors.sqlite_workbook import SqliteWorkbook
from workflows.clock import local_now
from demo.codes import DEMO_CODES, load_demo_rows

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "tests" / "e2e" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VOLUNTEER, COORDINATOR, LEADER = ((p, c) for p, c, *_ in DEMO_CODES)
LIVE_ACTIVITY = {"activity_id": "E2E-NOW", "title": "楼宇微党课（现场）", "category": "微党课",
                 "branch": "计算机学院第一学生党支部", "location": "学生公寓1号楼活动室", "capacity": "30",
                 "hours": "1.5", "checkin_code": "NOW123", "status": "open"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare_workbook(path: Path) -> None:
    """The demo, plus an activity under way that the demo volunteer is confirmed for, and its feedback survey."""
    book = SqliteWorkbook(f"sqlite:///{path}")
    book.ensure_schema()
    now = local_now("Asia/Shanghai").replace(microsecond=0)
    for table, rows in load_demo_rows(now):
        book.append(table, rows)
    fmt = "%Y-%m-%d %H:%M"
    book.append("activities", [{**LIVE_ACTIVITY, "starts_at": f"{now - dt.timedelta(minutes=30):{fmt}}",
                                "ends_at": f"{now + dt.timedelta(hours=2):{fmt}}",
                                "signup_deadline": f"{now - dt.timedelta(hours=1):{fmt}}"}])
    book.append("signups", [{"signup_id": f"S-E2E-{n}", "activity_id": "E2E-NOW", "person_id": person,
                             "action": "signup", "at": f"{now - dt.timedelta(days=1, minutes=-n):{fmt}}"}
                            for n, person in enumerate([VOLUNTEER[0], "2022070254"])])
    book.append("surveys", [{"survey_id": "V-E2E", "title": "楼宇微党课效果反馈", "kind": "feedback",
                             "activity_id": "E2E-NOW", "status": "open", "anonymous": "false"}])
    book.append("questions", [{"survey_id": "V-E2E", "question_id": "1", "text": "您对本次活动的满意度", "type": "rating",
                               "required": "true"},
                              {"survey_id": "V-E2E", "question_id": "2", "text": "建议", "type": "text"}])


@pytest.fixture(scope="session")
def e2e_workbook(tmp_path_factory) -> str:
    """The URL of the workbook the app server runs on (tests may write to it as another process would)."""
    path = tmp_path_factory.mktemp("e2e") / "workbook.sqlite3"
    _prepare_workbook(path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def app_url(e2e_workbook):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: ./test.sh installs it (apt-get install chromium)")
    port = _free_port()
    env = {**os.environ, "WORKBOOK_URL": e2e_workbook, "WORKBOOK_REFRESH_SECONDS": "3"}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # polling the server's own health endpoint until it answers, bounded
        try:
            if requests.get(f"{url}/_stcore/health", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            pytest.fail("the app server did not start")
        time.sleep(0.2)
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # a first page of a cold server on 2 cores
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Journey:
    """A person in a browser: each step is a screenshot; the steps they take are counted."""

    def __init__(self, page, name: str):
        self.page, self.name, self.steps, self.shots = page, name, 0, 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(self, what: str) -> None:
        self.shots += 1
        self.page.screenshot(path=str(SHOTS / f"{self.name}-{self.shots:02}-{what}.png"), full_page=True)

    def click(self, locator) -> None:
        self.steps += 1
        locator.click()

    def choose(self, picker, option) -> None:
        """Opens `picker` and clicks `option` in it: two steps. A run of the page that lands while the
        picker is open (one the step before set off) draws it again, closed: it is then opened again,
        a few times at most, each try waiting for the option up to 5 s."""
        from playwright.sync_api import TimeoutError as NotThere

        self.steps += 2
        for _ in range(3):
            picker.click()
            try:
                option.click(timeout=5_000)
                return
            except NotThere:
                continue
        picker.click()
        option.click()  # the last try waits as long as any step: its error says what was not there

    def fill(self, locator, text: str) -> None:
        self.steps += 1
        locator.fill(text)


@pytest.fixture
def journey(browser, app_url, request):
    def start(name: str, viewport: dict):
        context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(app_url)
        request.addfinalizer(context.close)
        return Journey(page, name)
    return start
