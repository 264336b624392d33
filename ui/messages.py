"""Turning the workflows' reasons into sentences of the page's language."""
from __future__ import annotations

from ui.i18n import t, t_or
from workflows.problems import Problem
from workflows.refusals import Refusal


def refusal_text(refusal: Refusal) -> str:
    detail = refusal.detail
    if refusal.code == "missing_fields":  # field keys, as the services name them, become the form's words
        detail = t("list.separator").join(t_or(f"missing.{key.strip()}", key.strip()) for key in str(detail).split(","))
    return t(f"refusal.{refusal.code}", detail=detail)


def problem_key(code: str) -> str:
    """The catalog key of a problem code: a cell that does not parse has its cell.* text."""
    return code if code.startswith("cell.") else f"problem.{code}"


def problem_text(problem: Problem) -> str:
    return t(problem_key(problem.code), **problem.params)


def field_error(error: tuple[str, dict]) -> str:
    code, params = error
    return t(f"cell.{code}", **params)


def choice_text(kind: str, key) -> str:
    """The label of an enumeration's value (`kind` e.g. "request_status"); a cell that did not parse
    (None or NaN in the table) shows as a dash, never as a catalog key that does not exist."""
    return t_or(f"{kind}.{key}", "—") if isinstance(key, str) and key else "—"


def status_text(status: str, position: int | float | None) -> str:
    if status == "waitlisted":  # a position read from a table may come as 4.0: people see 4
        return t("status.waitlisted", position=position_text(position))
    return t(f"status.{status}")


def position_text(position) -> str:
    """A place in a queue as a whole number ("4", never "4.0"); "—" when there is none."""
    try:
        return str(int(position))
    except (TypeError, ValueError):
        return "—"
