"""The durable outbox of notifications: each recorded once by its derived ID before anything is sent.

One SQLite file beside the workbook (private, mode 0600), shared by every process that sends:
`cli.py notify` runs from cron and the app's refresh thread. A delivery (one notification to one
channel and address) is claimed under the file's write lock (`BEGIN IMMEDIATE`) with a lease, sent,
then marked sent, so two processes never send the same delivery. A failed send is tried again
with growing waits. A process that dies between sending and marking leaves its lease to expire:
the delivery is then sent once more (the only duplicate possible), and if that also never gets
marked it is left as `unsure`, never sent a third time.

The same file holds the in-app inbox (the notifications themselves, with when they were read)
and each person's choices of the kinds they want (the app's own data, not the workbook's).
"""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from connectors.files_private import private_file

LEASE_SECONDS = 300.0  # longer than any one send may take (the channels time out well before)
FIRST_WAIT_SECONDS = 60.0
LONGEST_WAIT_SECONDS = 6 * 3600.0
MOST_ATTEMPTS = 8

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS notifications (
        id TEXT PRIMARY KEY, kind TEXT, recipient TEXT, subject TEXT, occasion TEXT, at TEXT,
        params TEXT, urgent INTEGER, muted INTEGER, recorded_at REAL, read_at REAL)""",
    "CREATE INDEX IF NOT EXISTS by_recipient ON notifications (recipient, at)",
    """CREATE TABLE IF NOT EXISTS deliveries (
        notification_id TEXT, channel TEXT, address TEXT, state TEXT, attempts INTEGER, next_try REAL,
        lease_until REAL, owner TEXT, resent_after_crash INTEGER, last_error TEXT, sent_at REAL,
        PRIMARY KEY (notification_id, channel, address))""",
    "CREATE INDEX IF NOT EXISTS by_state ON deliveries (state, next_try)",
    """CREATE TABLE IF NOT EXISTS preferences (
        person_id TEXT, kind TEXT, enabled INTEGER, set_at REAL, PRIMARY KEY (person_id, kind))""",
)


@dataclass(frozen=True)
class Planned:
    """A notification as recorded, with the deliveries it is to have."""

    id: str
    kind: str
    recipient: str
    subject: str
    occasion: str
    at: str
    params: dict
    urgent: bool = False
    muted: bool = False  # the person turned this kind off: kept (so it is never sent later), not shown
    deliveries: tuple[tuple[str, str], ...] = ()  # (channel, address)
    not_before: float = 0.0  # epoch seconds: the quiet hours' end


@dataclass(frozen=True)
class Delivery:
    notification_id: str
    channel: str
    address: str
    kind: str
    recipient: str
    params: dict
    attempts: int
    resent_after_crash: bool = False


@dataclass
class InboxItem:
    id: str
    kind: str
    at: str
    params: dict = field(default_factory=dict)
    read: bool = False


def wait_after(attempts: int) -> float:
    """The wait before the next try after `attempts` failed ones: 1, 2, 4 … minutes, at most 6 hours."""
    return min(FIRST_WAIT_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_WAIT_SECONDS)


class Outbox:
    def __init__(self, path: str | Path, clock=time.time, lease_seconds: float = LEASE_SECONDS):
        self.path, self._clock, self.lease_seconds = Path(path), clock, lease_seconds
        self.path.parent.mkdir(parents=True, exist_ok=True)
        private_file(self.path)
        with self._connect() as db:
            for statement in _SCHEMA:
                db.execute(statement)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def _write(self, work):
        """`work(db)` in one transaction holding the file's write lock (shared by every process)."""
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            result = work(db)
            db.execute("COMMIT")
            return result
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    # -- recording and sending -----------------------------------------------------------
    def known(self, ids: list[str]) -> set[str]:
        db = self._connect()
        try:
            found = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ",".join("?" * len(chunk))
                found |= {row[0] for row in db.execute(f"SELECT id FROM notifications WHERE id IN ({marks})", chunk)}
            return found
        finally:
            db.close()

    def record(self, planned: list[Planned]) -> int:
        """Records the notifications not recorded before, with their deliveries; how many were new."""
        now = self._clock()

        def work(db):
            new = 0
            for item in planned:
                inserted = db.execute(
                    "INSERT OR IGNORE INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    (item.id, item.kind, item.recipient, item.subject, item.occasion, item.at,
                     json.dumps(item.params, ensure_ascii=False), int(item.urgent), int(item.muted), now)).rowcount
                if not inserted:
                    continue
                new += 1
                for channel, address in ([] if item.muted else item.deliveries):
                    db.execute("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?, 'pending', 0, ?, 0, '', 0, '', NULL)",
                               (item.id, channel, address, item.not_before))
            return new
        return self._write(work)

    def withdraw(self, kinds: tuple[str, ...], still_due: set[str]) -> int:
        """Deliveries of these kinds still waiting (quiet hours, a retry) whose notification is no longer
        due (e.g. a reminder to someone who has since cancelled) are not sent; it leaves the inbox too."""
        marks = ",".join("?" * len(kinds))

        def work(db):
            waiting = {row[0] for row in db.execute(
                f"SELECT DISTINCT d.notification_id FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
                f"WHERE d.state = 'pending' AND n.kind IN ({marks})", kinds)}
            gone = sorted(waiting - still_due)
            for notification_id in gone:
                db.execute("UPDATE deliveries SET state = 'withdrawn' WHERE notification_id = ? AND state = 'pending'",
                           (notification_id,))
                db.execute("UPDATE notifications SET muted = 1 WHERE id = ?", (notification_id,))
            return len(gone)
        return self._write(work)

    def claim(self, owner: str) -> Delivery | None:
        """The next delivery due, now leased to `owner`; None when nothing is due. A lease left to
        expire (its process died mid-send) is taken over once; the second time it is given up as unsure."""
        now = self._clock()

        def work(db):
            while True:
                row = db.execute(
                    "SELECT d.notification_id, d.channel, d.address, d.state, d.attempts, d.resent_after_crash, "
                    "n.kind, n.recipient, n.params FROM deliveries d JOIN notifications n ON n.id = d.notification_id "
                    "WHERE (d.state = 'pending' AND d.next_try <= ?) OR (d.state = 'sending' AND d.lease_until < ?) "
                    "ORDER BY n.urgent DESC, d.next_try, n.recorded_at LIMIT 1", (now, now)).fetchone()
                if row is None:
                    return None
                notification_id, channel, address, state, attempts, resent, kind, recipient, params = row
                key = (notification_id, channel, address)
                crashed = state == "sending"
                if crashed and resent:
                    db.execute("UPDATE deliveries SET state = 'unsure' WHERE notification_id = ? AND channel = ? "
                               "AND address = ?", key)
                    continue
                db.execute("UPDATE deliveries SET state = 'sending', owner = ?, lease_until = ?, attempts = attempts + 1, "
                           "resent_after_crash = ? WHERE notification_id = ? AND channel = ? AND address = ?",
                           (owner, now + self.lease_seconds, int(resent or crashed), *key))
                return Delivery(notification_id, channel, address, kind, recipient, json.loads(params), attempts + 1,
                                bool(resent or crashed))
        return self._write(work)

    def sent(self, delivery: Delivery, owner: str) -> None:
        self._write(lambda db: db.execute(
            "UPDATE deliveries SET state = 'sent', sent_at = ?, last_error = '' WHERE notification_id = ? "
            "AND channel = ? AND address = ? AND owner = ? AND state = 'sending'",
            (self._clock(), delivery.notification_id, delivery.channel, delivery.address, owner)))

    def failed(self, delivery: Delivery, owner: str, error: str) -> bool:
        """Marks a failed try; True when it will be tried again, False when it is given up."""
        retry = delivery.attempts < MOST_ATTEMPTS
        state, next_try = ("pending", self._clock() + wait_after(delivery.attempts)) if retry else ("given_up", 0.0)
        self._write(lambda db: db.execute(
            "UPDATE deliveries SET state = ?, next_try = ?, last_error = ?, lease_until = 0 WHERE notification_id = ? "
            "AND channel = ? AND address = ? AND owner = ? AND state = 'sending'",
            (state, next_try, error[:500], delivery.notification_id, delivery.channel, delivery.address, owner)))
        return retry

    def counts(self) -> dict[str, int]:
        """Deliveries by state (pending, sending, sent, given_up, unsure)."""
        db = self._connect()
        try:
            return dict(db.execute("SELECT state, COUNT(*) FROM deliveries GROUP BY state").fetchall())
        finally:
            db.close()

    def deliveries_of(self, notification_id: str) -> list[dict]:
        db = self._connect()
        try:
            db.row_factory = sqlite3.Row
            return [dict(row) for row in db.execute(
                "SELECT * FROM deliveries WHERE notification_id = ? ORDER BY channel, address", (notification_id,))]
        finally:
            db.close()

    # -- the in-app inbox ----------------------------------------------------------------
    def inbox(self, person_id: str, limit: int = 50) -> list[InboxItem]:
        db = self._connect()
        try:
            rows = db.execute("SELECT id, kind, at, params, read_at FROM notifications WHERE recipient = ? AND muted = 0 "
                              "ORDER BY at DESC, recorded_at DESC LIMIT ?", (person_id, limit)).fetchall()
        finally:
            db.close()
        return [InboxItem(id_, kind, at, json.loads(params), read_at is not None) for id_, kind, at, params, read_at in rows]

    def unread(self, person_id: str) -> int:
        db = self._connect()
        try:
            return db.execute("SELECT COUNT(*) FROM notifications WHERE recipient = ? AND muted = 0 AND read_at IS NULL",
                              (person_id,)).fetchone()[0]
        finally:
            db.close()

    def mark_read(self, person_id: str, ids: list[str] | None = None) -> None:
        """Marks the person's notifications read: these `ids`, or all of them."""
        now = self._clock()
        if ids is None:
            self._write(lambda db: db.execute(
                "UPDATE notifications SET read_at = ? WHERE recipient = ? AND read_at IS NULL", (now, person_id)))
            return
        self._write(lambda db: db.executemany(
            "UPDATE notifications SET read_at = ? WHERE recipient = ? AND id = ? AND read_at IS NULL",
            [(now, person_id, id_) for id_ in ids]))

    # -- people's choices ----------------------------------------------------------------
    def choices(self, person_id: str) -> dict[str, bool]:
        """The kinds this person has turned on or off ({} : every kind is on)."""
        db = self._connect()
        try:
            rows = db.execute("SELECT kind, enabled FROM preferences WHERE person_id = ?", (person_id,)).fetchall()
        finally:
            db.close()
        return {kind: bool(enabled) for kind, enabled in rows}

    def turned_off(self) -> set[tuple[str, str]]:
        """(person_id, kind) of every choice to receive nothing of a kind."""
        db = self._connect()
        try:
            return set(db.execute("SELECT person_id, kind FROM preferences WHERE enabled = 0").fetchall())
        finally:
            db.close()

    def choose(self, person_id: str, kind: str, enabled: bool) -> None:
        self._write(lambda db: db.execute("INSERT OR REPLACE INTO preferences VALUES (?, ?, ?, ?)",
                                          (person_id, kind, int(enabled), self._clock())))
