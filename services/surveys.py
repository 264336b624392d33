"""Surveys and improvement actions: coordinators create surveys and track actions; members answer."""
from __future__ import annotations

import hashlib
import hmac

from connectors.config import app_key
from connectors.live import LiveWorkbook
from services.activities import derivation_of
from services.audit import audited_append, audited_update
from services.clock import Clock
from services.outcomes import Refused, refuse
from services.submissions import already_there
from workflows.access import COORDINATOR, Viewer
from workflows.refusals import Refusal
from workflows.surveys import action_row, action_status_changes, question_rows, submission_rows, survey_row

ACTION_STEPS = {"doing": ("planned",), "done": ("planned", "doing")}


def _coordinator(actor: Viewer) -> None:
    if actor.role != COORDINATOR:
        raise refuse("not_yours", actor.person_id)


def create_survey(live: LiveWorkbook, actor: Viewer, values: dict, questions: list[dict], clock: Clock,
                  form_key: str | None = None) -> str:
    """A survey and its questions; refused without a title or a question. With `form_key` (made when the
    form was shown) creating twice creates it once."""
    _coordinator(actor)
    if already_there(live.data().tables["surveys"], "survey_id", form_key):
        return form_key
    survey = survey_row(values, clock())
    if form_key:
        survey["survey_id"] = form_key
    rows = question_rows(survey["survey_id"], questions)
    missing = [name for name, ok in (("title", survey["title"]), ("questions", rows)) if not ok]
    if missing:
        raise refuse("missing_fields", ", ".join(missing))
    audited_append(live, actor.person_id, "surveys", [survey], ("survey_id",), clock)
    audited_append(live, actor.person_id, "questions", rows, ("survey_id", "question_id"), clock)
    return survey["survey_id"]


def answer_survey(live: LiveWorkbook, person: Viewer, survey_id: str, answers: dict[str, str], clock: Clock) -> bool:
    """Appends one submission (anonymous surveys keep no respondent); False when it waits to be sent."""
    shown = live.data()
    anonymous_as = hmac.new(app_key(live.workbook.url), f"{survey_id}\n{person.person_id}".encode(),
                            hashlib.sha256).hexdigest()[:20]
    rows = submission_rows(shown.tables, derivation_of(shown), survey_id, person.person_id, answers, clock(),
                           anonymous_as=f"A{anonymous_as}")
    if isinstance(rows, Refusal):
        raise Refused(rows)
    return live.append("responses", rows, stamp=("submitted_at", clock))


def add_action(live: LiveWorkbook, actor: Viewer, values: dict[str, str], clock: Clock) -> str:
    _coordinator(actor)
    if not (values.get("action") or "").strip():
        raise refuse("missing_fields", "action")
    row = action_row({**values, "owner": values.get("owner") or actor.person_id}, clock())
    audited_append(live, actor.person_id, "actions", [row], ("action_id",), clock)
    return row["action_id"]


def move_action(live: LiveWorkbook, actor: Viewer, action_id: str, status: str, clock: Clock, result: str = "") -> None:
    """planned → doing → done (with its result)."""
    _coordinator(actor)
    actions = live.data().tables["actions"]
    current = actions[actions["action_id"] == action_id]
    if current.empty:
        raise refuse("unknown_action", action_id)
    if current.iloc[0]["status"] not in ACTION_STEPS.get(status, ()):
        raise refuse("not_allowed", f"{current.iloc[0]['status']} → {status}")
    audited_update(live, actor.person_id, "actions", {"action_id": action_id},
                   action_status_changes(status, clock(), result), clock)
