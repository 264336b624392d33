"""Telling people: the one door from the rules' due notifications to the channels.

`notify` computes what is due now (workflows.notifications), records each new one in the outbox
with the deliveries it is to have (inbox always; e-mail when configured and the person has an
address; a branch's group robots for its digest), and only then sends: each delivery is claimed
from the outbox, sent, and marked, so a notification is never lost and never sent twice (see
connectors/outbox.py for the one duplicate a crash may cause). A person reads and marks only
their own inbox and changes only their own choices.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from connectors.live import LiveWorkbook
from connectors.notify_channels import Channels, SendFailed
from connectors.outbox import Delivery, InboxItem, Outbox, Planned
from services.activities import derivation_of
from services.clock import Clock
from services.outcomes import refuse
from workflows.access import Viewer
from workflows.notification_texts import footer, render
from workflows.notifications import BRANCH_PREFIX, Notification, due, kinds_for

# A reminder waiting (quiet hours, a retry) is dropped once it is no longer due: the person cancelled,
# the activity was cancelled or moved, or it has started.
WITHDRAWN_WHEN_NO_LONGER_DUE = ("reminder_24h", "reminder_2h")

@dataclass
class NotifyReport:
    due: int = 0
    recorded: int = 0
    sent: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)  # each with `retry`: False when it was given up
    planned: list[dict] = field(default_factory=list)  # --dry-run: what would be recorded and sent

    @property
    def ok(self) -> bool:
        return not self.failed

    def as_dict(self) -> dict:
        return {"due": self.due, "recorded": self.recorded, "sent": self.sent, "failed": self.failed,
                **({"would_send": self.planned} if self.planned else {})}


def _epoch(moment: dt.datetime | None, timezone: str) -> float:
    return 0.0 if moment is None else moment.replace(tzinfo=ZoneInfo(timezone)).timestamp()


def plan(notifications: list[Notification], people_emails: dict[str, str], channels: Channels,
         turned_off: set[tuple[str, str]], timezone: str) -> list[Planned]:
    """Each notification with its deliveries: e-mail to a person (when configured and they have an
    address; the recorded notification itself is their inbox entry), a branch's robots; muted when
    the person turned the kind off."""
    planned = []
    for item in notifications:
        if item.to_branch:
            branch = item.recipient.removeprefix(BRANCH_PREFIX)
            deliveries = tuple(("robot", robot.address) for robot in channels.robots if robot.serves(branch))
        else:
            email = people_emails.get(item.recipient, "").strip()
            deliveries = (("email", email),) if channels.email and "@" in email else ()
        planned.append(Planned(item.id, item.kind, item.recipient, item.subject, item.occasion,
                               f"{item.at:%Y-%m-%d %H:%M:%S}", item.params, item.urgent,
                               (item.recipient, item.kind) in turned_off, deliveries,
                               _epoch(item.not_before, timezone)))
    return planned


def texts(kind: str, params: dict, language: str) -> tuple[str, str]:
    """(subject, body) in the deployment's language, or both (Chinese first) for "zh+en"."""
    if language != "zh+en":
        return render(kind, params, language)
    (zh_subject, zh_body), (en_subject, en_body) = render(kind, params, "zh"), render(kind, params, "en")
    return f"{zh_subject} / {en_subject}", f"{zh_body}\n\n{en_body}"


def _send(delivery: Delivery, channels: Channels) -> None:
    subject, body = texts(delivery.kind, delivery.params, channels.language)
    if delivery.channel == "email" and channels.email is not None:
        language = "zh" if channels.language != "en" else "en"
        channels.email.send(delivery.address, subject, f"{body}\n\n{footer(language)}", delivery.notification_id)
        return
    robot = channels.robot(delivery.address) if delivery.channel == "robot" else None
    if robot is None:
        raise SendFailed(f"the {delivery.channel} channel {delivery.address} is not configured (any more)")
    robot.send(f"{subject}\n{body}")


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def notify(live: LiveWorkbook, outbox: Outbox, channels: Channels, clock: Clock, dry_run: bool = False) -> NotifyReport:
    """Records what is due now and sends every delivery due (also those left waiting by earlier runs)."""
    shown = live.data()
    tables = shown.tables
    notifications = due(tables, clock(), derivation_of(shown))
    emails = dict(zip(tables["people"]["person_id"], tables["people"]["email"].fillna("")))
    planned = plan(notifications, emails, channels, outbox.turned_off(), tables.timezone)
    report = NotifyReport(due=len(planned))
    if dry_run:
        known = outbox.known([item.id for item in planned])
        report.planned = [{"id": item.id, "kind": item.kind, "recipient": item.recipient,
                           "channels": ["inbox"] * (not item.recipient.startswith(BRANCH_PREFIX)) + [channel for channel, _ in item.deliveries],
                           "subject": texts(item.kind, item.params, channels.language)[0], "at": item.at,
                           "muted": item.muted} for item in planned if item.id not in known]
        return report
    report.recorded = outbox.record(planned)
    outbox.withdraw(WITHDRAWN_WHEN_NO_LONGER_DUE, {item.id for item in planned})
    send_due(outbox, channels, report)
    return report


def send_due(outbox: Outbox, channels: Channels, report: NotifyReport | None = None) -> NotifyReport:
    """Claims, sends and marks every delivery due, one at a time."""
    report = report or NotifyReport()
    owner = owner_name()
    while (delivery := outbox.claim(owner)) is not None:
        entry = {"id": delivery.notification_id, "kind": delivery.kind, "recipient": delivery.recipient,
                 "channel": delivery.channel if delivery.channel != "robot" else delivery.address}
        try:
            _send(delivery, channels)
        except SendFailed as error:
            retry = outbox.failed(delivery, owner, str(error))
            report.failed.append({**entry, "error": str(error), "retry": retry})
            continue
        outbox.sent(delivery, owner)
        report.sent.append(entry)
    return report


# -- a person's own inbox and choices --------------------------------------------------------
def _own(viewer: Viewer) -> str:
    if not viewer.signed_in:
        raise refuse("not_yours", "")
    return viewer.person_id


def inbox(outbox: Outbox, viewer: Viewer, limit: int = 50) -> list[InboxItem]:
    return outbox.inbox(_own(viewer), limit)


def unread(outbox: Outbox, viewer: Viewer) -> int:
    return outbox.unread(viewer.person_id) if viewer.signed_in else 0


def mark_read(outbox: Outbox, viewer: Viewer, ids: list[str] | None = None) -> None:
    outbox.mark_read(_own(viewer), ids)


def choices(outbox: Outbox, viewer: Viewer) -> dict[str, bool]:
    """Every kind this person may choose, on or off."""
    chosen = outbox.choices(_own(viewer))
    return {kind: chosen.get(kind, True) for kind in kinds_for(viewer.role)}


def choose(outbox: Outbox, viewer: Viewer, kind: str, enabled: bool) -> None:
    if kind not in kinds_for(viewer.role):
        raise refuse("unknown_action", kind)
    outbox.choose(_own(viewer), kind, enabled)
