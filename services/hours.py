"""Service hours: a volunteer reports extra hours; the branch's coordinators approve or reject them."""
from __future__ import annotations

from dataclasses import dataclass, field

from connectors.live import LiveWorkbook
from services.audit import audited_append, audited_update_rows
from services.clock import Clock
from workflows.access import Viewer
from workflows.hours import check_self_report, review_changes


@dataclass(frozen=True)
class HoursReported:
    entry_id: str = ""
    errors: dict = field(default_factory=dict)  # {field: (code, params)}: nothing was written
    queued: bool = False


def report_hours(live: LiveWorkbook, person: Viewer, values: dict[str, str], clock: Clock) -> HoursReported:
    """Appends the person's own self-report (pending review), if every field checks out."""
    row, errors = check_self_report(values, person.person_id, clock(), live.data().tables.timezone)
    if errors:
        return HoursReported(errors=errors)
    sent = audited_append(live, person.person_id, "hours", [row], ("entry_id",), clock)
    return HoursReported(row["entry_id"], queued=not sent)


@dataclass(frozen=True)
class Reviewed:
    done: int
    refused: dict[str, str]  # {entry_id: reason code}


def review_hours(live: LiveWorkbook, reviewer: Viewer, entry_ids: list[str], decision: str, note: str,
                 clock: Clock) -> Reviewed:
    """Approves or rejects the pending entries the reviewer may review, in one write."""
    changes, refused = review_changes(live.data().tables, reviewer, entry_ids, decision, note, clock())
    if changes:
        audited_update_rows(live, reviewer.person_id, "hours", changes, clock)
    return Reviewed(len(changes), refused)
