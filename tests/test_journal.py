"""Who may send a journal entry: the process that recorded it while it sends, anyone once it gave
up or died or let its lease run out — never two at once."""
from __future__ import annotations

import subprocess
import sys

from connectors.journal import LEASE_SECONDS, Journal


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def two_processes(tmp_path, clock=None):
    """Two journals on one file: each is its own owner, as two processes are."""
    path, clock = tmp_path / "journal.sqlite3", clock or Clock()
    return Journal(path, "gsheets://x", clock=clock), Journal(path, "gsheets://x", clock=clock)


def test_an_entry_being_sent_by_its_writer_is_neither_sendable_nor_claimable_by_another(tmp_path):
    writer, other = two_processes(tmp_path)
    entry_id = writer.record("append", "signups", {"rows": [{"signup_id": "S1"}]}, claim=True)
    assert other.sendable() == [] and other.claim(entry_id) is None
    assert writer.claim(entry_id) is None  # nor by another thread of the writer's own process


def test_an_entry_its_writer_gave_up_is_claimed_by_exactly_one_other(tmp_path):
    writer, other = two_processes(tmp_path)
    third = Journal(tmp_path / "journal.sqlite3", "gsheets://x", clock=writer._clock)
    entry_id = writer.record("append", "signups", {"rows": [{"signup_id": "S1"}]}, claim=True)
    writer.mark_failed_attempt(entry_id, "503")
    assert [e.id for e in other.sendable()] == [entry_id]
    assert other.claim(entry_id) is not None
    assert third.claim(entry_id) is None and writer.claim(entry_id) is None


def test_an_entry_of_a_dead_writer_is_taken_over_at_once(tmp_path):
    path = tmp_path / "journal.sqlite3"
    subprocess.run([sys.executable, "-c", "import sys; from connectors.journal import Journal; "
                    f"Journal({str(path)!r}, 'gsheets://x').record('append', 'signups', {{'rows': []}}, claim=True)"],
                   check=True, timeout=60)  # recorded and claimed, then the process ended without sending
    survivor = Journal(path, "gsheets://x")
    [entry] = survivor.entries()
    assert entry.claimed_by is not None and survivor.claim(entry.id) is not None


def test_a_stalled_writer_loses_its_entry_after_the_lease_and_learns_it_before_sending_again(tmp_path):
    clock = Clock()
    writer, other = two_processes(tmp_path, clock)
    entry_id = writer.record("append", "signups", {"rows": [{"signup_id": "S1"}]}, claim=True)
    clock.now += LEASE_SECONDS / 2
    assert writer.renew([entry_id]) and other.claim(entry_id) is None  # the heartbeat keeps it
    clock.now += LEASE_SECONDS + 1
    assert other.claim(entry_id) is not None
    assert writer.renew([entry_id]) is False
    writer.mark_failed_attempt(entry_id, "timeout")  # does not free what the other holds now
    assert Journal(tmp_path / "journal.sqlite3", "gsheets://x", clock=clock).claim(entry_id) is None


def test_one_re_sender_at_a_time_and_the_others_do_not_wait_for_it(tmp_path):
    first, second = two_processes(tmp_path)
    with first.send_lock() as held:
        assert held
        with second.send_lock() as also:
            assert also is False
    with second.send_lock() as held:
        assert held
