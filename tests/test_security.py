"""Attacks tried against the app, each closed and kept closed (named after the attack)."""
from __future__ import annotations

from tests.pages import open_page, workbook  # noqa: F401 - the fixture
from workflows.demo_access import DEMO_CODES

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
    shown = markdown_shown(at)
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
