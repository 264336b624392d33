"""Turning the workflows' reasons into sentences of the page's language."""
from __future__ import annotations

from ui.i18n import t
from workflows.refusals import Refusal


def refusal_text(refusal: Refusal) -> str:
    return t(f"refusal.{refusal.code}", detail=refusal.detail)


def field_error(error: tuple[str, dict]) -> str:
    code, params = error
    return t(f"cell.{code}", **params)


def status_text(status: str, position: int | None) -> str:
    if status == "waitlisted":
        return t("status.waitlisted", position=position)
    return t(f"status.{status}")
