"""The local write journal of a Google Sheets workbook.

Every write is recorded here before it is sent. An append leaves the journal only once a
snapshot taken after it was sent shows its IDs in the sheet; an update once the API accepted
it. What Google did not get (an outage, a lost racing append) stays, is shown to its author
(read-your-writes) and is re-sent by `sync`.
"""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from connectors.files_private import private_file

UNSENT, SENT = "unsent", "sent"

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
    last_error TEXT
)"""


@dataclass
class JournalEntry:
    id: int
    kind: str  # "append" | "update"
    table: str
    payload: dict
    state: str
    sent_at: float | None
    attempts: int


class Journal:
    def __init__(self, path: str | Path, workbook: str, clock=time.time):
        self.path, self.workbook, self._clock = str(path), workbook, clock
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        private_file(self.path)
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def record(self, kind: str, table: str, payload: dict) -> int:
        with self._lock, self._connect() as db:
            cursor = db.execute(
                "INSERT INTO writes (workbook, kind, table_key, payload, state, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                (self.workbook, kind, table, json.dumps(payload, ensure_ascii=False), UNSENT, self._clock()))
            return cursor.lastrowid

    def mark_sent(self, entry_id: int) -> None:
        self._set(entry_id, "state = ?, sent_at = ?, attempts = attempts + 1", (SENT, self._clock()))

    def mark_unsent(self, entry_id: int, error: str = "") -> None:
        self._set(entry_id, "state = ?, last_error = ?", (UNSENT, error))

    def mark_failed_attempt(self, entry_id: int, error: str) -> None:
        self._set(entry_id, "attempts = attempts + 1, last_error = ?", (error,))

    def remove(self, entry_id: int) -> None:
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM writes WHERE id = ?", (entry_id,))

    def _set(self, entry_id: int, assignments: str, values: tuple) -> None:
        with self._lock, self._connect() as db:
            db.execute(f"UPDATE writes SET {assignments} WHERE id = ?", (*values, entry_id))

    def entries(self, state: str | None = None) -> list[JournalEntry]:
        sql = "SELECT id, kind, table_key, payload, state, sent_at, attempts FROM writes WHERE workbook = ?"
        args: tuple = (self.workbook,)
        if state is not None:
            sql, args = sql + " AND state = ?", (*args, state)
        with self._lock, self._connect() as db:
            rows = db.execute(sql + " ORDER BY id", args).fetchall()
        return [JournalEntry(r[0], r[1], r[2], json.loads(r[3]), r[4], r[5], r[6]) for r in rows]

    def waiting(self) -> int:
        return len(self.entries(UNSENT))
