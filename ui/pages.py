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


PAGES: tuple[PageSpec, ...] = (
    PageSpec("sign_in", "pages/sign_in.py", ":material/login:", frozenset({PUBLIC})),
    PageSpec("home", "pages/home.py", ":material/home:", SIGNED_IN),
    PageSpec("activities", "pages/activities.py", ":material/event:", frozenset({VOLUNTEER, COORDINATOR})),
    PageSpec("checkin", "pages/checkin.py", ":material/qr_code_scanner:", frozenset({VOLUNTEER, COORDINATOR})),
    PageSpec("requests", "pages/requests.py", ":material/support_agent:", frozenset({VOLUNTEER, COORDINATOR})),
    PageSpec("wish_wall", "pages/wish_wall.py", ":material/volunteer_activism:", frozenset({VOLUNTEER, COORDINATOR})),
    PageSpec("surveys", "pages/surveys.py", ":material/ballot:", frozenset({VOLUNTEER, COORDINATOR})),
    PageSpec("manage_activities", "pages/manage_activities.py", ":material/edit_calendar:", frozenset({COORDINATOR})),
    PageSpec("roster", "pages/roster.py", ":material/groups:", frozenset({COORDINATOR})),
    PageSpec("my_record", "pages/my_record.py", ":material/badge:", frozenset({VOLUNTEER, COORDINATOR})),
    PageSpec("hours_review", "pages/hours_review.py", ":material/fact_check:", frozenset({COORDINATOR})),
    PageSpec("request_board", "pages/request_board.py", ":material/assignment:", frozenset({COORDINATOR})),
    PageSpec("survey_admin", "pages/survey_admin.py", ":material/insights:", frozenset({COORDINATOR})),
    PageSpec("dashboard", "pages/dashboard.py", ":material/monitoring:", frozenset({LEADER, COORDINATOR})),
    PageSpec("leaderboard", "pages/leaderboard.py", ":material/military_tech:", frozenset({PUBLIC})),
    PageSpec("verify", "pages/verify.py", ":material/verified:", frozenset({PUBLIC})),
    PageSpec("sheets", "pages/sheets.py", ":material/grid_on:", frozenset({COORDINATOR})),
    PageSpec("data", "pages/data.py", ":material/table_view:", frozenset({COORDINATOR})),
    PageSpec("codes", "pages/codes.py", ":material/key:", frozenset({COORDINATOR})),
)
PAGES_BY_KEY = {page.key: page for page in PAGES}


def menu_keys(viewer: Viewer) -> list[str]:
    """The pages the menu lists for this person (the others stay reachable by link, and say why not)."""
    return [page.key for page in PAGES
            if may_open(viewer, page.audience) and not (viewer.signed_in and page.key == "sign_in")]
