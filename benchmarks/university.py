"""A whole university as a workbook, generated (never committed): the design size of architecture.md.

    python -m benchmarks.university PATH.sqlite3 [--scale 1.0] [--csv FOLDER]

At scale 1: 30,000 people in 100 branches, 3,000 activities, 300,000 sign-up rows (a tenth of them
cancelled again), 200,000 check-ins, 150,000 hours rows and 30,000 requests with their events
(≈ 7 M cells). Rows are made column by column with numpy from one seed, so the same scale gives the
same workbook. It is loaded through the embedded workbook's own append, as an import would be.
"""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from connectors.sqlite_workbook import SqliteWorkbook
from workflows.requests import REQUEST_CATEGORIES
from workflows.settings import DEFAULTS

NOW = dt.datetime(2026, 11, 20, 10, 0)
SIZES = {"people": 30_000, "branches": 100, "activities": 3_000, "signups": 300_000, "checkins": 200_000,
         "hours": 150_000, "requests": 30_000}
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐韩冯邓曹彭")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红娟建文辉雪琳晨宇浩然思远欣怡子轩")
COLLEGES = ["计算机学院", "信息与通信工程学院", "数学与统计学院", "经济管理学院", "外国语学院", "材料学院",
            "机械工程学院", "化学学院", "物理学院", "法学院"]
STATUSES = ["party_member", "probationary_member", "activist", "league_member", "masses"]
STATUS_WEIGHTS = [0.12, 0.05, 0.15, 0.63, 0.05]
CATEGORIES = ["志愿服务", "微党课", "学业帮扶", "宿舍维修", "文明寝室", "心理关爱"]


def sizes(scale: float) -> dict[str, int]:
    return {key: max(1, round(count * scale)) for key, count in SIZES.items()}


def _text(values) -> np.ndarray:
    return np.asarray(values).astype(str).astype(object)


def _minutes(base: dt.datetime, offsets_minutes: np.ndarray) -> np.ndarray:
    moments = pd.Timestamp(base) + pd.to_timedelta(offsets_minutes, unit="min")
    return _text(moments.strftime("%Y-%m-%d %H:%M"))


def people(rng: np.random.Generator, n: dict) -> pd.DataFrame:
    count, branches = n["people"], n["branches"]
    index = np.arange(count)
    branch_no = index % branches
    college = np.array(COLLEGES)[branch_no % len(COLLEGES)]
    grade = 2021 + rng.integers(0, 4, count)
    building = rng.integers(1, max(2, count // 500) + 1, count)
    floor = rng.integers(1, 7, count)
    role = np.where(index < branches, "coordinator", "volunteer").astype(object)
    role[branches:branches + 2] = "leader"
    names = (np.array(SURNAMES)[rng.integers(0, len(SURNAMES), count)].astype(object)
             + np.array(GIVEN)[rng.integers(0, len(GIVEN), count)].astype(object)
             + np.where(rng.random(count) < 0.7, np.array(GIVEN)[rng.integers(0, len(GIVEN), count)], ""))
    person_id = _text([f"{g}{i:06d}" for g, i in zip(grade, index)])
    return pd.DataFrame({
        "person_id": person_id, "name": names, "gender": np.where(rng.random(count) < 0.5, "男", "女"),
        "college": college, "class": _text([f"{c[:2]}{g % 100:02d}{k:02d}班" for c, g, k in
                                           zip(college, grade, rng.integers(1, 9, count))]),
        "political_status": rng.choice(STATUSES, count, p=STATUS_WEIGHTS),
        "branch": _text([f"{c}第{b // len(COLLEGES) + 1}学生党支部" for c, b in zip(college, branch_no)]),
        "building": _text([f"学生公寓{b}号楼" for b in building]), "floor": _text(floor),
        "dorm": _text([f"{b}-{f}{r:02d}" for b, f, r in zip(building, floor, rng.integers(1, 13, count))]),
        "phone": _text([f"13{v:09d}" for v in rng.integers(0, 10 ** 9, count)]),
        "email": _text([f"u{p}@stu.example.edu.cn" for p in person_id]),
        "skills": rng.choice(["", "维修", "编程", "摄影", "心理辅导", "维修、编程"], count),
        "role": role, "active": np.where(rng.random(count) < 0.98, "true", "false"),
        "joined_on": _text([f"{g}-09-01" for g in grade]),
    })


def activities(rng: np.random.Generator, n: dict, branch_names: np.ndarray) -> pd.DataFrame:
    count = n["activities"]
    start_minutes = rng.integers(-730 * 24 * 60, 30 * 24 * 60, count) // 30 * 30
    duration = rng.integers(1, 5, count) * 60
    start = pd.Timestamp(NOW) + pd.to_timedelta(start_minutes, unit="min")
    future = start > pd.Timestamp(NOW)
    status = np.where(future, "open", "closed").astype(object)
    status[rng.random(count) < 0.03] = "cancelled"
    return pd.DataFrame({
        "activity_id": _text([f"A{i:05d}" for i in range(count)]),
        "title": _text([f"{CATEGORIES[i % len(CATEGORIES)]}活动第{i}期" for i in range(count)]),
        "category": _text([CATEGORIES[i % len(CATEGORIES)] for i in range(count)]),
        "branch": rng.choice(branch_names, count), "location": _text([f"学生活动中心{i % 20}室" for i in range(count)]),
        "starts_at": _minutes(NOW, start_minutes), "ends_at": _minutes(NOW, start_minutes + duration),
        "capacity": _text(rng.integers(40, 201, count)), "hours": _text(duration // 60),
        "signup_deadline": _minutes(NOW, start_minutes - 60),
        "checkin_code": _text([f"C{v:05d}" for v in rng.integers(0, 10 ** 5, count)]), "status": status,
        "description": "",
    })


def signups(rng: np.random.Generator, n: dict, person_ids: np.ndarray, activity: pd.DataFrame) -> pd.DataFrame:
    count = n["signups"]
    signing = round(count / 1.1)
    which = rng.integers(0, len(activity), signing)
    starts = pd.to_datetime(activity["starts_at"].to_numpy()[which])
    offset = -rng.integers(2 * 60, 14 * 24 * 60, signing)
    at = starts + pd.to_timedelta(offset, unit="min")
    at = at.where(at < pd.Timestamp(NOW), pd.Timestamp(NOW) - pd.to_timedelta(rng.integers(60, 3 * 24 * 60, signing),
                                                                              unit="min"))  # nobody signs up in the future
    person = rng.choice(person_ids, signing)
    cancelling = rng.random(signing) < (count - signing) / signing
    frame = pd.DataFrame({"activity_id": activity["activity_id"].to_numpy()[which], "person_id": person,
                          "action": "signup", "at": at})
    cancels = frame[cancelling].assign(action="cancel", at=lambda f: (f["at"] + pd.Timedelta(minutes=30)).clip(
        upper=pd.Timestamp(NOW)))  # nobody cancels in the future either
    frame = pd.concat([frame, cancels], ignore_index=True).sort_values("at", kind="stable", ignore_index=True)
    frame["at"] = _text(frame["at"].dt.strftime("%Y-%m-%d %H:%M:%S"))
    frame.insert(0, "signup_id", _text([f"S{i:07d}" for i in range(len(frame))]))
    frame["by"] = frame["person_id"]
    return frame


def checkins(rng: np.random.Generator, n: dict, signup: pd.DataFrame, activity: pd.DataFrame) -> pd.DataFrame:
    past = activity[pd.to_datetime(activity["ends_at"]) < pd.Timestamp(NOW)]
    signed = signup[(signup["action"] == "signup") & signup["activity_id"].isin(past["activity_id"])]
    signed = signed.drop_duplicates(["activity_id", "person_id"])
    chosen = signed.sample(n=min(n["checkins"], len(signed)), random_state=int(rng.integers(1 << 30)))
    starts = pd.to_datetime(chosen["activity_id"].map(past.set_index("activity_id")["starts_at"]))
    at = starts + pd.to_timedelta(rng.integers(-50, 40, len(chosen)), unit="min")
    return pd.DataFrame({"checkin_id": _text([f"C{i:07d}" for i in range(len(chosen))]),
                         "activity_id": chosen["activity_id"].to_numpy(), "person_id": chosen["person_id"].to_numpy(),
                         "at": _text(at.dt.strftime("%Y-%m-%d %H:%M").to_numpy()),
                         "method": np.where(rng.random(len(chosen)) < 0.9, "code", "coordinator"), "by": ""})


def hours(rng: np.random.Generator, n: dict, person_ids: np.ndarray, coordinators: np.ndarray) -> pd.DataFrame:
    count = n["hours"]
    source = rng.choice(["self_report", "adjustment", "import"], count, p=[0.8, 0.05, 0.15])
    amount = np.where(source == "import", rng.integers(5, 60, count), rng.integers(1, 9, count)).astype(float)
    amount = np.where(source == "adjustment", np.where(rng.random(count) < 0.5, -1.0, 1.0) * rng.integers(1, 4, count),
                      amount)
    status = rng.choice(["approved", "pending", "rejected"], count, p=[0.85, 0.1, 0.05])
    day = pd.Timestamp(NOW) - pd.to_timedelta(rng.integers(0, 730, count), unit="D")
    reviewed = status != "pending"
    return pd.DataFrame({
        "entry_id": _text([f"H{i:07d}" for i in range(count)]), "person_id": rng.choice(person_ids, count),
        "activity_id": "", "date": _text(day.strftime("%Y-%m-%d")), "hours": _text([f"{v:g}" for v in amount]),
        "source": source, "description": "社区志愿服务", "evidence": "",
        "status": status, "reviewed_by": np.where(reviewed, rng.choice(coordinators, count), ""),
        "reviewed_at": np.where(reviewed, _text((day + pd.Timedelta(days=2)).strftime("%Y-%m-%d %H:%M")), ""),
        "review_note": np.where(status == "rejected", "证明材料不足", ""),
    })


def requests(rng: np.random.Generator, n: dict, person_ids: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    count = n["requests"]
    submitted = pd.Timestamp(NOW) - pd.to_timedelta(rng.integers(60, 730 * 24 * 60, count), unit="min")
    status = rng.choice(["submitted", "accepted", "assigned", "resolved", "closed", "reopened", "rejected"], count,
                        p=[0.03, 0.03, 0.04, 0.1, 0.75, 0.02, 0.03])
    handled = ~np.isin(status, ["submitted", "rejected"])
    done = np.isin(status, ["resolved", "closed"])
    accepted = submitted + pd.Timedelta(hours=5)
    resolved = submitted + pd.to_timedelta(rng.integers(1, 6 * 24, count), unit="h")
    rated = status == "closed"
    fmt = "%Y-%m-%d %H:%M"
    frame = pd.DataFrame({
        "request_id": _text([f"R{i:06d}" for i in range(count)]),
        "kind": np.where(rng.random(count) < 0.2, "wish", "request"),
        "category": rng.choice(list(REQUEST_CATEGORIES), count), "title": "宿舍与学习生活诉求", "details": "",
        "requester_id": rng.choice(person_ids, count), "contact": "", "building": "",
        "submitted_at": _text(submitted.strftime(fmt)), "status": status,
        "assignee_id": np.where(handled, rng.choice(person_ids, count), ""),
        "accepted_at": np.where(handled, _text(accepted.strftime(fmt)), ""), "due_at": "",
        "resolved_at": np.where(done, _text(resolved.strftime(fmt)), ""),
        "resolution": np.where(done, "已处理", ""),
        "rating": np.where(rated, _text(rng.integers(2, 6, count)), ""), "feedback": "",
        "rated_at": np.where(rated, _text((resolved + pd.Timedelta(days=1)).strftime(fmt)), ""),
    })
    events = pd.DataFrame({"request_id": frame["request_id"], "at": frame["submitted_at"], "actor": frame["requester_id"],
                           "action": "submit", "from_status": "", "to_status": "submitted", "note": ""})
    moved = frame[frame["status"] != "submitted"]
    moves = pd.DataFrame({"request_id": moved["request_id"], "at": moved["accepted_at"].where(moved["accepted_at"] != "",
                                                                                            moved["submitted_at"]),
                          "actor": "", "action": "move", "from_status": "submitted", "to_status": moved["status"],
                          "note": ""})
    events = pd.concat([events, moves], ignore_index=True)
    events.insert(0, "event_id", _text([f"E{i:07d}" for i in range(len(events))]))
    return frame, events


def settings() -> pd.DataFrame:
    rows = dict(DEFAULTS) | {"term_start": "2026-09-01", "term_end": "2027-01-20", "organization_name": "示例大学"}
    return pd.DataFrame({"key": list(rows), "value": list(rows.values()), "note": ""})


def university_tables(scale: float = 1.0, seed: int = 2026) -> dict[str, pd.DataFrame]:
    rng, n = np.random.default_rng(seed), sizes(scale)
    person = people(rng, n)
    branch_names = person["branch"].unique()
    activity = activities(rng, n, branch_names)
    signup = signups(rng, n, person.loc[person["active"] == "true", "person_id"].to_numpy(), activity)
    request, events = requests(rng, n, person["person_id"].to_numpy())
    return {"people": person, "activities": activity, "signups": signup,
            "checkins": checkins(rng, n, signup, activity),
            "hours": hours(rng, n, person["person_id"].to_numpy(),
                           person.loc[person["role"] == "coordinator", "person_id"].to_numpy()),
            "requests": request, "request_events": events, "settings": settings()}


def build(path: Path, scale: float = 1.0) -> SqliteWorkbook:
    """A new embedded workbook at `path` holding the university at `scale`."""
    book = SqliteWorkbook(f"sqlite:///{path}")
    book.ensure_schema()
    for table, frame in university_tables(scale).items():
        rows = frame.astype(str).to_dict("records")
        for start in range(0, len(rows), 100_000):
            book.append(table, rows[start:start + 100_000])
    return book


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    arguments = parser.parse_args()
    build(arguments.path, arguments.scale).close()


if __name__ == "__main__":
    main()
