"""The dashboard under AppTest: the CLI's figures, live updates, and no private value anywhere."""
from __future__ import annotations

import json

import pytest

import cli
from connectors.parsing import parse_snapshot
from tests.pages import finish_background_reads, open_page, rendered, workbook  # noqa: F401 - a fixture
from demo.codes import DEMO_CODES

_, COORDINATOR, LEADER = (p for p, *_ in DEMO_CODES)


@pytest.fixture(autouse=True)
def refresh_every_run(monkeypatch):
    monkeypatch.setenv("WORKBOOK_REFRESH_SECONDS", "0")


def dashboard(person_id):
    return open_page("pages/dashboard.py", person_id)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


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
        text = rendered(dashboard(person_id))
        assert len(text) > 10_000
        assert [v for v in private if v in text] == []


def test_a_new_hours_approval_shows_on_an_open_dashboard_at_its_next_refresh(workbook):
    at = dashboard(LEADER)
    before = float(metrics(at)["服务总时长"])
    finish_background_reads()  # no read under way started before the write
    person = parse_snapshot(workbook.snapshot())["people"].iloc[5]["person_id"]
    workbook.append("hours", [{"entry_id": "H-NEW", "person_id": person, "date": "2025-01-01", "hours": "7.5",
                               "status": "approved", "description": "新认定"}])
    at.run()  # what the fragment's run_every does in the browser: it starts the scheduled read off the page
    finish_background_reads()
    at.run()  # the next refresh shows the data that read prepared
    assert float(metrics(at)["服务总时长"]) == before + 7.5

