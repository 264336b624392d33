"""The inbox in the app: the bell's unread count, the list on Home, the choices on My record."""
from __future__ import annotations

import os

from connectors.config import outbox_path
from connectors.outbox import Outbox, Planned
from demo.codes import DEMO_CODES
from streamlit.testing.v1 import AppTest

from tests.pages import APP, open_page, workbook  # noqa: F401 - the fixture

VOLUNTEER = DEMO_CODES[0][0]


def outbox() -> Outbox:
    return Outbox(outbox_path(os.environ["WORKBOOK_URL"]))


def started_as(person_id: str) -> AppTest:
    """The app as it first opens for a signed-in person: Home, with the sidebar."""
    at = AppTest.from_file(APP, default_timeout=90)
    at.context = {"locale": "en-US"}
    at.session_state["person_id"] = person_id
    return at.run()


def bell(at: AppTest) -> str:
    return next(node.proto.label for node in at.sidebar.children.values() if node.type == "page_link")


def a_promotion_for(person_id: str) -> Planned:
    return Planned("Ntest1", "waitlist_promoted", person_id, "A1", "S1", "2025-11-18 10:00:00",
                   {"title": "社区义诊 <b>", "starts_at": "2025-11-25 09:00", "location": "东门广场"})


def test_the_bell_counts_the_unread_and_home_lists_them_until_marked_read(workbook):
    someone_else = Planned("Ntest2", "hours_approved", "someone-else", "H1", "x", "2025-11-18 10:00:00", {"hours": "2"})
    outbox().record([a_promotion_for(VOLUNTEER), someone_else])
    at = started_as(VOLUNTEER)
    assert bell(at) == "Messages (1 unread)"
    labels = [expander.label for expander in at.expander]
    assert any("You got a place" in label for label in labels)
    assert not any("approved" in label for label in labels)  # another person's message is not shown
    next(button for button in at.button if button.label == "Mark all as read").click().run()
    assert outbox().unread(VOLUNTEER) == 0
    assert bell(started_as(VOLUNTEER)) == "Messages"


def test_an_empty_inbox_says_what_will_appear_there(workbook):
    at = open_page("pages/home.py", VOLUNTEER, locale="en-US")
    assert any("No messages yet" in info.value for info in at.info)


def test_on_my_record_a_person_turns_a_kind_of_message_off(workbook):
    at = open_page("pages/my_record.py", VOLUNTEER, locale="en-US")
    toggles = {toggle.label: toggle for toggle in at.toggle}
    assert "Moved up from the waitlist" in toggles and "Overdue requests of my branch (daily)" not in toggles
    toggles["Moved up from the waitlist"].set_value(False).run()
    assert outbox().choices(VOLUNTEER) == {"waitlist_promoted": False}


def test_the_app_records_what_is_due_after_a_read_only_when_sending_from_the_app_is_on(workbook, monkeypatch):
    from connectors.live import LiveWorkbook
    from ui import settings, state

    live = LiveWorkbook(workbook, interval_seconds=0)
    people = list(live.data().tables["people"]["person_id"])

    def anyone_told() -> bool:
        return any(outbox().inbox(person_id, limit=1) for person_id in people)

    monkeypatch.setattr(settings, "secrets", lambda: {})
    state._send_notifications(live)
    assert not anyone_told()
    monkeypatch.setattr(settings, "secrets", lambda: {"notifications": {"send_from_app": True}})
    monkeypatch.setitem(state._notified_at, "last", -state.NOTIFY_EVERY_SECONDS * 10)
    state._send_notifications(live)
    assert anyone_told()  # the demo, made around now, has notifications due now
