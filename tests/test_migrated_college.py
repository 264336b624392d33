"""A college migrating its records: three years of history carried over as per-person totals, a
coordinator's own column, Chinese headers and a few bad cells. Imported with `cli.py import`, the
headline figures must equal an independent computation over the same CSV files (plain Python,
written from kpis.md and workbook.md, sharing no code with the app)."""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import cli

AS_OF = "2026-06-30 12:00"
PARTY = {"中共党员", "中共预备党员"}


def write_csv(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def migrated_college(folder: Path) -> None:
    """~1,000 people in 8 branches; per-term totals from 志愿汇 as `import` rows, many over 24 h;
    a few self-reports; an adjustment; planted bad cells."""
    folder.mkdir()
    pick = random.Random(20261128)
    statuses = ["中共党员", "中共预备党员", "入党积极分子", "共青团员", "群众"]
    people = [[f"2023{n:06}", f"学生{n}", pick.choice(statuses), f"第{n % 8 + 1}党支部",
               "否" if n % 97 == 0 else "是", f"备注{n}" if n % 5 == 0 else ""] for n in range(1000)]
    people.append(["2023999999", "坏行", "外星人", "第1党支部", "是", ""])  # an unknown status: reported, skipped
    write_csv(folder, "成员", ["学号/工号", "姓名", "政治面貌", "所在支部", "在册", "备注"], people)
    hours, n = [], 0
    for person in people[:-1]:
        for term in ("2023-12-31", "2024-06-30", "2024-12-31", "2025-06-30")[: pick.randint(0, 4)]:
            n += 1
            hours.append([f"H{n:06}", person[0], term, f"{pick.randint(5, 60) + pick.choice([0, 0.5])}", "导入",
                          "已通过"])
    hours += [["H900001", people[1][0], "2026-05-01", "3", "自主申报", "已通过"],
              ["H900002", people[2][0], "2026-05-02", "30", "自主申报", "已通过"],  # over a day: reported, no count
              ["H900003", people[3][0], "2026-05-03", "-2", "调整", "已通过"],
              ["H900004", people[4][0], "2026-05-04", "三", "导入", "已通过"],  # not a number: reported
              ["H900005", people[5][0], "2026-05-05", "4", "自主申报", "待审核"],
              ["H900006", people[6][0], "2099-01-01", "8", "导入", "已通过"]]  # after as_of: not yet
    write_csv(folder, "时长", ["记录编号", "学号/工号", "日期", "时长", "来源", "状态"], hours)


def independent_figures(folder: Path) -> dict:
    """kpis.md's headline figures over the CSV files, computed here from scratch."""
    def rows(name):
        with (folder / f"{name}.csv").open(encoding="utf-8-sig") as handle:
            return list(csv.DictReader(handle))

    statuses = {"中共党员", "中共预备党员", "入党积极分子", "共青团员", "群众"}
    people = [p for p in rows("成员") if p["政治面貌"] in statuses]
    active = [p for p in people if p["在册"] != "否"]
    known = {p["学号/工号"] for p in people}
    credited: dict[str, float] = {}
    for entry in rows("时长"):
        try:
            hours = float(entry["时长"])
        except ValueError:
            continue
        source, ok_date = entry["来源"], entry["日期"] <= AS_OF[:10]
        within = {"导入": hours > 0, "调整": hours != 0, "自主申报": 0 < hours <= 24}[source]
        if entry["状态"] == "已通过" and within and ok_date and entry["学号/工号"] in known:
            credited[entry["学号/工号"]] = credited.get(entry["学号/工号"], 0) + hours
    registered = len(active)
    total = round(sum(credited.values()), 2)
    party = [p for p in active if p["政治面貌"] in PARTY]
    serving = [p for p in active if credited.get(p["学号/工号"], 0) > 0]
    approved = {e["学号/工号"] for e in rows("时长") if e["状态"] == "已通过" and e["日期"] <= AS_OF[:10]}
    return {"volunteers_registered": registered, "hours_total": total,
            "hours_avg": round(total / registered, 2), "party_share": round(len(party) / registered, 4),
            "volunteers_serving": len(serving),
            "participation_rate": round(sum(p["学号/工号"] in approved for p in active) / registered, 4)}


def test_a_migrated_college_gets_the_same_headline_figures_as_an_independent_count(tmp_path, capsys):
    folder = tmp_path / "college"
    migrated_college(folder)
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    assert cli.main(["init", "--workbook", url]) == 0
    capsys.readouterr()
    cli.main(["import", str(folder), "--workbook", url, "--json"])
    imported = json.loads(capsys.readouterr().out)
    assert any(t["table"] == "people" and t["extra_columns"] == ["备注"] for t in imported["tables"])

    assert cli.main(["report", "--json", "--as-of", AS_OF, "--workbook", url]) == 0
    figures = json.loads(capsys.readouterr().out)
    expected = independent_figures(folder)
    assert {key: figures[key] for key in expected} == expected
    assert figures["hours_total"] > 24 * expected["volunteers_serving"] / 2  # the carried-over totals count

    assert cli.main(["validate", "--json", "--workbook", url]) == 1
    problems = json.loads(capsys.readouterr().out)
    flagged = {(p["sheet"], p["value"]) for p in problems}
    assert ("people", "外星人") in flagged and ("hours", "三") in flagged and ("hours", "30") in flagged
