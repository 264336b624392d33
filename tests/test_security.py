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
