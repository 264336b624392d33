"""Attacks tried against the app, each closed and kept closed (named after the attack)."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.pages import open_page, workbook  # noqa: F401 - the fixture
from demo.codes import DEMO_CODES

VOLUNTEER_ID = DEMO_CODES[0][0]
PAYLOAD = "![n](http://evil.example/x.png)**粗体**[链接](http://evil.example/)\u202e:material/home:"


def markdown_shown(at) -> str:
    """The Markdown source of everything the page renders as Markdown."""
    parts = []
    for kind in ("title", "markdown", "caption", "error", "success", "info", "warning"):
        parts += [element.value for element in getattr(at, kind)]
        parts += [element.value for element in getattr(at.sidebar, kind)]
    return "\n".join(parts)


def test_a_markdown_image_in_the_verify_link_loads_nothing(workbook):
    at = open_page("pages/verify.py", no="![v](http://evil.example/x.png)")
    at.button[0].click().run()
    shown = markdown_shown(at)
    assert "evil" in shown and "](" not in shown and "![" not in shown


def test_a_name_with_markdown_shows_as_text_on_home_and_in_the_sidebar(workbook):
    workbook.update("people", {"person_id": VOLUNTEER_ID}, {"name": PAYLOAD})
    at = open_page("pages/home.py", VOLUNTEER_ID)
    shown = "\n".join(line for line in markdown_shown(at).splitlines() if "evil" in line)  # where the name is
    assert "evil" in shown
    for raw in ("](", "![", "**", "\u202e", ":material/home:"):
        assert raw not in shown, raw


def test_one_volunteer_submitting_an_anonymous_survey_twenty_times_counts_once(tmp_path):
    import datetime as dt

    from connectors.live import LiveWorkbook
    from services.clock import fixed_clock
    from services.surveys import answer_survey, create_survey
    from tests.pages import demo_workbook
    from workflows.access import viewer_for
    from workflows.clock import local_now
    from workflows.indicators import report
    from workflows.signup import derive
    from workflows.surveys import latest_submissions

    live = LiveWorkbook(demo_workbook(f"sqlite:///{tmp_path / 'w.sqlite3'}"), 3600)
    people = live.data().tables["people"]
    coordinator, volunteer = (viewer_for(people, DEMO_CODES[n][0]) for n in (1, 0))
    clock = fixed_clock(local_now("Asia/Shanghai"))
    survey_id = create_survey(live, coordinator, {"title": "匿名调查", "kind": "needs", "anonymous": True},
                              [{"text": "满意吗", "type": "rating", "required": True}], clock)
    before = report(live.data().tables, derive(live.data().tables), clock() + dt.timedelta(hours=1))

    for n in range(20):
        answer_survey(live, volunteer, survey_id, {"1": str(1 + n % 5)}, fixed_clock(clock() + dt.timedelta(minutes=n)))

    tables = live.data().tables
    responses = tables["responses"][tables["responses"]["survey_id"] == survey_id]
    assert len(responses) == 20 and set(responses["respondent_id"]) == {""}  # nobody named
    assert volunteer.person_id not in "".join(responses["response_id"])
    assert len(latest_submissions(responses)) == 1
    after = report(tables, derive(tables), clock() + dt.timedelta(hours=1))
    assert after["survey_submissions"] == before["survey_submissions"] + 1


def test_issue_code_refuses_a_leader_code_weaker_than_a_generated_one(tmp_path, capsys):
    import cli
    from tests.pages import demo_workbook

    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    demo_workbook(url)
    leader = DEMO_CODES[2][0]
    assert cli.main(["issue-code", leader, "--code", "1", "--workbook", url]) == 2
    assert "8" in capsys.readouterr().err
    assert cli.main(["issue-code", leader, "--code", "K7M2P9QX", "--workbook", url]) == 0


def test_an_oidc_email_that_only_looks_like_a_persons_does_not_sign_in_as_them():
    import pandas as pd

    from workflows.access import viewer_by_email

    people = pd.DataFrame({"person_id": ["P1", "P2"], "name": ["甲", "乙"], "role": ["volunteer", "leader"],
                           "branch": ["", ""], "active": [True, True],
                           "email": ["strasse@school.edu", "kim@school.edu"]})
    assert viewer_by_email(people, "straße@school.edu") is None
    assert viewer_by_email(people, "\u212aim@school.edu") is None  # Kelvin sign
    assert viewer_by_email(people, " Kim@School.EDU ").person_id == "P2"


def test_the_workbook_journal_and_attempt_files_are_private(tmp_path):
    from connectors.journal import Journal
    from connectors.sqlite_workbook import SqliteWorkbook

    SqliteWorkbook(f"sqlite:///{tmp_path / 'w.sqlite3'}").ensure_schema()
    Journal(tmp_path / "journal.sqlite3", workbook="gsheets://x")
    for name in ("w.sqlite3", "journal.sqlite3"):
        assert (tmp_path / name).stat().st_mode & 0o077 == 0, name


def test_sign_in_for_an_unknown_id_does_the_same_hashing_as_for_a_known_one(monkeypatch):
    from workflows import codes

    hashed = []
    real = codes.code_matches
    monkeypatch.setattr(codes, "code_matches", lambda code, stored: hashed.append(stored) or real(code, stored))
    from tests.builders import tables

    assert not codes.code_is_valid(tables(), "NOBODY", "ABCDEFGH")
    assert hashed and hashed[0].startswith("scrypt$")


def test_a_coordinator_sees_only_their_own_branchs_hours_entries_on_the_data_page(workbook):
    from connectors.parsing import parse_snapshot

    tables = parse_snapshot(workbook.snapshot())
    coordinator = DEMO_CODES[1][0]
    people = tables["people"]
    branch = people.set_index("person_id").loc[coordinator, "branch"]
    others = tables["hours"][~tables["hours"]["person_id"].isin(people.loc[people["branch"] == branch, "person_id"])]
    assert not others.empty
    at = open_page("pages/data.py", coordinator)
    at.selectbox[0].set_value("hours").run()
    shown = "".join(frame.value.to_csv() for frame in at.dataframe)
    mine = tables["hours"][~tables["hours"]["entry_id"].isin(others["entry_id"])]
    assert all(entry in shown for entry in mine["entry_id"])
    assert not any(entry in shown for entry in others["entry_id"])


def _desk(tmp_path):
    """A demo workbook, its live data and the demo coordinator as a viewer."""
    from connectors.live import LiveWorkbook
    from tests.pages import demo_workbook
    from workflows.access import viewer_for

    live = LiveWorkbook(demo_workbook(f"sqlite:///{tmp_path / 'w.sqlite3'}"), 3600)
    return live, viewer_for(live.data().tables["people"], DEMO_CODES[1][0])


def _other_branch(live, coordinator, table):
    tables = live.data().tables
    people = tables["people"]
    theirs = set(people.loc[people["branch"] != coordinator.branch, "person_id"])
    frame = tables[table]
    column = "branch" if table == "activities" else "person_id"
    rows = frame[frame[column].isin(theirs)] if column == "person_id" else frame[frame["branch"] != coordinator.branch]
    return rows.iloc[0]


def _save(live, actor, table, key, changes):
    from services.clock import fixed_clock
    from services.sheet_edits import save
    from workflows.clock import local_now
    from workflows.sheet_edits import EditPlan

    shown = live.data()
    frame = shown.tables[table]
    match = frame
    for column, value in key.items():
        match = match[match[column] == value]
    before = shown.cells_of(table, int(match.iloc[0]["_row"]))
    plan = EditPlan(updates=[(key, changes, {c: before.get(c, "") for c in changes})])
    save(live, actor, table, plan, fixed_clock(local_now("Asia/Shanghai")))
    after = live.refresh().cells_of(table, int(match.iloc[0]["_row"]))
    return plan, {c: after.get(c, "") for c in changes}, {c: before.get(c, "") for c in changes}


def test_a_coordinator_cannot_move_another_branchs_volunteer_into_their_own_branch(tmp_path):
    live, coordinator = _desk(tmp_path)
    victim = _other_branch(live, coordinator, "people")
    plan, after, before = _save(live, coordinator, "people", {"person_id": victim["person_id"]},
                                {"branch": coordinator.branch, "phone": "13800000000"})
    assert after == before and {why[0] for *_, why in plan.refused} == {"not_yours"}


def test_a_coordinator_cannot_approve_another_branchs_hours_or_give_its_activity_5000_hours(tmp_path):
    live, coordinator = _desk(tmp_path)
    entry = _other_branch(live, coordinator, "hours")
    _, after, before = _save(live, coordinator, "hours", {"entry_id": entry["entry_id"]}, {"status": "approved"})
    assert after == before
    activity = _other_branch(live, coordinator, "activities")
    _, after, before = _save(live, coordinator, "activities", {"activity_id": activity["activity_id"]}, {"hours": "5000"})
    assert after == before


def test_a_coordinator_cannot_make_themself_a_leader_or_raise_the_points_per_hour(tmp_path):
    from services.sheet_edits import save
    from workflows.sheet_edits import EditPlan

    live, coordinator = _desk(tmp_path)
    _, after, before = _save(live, coordinator, "people", {"person_id": coordinator.person_id}, {"role": "leader"})
    assert after == before == {"role": after["role"]} and after["role"] != "leader"
    plan = EditPlan(appends=[{"key": "points.per_hour", "value": "1000"}])
    save(live, coordinator, "settings", plan, lambda: dt.datetime(2026, 1, 1))
    settings = live.refresh().tables["settings"]
    assert "1000" not in set(settings["value"]) and plan.refused


def test_another_branchs_check_in_codes_do_not_show_in_recent_changes_and_cannot_be_reverted(tmp_path):
    from services.activities import renew_checkin_code
    from services.clock import fixed_clock
    from services.outcomes import Refused
    from services.sheet_edits import revert
    from workflows.access import Viewer
    from workflows.clock import local_now
    from workflows.edit_rights import visible_changes

    live, coordinator = _desk(tmp_path)
    activity = _other_branch(live, coordinator, "activities")
    their_coordinator = Viewer("X1", "别人", "coordinator", activity["branch"])
    clock = fixed_clock(local_now("Asia/Shanghai"))
    code = renew_checkin_code(live, their_coordinator, activity["activity_id"], clock)
    tables = live.data().tables
    audit = tables["_audit"]
    change = audit[audit["column"] == "checkin_code"].iloc[0]
    assert visible_changes(audit, coordinator, tables).query("column == 'checkin_code'").empty
    assert code in set(visible_changes(audit, their_coordinator, tables)["new"])
    with pytest.raises(Refused):
        revert(live, coordinator, change["audit_id"], clock)


def test_an_uploaded_sheet_cannot_move_a_volunteer_and_its_cells_are_checked_like_the_editor(tmp_path):
    from documents.spreadsheets import SheetFile, xlsx_bytes
    from services.sheet_edits import apply_upload, plan_upload

    live, coordinator = _desk(tmp_path)
    victim = _other_branch(live, coordinator, "people")
    people_file = xlsx_bytes([SheetFile("成员", ["学号/工号", "姓名", "政治面貌", "所在支部"],
                                        [[victim["person_id"], victim["name"], "群众", coordinator.branch]])])
    preview = plan_upload(live, coordinator, "people", people_file)
    assert not preview.plan.updates and {why[0] for *_, why in preview.refused} == {"not_yours"}
    apply_upload(live, coordinator, "people", preview, lambda: dt.datetime(2026, 1, 1))
    assert live.refresh().tables["people"].set_index("person_id").loc[victim["person_id"], "branch"] == victim["branch"]

    mine = live.data().tables["people"]
    member = mine[mine["branch"] == coordinator.branch].iloc[0]["person_id"]
    hours_file = xlsx_bytes([SheetFile("时长", ["记录编号", "学号/工号", "日期", "时长", "来源", "状态"],
                                       [["H-UP-1", member, "2099-01-01", "九十九", "self_report", "pending"]])])
    preview = plan_upload(live, coordinator, "hours", hours_file)
    assert not preview.plan.appends and {column for _, column, *_ in preview.refused} == {"hours"}


def _crafted_xlsx(path, far_cell: str):
    """A tiny .xlsx with one real cell and one far away (openpyxl pads every row up to it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "成员"
    sheet["A1"], sheet["B1"], sheet[far_cell] = "学号/工号", "姓名", "x"
    book.save(path)
    return path


def test_a_five_kilobyte_xlsx_with_a_cell_at_xfd1_is_refused_before_it_is_read(tmp_path):
    from connectors.files import read_sheets, read_xlsx_bytes

    path = _crafted_xlsx(tmp_path / "wide.xlsx", "XFD1")
    assert path.stat().st_size < 10_000
    with pytest.raises(ValueError, match="column"):
        read_sheets(path)
    with pytest.raises(ValueError, match="column"):
        read_xlsx_bytes(path.read_bytes())


def test_a_cell_in_the_last_row_costs_no_memory_for_the_empty_rows_above_it(tmp_path):
    import tracemalloc

    from connectors.files import read_sheets

    path = _crafted_xlsx(tmp_path / "tall.xlsx", "A200000")
    tracemalloc.start()
    sheets = read_sheets(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert sheets["成员"].rows[-1] == ["x"]
    assert peak < 200 * 2 ** 20  # padded rows of text cells would take gigabytes


def test_a_zip_that_unpacks_to_gigabytes_is_refused_unread(tmp_path, monkeypatch):
    from connectors import files

    path = _crafted_xlsx(tmp_path / "small.xlsx", "C3")
    monkeypatch.setattr(files, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ValueError, match="unpacks"):
        files.read_sheets(path)


def test_certificates_and_sign_up_toggling_are_limited_per_person(tmp_path):
    from connectors.attempts import AttemptLog
    from services.activities import ACTIONS_PER_HOUR, cancel, save_activity, sign_up
    from services.certificates import CERTIFICATES_PER_HOUR, issue_certificate
    from services.clock import workbook_clock
    from services.outcomes import Refused

    live, coordinator = _desk(tmp_path)
    attempts = AttemptLog(tmp_path / "attempts.sqlite3")
    volunteer = DEMO_CODES[0][0]
    clock = workbook_clock(live)
    made = 0
    with pytest.raises(Refused) as refused:
        for _ in range(CERTIFICATES_PER_HOUR + 1):
            issue_certificate(live, volunteer, volunteer, clock(), attempts)
            made += 1
    assert made == CERTIFICATES_PER_HOUR and refused.value.refusal.code == "too_many_attempts"

    day = clock() + dt.timedelta(days=50)
    activity_id = save_activity(live, coordinator, None, {
        "title": "反复报名", "branch": coordinator.branch, "starts_at": f"{day:%Y-%m-%d} 03:00",
        "ends_at": f"{day:%Y-%m-%d} 04:00"}, {}, clock).activity_id
    toggles = 0
    with pytest.raises(Refused):
        for _ in range(ACTIONS_PER_HOUR + 1):
            (sign_up if toggles % 2 == 0 else cancel)(live, activity_id, volunteer, volunteer, clock, None, attempts)
            toggles += 1
    assert toggles == ACTIONS_PER_HOUR


def test_the_sheets_page_refuses_a_coordinators_edit_of_another_branchs_volunteer(workbook):
    from connectors.parsing import parse_snapshot

    coordinator = DEMO_CODES[1][0]
    tables = parse_snapshot(workbook.snapshot())
    people = tables["people"]
    branch = people.set_index("person_id").loc[coordinator, "branch"]
    index, victim = next((i, p) for i, (p, b) in enumerate(zip(people["person_id"], people["branch"])) if b != branch)
    at = open_page("pages/sheets.py", coordinator)
    at.selectbox(key="sheet-table").set_value("people").run()
    at.session_state["sheet-people-0"] = {"edited_rows": {index: {"branch": branch}}, "added_rows": [],
                                          "deleted_rows": []}
    next(b for b in at.button if b.label == "保存修改").click().run()
    assert not at.exception
    assert any(victim in e.value for e in at.error)
    after = parse_snapshot(workbook.snapshot())["people"].set_index("person_id").loc[victim, "branch"]
    assert after != branch
