"""Credited hours, self-reports, reviews, points and the leaderboard, certificates."""
from __future__ import annotations

import datetime as dt
import io

from hypothesis import given, strategies as st
from pypdf import PdfReader

from documents.certificate_pdf import certificate_pdf
from tests.builders import activity, people, signup, tables
from workflows.access import Viewer
from workflows.certificate import certificate_for, verify
from workflows.hours import check_self_report, credited_entries, hours_by_person, review_changes
from workflows.indicators import indicators
from workflows.points import leaderboard, points_table
from workflows.signup import derive
from workflows.validation import data_problems

NOW = dt.datetime(2025, 12, 1, 12, 0)


def checkin(n, person_id, activity_id="A1", at="2025-11-20 09:10", method="code"):
    return {"checkin_id": f"C{n}", "activity_id": activity_id, "person_id": person_id, "at": at, "method": method}


def entry(n, person_id, hours="2", status="approved", date="2025-11-25", source="self_report"):
    return {"entry_id": f"H{n}", "person_id": person_id, "date": date, "hours": hours, "status": status,
            "source": source, "description": f"服务{n}"}


def credited(t, as_of=NOW):
    return dict(hours_by_person(credited_entries(t, derive(t), as_of), t["people"]))


def test_credited_hours_are_attended_activities_plus_approved_entries():
    t = tables(people=people("1", "2"), activities=[activity(hours="3")], signups=[signup(1, "1"), signup(2, "2")],
               checkins=[checkin(1, "1"), checkin(2, "1", at="2025-11-20 09:30")],
               hours=[entry(1, "1", "2"), entry(2, "1", "5", "pending"), entry(3, "1", "7", "rejected"),
                      entry(4, "2", "-1", source="adjustment")])
    assert credited(t) == {"1": 5.0, "2": -1.0}  # attendance once (3) + approved (2); pending/rejected nothing


def test_a_cancelled_activity_credits_nothing():
    t = tables(people=people("1"), activities=[activity(status="cancelled")], signups=[signup(1, "1")],
               checkins=[checkin(1, "1")])
    assert credited(t) == {"1": 0.0}


def test_a_total_carried_over_by_import_counts_in_full_in_hours_points_certificates_and_indicators():
    t = tables(people=people("1", political_status="party_member"),
               hours=[entry(1, "1", "41", source="import", date="2025-09-01")])
    assert data_problems(t) == []
    assert credited(t) == {"1": 41.0}
    assert points_table(t, derive(t), NOW).set_index("person_id").loc["1", "hours"] == 41.0
    assert certificate_for(t, derive(t), "1", NOW).hours == 41.0
    figures = indicators(t, derive(t), NOW)
    assert figures["hours_total"] == 41.0 and figures["participation_rate"] == 1.0


def test_hours_outside_the_bounds_of_their_source_are_reported_and_left_out_of_every_figure():
    t = tables(people=people("1", political_status="party_member"),
               hours=[entry(1, "1", "30", source="self_report"), entry(2, "1", "0", source="adjustment"),
                      entry(3, "1", "-3", source="import"), entry(4, "1", "24", source="self_report"),
                      entry(5, "1", "-2", source="adjustment"), entry(6, "1", "25", source="导入")])
    found = {(p.value, p.code, tuple(p.params.items())) for p in data_problems(t) if p.sheet == "hours"}
    assert found == {("30", "hours_over_a_day", (("limit", "24"),)), ("0", "hours_zero_adjustment", ()),
                     ("-3", "hours_not_positive", ())}
    assert credited(t) == {"1": 47.0}  # 24 (self_report) - 2 (adjustment) + 25 (import)
    assert certificate_for(t, derive(t), "1", NOW).hours == 47.0
    bad_only = tables(people=people("1"), hours=[entry(1, "1", "30"), entry(2, "1", "0", source="adjustment")])
    assert credited(bad_only) == {"1": 0.0}
    assert indicators(bad_only, derive(bad_only), NOW)["participation_rate"] == 0.0


def test_as_of_counts_activities_that_ended_and_entries_dated_by_then():
    t = tables(people=people("1"), activities=[activity(hours="3")], signups=[signup(1, "1")],
               checkins=[checkin(1, "1")], hours=[entry(1, "1", "2", date="2025-11-25")])
    assert credited(t, dt.datetime(2025, 11, 20, 10, 0)) == {"1": 0.0}
    assert credited(t, dt.datetime(2025, 11, 21)) == {"1": 3.0}
    assert credited(t, dt.datetime(2025, 11, 25)) == {"1": 5.0}


def test_a_self_report_needs_a_past_date_hours_in_range_and_a_description():
    row, errors = check_self_report({"date": "2025-12-02", "hours": "25", "description": ""}, "1", NOW, "Asia/Shanghai")
    assert errors == {"date": ("date_in_future", {}), "hours": ("too_large", {"limit": "24"}),
                      "description": ("required", {})}
    assert check_self_report({"date": "2025-11-30", "hours": "0", "description": "x"}, "1", NOW,
                             "Asia/Shanghai")[1] == {"hours": ("hours_range", {})}
    row, errors = check_self_report({"date": "2025-11-30", "hours": "1.5", "description": "辅导"}, "1", NOW,
                                    "Asia/Shanghai")
    assert errors == {} and row["status"] == "pending" and row["hours"] == "1.5" and row["entry_id"].startswith("H")


def test_only_coordinators_of_the_persons_branch_review_and_only_pending_entries():
    t = tables(people=people("1", branch="一支部") + people("2", branch="二支部"),
               hours=[entry(1, "1", status="pending"), entry(2, "2", status="pending"), entry(3, "1", status="approved")])
    coordinator = Viewer("9", "协调员", "coordinator", "一支部")
    changes, refused = review_changes(t, coordinator, ["H1", "H2", "H3"], "approved", "", NOW)
    assert [key for key, _ in changes] == [{"entry_id": "H1"}]
    assert changes[0][1] == {"status": "approved", "reviewed_by": "9", "reviewed_at": "2025-12-01 12:00",
                             "review_note": ""}
    assert refused == {"H2": "not_your_branch", "H3": "not_pending"}
    assert review_changes(t, coordinator, ["H1"], "rejected", " ", NOW) == ([], {"H1": "note_required"})
    volunteer = Viewer("1", "甲", "volunteer", "一支部")
    assert review_changes(t, volunteer, ["H1"], "approved", "", NOW)[1] == {"H1": "not_your_branch"}


def test_points_follow_the_settings_and_ties_share_a_rank():
    responses = [{"response_id": "R1", "survey_id": "V1", "question_id": "1", "respondent_id": "2",
                  "answer": "5", "submitted_at": "2025-11-21 10:00"}]
    requests = [{"request_id": "Q1", "title": "修灯", "submitted_at": "2025-11-01 10:00", "status": "closed",
                 "assignee_id": "3", "resolved_at": "2025-11-02 10:00"}]
    t = tables(people=people("1", "2", "3", "4"), activities=[activity(hours="1")],
               signups=[signup(1, "1"), signup(2, "2")], checkins=[checkin(1, "1"), checkin(2, "2")],
               hours=[entry(1, "3", "0.5")], responses=responses, requests=requests,
               settings=[{"key": "points.per_survey", "value": "3"}])
    frame = points_table(t, derive(t), NOW).set_index("person_id")
    assert dict(frame["points"]) == {"1": 15.0, "2": 18.0, "3": 15.0, "4": 0.0}
    board = leaderboard(t, derive(t), NOW)
    assert list(board["person_id"]) == ["2", "1", "3", "4"]
    assert list(board["rank"]) == [1, 2, 3, 4]  # 1 and 3 have equal points, but 1 has more hours
    t2 = tables(people=people("1", "2"), hours=[entry(1, "1", "1"), entry(2, "2", "1")])
    assert list(leaderboard(t2, derive(t2), NOW)["rank"]) == [1, 1]


def test_the_certificate_pdf_says_who_how_many_hours_and_its_number():
    t = tables(people=people("2023012345"), activities=[activity(hours="3", title="社区义诊")],
               signups=[signup(1, "2023012345")], checkins=[checkin(1, "2023012345")],
               hours=[entry(1, "2023012345", "2.5")], settings=[{"key": "organization_name", "value": "某某大学某学院"}])
    certificate = certificate_for(t, derive(t), "2023012345", NOW)
    pages = PdfReader(io.BytesIO(certificate_pdf(certificate))).pages
    # pypdf reads fpdf2's two-byte CID codes as pairs of one-byte codes (a NUL before each
    # character); poppler's pdftotext reads the same file cleanly. Drop the NULs.
    text = "".join(page.extract_text() for page in pages).replace("\x00", "")
    for expected in ("志愿服务时长证明", "P2023012345", "2023012345", "5.5", certificate.number, "某某大学某学院",
                     "社区义诊", "2025年12月01日"):
        assert expected in text, expected


def test_a_logged_certificate_number_verifies_and_an_unknown_one_does_not():
    t = tables(_certificates=[{"certificate_no": "ZYFW-2025-ABCDEFGH", "person_id": "1", "name": "甲", "hours": "5.5",
                               "issued_at": "2025-12-01 12:00"}])
    found = verify(t, " zyfw-2025-abcdefgh ")
    assert (found.name, found.hours, found.issued_on) == ("甲", 5.5, dt.date(2025, 12, 1))
    assert verify(t, "ZYFW-2025-XXXXXXXX") is None


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), max_size=40))
def test_ranks_are_one_plus_those_strictly_ahead_without_comparing_everyone_with_everyone(scores):
    import pandas as pd

    from workflows.points import ranked

    frame = pd.DataFrame({"person_id": [f"P{n:03}" for n in range(len(scores))],
                          "points": [float(p) for p, _ in scores], "hours": [float(h) for _, h in scores]})
    result = ranked(frame)
    expected = [1 + sum(1 for other in scores if other > (p, h)) for p, h in zip(result["points"], result["hours"])]
    assert list(result["rank"]) == expected


@given(st.lists(st.tuples(st.sampled_from(["1", "2", "10", "3"]), st.sampled_from(["2025-11-25", "2025-11-03", "2025-12-24"])),
                max_size=25),
       st.sampled_from([None, NOW]))
def test_credited_entries_come_ordered_by_person_then_date_then_ref(rows, as_of):
    t = tables(people=people("1", "2", "3", "10"),
               activities=[activity(hours="3"), activity("A2", "2025-11-03 09:00", "2025-11-03 10:00")],
               signups=[signup(1, "1"), signup(2, "10"), signup(3, "2", "A2")],
               checkins=[checkin(1, "1"), checkin(2, "10"), checkin(3, "2", "A2", at="2025-11-03 09:10")],
               hours=[entry(99 - n, person, date=date) for n, (person, date) in enumerate(rows)])  # IDs against the rows' order
    entries = credited_entries(t, derive(t), as_of)
    in_order = entries.sort_values(["person_id", "date", "ref"], kind="stable").reset_index(drop=True)
    assert entries.equals(in_order)
    assert sorted(entries.loc[entries["kind"] == "entry", "ref"]) == sorted(
        f"H{99 - n}" for n, (_, date) in enumerate(rows) if as_of is None or date <= "2025-12-01")
