"""QR codes and share links use the public address when it is set, and warn when they would point at
this computer only."""
from __future__ import annotations

from tests.pages import open_page, workbook  # noqa: F401 - a fixture
from demo.codes import DEMO_CODES
from workflows.links import app_link, is_local

COORDINATOR = DEMO_CODES[1][0]


def test_a_link_goes_under_the_public_address_path_included_else_on_the_serving_host():
    assert app_link("http://127.0.0.1:8711/roster?x=1", "checkin", "https://v.example.edu/app/", activity="A1",
                    code="K7Q2") == "https://v.example.edu/app/checkin?activity=A1&code=K7Q2"
    assert app_link("http://10.0.0.5:8501/roster", "surveys", "", survey="V1") == "http://10.0.0.5:8501/surveys?survey=V1"


def test_only_loopback_addresses_count_as_local():
    assert is_local("http://127.0.0.1:8711/x") and is_local("http://localhost:8501/") and is_local("http://[::1]:8501/")
    assert not is_local("http://10.0.0.5:8501/") and not is_local("https://v.example.edu/")


def qr_link_and_warnings(at):
    captions = [c.value.replace("\\", "") for c in at.caption if "/checkin?" in c.value]  # shown markdown-escaped
    return captions[0], [w.value for w in at.warning]


def test_the_roster_qr_code_warns_when_it_points_at_this_computer(workbook):
    at = open_page("pages/roster.py", COORDINATOR)
    at.context = {"locale": "zh-CN", "url": "http://127.0.0.1:8711/roster"}
    at.run()
    link, warnings = qr_link_and_warnings(at)
    assert link.startswith("http://127.0.0.1:8711/checkin?")
    assert any("手机无法打开" in w and "public_url" in w for w in warnings)


def test_the_roster_qr_code_uses_the_public_url_setting(workbook, monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://v.example.edu/")
    at = open_page("pages/roster.py", COORDINATOR)
    at.context = {"locale": "zh-CN", "url": "http://127.0.0.1:8711/roster"}
    at.run()
    link, warnings = qr_link_and_warnings(at)
    assert link.startswith("https://v.example.edu/checkin?activity=")
    assert not any("手机无法打开" in w for w in warnings)
