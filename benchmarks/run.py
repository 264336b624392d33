"""Speed of the things people wait for, each against a baseline measured in the same run.

    python -m benchmarks.run            (from the project root, in the project's venv)

Prints one line per benchmark: the time of our way, the time of the baseline, and the ratio.
"""
from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from connectors.live import LiveWorkbook
from connectors.parsing import parse_snapshot
from connectors.sqlite_workbook import SqliteWorkbook
from demo.codes import load_demo_rows
from workflows.indicators import report
from workflows.signup import derive

NOW = dt.datetime(2025, 11, 20, 10, 0)


def timed(function, repeat: int = 5) -> float:
    """The median CPU time of `repeat` calls, in seconds (CPU time, not wall time: a busy machine's
    other processes do not count, so runs on a shared 2-core machine compare)."""
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def demo_workbook(folder: Path) -> SqliteWorkbook:
    book = SqliteWorkbook(f"sqlite:///{folder / 'bench.sqlite3'}")
    book.ensure_schema()
    for table, rows in load_demo_rows(NOW):
        book.append(table, rows)
    return book


def shared_snapshot_for_100_viewers(book: SqliteWorkbook) -> tuple[float, float]:
    """100 page runs within one refresh interval: one shared read vs a read and parse per page."""
    def ours():
        live = LiveWorkbook(book, interval_seconds=15)
        for _ in range(100):
            live.data()

    def baseline():
        for _ in range(100):
            parse_snapshot(book.snapshot())

    return timed(ours, 3), timed(baseline, 3)


def roster_derivation(book: SqliteWorkbook) -> tuple[float, float]:
    """Every roster from the sign-up log in one pass vs re-deriving the log for each activity."""
    tables = parse_snapshot(book.snapshot())
    activities = list(tables["activities"]["activity_id"])

    def baseline():
        for activity_id in activities:
            derive(tables).roster(activity_id)

    return timed(lambda: derive(tables)), timed(baseline, 1)


def report_per_snapshot(book: SqliteWorkbook) -> tuple[float, float]:
    """The dashboard's figures once per snapshot for 20 viewers vs computing them for each viewer."""
    tables = parse_snapshot(book.snapshot())
    cache = {}

    def ours():
        cache.clear()
        for _ in range(20):
            if "figures" not in cache:
                cache["figures"] = report(tables, derive(tables), NOW)

    def baseline():
        for _ in range(20):
            report(tables, derive(tables), NOW)

    return timed(ours, 3), timed(baseline, 1)


def one_sign_up(book: SqliteWorkbook) -> tuple[float, float]:
    """One sign-up as a person waits for it (decide, append, answer with the place) vs a raw SQLite
    insert that makes the same checks (duplicate, capacity) in one transaction."""
    import sqlite3

    from services.activities import sign_up
    from workflows.tables import active_people

    live = LiveWorkbook(book, interval_seconds=3600)
    activity_id = "BENCH-SIGNUP"
    book.append("activities", [{"activity_id": activity_id, "title": "bench", "starts_at": "2030-01-01 03:00",
                                "ends_at": "2030-01-01 04:00", "capacity": "50", "status": "open"}])
    live.refresh()
    people = iter(active_people(live.data().tables)["person_id"])
    clock = lambda: dt.datetime.now().replace(year=2029)  # noqa: E731 - before the deadline, ticking

    def ours():
        person_id = next(people)
        sign_up(live, activity_id, person_id, person_id, clock)

    raw = sqlite3.connect(book.url.removeprefix("sqlite:///") + ".raw", isolation_level=None)
    raw.execute("CREATE TABLE IF NOT EXISTS signups (id TEXT PRIMARY KEY, activity_id TEXT, person_id TEXT, at TEXT)")
    raw.execute("CREATE INDEX IF NOT EXISTS by_activity ON signups (activity_id, person_id)")
    counter = iter(range(10 ** 9))

    def baseline():
        n = next(counter)
        raw.execute("BEGIN IMMEDIATE")
        taken = raw.execute("SELECT count(*) FROM signups WHERE activity_id = ?", (activity_id,)).fetchone()[0]
        twice = raw.execute("SELECT 1 FROM signups WHERE activity_id = ? AND person_id = ?", (activity_id, n)).fetchone()
        if twice is None and taken >= 0:
            raw.execute("INSERT INTO signups VALUES (?, ?, ?, ?)", (f"S{n}", activity_id, str(n), str(time.time())))
        raw.execute("COMMIT")

    return timed(ours, 20), timed(baseline, 20)


BENCHMARKS = {"shared snapshot, 100 page runs": shared_snapshot_for_100_viewers,
              "all rosters of the demo": roster_derivation,
              "dashboard figures, 20 viewers": report_per_snapshot,
              "one sign-up (vs raw SQLite insert)": one_sign_up}


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        book = demo_workbook(Path(folder))
        print(f"{'benchmark':<34}{'ours':>12}{'baseline':>12}{'ratio':>10}")
        for name, benchmark in BENCHMARKS.items():
            ours, baseline = benchmark(book)
            print(f"{name:<34}{ours * 1000:>10.1f}ms{baseline * 1000:>10.1f}ms{baseline / ours:>9.3g}x")


if __name__ == "__main__":
    main()
