"""The durable count of code attempts (sign-in and check-in codes), shared by every process.

Each attempt is written, under the file's write lock, *before* the code is checked, so parallel
attempts and a cleared app cache count like any other; a success is marked afterwards. The file is
private to the app (mode 0600), beside the workbook.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from connectors.files_private import private_file
from workflows.attempts import FREE_FAILURES, KNOWN_FOR, Attempt, budget_until, retry_at

_SCHEMA = "CREATE TABLE IF NOT EXISTS attempts (id INTEGER PRIMARY KEY, subject TEXT, client TEXT, at REAL, ok INTEGER)"


class AttemptLog:
    def __init__(self, path: str | Path, clock=time.time):
        self.path, self._clock = Path(path), clock
        self.path.parent.mkdir(parents=True, exist_ok=True)
        private_file(self.path)
        with self._connect() as db:
            db.execute(_SCHEMA)
            db.execute("CREATE INDEX IF NOT EXISTS by_subject ON attempts (subject, at)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def begin(self, subject: str, client: str, free: int = FREE_FAILURES,
              per_hour: int | None = None) -> tuple[int | None, float | None]:
        """(the attempt's number, None) when it may go ahead — it is counted as failed until
        `succeeded` — or (None, epoch seconds when it may be tried again)."""
        now = self._clock()
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            rows = db.execute("SELECT client, at, ok FROM attempts WHERE subject = ? AND at > ?",
                              (subject, now - KNOWN_FOR)).fetchall()
            history = [Attempt(c, at, bool(ok)) for c, at, ok in rows]
            until = (budget_until(history, now, per_hour) if per_hour is not None
                     else retry_at(history, client, now, free))
            if until is not None:
                db.execute("COMMIT")
                return None, until
            number = db.execute("INSERT INTO attempts (subject, client, at, ok) VALUES (?, ?, ?, 0)",
                                (subject, client, now)).lastrowid
            db.execute("DELETE FROM attempts WHERE at < ?", (now - KNOWN_FOR,))
            db.execute("COMMIT")
            return number, None
        except BaseException:
            db.execute("ROLLBACK") if db.in_transaction else None
            raise
        finally:
            db.close()

    def succeeded(self, number: int) -> None:
        with self._connect() as db:
            db.execute("UPDATE attempts SET ok = 1 WHERE id = ?", (number,))
