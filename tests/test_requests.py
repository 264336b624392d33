"""The request loop: allowed and refused transitions, deadlines, rating, claims."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from connectors.live import LiveWorkbook
from services.outcomes import Refused
from services.requests import act, claim, close_expired, submit
from tests.builders import people, tables
from workflows.access import Viewer
from workflows.requests import ALLOWED, auto_closes, board, decide, suggested_members
from workflows.refusals import Refusal

NOW = dt.datetime(2025, 12, 1, 12, 0)
COORD = Viewer("C1", "协调员", "coordinator", "一支部")
REQUESTER = Viewer("P1", "甲", "volunteer", "一支部")
MEMBER = Viewer("P2", "乙", "volunteer", "一支部")
STATUSES = ["submitted", "accepted", "assigned", "resolved", "closed", "reopened", "rejected"]


def request(status="submitted", **more):
    return {"request_id": "R1", "kind": "request", "category": "维修", "title": "灯坏了", "requester_id": "P1",
            "submitted_at": "2025-11-30 10:00", "status": status, "assignee_id": "P2", **more}


def one(status, **more):
    return tables(people=people("P1", "P2", "C1"), requests=[request(status, **more)])


DETAILS = {"accept": {}, "reject": {"reason": "不属于受理范围"}, "assign": {"assignee_id": "P2"}, "resolve": {"resolution": "已更换灯管"},
           "rate": {"rating": 5}}
ACTORS = {"accept": COORD, "reject": COORD, "assign": COORD, "resolve": MEMBER, "rate": REQUESTER}
TARGET = {"accept": "accepted", "reject": "rejected", "assign": "assigned", "resolve": "resolved", "rate": "closed"}


def test_every_allowed_transition_is_made_and_every_other_refused():
    for status in STATUSES:
        for action, actor in ACTORS.items():
            outcome = decide(one(status), "R1", action, actor, NOW, **DETAILS[action])
            if (status, TARGET[action]) in ALLOWED:
                assert outcome.changes["status"] == TARGET[action], (status, action)
                assert (outcome.event["from_status"], outcome.event["to_status"]) == (status, TARGET[action])
                assert outcome.event["actor"] == actor.person_id
            else:
                assert isinstance(outcome, Refusal) and outcome.code == "not_allowed", (status, action)


def test_only_the_right_people_take_each_step():
    assert decide(one("submitted"), "R1", "accept", MEMBER, NOW).code == "not_yours"
    assert decide(one("assigned"), "R1", "resolve", REQUESTER, NOW, resolution="x").code == "not_yours"
    assert decide(one("resolved"), "R1", "rate", MEMBER, NOW, rating=5).code == "not_yours"


def test_steps_that_need_words_say_so():
    assert decide(one("submitted"), "R1", "reject", COORD, NOW, reason=" ").code == "reason_required"
    assert decide(one("assigned"), "R1", "resolve", MEMBER, NOW).code == "resolution_required"
    assert decide(one("resolved"), "R1", "rate", REQUESTER, NOW, rating=6).code == "rating_range"


def test_a_rating_of_three_or_more_closes_and_two_or_less_or_not_fixed_reopens():
    assert decide(one("resolved"), "R1", "rate", REQUESTER, NOW, rating=3).changes["status"] == "closed"
    assert decide(one("resolved"), "R1", "rate", REQUESTER, NOW, rating=2).changes["status"] == "reopened"
    assert decide(one("resolved"), "R1", "rate", REQUESTER, NOW, rating=5, fixed=False).changes["status"] == "reopened"


def test_an_unrated_resolved_request_closes_itself_after_the_rating_window():
    t = one("resolved", resolved_at="2025-11-24 13:00")
    assert [x.request_id for x in auto_closes(t, NOW)] == []  # 6 days and 23 hours: not yet
    t = one("resolved", resolved_at="2025-11-24 11:59")
    assert auto_closes(t, dt.datetime(2025, 12, 1, 12, 0))[0].event["actor"] == "system"
    assert auto_closes(one("resolved", resolved_at="2025-11-01 10:00", rating="4"), NOW) == []


def test_deadlines_come_from_the_category_and_overdue_requests_come_first():
    settings = [{"key": "deadline_days.维修", "value": "1"}]
    rows = [request("submitted", request_id="R1", submitted_at="2025-11-30 10:00"),  # due 12-01 10:00: overdue
            request("accepted", request_id="R2", category="学业", submitted_at="2025-11-30 10:00"),  # due 12-03
            request("assigned", request_id="R3", submitted_at="2025-11-30 20:00"),  # due 12-01 20:00: soon
            request("closed", request_id="R4", submitted_at="2025-11-01 10:00")]
    b = board(tables(requests=rows, settings=settings), NOW)
    assert list(b["request_id"]) == ["R1", "R3", "R2", "R4"]
    assert list(b["overdue"]) == [True, False, False, False] and list(b["due_soon"]) == [False, True, False, False]


def test_members_with_matching_skills_in_the_same_building_are_suggested_first():
    members = [{"person_id": "P1", "name": "甲", "political_status": "masses", "building": "1号楼"},
               {"person_id": "M1", "name": "修", "political_status": "masses", "skills": "维修、电工", "building": "2号楼"},
               {"person_id": "M2", "name": "近", "political_status": "masses", "skills": "维修", "building": "1号楼"},
               {"person_id": "M3", "name": "远", "political_status": "masses", "skills": "摄影", "building": "3号楼"}]
    t = tables(people=members, requests=[request(building="1号楼")])
    assert list(suggested_members(t, "R1")["person_id"]) == ["M2", "M1"]


# -- through the workbook, on both backends ------------------------------------------------
def ticking_clock():
    """A clock a minute further on at each reading, starting at NOW."""
    moments = iter(NOW + dt.timedelta(minutes=n) for n in range(10_000))
    return lambda: next(moments)


def prepared(workbook, kind="request"):
    workbook.ensure_schema()
    workbook.append("people", [{"person_id": p, "name": p, "political_status": "masses"} for p in
                               ["P1", "P2", "C1"] + [f"M{n}" for n in range(8)]])
    live = LiveWorkbook(workbook, interval_seconds=0)
    clock = ticking_clock()
    request_id = submit(live, {"kind": kind, "category": "维修", "title": "灯坏了"}, REQUESTER, clock)
    return live, clock, request_id


def test_a_request_walks_from_submitted_to_closed_with_every_step_in_its_timeline(workbook):
    from workflows.requests import timeline

    live, clock, rid = prepared(workbook)
    act(live, rid, "accept", COORD, clock)
    act(live, rid, "assign", COORD, clock, assignee_id="P2")
    act(live, rid, "resolve", MEMBER, clock, resolution="已更换")
    act(live, rid, "rate", REQUESTER, clock, rating=2, feedback="还是闪")
    act(live, rid, "assign", COORD, clock, assignee_id="P2")
    act(live, rid, "resolve", MEMBER, clock, resolution="换了镇流器")
    act(live, rid, "rate", REQUESTER, clock, rating=5)
    steps = timeline(live.data().tables, rid)
    assert list(steps["to_status"]) == ["submitted", "accepted", "assigned", "resolved", "reopened", "assigned",
                                        "resolved", "closed"]
    assert list(steps["actor"]) == ["P1", "C1", "C1", "P2", "P1", "C1", "P2", "P1"]
    request = live.data().tables["requests"].iloc[0]
    assert (request["status"], request["rating"], request["resolution"]) == ("closed", 5, "换了镇流器")


def test_two_people_acting_at_once_cannot_both_move_a_request(workbook):
    live, clock, rid = prepared(workbook)
    stale = live.data()
    act(live, rid, "accept", COORD, clock)
    live._data = stale  # another session still shows it as submitted
    try:
        act(live, rid, "reject", COORD, clock, reason="重复")
        raise AssertionError("the second step went through")
    except Exception as refused:  # noqa: BLE001
        assert getattr(refused, "refusal", None) and refused.refusal.code in ("changed_meanwhile", "not_allowed")
    assert live.refresh().tables["requests"].iloc[0]["status"] == "accepted"


def test_eight_members_claiming_one_wish_at_once_leave_exactly_one_assignee(workbook):
    live, clock, rid = prepared(workbook, kind="wish")
    members = [Viewer(f"M{n}", f"M{n}", "volunteer", "") for n in range(8)]
    real_clock = lambda: dt.datetime.now()  # noqa: E731 - distinct stamps in the order of the writes

    def try_claim(member):
        try:
            return claim(live, rid, member, real_clock)
        except Refused as refused:  # too late: the wish is taken already
            assert refused.refusal.code == "not_claimable"
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(try_claim, members))
    request = live.refresh().tables["requests"].iloc[0]
    assert won.count(True) == 1
    assert request["status"] == "assigned" and request["assignee_id"] == members[won.index(True)].person_id


def test_expired_rating_windows_are_closed_by_the_system(workbook):
    live, clock, rid = prepared(workbook)
    act(live, rid, "assign", COORD, clock, assignee_id="P2")
    act(live, rid, "resolve", MEMBER, clock, resolution="好了")
    assert close_expired(live, lambda: NOW + dt.timedelta(days=8)) == 1
    assert live.refresh().tables["requests"].iloc[0]["status"] == "closed"


def resolved_long_ago(count: int) -> list[dict]:
    return [request("resolved", request_id=f"R{n}", resolved_at="2025-11-20 10:00", resolution="好了")
            for n in range(1, count + 1)]


def test_many_expired_rating_windows_close_in_one_go_and_a_request_rated_meanwhile_keeps_its_rating(backend):
    """A college's migrated history holds thousands of requests past their rating window: they close
    together, and one its requester rated after the app last read (another process) is left as rated."""
    workbook = backend.workbook
    workbook.ensure_schema()
    workbook.append("people", [{"person_id": p, "name": p, "political_status": "masses"} for p in ["P1", "P2", "C1"]])
    workbook.append("requests", resolved_long_ago(12))
    live = LiveWorkbook(workbook, interval_seconds=3600)
    live.data()
    workbook.update("requests", {"request_id": "R7"}, {"status": "closed", "rating": "5"})
    assert close_expired(live, lambda: NOW) == 11
    fresh = LiveWorkbook(workbook, interval_seconds=0).data().tables
    requests = fresh["requests"].set_index("request_id")
    assert set(requests["status"]) == {"closed"} and requests.loc["R7", "rating"] == 5
    closed_by_the_system = fresh["request_events"].query("action == 'auto_close'")["request_id"]
    assert sorted(closed_by_the_system) == sorted(f"R{n}" for n in range(1, 13) if n != 7)
