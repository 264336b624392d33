"""The app under AppTest: every page for each role and signed out, sign-in, language."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.pages import finish_background_reads
from streamlit.testing.v1 import AppTest

from connectors.parsing import parse_snapshot
from connectors.sqlite_workbook import SqliteWorkbook
from ui.pages import PAGES
from demo.codes import DEMO_CODES, load_demo_rows

APP = str(Path(__file__).resolve().parent.parent / "app.py")
VOLUNTEER, COORDINATOR, LEADER = (p for p, *_ in DEMO_CODES)
ROLE_PAGES = {
    None: {"sign_in", "leaderboard", "verify"},
    VOLUNTEER: {"home", "activities", "checkin", "my_record", "requests", "wish_wall", "surveys", "leaderboard",
                "verify"},
    COORDINATOR: {"home", "activities", "checkin", "manage_activities", "roster", "my_record", "requests", "wish_wall",
                  "surveys", "hours_review", "request_board", "survey_admin", "dashboard", "leaderboard", "verify",
                  "sheets", "data", "codes"},
    LEADER: {"home", "dashboard", "leaderboard", "verify"},
}


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("app") / "w.sqlite3"
    workbook = SqliteWorkbook(f"sqlite:///{path}")
    workbook.ensure_schema()
    for table, rows in load_demo_rows(dt.datetime.now().replace(microsecond=0)):
        workbook.append(table, rows)
    return f"sqlite:///{path}"


@pytest.fixture
def app(demo_url, monkeypatch):
    monkeypatch.setenv("WORKBOOK_URL", demo_url)

    def start(person_id=None, locale="zh-CN"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.context = {"locale": locale}
        if person_id:
            at.session_state["person_id"] = person_id
        return at.run()
    return start


def menu(at) -> set[str]:
    """The pages the app lists in its menu for whoever this run signed in (app.py's own function)."""
    from ui.pages import menu_keys
    from workflows.access import SIGNED_OUT, viewer_for

    people = parse_snapshot(SqliteWorkbook(os.environ["WORKBOOK_URL"]).snapshot())["people"]
    person_id = at.session_state["person_id"] if "person_id" in at.session_state else None
    viewer = viewer_for(people, person_id) if person_id else None
    if viewer is None and at.user.get("is_logged_in"):
        from workflows.access import viewer_by_email

        viewer = viewer_by_email(people, at.user.get("email", ""))
    return set(menu_keys(viewer or SIGNED_OUT))


@pytest.mark.parametrize("person_id", list(ROLE_PAGES))
def test_each_role_sees_its_menu(app, person_id):
    at = app(person_id)
    assert not at.exception
    assert menu(at) == ROLE_PAGES[person_id]


@pytest.mark.parametrize("person_id", list(ROLE_PAGES))
@pytest.mark.parametrize("page", [p.path for p in PAGES])
def test_every_page_runs_for_every_role_and_refuses_with_a_message(app, person_id, page):
    at = app(person_id)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    key = Path(page).stem
    if key not in ROLE_PAGES[person_id] and key != "sign_in":  # a page this person may not open
        messages = [m.value for m in (*at.main.info, *at.main.warning)]
        assert messages, "a refused page says why"
        assert not at.main.get("arrow_data_frame") and not at.main.dataframe


def test_signing_in_with_the_right_code_opens_home(app):
    at = app()
    at.text_input[0].input(VOLUNTEER)
    at.text_input[1].input(DEMO_CODES[0][1])
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state["person_id"] == VOLUNTEER


def test_a_wrong_code_is_refused_and_repeated_failures_are_rate_limited(app):
    at = app()
    for attempt in range(6):
        at.text_input[0].input(COORDINATOR)
        at.text_input[1].input(f"WRONG{attempt}")
        at.button[0].click().run()
    assert "person_id" not in at.session_state
    assert "尝试次数过多" in at.error[0].value


def test_the_language_follows_the_browser_and_switches(app):
    at = app(VOLUNTEER, locale="en-US")
    assert at.title[0].value.startswith("Hello")
    at = app(VOLUNTEER, locale="zh-CN")
    assert at.title[0].value.startswith("你好")
    at.sidebar.get("button_group")[0].set_value("en").run()
    assert at.title[0].value.startswith("Hello")
    at.switch_page("pages/home.py").run()
    assert at.title[0].value.startswith("Hello")


def test_the_data_page_shows_no_private_cell_of_another_branch(app, demo_url):
    at = app(COORDINATOR)
    at.switch_page("pages/data.py").run()
    assert not at.exception
    people = parse_snapshot(SqliteWorkbook(demo_url).snapshot())["people"]
    shown = at.main.dataframe[-1].value
    others = people[people["branch"] != "计算机学院第一学生党支部"]
    mine = people[people["branch"] == "计算机学院第一学生党支部"]
    text = shown.to_csv()
    assert not any(phone in text for phone in others["phone"] if phone)
    assert any(phone in text for phone in mine["phone"] if phone)


def oidc_app(demo_url, monkeypatch, user):
    monkeypatch.setenv("WORKBOOK_URL", demo_url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x",
                          "client_id": "x", "client_secret": "x",
                          "server_metadata_url": "https://sso.example.edu.cn/.well-known/openid-configuration"}
    at.context = {"locale": "zh-CN"}
    at.user = user
    return at.run()


def test_with_oidc_a_signed_in_email_in_people_opens_that_persons_menu(demo_url, monkeypatch):
    people = parse_snapshot(SqliteWorkbook(demo_url).snapshot())["people"]
    email = people.loc[people["person_id"] == COORDINATOR, "email"].iloc[0]
    at = oidc_app(demo_url, monkeypatch, {"is_logged_in": True, "email": email})
    assert not at.exception
    assert menu(at) == ROLE_PAGES[COORDINATOR]


def test_with_oidc_an_unknown_email_is_told_so_and_sees_nothing(demo_url, monkeypatch):
    at = oidc_app(demo_url, monkeypatch, {"is_logged_in": True, "email": "stranger@example.com"})
    assert not at.exception
    assert menu(at) == ROLE_PAGES[None]
    assert "stranger@example.com" in at.warning[0].value


def test_with_oidc_signed_out_people_get_the_sign_in_button(demo_url, monkeypatch):
    at = oidc_app(demo_url, monkeypatch, {"is_logged_in": False})
    assert not at.exception
    assert at.button[0].label == "使用学校账号登录"


def test_a_hand_edit_shows_on_the_data_page_and_a_bad_cell_becomes_a_problem(backend, monkeypatch):
    import os

    backend.workbook.ensure_schema()
    for table, rows in load_demo_rows(dt.datetime(2025, 11, 20, 10, 0)):
        backend.workbook.append(table, rows)
    url = backend.workbook.url if backend.name == "sheets" else f"sqlite:///{backend.path}"
    monkeypatch.setenv("WORKBOOK_URL", url)
    monkeypatch.setenv("WORKBOOK_REFRESH_SECONDS", "0")  # every run reads again: the interval is elapsed
    if backend.name == "sheets":
        monkeypatch.setenv("SHEETS_API_URL", backend.fake.base_url)
        monkeypatch.setenv("WORKBOOK_JOURNAL", str(backend.journal_path))
    at = AppTest.from_file(APP, default_timeout=60)
    at.context = {"locale": "en-US"}
    at.session_state["person_id"] = COORDINATOR
    at.run()
    at.switch_page("pages/data.py").run()
    assert at.main.success[0].value == "No problems found in the workbook."
    finish_background_reads()  # no read under way started before the edit
    grid = backend.grid("people")
    column = grid[0].index("加入日期")
    grid[3] += [""] * (column + 1 - len(grid[3]))
    grid[3][column] = "2025-13-40"
    backend.hand_write_sheet("people", grid[0], grid[1:])
    at.run()  # starts the scheduled read off the page
    finish_background_reads()
    at.run()
    assert not at.exception
    problems = at.main.dataframe[0].value
    assert list(problems.iloc[0]) == ["people", 4, "加入日期", "2025-13-40", "not a real date"]
