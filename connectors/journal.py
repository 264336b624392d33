"""The local write journal of a Google Sheets workbook.

Every write is recorded here before it is sent. An append leaves the journal only once a
snapshot taken after it was sent shows its IDs in the sheet; an update once the API accepted
it. What Google did not get (an outage, a lost racing append) stays, is shown to its author
(read-your-writes) and is re-sent by `sync`.

Exactly once across processes. Every process on the machine that uses the workbook shares
this file, so an entry has an owner:
- the process that records a write owns (claims) its entry while it sends it, and gives the
  claim up when the attempt ends (sent, or queued for later); nobody else sends it meanwhile;
- an unsent entry nobody claims, or whose owner died (its pid is gone or now belongs to another
  process) or stopped renewing its lease (`LEASE_SECONDS`), may be claimed by any process;
- claiming is one exclusive SQLite transaction, so two processes never both win an entry;
- a re-send (`sync`) claims, reads the sheet and appends only the rows it lacks, all while
  holding `send_lock()`, an exclusive lock on a file beside the journal shared by every process
  that uses it (the kernel drops it when a holder dies, even by `kill -9`); a `sync` that finds
  it held leaves the re-sending to its holder.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from connectors.files_private import private_file

UNSENT, SENT = "unsent", "sent"
LEASE_SECONDS = 120.0  # longer than one request may take (10 s connect + 60 s read); renewed before each retry

_SCHEMA = """
CREATE TABLE IF NOT EXISTS writes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workbook TEXT NOT NULL,
    kind TEXT NOT NULL,
    table_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    sent_at REAL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    claimed_by TEXT,
    claim_until REAL
)"""
_ADDED_COLUMNS = {"claimed_by": "TEXT", "claim_until": "REAL"}


@dataclass
class JournalEntry:
    id: int
    kind: str  # "append" | "update"
    table: str
    payload: dict
    state: str
    sent_at: float | None
    attempts: int
    claimed_by: str | None = None


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (state first), or [] where there is none."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def process_start(pid: int) -> str:
    """When the process started (clock ticks since boot), to tell a pid from a later process reusing it."""
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else ""


def is_alive(owner: str) -> bool:
    """Whether the process named by an owner token (`pid:start:nonce`) still runs on this machine."""
    try:
        pid_text, start, _ = owner.split(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    fields = _stat(pid)
    if fields and fields[0] in ("Z", "X"):  # killed, not yet reaped by its parent
        return False
    return not start or len(fields) <= 19 or fields[19] == start


class ClaimLost(Exception):
    """Another process took over entries this one was sending (it stalled past its lease): it stops."""


class Journal:
    def __init__(self, path: str | Path, workbook: str, clock=time.time):
        self.path, self.workbook, self._clock = str(path), workbook, clock
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        private_file(self.path)
        self._lock = threading.Lock()
        pid = os.getpid()
        self.owner = f"{pid}:{process_start(pid)}:{os.urandom(4).hex()}"
        self._in_flight: set[int] = set()  # entries this owner is sending right now
        self._send_lock_path = self.path + ".send-lock"
        private_file(self._send_lock_path)
        self._send_threads = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            present = {row[1] for row in db.execute("PRAGMA table_info(writes)")}
            for column, kind in _ADDED_COLUMNS.items():
                if column not in present:  # a journal written by an older version
                    db.execute(f"ALTER TABLE writes ADD COLUMN {column} {kind}")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    # -- recording and claiming -------------------------------------------------------------
    def record(self, kind: str, table: str, payload: dict, claim: bool = False) -> int:
        """Records a write; with `claim`, this owner holds it while it sends it (see `release`)."""
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO writes (workbook, kind, table_key, payload, state, created_at, claimed_by, claim_until)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (self.workbook, kind, table, json.dumps(payload, ensure_ascii=False), UNSENT, self._clock(),
                 self.owner if claim else None, self._clock() + LEASE_SECONDS if claim else None))
            if claim:
                self._in_flight.add(cursor.lastrowid)
            return cursor.lastrowid

    def claim(self, entry_id: int) -> JournalEntry | None:
        """The entry, now held by this owner, if it is unsent and free to take (see the module text)."""
        with self._lock:
            if entry_id in self._in_flight:
                return None
            db = self._connect()
            db.isolation_level = None
            try:
                db.execute("BEGIN IMMEDIATE")
                row = db.execute(_SELECT + " AND id = ?", (self.workbook, entry_id)).fetchone()
                entry = _entry(row) if row else None
                if entry is None or entry.state != UNSENT or not self._free(entry, row[8]):
                    db.execute("COMMIT")
                    return None
                db.execute("UPDATE writes SET claimed_by = ?, claim_until = ? WHERE id = ?",
                           (self.owner, self._clock() + LEASE_SECONDS, entry_id))
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            finally:
                db.close()
            self._in_flight.add(entry_id)
            entry.claimed_by = self.owner
            return entry

    def _free(self, entry: JournalEntry, claim_until: float | None) -> bool:
        owner = entry.claimed_by
        return (owner is None or owner == self.owner or claim_until is None or claim_until < self._clock()
                or not is_alive(owner))

    def renew(self, entry_ids) -> bool:
        """The heartbeat of a sender before each attempt: False if another process took any of these entries
        over meanwhile (this one stalled past its lease), and then it must not send them."""
        ids = list(entry_ids)
        held = 0
        with self._lock, self._connect() as db:
            for entry_id in ids:
                held += db.execute("UPDATE writes SET claim_until = ? WHERE id = ? AND claimed_by = ?",
                                   (self._clock() + LEASE_SECONDS, entry_id, self.owner)).rowcount
        return held == len(ids)

    def release(self, entry_id: int) -> None:
        self._set(entry_id, "claimed_by = NULL, claim_until = NULL", ())

    @contextlib.contextmanager
    def send_lock(self):
        """Held while re-sending: one re-sender at a time among every process and thread using this journal.
        Yields False, at once, while another holds it (it is re-sending: nobody needs to wait for it)."""
        if not self._send_threads.acquire(blocking=False):
            yield False
            return
        try:
            with open(self._send_lock_path, "a+b") as handle:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
                try:
                    yield True
                finally:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        finally:
            self._send_threads.release()

    # -- outcomes ---------------------------------------------------------------------------
    def mark_sent(self, entry_id: int) -> None:
        self._set(entry_id, "state = ?, sent_at = ?, attempts = attempts + 1, claimed_by = NULL, claim_until = NULL",
                  (SENT, self._clock()))

    def mark_unsent(self, entry_id: int, error: str = "") -> None:
        """A sent append the sheet does not show (lost to a racing append): to be sent again."""
        with self._lock, self._connect() as db:
            db.execute("UPDATE writes SET state = ?, last_error = ? WHERE id = ? AND state = ?",
                       (UNSENT, error, entry_id, SENT))

    def mark_failed_attempt(self, entry_id: int, error: str) -> None:
        """The attempt ended without an answer: the entry waits, free for any process's `sync` (unless
        another process holds it now)."""
        with self._lock, self._connect() as db:
            db.execute("UPDATE writes SET attempts = attempts + 1, last_error = ?, claimed_by = NULL, claim_until = NULL"
                       " WHERE id = ? AND (claimed_by IS NULL OR claimed_by = ?)", (error, entry_id, self.owner))
            self._in_flight.discard(entry_id)

    def remove(self, entry_id: int) -> None:
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM writes WHERE id = ?", (entry_id,))
            self._in_flight.discard(entry_id)

    def _set(self, entry_id: int, assignments: str, values: tuple) -> None:
        with self._lock, self._connect() as db:
            db.execute(f"UPDATE writes SET {assignments} WHERE id = ?", (*values, entry_id))
            if "claimed_by = NULL" in assignments:
                self._in_flight.discard(entry_id)

    # -- reading ----------------------------------------------------------------------------
    def entries(self, state: str | None = None) -> list[JournalEntry]:
        sql, args = _SELECT, (self.workbook,)
        if state is not None:
            sql, args = sql + " AND state = ?", (*args, state)
        with self._lock, self._connect() as db:
            rows = db.execute(sql + " ORDER BY id", args).fetchall()
        return [_entry(r) for r in rows]

    def sendable(self) -> list[JournalEntry]:
        """Unsent entries this process may claim now (none of another live sender's)."""
        with self._lock, self._connect() as db:
            rows = db.execute(_SELECT + " AND state = ? ORDER BY id", (self.workbook, UNSENT)).fetchall()
        return [e for e, row in ((_entry(r), r) for r in rows)
                if e.id not in self._in_flight and self._free(e, row[8])]

    def waiting(self) -> int:
        return len(self.entries(UNSENT))


_SELECT = ("SELECT id, kind, table_key, payload, state, sent_at, attempts, claimed_by, claim_until"
           " FROM writes WHERE workbook = ?")


def _entry(row) -> JournalEntry:
    return JournalEntry(row[0], row[1], row[2], json.loads(row[3]), row[4], row[5], row[6], row[7])
