"""My record, Hours review, Leaderboard and Verify under AppTest, against the CLI's figures."""
from __future__ import annotations

import json


import cli
from connectors.parsing import parse_snapshot
from workflows.clock import local_now
from tests.pages import open_page, workbook  # noqa: F401 - a fixture
from demo.codes import DEMO_CODES

VOLUNTEER, COORDINATOR, _ = (p for p, *_ in DEMO_CODES)


def cli_points(capsys, person_id):
    cli.main(["points", "--json"])
    board = json.loads(capsys.readouterr().out)
    return next(row for row in board if row["person_id"] == person_id)


def test_my_record_the_leaderboard_and_the_cli_agree_on_hours_and_points(workbook, capsys):
    expected = cli_points(capsys, VOLUNTEER)
    record = open_page("pages/my_record.py", VOLUNTEER)
    assert not record.exception
    metrics = {m.label: m.value for m in record.metric}
    assert metrics["认定时长"] == f"{expected['hours']:g}" and metrics["积分"] == f"{expected['points']:g}"
    assert metrics["排名"].startswith(f"第 {expected['rank']} /")
    board = open_page("pages/leaderboard.py").dataframe[0].value
    mine = board[board["姓名"] == expected["name"]].iloc[0]
    assert (mine["积分"], mine["时长"], mine["名次"]) == (expected["points"], expected["hours"], expected["rank"])
    assert set(board.columns) == {"名次", "姓名", "所在支部", "积分", "时长"}  # nothing private, no IDs


def test_the_certificate_carries_the_same_hours_and_its_number_verifies(workbook, capsys):
    expected = cli_points(capsys, VOLUNTEER)
    record = open_page("pages/my_record.py", VOLUNTEER)
    next(b for b in record.button if b.label == "生成证明（PDF）").click().run()
    number = record.success[0].value.split("编号 ")[1].rstrip("。")
    log = parse_snapshot(workbook.snapshot())["_certificates"]
    assert float(log.set_index("certificate_no").loc[number, "hours"]) == expected["hours"]
    verify = open_page("pages/verify.py")
    verify.text_input[0].input(number)
    verify.button[0].click().run()
    assert verify.success[0].value == (f"证明有效：{expected['name']}，累计志愿服务 {expected['hours']:g} 小时，"
                                       f"出具日期 {local_now('Asia/Shanghai'):%Y-%m-%d}。")


def test_reporting_hours_adds_a_pending_entry(workbook):
    record = open_page("pages/my_record.py", VOLUNTEER)
    record.number_input(key="report-hours").set_value(2.5)
    record.text_area(key="report-description").input("社区图书角整理")
    next(b for b in record.button if b.label == "提交申报").click().run()
    assert record.success[0].value == "已提交，等待本支部协调员审核。"
    hours = parse_snapshot(workbook.snapshot())["hours"]
    mine = hours[(hours["person_id"] == VOLUNTEER) & (hours["description"] == "社区图书角整理")]
    assert list(mine["status"]) == ["pending"] and list(mine["hours"]) == [2.5]


def test_approving_an_entry_changes_only_its_status_and_review_cells(workbook):
    before = workbook.snapshot().sheets["hours"]
    review = open_page("pages/hours_review.py", COORDINATOR)
    assert not review.exception
    table = review.dataframe[0]
    review.session_state["review-selection-0"] = {"selection": {"rows": [0], "columns": []}}
    review.run()
    review.text_input(key="review-note").input("属实")
    next(b for b in review.button if b.label == "通过所选").click().run()
    assert review.success[0].value == "已处理 1 条申报。", [m.value for m in review.warning]
    after = workbook.snapshot().sheets["hours"]
    header = after.header
    changed = {(r, header[c]) for r in range(len(after.rows)) for c in range(len(header))
               if before.cell(r, c) != after.cell(r, c)}
    rows = {r for r, _ in changed}
    assert len(rows) == 1 and {c for _, c in changed} <= {"状态", "审核人", "审核时间", "审核意见"}
    row = rows.pop()
    assert after.cell(row, header.index("状态")) == "approved" and after.cell(row, header.index("审核意见")) == "属实"
    del table


def test_rejecting_without_a_note_keeps_the_ticked_rows_for_a_second_try(workbook):
    review = open_page("pages/hours_review.py", COORDINATOR)
    review.session_state["review-selection-0"] = {"selection": {"rows": [0, 1], "columns": []}}
    review.run()
    next(b for b in review.button if b.label == "驳回所选").click().run()
    assert review.warning, "the missing note is explained"
    assert "review-round" not in review.session_state  # the same selection key: the ticks stay
    assert review.session_state["review-selection-0"]["selection"]["rows"] == [0, 1]
    assert any(c.value == "已选择 2 条" for c in review.caption)


def test_an_empty_hours_report_keeps_its_form_open(workbook):
    record = open_page("pages/my_record.py", VOLUNTEER)
    next(b for b in record.button if b.label == "提交申报").click().run()
    assert record.error
    assert record.session_state["report-form-open"] is True
