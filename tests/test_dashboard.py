"""The dashboard under AppTest: the CLI's figures, live updates, and no private value anywhere."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import cli
from connectors.parsing import parse_snapshot
from connectors.sqlite_workbook import SqliteWorkbook
from workflows.clock import local_now
from workflows.demo_access import DEMO_CODES, load_demo_rows

APP = str(Path(__file__).resolve().parent.parent / "app.py")
_, COORDINATOR, LEADER = (p for p, *_ in DEMO_CODES)


@pytest.fixture
def workbook(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    book = SqliteWorkbook(url)
    book.ensure_schema()
    for table, rows in load_demo_rows(local_now("Asia/Shanghai").replace(microsecond=0)):
        book.append(table, rows)
    monkeypatch.setenv("WORKBOOK_URL", url)
    monkeypatch.setenv("WORKBOOK_REFRESH_SECONDS", "0")
    return book


def dashboard(person_id):
    at = AppTest.from_file(APP, default_timeout=90)
    at.context = {"locale": "zh-CN"}
    at.session_state["person_id"] = person_id
    at.run()
    return at.switch_page("pages/dashboard.py").run()


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def everything_rendered(at) -> str:
    """The text of every element of the page, charts' data included."""
    def walk(node):
        proto = getattr(node, "proto", None)
        yield str(proto) if proto is not None else ""
        for child in getattr(node, "children", {}).values():
            yield from walk(child)
    text = "".join(walk(at._tree))
    return text + "".join(frame.value.to_csv() for frame in at.dataframe)


def test_the_leaders_dashboard_shows_the_figures_of_cli_report(workbook, capsys):
    at = dashboard(LEADER)
    assert not at.exception
    cli.main(["report", "--json"])
    figures = json.loads(capsys.readouterr().out)
    shown = metrics(at)
    assert shown["注册志愿者"] == str(figures["volunteers_registered"])
    assert shown["服务总时长"] == f"{figures['hours_total']:g}"
    assert shown["响应率"] == f"{figures['response_rate'] * 100:.1f}%"
    assert shown["超期未办"] == str(figures["overdue_open"])


def test_a_coordinator_sees_the_dashboard_of_their_branch(workbook):
    at = dashboard(COORDINATOR)
    assert not at.exception
    people = parse_snapshot(workbook.snapshot())["people"]
    branch = people.set_index("person_id").loc[COORDINATOR, "branch"]
    active = people[(people["branch"] == branch) & people["active"]]
    assert metrics(at)["注册志愿者"] == str(len(active))


def test_no_private_value_of_the_workbook_appears_on_the_dashboard(workbook):
    tables = parse_snapshot(workbook.snapshot())
    private = {v for v in tables["people"]["phone"] if v} | {v for v in tables["people"]["email"] if v}
    private |= {v for v in tables["activities"]["checkin_code"] if v} | {v for v in tables["requests"]["contact"] if v}
    for person_id in (LEADER, COORDINATOR):
        rendered = everything_rendered(dashboard(person_id))
        assert len(rendered) > 10_000
        assert [v for v in private if v in rendered] == []


def test_a_new_hours_approval_shows_on_an_open_dashboard_at_its_next_refresh(workbook):
    at = dashboard(LEADER)
    before = float(metrics(at)["服务总时长"])
    person = parse_snapshot(workbook.snapshot())["people"].iloc[5]["person_id"]
    workbook.append("hours", [{"entry_id": "H-NEW", "person_id": person, "date": "2025-01-01", "hours": "7.5",
                               "status": "approved", "description": "新认定"}])
    at.run()  # what the fragment's run_every does in the browser
    assert float(metrics(at)["服务总时长"]) == before + 7.5
