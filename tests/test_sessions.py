"""Lasting sign-ins: the token's rules (signed, expiring, bound to the person's current code) and the
app ending a session whose code was reset or revoked."""
from __future__ import annotations

import datetime as dt

from connectors.parsing import parse_snapshot
from tests.builders import people, tables
from workflows.clock import utc_now
from tests.pages import workbook  # noqa: F401 - the fixture
from workflows.codes import code_row
from workflows.sessions import code_fingerprint, issue_token, seconds_left, token_holder

KEY = b"k" * 32
NOW = 1_800_000_000.0  # 2027-01-15
AT = dt.datetime(2026, 11, 1, 9, 0)


def book(*code_rows):
    return tables(people=people("2023001", "2023002"), _access_codes=list(code_rows))


def signed_in(workbook, person_id="2023001", days=14):
    return issue_token(KEY, person_id, code_fingerprint(workbook, person_id), NOW, days)


def test_a_token_signs_in_its_person_until_it_expires():
    workbook = book(code_row("2023001", "ABCD2345", "personal", "C1", AT))
    token = signed_in(workbook)
    assert token_holder(KEY, token, workbook, NOW + 13 * 86400) == "2023001"
    assert token_holder(KEY, token, workbook, NOW + 14 * 86400) is None
    assert seconds_left(token, NOW) == 14 * 86400


def test_a_token_with_a_changed_person_or_expiry_or_another_key_is_refused():
    workbook = book(code_row("2023001", "ABCD2345", "personal", "C1", AT),
                    code_row("2023002", "EFGH2345", "personal", "C1", AT))
    version, person, expires, signature = signed_in(workbook).split(".")
    other = signed_in(workbook, "2023002").split(".")[1]
    assert token_holder(KEY, ".".join([version, other, expires, signature]), workbook, NOW) is None
    assert token_holder(KEY, ".".join([version, person, str(int(expires) + 86400), signature]), workbook, NOW) is None
    assert token_holder(b"x" * 32, ".".join([version, person, expires, signature]), workbook, NOW) is None
    for garbage in ("", "v1", "v1.!!.1.x", "v2.a.1.b", "v1.MjAyMzAwMQ.soon.x"):
        assert token_holder(KEY, garbage, workbook, NOW) is None


def test_resetting_or_revoking_the_code_ends_every_session_made_with_the_old_one():
    first = code_row("2023001", "ABCD2345", "personal", "C1", AT)
    token = signed_in(book(first))
    reset = code_row("2023001", "WXYZ2345", "personal", "C1", AT + dt.timedelta(minutes=1))
    revoked = code_row("2023001", None, "personal", "C1", AT + dt.timedelta(minutes=1))
    assert token_holder(KEY, token, book(first), NOW) == "2023001"
    assert token_holder(KEY, token, book(first, reset), NOW) is None
    assert token_holder(KEY, token, book(first, revoked), NOW) is None


def test_a_demo_code_keeps_no_session_once_the_workbook_no_longer_holds_the_demo():
    workbook = book(code_row("2023001", "ABCD2345", "personal", "demo", AT))
    assert code_fingerprint(workbook, "2023001") is None


def test_a_code_sign_in_gets_a_token_that_the_app_writes_into_the_browser_cookie(workbook):
    from streamlit.testing.v1 import AppTest

    from connectors.config import app_key
    from demo.codes import DEMO_CODES
    from tests.pages import APP, open_page

    volunteer, code, *_ = DEMO_CODES[0]
    at = open_page("pages/sign_in.py")
    at.text_input[0].input(volunteer)
    at.text_input[1].input(code)
    at.button[0].click().run()
    token = at.session_state["_session_token"]
    assert token_holder(app_key(workbook.url), token, parse_snapshot(workbook.snapshot()), utc_now().timestamp()) \
        == volunteer

    again = AppTest.from_file(APP, default_timeout=90)  # a new tab, holding the token (AppTest sets no cookies)
    again.session_state["_session_token"] = token
    again.run()
    scripts = [element.proto.body for element in again.sidebar.get("html")]
    assert any(f"workbench_session={token}; Max-Age=" in script and "SameSite=Lax" in script for script in scripts)
    assert again.title[0].value.startswith("你好")


def test_the_app_ends_a_code_sign_in_at_its_first_read_after_the_code_is_revoked(workbook, monkeypatch):
    monkeypatch.setenv("WORKBOOK_REFRESH_SECONDS", "0")  # the app reads the revocation at once
    from connectors.live import LiveWorkbook
    from demo.codes import DEMO_CODES
    from services.codes import issue_code
    from tests.pages import finish_background_reads, open_page
    from workflows.clock import local_now

    volunteer, code, *_ = DEMO_CODES[0]
    at = open_page("pages/sign_in.py")
    at.text_input[0].input(volunteer)
    at.text_input[1].input(code)
    at.button[0].click().run()
    assert at.session_state["person_id"] == volunteer

    finish_background_reads()  # no read under way started before the revocation
    issue_code(LiveWorkbook(workbook, 0), None, volunteer, lambda: local_now("Asia/Shanghai"), revoke=True)
    at.switch_page("pages/home.py").run()  # starts the app's scheduled read, off the page
    finish_background_reads()
    at.run()
    assert "person_id" not in at.session_state
    assert "请先登录后再打开此页面。" in [info.value for info in at.info]


def test_the_session_lifetime_follows_the_session_days_setting(workbook, monkeypatch):
    from demo.codes import DEMO_CODES
    from tests.pages import open_page

    monkeypatch.setenv("SESSION_DAYS", "1")
    volunteer, code, *_ = DEMO_CODES[0]
    at = open_page("pages/sign_in.py")
    at.text_input[0].input(volunteer)
    at.text_input[1].input(code)
    at.button[0].click().run()
    left = seconds_left(at.session_state["_session_token"], utc_now().timestamp())
    assert 86400 - 60 < left <= 86400
