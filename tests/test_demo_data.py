"""The demo college (demo/college.py) is complete, realistic and obeys workbook.md."""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo.college import demo_tables  # noqa: E402

NOW = dt.datetime(2025, 5, 20, 10, 30)
OTHER_NOWS = (dt.datetime(2025, 9, 3, 23, 50), dt.datetime(2026, 1, 1, 0, 5))
TABLES = ("people", "activities", "signups", "checkins", "hours", "requests", "request_events",
          "surveys", "questions", "responses", "actions", "settings")
ID_COLUMNS = {"people": "person_id", "activities": "activity_id", "signups": "signup_id",
              "checkins": "checkin_id", "hours": "entry_id", "requests": "request_id",
              "request_events": "event_id", "surveys": "survey_id", "actions": "action_id",
              "settings": "key"}
CATEGORIES = {"志愿服务", "微党课", "主题党日", "讲座", "社会实践", "学业帮扶", "维修服务"}
REQUEST_CATEGORIES = {"学业", "就业", "心理", "资助", "维修", "生活", "其他"}
REQUEST_STATUSES = {"submitted", "accepted", "assigned", "resolved", "closed", "reopened",
                    "rejected"}
ALLOWED_TRANSITIONS = {("", "submitted"), ("submitted", "accepted"), ("submitted", "rejected"),
                       ("accepted", "assigned"), ("submitted", "assigned"),
                       ("assigned", "resolved"), ("resolved", "closed"),
                       ("resolved", "reopened"), ("reopened", "assigned")}
PARTY = {"party_member", "probationary_member"}


@functools.cache
def demo(now: dt.datetime = NOW, seed: int = 2025) -> dict[str, list[dict[str, str]]]:
    return demo_tables(now, seed)


@pytest.fixture(params=(NOW, *OTHER_NOWS), ids=lambda now: now.strftime("%Y-%m-%d"))
def tables(request) -> dict[str, list[dict[str, str]]]:
    return demo(request.param)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def now_of(tables) -> dt.datetime:
    return next(now for now in (NOW, *OTHER_NOWS) if demo(now) is tables)


def people(tables) -> dict[str, dict[str, str]]:
    return {p["person_id"]: p for p in tables["people"]}


def activities(tables) -> dict[str, dict[str, str]]:
    return {a["activity_id"]: a for a in tables["activities"]}


def settings(tables) -> dict[str, str]:
    return {row["key"]: row["value"] for row in tables["settings"]}


def roster(rows, capacity: str) -> tuple[list[str], list[str]]:
    """Confirmed and waitlisted person_ids, by workbook.md § signups (own derivation)."""
    state: dict[str, tuple[str, str] | None] = {}
    for row in sorted(rows, key=lambda r: (r["at"], r["signup_id"])):
        if row["action"] == "cancel":
            state[row["person_id"]] = None
        elif state.get(row["person_id"]) is None:
            state[row["person_id"]] = (row["at"], row["signup_id"])
    active = sorted((since, pid) for pid, since in state.items() if since is not None)
    ordered = [pid for _, pid in active]
    limit = len(ordered) if capacity == "" else int(capacity)
    return ordered[:limit], ordered[limit:]


def signups_by_activity(tables) -> dict[str, list[dict[str, str]]]:
    grouped = defaultdict(list)
    for row in tables["signups"]:
        grouped[row["activity_id"]].append(row)
    return grouped


def coordinators(tables) -> dict[str, str]:
    return {p["branch"]: p["person_id"] for p in tables["people"] if p["role"] == "coordinator"}


# ------------------------------------------------------------------ shape and determinism
def test_every_table_of_the_workbook_is_there_and_every_cell_is_text(tables):
    assert set(tables) == set(TABLES)
    for name, rows in tables.items():
        assert rows, name
        for row in rows:
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in row.items()), name


def test_the_same_moment_and_seed_give_the_same_tables():
    assert demo_tables(NOW, 2025) == demo_tables(NOW, 2025)
    assert demo_tables(NOW) == demo_tables(NOW, 2025)


def test_another_seed_or_moment_gives_another_college():
    assert demo_tables(NOW, 7)["people"] != demo_tables(NOW, 2025)["people"]
    later = demo_tables(NOW + dt.timedelta(days=30))
    assert later["activities"][0]["starts_at"] != demo(NOW)["activities"][0]["starts_at"]


def test_ids_are_unique_in_every_table(tables):
    for table, column in ID_COLUMNS.items():
        ids = [row[column] for row in tables[table]]
        assert all(ids) and len(ids) == len(set(ids)), table
    keys = [(q["survey_id"], q["question_id"]) for q in tables["questions"]]
    assert len(keys) == len(set(keys))


def test_ids_carry_their_prefixes(tables):
    patterns = {"people": r"\d{10}", "activities": r"A\d{4}", "signups": r"S\d+",
                "checkins": r"C\d+", "hours": r"H\d+", "requests": r"R\d+",
                "request_events": r"E\d+", "actions": r"ACT\d+"}
    for table, pattern in patterns.items():
        assert all(re.fullmatch(pattern, row[ID_COLUMNS[table]]) for row in tables[table]), table
    assert all(re.fullmatch(r"RS\d+", r["response_id"]) for r in tables["responses"])


# ------------------------------------------------------------------ people
def test_the_demo_has_at_least_300_people_in_six_branches_of_three_colleges(tables):
    rows = tables["people"]
    assert len(rows) >= 300
    assert len({p["branch"] for p in rows}) >= 6
    assert len({p["college"] for p in rows}) >= 3
    assert all(p["branch"].endswith("党支部") and p["branch"].startswith(p["college"]) for p in rows)


def test_people_live_in_at_least_four_buildings_on_floors_in_dorms(tables):
    rows = tables["people"]
    assert len({p["building"] for p in rows}) >= 4
    for p in rows:
        number = re.fullmatch(r"学生公寓(\d+)号楼", p["building"]).group(1)
        assert re.fullmatch(rf"{number}-{p['floor']}\d\d", p["dorm"]), p


def test_about_a_fifth_are_party_members_and_most_are_league_members(tables):
    statuses = Counter(p["political_status"] for p in tables["people"])
    share = (statuses["party_member"] + statuses["probationary_member"]) / len(tables["people"])
    assert 0.15 <= share <= 0.25
    assert statuses.most_common(1)[0][0] == "league_member"
    assert statuses["activist"] > 0 and statuses["masses"] > 0
    assert set(statuses) == {"party_member", "probationary_member", "activist", "league_member",
                             "masses"}


def test_people_have_chinese_names_phones_emails_classes_and_skills(tables):
    rows = tables["people"]
    for p in rows:
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,4}", p["name"]), p["name"]
        assert re.fullmatch(r"1\d{10}", p["phone"])
        assert re.fullmatch(r"[a-z]+\d{4}@stu\.example\.edu\.cn", p["email"])
        assert p["gender"] in {"男", "女"} and p["class"].endswith("班")
        assert dt.date.fromisoformat(p["joined_on"])
    assert len({p["email"] for p in rows}) == len(rows)
    skills = Counter(s for p in rows for s in re.split(r"[,、]", p["skills"]) if s)
    assert {"维修", "辅导", "心理", "编程", "就业"} <= set(skills)


def test_each_branch_has_one_coordinator_and_there_are_two_leaders(tables):
    rows = tables["people"]
    roles = Counter(p["role"] for p in rows)
    branches = {p["branch"] for p in rows}
    assert sorted(coordinators(tables)) == sorted(branches)
    assert roles["coordinator"] == len(branches) >= 6
    assert roles["leader"] == 2
    assert roles["volunteer"] == len(rows) - roles["coordinator"] - 2
    assert all(p["active"] == "true" for p in rows if p["role"] != "volunteer")


def test_the_first_person_of_each_branch_is_its_coordinator_whatever_the_moment():
    first = {}
    for p in demo(NOW)["people"]:
        first.setdefault(p["branch"], p)
    assert all(p["role"] == "coordinator" for p in first.values())
    staff = [(p["person_id"], p["role"]) for p in demo(NOW)["people"] if p["role"] != "volunteer"]
    for now in OTHER_NOWS:
        assert staff == [(p["person_id"], p["role"]) for p in demo(now)["people"]
                         if p["role"] != "volunteer"]


def test_a_few_people_are_inactive(tables):
    inactive = [p for p in tables["people"] if p["active"] == "false"]
    assert 0 < len(inactive) < len(tables["people"]) * 0.05
    assert {p["active"] for p in tables["people"]} == {"true", "false"}


# ------------------------------------------------------------------ activities
def test_there_are_at_least_40_activities_two_thirds_past_and_a_third_ahead(tables):
    now = now_of(tables)
    rows = tables["activities"]
    past = [a for a in rows if at(a["ends_at"]) < now]
    future = [a for a in rows if at(a["starts_at"]) > now]
    assert len(rows) >= 40
    assert len(past) + len(future) == len(rows)
    assert 0.55 <= len(past) / len(rows) <= 0.75
    assert {a["category"] for a in rows} == CATEGORIES


def test_activities_have_sensible_times_hours_capacities_and_codes(tables):
    for a in tables["activities"]:
        assert at(a["starts_at"]) < at(a["ends_at"])
        assert at(a["signup_deadline"]) <= at(a["starts_at"])
        assert 0.5 <= float(a["hours"]) <= 4
        assert a["capacity"] == "" or int(a["capacity"]) > 0
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", a["checkin_code"])
    capacities = {a["capacity"] for a in tables["activities"]}
    assert "" in capacities and len(capacities) >= 4


def test_future_activities_are_open_past_ones_mostly_closed_and_one_or_two_cancelled(tables):
    now = now_of(tables)
    rows = tables["activities"]
    cancelled = [a for a in rows if a["status"] == "cancelled"]
    assert 1 <= len(cancelled) <= 2
    assert all(a["status"] in ("open", "cancelled") for a in rows if at(a["starts_at"]) > now)
    past = [a for a in rows if at(a["ends_at"]) < now and a["status"] != "cancelled"]
    assert sum(a["status"] == "closed" for a in past) >= 0.9 * len(past)


# ------------------------------------------------------------------ signups
def test_every_signup_checkin_hours_and_request_refers_to_existing_people_and_activities(tables):
    persons, acts = people(tables), activities(tables)
    for table in ("signups", "checkins", "hours"):
        for row in tables[table]:
            assert row["person_id"] in persons, (table, row)
            assert row["activity_id"] == "" or row["activity_id"] in acts, (table, row)
    for r in tables["requests"]:
        assert r["requester_id"] == "" or r["requester_id"] in persons
        assert r["assignee_id"] == "" or r["assignee_id"] in persons
    for e in tables["request_events"]:
        assert e["request_id"] in {r["request_id"] for r in tables["requests"]}
    for table in ("responses", "questions"):
        assert {r["survey_id"] for r in tables[table]} <= {s["survey_id"] for s in tables["surveys"]}


def test_signups_come_from_active_people_before_the_deadline_and_not_in_the_future(tables):
    now, persons, acts = now_of(tables), people(tables), activities(tables)
    coordinator_ids = set(coordinators(tables).values())
    for s in tables["signups"]:
        activity = acts[s["activity_id"]]
        assert persons[s["person_id"]]["active"] == "true"
        assert at(s["at"]) <= at(activity["signup_deadline"]) < at(activity["starts_at"])
        assert at(s["at"]) <= now
        assert s["action"] in ("signup", "cancel")
        assert s["by"] == s["person_id"] or s["by"] in coordinator_ids


def test_a_cancellation_follows_a_signup_of_the_same_person(tables):
    for rows in signups_by_activity(tables).values():
        for c in (r for r in rows if r["action"] == "cancel"):
            assert any(r["person_id"] == c["person_id"] and r["action"] == "signup"
                       and (r["at"], r["signup_id"]) < (c["at"], c["signup_id"]) for r in rows)


def test_nobody_is_confirmed_for_two_activities_that_overlap_in_time(tables):
    acts = activities(tables)
    confirmed = defaultdict(list)
    for activity_id, rows in signups_by_activity(tables).items():
        for pid in roster(rows, acts[activity_id]["capacity"])[0]:
            confirmed[pid].append((at(acts[activity_id]["starts_at"]), at(acts[activity_id]["ends_at"])))
    for spans in confirmed.values():
        spans.sort()
        assert all(end <= next_start for (_, end), (next_start, _) in zip(spans, spans[1:]))


def test_at_least_three_future_activities_are_full_with_a_waitlist_and_two_past_ones_had_one(tables):
    now, acts = now_of(tables), activities(tables)
    waitlisted = [aid for aid, rows in signups_by_activity(tables).items()
                  if roster(rows, acts[aid]["capacity"])[1]]
    assert sum(at(acts[aid]["starts_at"]) > now and acts[aid]["status"] == "open"
               for aid in waitlisted) >= 3
    assert sum(at(acts[aid]["ends_at"]) < now for aid in waitlisted) >= 2


def test_some_people_cancelled_and_one_cancellation_promoted_a_waitlisted_person(tables):
    acts = activities(tables)
    assert sum(s["action"] == "cancel" for s in tables["signups"]) >= 5
    promoted = 0
    for aid, rows in signups_by_activity(tables).items():
        for cancel in (r for r in rows if r["action"] == "cancel"):
            before = [r for r in rows if (r["at"], r["signup_id"]) < (cancel["at"], cancel["signup_id"])]
            confirmed_before, waitlist_before = roster(before, acts[aid]["capacity"])
            after = roster(before + [cancel], acts[aid]["capacity"])[0]
            if cancel["person_id"] in confirmed_before and waitlist_before and waitlist_before[0] in after:
                promoted += 1
    assert promoted >= 1


# ------------------------------------------------------------------ checkins
def test_checkins_by_code_come_only_from_confirmed_people_inside_the_window(tables):
    acts, grouped = activities(tables), signups_by_activity(tables)
    for c in tables["checkins"]:
        activity = acts[c["activity_id"]]
        assert c["method"] in ("code", "coordinator")
        if c["method"] == "code":
            assert c["person_id"] in roster(grouped[c["activity_id"]], activity["capacity"])[0]
            assert at(activity["starts_at"]) - dt.timedelta(hours=1) <= at(c["at"]) <= at(activity["ends_at"])
            assert c["by"] == c["person_id"]
        else:
            assert c["by"] == coordinators(tables)[activity["branch"]]


def test_most_confirmed_people_of_held_activities_checked_in_and_none_elsewhere(tables):
    now, grouped = now_of(tables), signups_by_activity(tables)
    attended = defaultdict(set)
    for c in tables["checkins"]:
        attended[c["activity_id"]].add(c["person_id"])
    confirmed = came = 0
    for a in tables["activities"]:
        if a["status"] == "cancelled" or at(a["ends_at"]) > now:
            assert not attended[a["activity_id"]]
            continue
        people_confirmed = roster(grouped[a["activity_id"]], a["capacity"])[0]
        confirmed += len(people_confirmed)
        came += sum(pid in attended[a["activity_id"]] for pid in people_confirmed)
    assert 0.8 <= came / confirmed < 1
    assert sum(c["method"] == "coordinator" for c in tables["checkins"]) >= 5


# ------------------------------------------------------------------ hours
def test_hours_have_at_least_60_rows_in_every_status_and_every_source(tables):
    statuses = Counter(h["status"] for h in tables["hours"])
    assert all(statuses[s] >= 60 for s in ("pending", "approved", "rejected"))
    sources = Counter(h["source"] for h in tables["hours"])
    assert sources["self_report"] > sources["import"] > 0 and sources["adjustment"] > 0
    assert sources["self_report"] > 0.85 * len(tables["hours"])


def test_hours_are_dated_up_to_now_within_limits_and_described_in_chinese(tables):
    now = now_of(tables)
    for h in tables["hours"]:
        assert dt.date.fromisoformat(h["date"]) <= now.date()
        hours = float(h["hours"])
        assert hours <= 24 and (hours > 0 or h["source"] == "adjustment")
        assert re.search(r"[\u4e00-\u9fff]", h["description"])


def test_reviewed_hours_name_the_branch_coordinator_and_rejections_give_a_reason(tables):
    now, persons, coords = now_of(tables), people(tables), coordinators(tables)
    for h in tables["hours"]:
        if h["status"] == "pending":
            assert h["reviewed_by"] == h["reviewed_at"] == ""
            continue
        assert h["reviewed_by"] == coords[persons[h["person_id"]]["branch"]]
        assert dt.date.fromisoformat(h["date"]) <= at(h["reviewed_at"]).date() and at(h["reviewed_at"]) <= now
        if h["status"] == "rejected":
            assert h["review_note"]


def test_many_party_members_reach_about_twenty_credited_hours():
    tables = demo(NOW)
    acts = activities(tables)
    credited = Counter()
    for aid, pid in {(c["activity_id"], c["person_id"]) for c in tables["checkins"]}:
        credited[pid] += float(acts[aid]["hours"])
    for h in tables["hours"]:
        if h["status"] == "approved":
            credited[h["person_id"]] += float(h["hours"])
    party = [p["person_id"] for p in tables["people"]
             if p["political_status"] in PARTY and p["active"] == "true"]
    assert sum(credited[pid] >= 20 for pid in party) >= 0.25 * len(party)
    assert sorted(credited[pid] for pid in party)[len(party) // 2] >= 12


# ------------------------------------------------------------------ requests
def test_there_are_at_least_60_requests_a_third_of_them_wishes_in_every_category(tables):
    rows = tables["requests"]
    assert len(rows) >= 60
    wishes = sum(r["kind"] == "wish" for r in rows)
    assert 0.25 <= wishes / len(rows) <= 0.4
    assert {r["category"] for r in rows} == REQUEST_CATEGORIES
    assert {r["kind"] for r in rows} == {"request", "wish"}


def test_every_request_status_is_present(tables):
    assert {r["status"] for r in tables["requests"]} == REQUEST_STATUSES


def test_request_timestamps_are_consistent_with_the_deadline_settings(tables):
    now, days = now_of(tables), settings(tables)
    for r in tables["requests"]:
        submitted = at(r["submitted_at"])
        assert submitted <= now
        deadline = int(days.get(f"deadline_days.{r['category']}", days["deadline_days.default"]))
        assert at(r["due_at"]) == submitted + dt.timedelta(days=deadline)
        moments = [submitted] + [at(r[k]) for k in ("accepted_at", "resolved_at", "rated_at") if r[k]]
        assert moments == sorted(moments) and moments[-1] <= now
        handled = r["status"] in ("assigned", "resolved", "closed", "reopened")
        assert bool(r["assignee_id"]) == handled
        assert bool(r["resolved_at"]) == (r["status"] in ("resolved", "closed", "reopened"))
        assert bool(r["accepted_at"]) == (r["status"] not in ("submitted", "rejected"))


def test_assignees_mostly_have_skills_matching_the_category(tables):
    persons = people(tables)
    skill = {"学业": "辅导编程", "就业": "就业", "心理": "心理", "资助": "资助政策法律", "维修": "维修"}
    checked = [r for r in tables["requests"] if r["assignee_id"] and r["category"] in skill]
    matching = [r for r in checked
                if any(s and s in skill[r["category"]]
                       for s in re.split(r"[,、]", persons[r["assignee_id"]]["skills"]))]
    assert checked and len(matching) == len(checked)


def test_ratings_are_high_on_closed_requests_and_low_on_reopened_ones(tables):
    rows = tables["requests"]
    closed = [int(r["rating"]) for r in rows if r["status"] == "closed" and r["rating"]]
    reopened = [int(r["rating"]) for r in rows if r["status"] == "reopened"]
    assert closed and all(3 <= x <= 5 for x in closed)
    assert sum(x >= 4 for x in closed) >= 0.8 * len(closed)
    assert reopened and all(1 <= x <= 2 for x in reopened)
    unrated = {"submitted", "accepted", "assigned", "resolved", "rejected"}
    assert all(r["rating"] == r["rated_at"] == "" for r in rows if r["status"] in unrated)
    assert all(bool(r["rating"]) == bool(r["rated_at"]) == bool(r["feedback"]) for r in rows)


def test_some_open_requests_are_overdue_and_some_were_resolved_late(tables):
    now, rows = now_of(tables), tables["requests"]
    open_statuses = {"submitted", "accepted", "assigned", "reopened"}
    assert sum(r["status"] in open_statuses and at(r["due_at"]) < now for r in rows) >= 3
    assert sum(bool(r["resolved_at"]) and at(r["resolved_at"]) > at(r["due_at"]) for r in rows) >= 3
    assert sum(bool(r["resolved_at"]) and at(r["resolved_at"]) <= at(r["due_at"]) for r in rows) >= 20


def test_some_requests_are_anonymous_some_give_a_contact_and_all_name_a_building(tables):
    rows = tables["requests"]
    assert any(r["requester_id"] == "" for r in rows)
    assert sum(bool(r["contact"]) for r in rows) >= 10
    assert all(r["building"] for r in rows)


def test_each_request_history_chains_from_submitted_to_its_status_by_allowed_steps(tables):
    now = now_of(tables)
    events = defaultdict(list)
    for e in tables["request_events"]:
        events[e["request_id"]].append(e)
    for r in tables["requests"]:
        history = sorted(events[r["request_id"]], key=lambda e: (e["at"], e["event_id"]))
        assert history[0]["to_status"] == "submitted" and history[0]["at"] == r["submitted_at"]
        state = ""
        for e in history:
            assert (e["from_status"], e["to_status"]) in ALLOWED_TRANSITIONS, e
            assert e["from_status"] == state and at(e["at"]) <= now
            state = e["to_status"]
        assert state == r["status"]


# ------------------------------------------------------------------ surveys and actions
def test_there_is_an_open_needs_survey_and_a_closed_feedback_survey_on_a_held_activity(tables):
    now, acts = now_of(tables), activities(tables)
    surveys = {s["kind"]: s for s in tables["surveys"]}
    assert set(surveys) == {"needs", "feedback"}
    assert surveys["needs"]["status"] == "open"
    assert at(surveys["needs"]["opens_at"]) <= now <= at(surveys["needs"]["closes_at"])
    activity = acts[surveys["feedback"]["activity_id"]]
    assert surveys["feedback"]["status"] == "closed" and activity["status"] == "closed"
    assert at(activity["ends_at"]) <= at(surveys["feedback"]["opens_at"])
    assert at(surveys["feedback"]["closes_at"]) < now


def test_questions_mix_every_type_with_options_and_required_flags(tables):
    for survey in tables["surveys"]:
        questions = [q for q in tables["questions"] if q["survey_id"] == survey["survey_id"]]
        assert {q["type"] for q in questions} == {"rating", "choice", "multi", "text"}
        assert all("|" in q["options"] for q in questions if q["type"] in ("choice", "multi"))
        assert {q["required"] for q in questions} == {"true", "false"}


def test_each_survey_has_at_least_40_respondents_and_feedback_comes_from_attendees(tables):
    surveys = {s["kind"]: s for s in tables["surveys"]}
    attendees = {c["person_id"] for c in tables["checkins"]
                 if c["activity_id"] == surveys["feedback"]["activity_id"]}
    for kind, survey in surveys.items():
        answers = [r for r in tables["responses"] if r["survey_id"] == survey["survey_id"]]
        respondents = {r["respondent_id"] for r in answers}
        assert len(respondents) >= 40 and "" not in respondents
        if kind == "feedback":
            assert respondents <= attendees


def test_answers_of_one_submission_share_a_response_id_and_fit_their_question(tables):
    questions = {(q["survey_id"], q["question_id"]): q for q in tables["questions"]}
    submissions = defaultdict(set)
    for r in tables["responses"]:
        submissions[r["response_id"]].add((r["survey_id"], r["respondent_id"], r["submitted_at"]))
        q = questions[(r["survey_id"], r["question_id"])]
        options = q["options"].split("|")
        if q["type"] == "rating":
            assert r["answer"] in {"1", "2", "3", "4", "5"}
        elif q["type"] == "choice":
            assert r["answer"] in options
        elif q["type"] == "multi":
            assert set(r["answer"].split("|")) <= set(options)
    assert all(len(keys) == 1 for keys in submissions.values())
    for survey_id, qid in (k for k, q in questions.items() if q["required"] == "true"):
        answered = {r["response_id"] for r in tables["responses"]
                    if r["survey_id"] == survey_id and r["question_id"] == qid}
        assert answered == {r["response_id"] for r in tables["responses"] if r["survey_id"] == survey_id}


def test_one_person_resubmitted_the_needs_survey_later(tables):
    needs = next(s["survey_id"] for s in tables["surveys"] if s["kind"] == "needs")
    submissions = defaultdict(set)
    for r in tables["responses"]:
        if r["survey_id"] == needs:
            submissions[r["respondent_id"]].add((r["submitted_at"], r["response_id"]))
    twice = [sorted(s) for s in submissions.values() if len(s) > 1]
    assert len(twice) == 1 and twice[0][0][0] <= twice[0][1][0]


def test_satisfaction_in_feedback_answers_is_mostly_four_or_five(tables):
    ratings = [int(r["answer"]) for r in tables["responses"] if r["answer"] in {"1", "2", "3", "4", "5"}]
    assert sum(x >= 4 for x in ratings) >= 0.7 * len(ratings)


def test_there_are_at_least_six_improvement_actions_in_every_status(tables):
    now = now_of(tables)
    rows = tables["actions"]
    assert len(rows) >= 6
    assert {a["status"] for a in rows} == {"planned", "doing", "done"}
    sources = {s["survey_id"] for s in tables["surveys"]} | REQUEST_CATEGORIES
    needs = next(s["survey_id"] for s in tables["surveys"] if s["kind"] == "needs")
    assert all(a["source"] in sources for a in rows) and any(a["source"] == needs for a in rows)
    for a in rows:
        if a["status"] == "done":
            assert a["result"] and dt.date.fromisoformat(a["done_on"]) <= now.date()
        else:
            assert a["done_on"] == ""


# ------------------------------------------------------------------ settings
def test_settings_hold_every_known_key_with_a_chinese_note(tables):
    values = settings(tables)
    known = {"timezone", "term_start", "term_end", "compliance_hours", "deadline_days.default",
             "rating_window_days", "points.per_hour", "points.per_attendance", "points.per_survey",
             "points.per_request_resolved", "organization_name"}
    known |= {f"deadline_days.{c}" for c in REQUEST_CATEGORIES}
    assert known <= set(values)
    assert values["timezone"] == "Asia/Shanghai" and values["compliance_hours"] == "20"
    assert values["rating_window_days"] == "7"
    assert all(re.search(r"[\u4e00-\u9fff]", row["note"]) for row in tables["settings"])


def test_the_term_is_around_now(tables):
    now, values = now_of(tables), settings(tables)
    start, end = dt.date.fromisoformat(values["term_start"]), dt.date.fromisoformat(values["term_end"])
    assert start <= now.date() <= end
    assert all(dt.date.fromisoformat(a["starts_at"][:10]) >= start
               for a in tables["activities"] if at(a["ends_at"]) < now)
