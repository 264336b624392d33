"""The command line as cli.md specifies it, on the embedded workbook and on the Sheets fake."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

import cli
from connectors.config import DEFAULT_URL, open_workbook, spreadsheet_id, workbook_url
from connectors.parsing import parse_snapshot
from workflows.schema import ALL_TABLES, TABLES

ROOT = Path(__file__).resolve().parent.parent
AS_OF = ["--as-of", "2025-11-20 10:00"]


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'w.sqlite3'}"


def test_init_demo_validate_on_a_new_workbook_all_exit_zero(capsys, url):
    assert run(capsys, "init", "--workbook", url)[0] == 0
    assert run(capsys, "demo", "--workbook", url, *AS_OF)[0] == 0
    code, out, _ = run(capsys, "validate", "--workbook", url, "--json")
    assert (code, json.loads(out)) == (0, [])


def test_init_is_idempotent_and_english_headers_are_the_keys(capsys, url):
    code, out, _ = run(capsys, "init", "--lang", "en", "--workbook", url, "--json")
    assert code == 0 and json.loads(out)["created"] == [t.key for t in ALL_TABLES]
    assert json.loads(run(capsys, "init", "--workbook", url, "--json")[1]) == {"created": []}
    assert open_workbook(url).snapshot().sheets["people"].header[:2] == ["person_id", "name"]


def test_demo_refuses_a_workbook_that_holds_data(capsys, url):
    run(capsys, "demo", "--workbook", url, *AS_OF)
    code, out, err = run(capsys, "demo", "--workbook", url, *AS_OF)
    assert code == 1 and out == "" and "already holds data" in err


def test_the_demo_is_a_realistic_college(capsys, url):
    run(capsys, "demo", "--workbook", url, *AS_OF)
    tables = parse_snapshot(open_workbook(url).snapshot())
    people = tables["people"]
    assert len(people) >= 300 and people["branch"].nunique() >= 6 and people["building"].nunique() >= 4
    assert len(tables["activities"]) >= 40 and len(tables["requests"]) >= 60
    assert set(tables["requests"]["status"]) == {"submitted", "accepted", "assigned", "resolved", "closed",
                                                 "reopened", "rejected"}
    assert set(tables["hours"]["status"]) == {"pending", "approved", "rejected"}
    assert tables["surveys"]["survey_id"].nunique() == 2 and len(tables["responses"]) > 0


def test_export_to_xlsx_then_import_into_a_new_workbook_gives_identical_tables(capsys, url, tmp_path):
    run(capsys, "demo", "--workbook", url, *AS_OF)
    path = tmp_path / "x.xlsx"
    assert run(capsys, "export", str(path), "--workbook", url)[0] == 0
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    run(capsys, "init", "--workbook", other)
    code, out, _ = run(capsys, "import", str(path), "--workbook", other, "--json")
    assert code == 0, out
    first, second = open_workbook(url).snapshot(), open_workbook(other).snapshot()
    for spec in TABLES:
        assert second.sheets[spec.key].rows == first.sheets[spec.key].rows, spec.key


def test_export_to_a_csv_folder_round_trips_too(capsys, url, tmp_path):
    run(capsys, "demo", "--workbook", url, *AS_OF)
    open_workbook(url).update("people", {"person_id": people_ids(url)[0]}, {"skills": "=HYPERLINK(\"x\")"})
    run(capsys, "export", str(tmp_path / "csv"), "--workbook", url)
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert run(capsys, "import", str(tmp_path / "csv"), "--workbook", other)[0] == 0
    assert open_workbook(other).snapshot().sheets["people"].rows == open_workbook(url).snapshot().sheets["people"].rows


def people_ids(url):
    return list(parse_snapshot(open_workbook(url).snapshot())["people"]["person_id"])


def test_export_neutralises_cells_a_spreadsheet_would_run(capsys, url, tmp_path):
    run(capsys, "init", "--workbook", url)
    open_workbook(url).append("people", [{"person_id": "1", "name": "=IMPORTXML(\"http://x\",\"//a\")",
                                           "political_status": "群众", "skills": "+cmd|' /C calc'!A0", "dorm": "-2"}])
    run(capsys, "export", str(tmp_path / "x.xlsx"), "--workbook", url)
    sheet = load_workbook(tmp_path / "x.xlsx")["people"]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    run(capsys, "export", str(tmp_path / "csv"), "--workbook", url)
    text = (tmp_path / "csv" / "people.csv").read_text(encoding="utf-8-sig")
    assert "'=IMPORTXML" in text and "'+cmd" in text and ",-2" in text


CSV_PEOPLE = """\ufeff备注,姓名,学号/工号,政治面貌,楼栋,楼层,加入日期
班长,李四,2023012345,中共党员,1号楼,3,2024-09-01
,王五,2023012346,三好学生,1号楼,3,2024-09-01
,赵六,2023012347,群众,1号楼,4,2024-13-01
,,,,,,
,无名,,群众,,,
,李四重复,2023012345,群众,,,
"""
CSV_ACTIVITIES = """activity_id,title,starts_at,ends_at,capacity
A1,义诊,2025-03-07 09:00,2025-03-07 11:00,三十
"""


def test_a_csv_folder_with_chinese_headers_shuffled_extra_and_bad_cells_imports_and_validates(capsys, url, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "成员.csv").write_text(CSV_PEOPLE, encoding="utf-8")
    (folder / "activities.csv").write_text(CSV_ACTIVITIES, encoding="utf-8")
    run(capsys, "init", "--workbook", url)
    code, out, _ = run(capsys, "import", str(folder), "--workbook", url, "--json")
    report = {t["table"]: t for t in json.loads(out)["tables"]}
    assert code == 1  # rows were skipped
    assert report["people"]["added"] == 3
    assert [s["row"] for s in report["people"]["skipped"]] == [6, 7]
    assert (report["people"]["extra_columns"], report["people"]["ignored_columns"]) == (["备注"], [])
    code, out, _ = run(capsys, "validate", "--workbook", url, "--json")
    problems = {(p["sheet"], p["row"], p["column"], p["value"], p["code"]) for p in json.loads(out)}
    assert code == 1
    assert problems == {("people", 3, "政治面貌", "三好学生", "cell.not_choice"),
                        ("people", 4, "加入日期", "2024-13-01", "cell.not_real_date"),
                        ("activities", 2, "名额", "三十", "cell.not_number")}
    assert {p["problem"] for p in json.loads(out) if p["sheet"] == "activities"} == {"not a number"}
    code, out, _ = run(capsys, "validate", "--workbook", url)
    assert "activities row 2 [名额] '三十': not a number" in out


def test_a_coordinators_own_column_in_an_imported_file_is_added_to_the_sheet_with_its_cells(capsys, url, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "people.csv").write_text("学号/工号,姓名,政治面貌,备注\n1,甲,群众,班长\n2,乙,群众,\n", encoding="utf-8")
    run(capsys, "init", "--workbook", url)
    code, out, _ = run(capsys, "import", str(folder), "--workbook", url)
    assert code == 0 and "not imported" not in out and "备注" in out
    (folder / "people.csv").write_text("学号/工号,姓名,政治面貌,备注,\n1,甲,群众,团支书,\n2,乙,群众,宿舍长,\n"
                                       "3,丙,群众,,孤零零\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", str(folder), "--workbook", url, "--json")
    report = json.loads(out)["tables"][0]
    assert (report["added"], report["updated"], report["extra_columns"]) == (1, 2, ["备注"])
    assert report["ignored_columns"] == ["column 5: cells without a header"]  # cannot be named: reported
    sheet = open_workbook(url).snapshot().sheets["people"]
    assert sheet.header.count("备注") == 1
    assert [row[sheet.header.index("备注")] for row in sheet.rows] == ["团支书", "宿舍长", ""]


def test_an_extra_column_survives_app_appends_and_updates(url, tmp_path):
    workbook = open_workbook(url)
    workbook.ensure_schema()
    import sqlite3

    with sqlite3.connect(tmp_path / "w.sqlite3") as db:
        db.execute('ALTER TABLE people ADD COLUMN "备注" TEXT')
        db.execute('INSERT INTO people ("学号/工号", "姓名", "政治面貌", "备注") VALUES (\'1\', \'甲\', \'群众\', \'班长\')')
    workbook.append("people", [{"person_id": "2", "name": "乙", "political_status": "群众"}])
    workbook.update("people", {"person_id": "1"}, {"name": "甲甲"})
    sheet = workbook.snapshot().sheets["people"]
    assert [row[sheet.header.index("备注")] for row in sheet.rows] == ["班长", ""]


def test_the_workbook_is_chosen_by_flag_then_environment_then_secrets_then_default():
    secrets = {"connections": {"workbook": {"url": "gsheets://FROM_SECRETS"}}}
    assert workbook_url("sqlite:///flag.sqlite3", {"WORKBOOK_URL": "x"}, secrets) == "sqlite:///flag.sqlite3"
    assert workbook_url(None, {"WORKBOOK_URL": "gsheets://ENV"}, secrets) == "gsheets://ENV"
    assert workbook_url(None, {}, secrets) == "gsheets://FROM_SECRETS"
    assert workbook_url(None, {}, {}) == DEFAULT_URL == "sqlite:///data/workbook.sqlite3"
    assert spreadsheet_id("https://docs.google.com/spreadsheets/d/1AbC-_x/edit#gid=0") == "1AbC-_x"


def test_the_cli_runs_against_the_sheets_api_named_by_sheets_api_url(fake, tmp_path):
    sheet_id = fake.create_spreadsheet()
    env = {**os.environ, "SHEETS_API_URL": fake.base_url, "WORKBOOK_URL": f"gsheets://{sheet_id}",
           "WORKBOOK_JOURNAL": str(tmp_path / "journal.sqlite3")}
    for argv in (["init"], ["demo", *AS_OF], ["validate"]):
        done = subprocess.run([sys.executable, "cli.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    assert len(fake.get_values(sheet_id, "people")) > 300
    assert fake.count("values_clear") == 0
    done = subprocess.run([sys.executable, "cli.py", "sync", "--json"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, json.loads(done.stdout)) == (0, {"waiting": 0})


def test_every_cli_command_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in cli.COMMANDS:
        assert re.search(rf"cli\.py {name}\b", readme), name


def test_service_account_credentials_come_from_the_key_file_or_the_secrets_table(tmp_path):
    from connectors.config import service_account_info

    key = {"type": "service_account", "client_email": "a@b.iam.gserviceaccount.com"}
    (tmp_path / "key.json").write_text(json.dumps(key), encoding="utf-8")
    assert service_account_info({"GOOGLE_APPLICATION_CREDENTIALS": str(tmp_path / "key.json")}, {}) == key
    secrets = {"connections": {"workbook": {"url": "gsheets://X", **key}}}
    assert service_account_info({}, secrets) == key
    assert service_account_info({}, {}) is None
