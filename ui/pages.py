"""Every page of the app, the audience it is for, and the guard each page calls first."""
from __future__ import annotations

from dataclasses import dataclass

from workflows.access import COORDINATOR, LEADER, PUBLIC, VOLUNTEER, Viewer, may_open

SIGNED_IN = frozenset({VOLUNTEER, COORDINATOR, LEADER})


@dataclass(frozen=True)
class PageSpec:
    key: str
    path: str
    icon: str
    audience: frozenset[str]
    section: str = ""  # the menu's section (nav.section.<key>); "" is the top, without a header


# The menu's sections, in order: each page of a section is one tap away.
SECTIONS = ("", "activities", "hours", "requests", "surveys", "data")


PAGES: tuple[PageSpec, ...] = (
    PageSpec("sign_in", "pages/sign_in.py", ":material/login:", frozenset({PUBLIC})),
    PageSpec("home", "pages/home.py", ":material/home:", SIGNED_IN),
    PageSpec("activities", "pages/activities.py", ":material/event:", frozenset({VOLUNTEER, COORDINATOR}), "activities"),
    PageSpec("checkin", "pages/checkin.py", ":material/qr_code_scanner:", frozenset({VOLUNTEER, COORDINATOR}), "activities"),
    PageSpec("requests", "pages/requests.py", ":material/support_agent:", frozenset({VOLUNTEER, COORDINATOR}), "requests"),
    PageSpec("wish_wall", "pages/wish_wall.py", ":material/volunteer_activism:", frozenset({VOLUNTEER, COORDINATOR}), "requests"),
    PageSpec("surveys", "pages/surveys.py", ":material/ballot:", frozenset({VOLUNTEER, COORDINATOR}), "surveys"),
    PageSpec("manage_activities", "pages/manage_activities.py", ":material/edit_calendar:", frozenset({COORDINATOR}), "activities"),
    PageSpec("roster", "pages/roster.py", ":material/groups:", frozenset({COORDINATOR}), "activities"),
    PageSpec("my_record", "pages/my_record.py", ":material/badge:", frozenset({VOLUNTEER, COORDINATOR}), "hours"),
    PageSpec("hours_review", "pages/hours_review.py", ":material/fact_check:", frozenset({COORDINATOR}), "hours"),
    PageSpec("request_board", "pages/request_board.py", ":material/assignment:", frozenset({COORDINATOR}), "requests"),
    PageSpec("survey_admin", "pages/survey_admin.py", ":material/insights:", frozenset({COORDINATOR}), "surveys"),
    PageSpec("dashboard", "pages/dashboard.py", ":material/monitoring:", frozenset({LEADER, COORDINATOR}), "data"),
    PageSpec("leaderboard", "pages/leaderboard.py", ":material/military_tech:", frozenset({PUBLIC}), "hours"),
    PageSpec("verify", "pages/verify.py", ":material/verified:", frozenset({PUBLIC}), "hours"),
    PageSpec("sheets", "pages/sheets.py", ":material/grid_on:", frozenset({COORDINATOR}), "data"),
    PageSpec("data", "pages/data.py", ":material/table_view:", frozenset({COORDINATOR}), "data"),
    PageSpec("codes", "pages/codes.py", ":material/key:", frozenset({COORDINATOR}), "data"),
)
PAGES_BY_KEY = {page.key: page for page in PAGES}


def menu_sections(keys: list[str]) -> dict[str, list[str]]:
    """The pages `keys` grouped by section, in the sections' order (empty sections left out)."""
    grouped = {section: [page.key for page in PAGES if page.section == section and page.key in keys]
               for section in SECTIONS}
    return {section: pages for section, pages in grouped.items() if pages}


def menu_keys(viewer: Viewer) -> list[str]:
    """The pages the menu lists for this person (the others stay reachable by link, and say why not)."""
    return [page.key for page in PAGES
            if may_open(viewer, page.audience) and not (viewer.signed_in and page.key == "sign_in")]
