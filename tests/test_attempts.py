"""Attempt limits on codes: counted durably before the code is checked, growing waits per client,
and a ceiling per person that cannot lock the person out of a device they signed in from."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from connectors.attempts import AttemptLog
from workflows.attempts import FREE_FAILURES, PERSON_CEILING


class Clock:
    def __init__(self, start: float = 1_800_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now


def test_twenty_parallel_attempts_get_no_more_tries_than_the_limit_allows(tmp_path):
    log = AttemptLog(tmp_path / "a.sqlite3", Clock())
    with ThreadPoolExecutor(max_workers=20) as pool:
        started = list(pool.map(lambda _: log.begin("sign-in:L1", "ip:6.6.6.6")[0], range(20)))
    assert sum(number is not None for number in started) == FREE_FAILURES


def test_clearing_the_app_cache_or_opening_a_new_session_does_not_reset_the_count(tmp_path):
    clock = Clock()
    first = AttemptLog(tmp_path / "a.sqlite3", clock)
    for _ in range(FREE_FAILURES):
        assert first.begin("sign-in:L1", "ip:6.6.6.6")[0] is not None
    again = AttemptLog(tmp_path / "a.sqlite3", clock)  # what a cleared st.cache_resource builds
    number, until = again.begin("sign-in:L1", "ip:6.6.6.6")
    assert number is None and until > clock.now


def test_waits_grow_with_each_wrong_attempt_and_a_success_clears_them(tmp_path):
    clock = Clock()
    log = AttemptLog(tmp_path / "a.sqlite3", clock)
    waits = []
    for _ in range(FREE_FAILURES + 3):
        number, until = log.begin("sign-in:P1", "ip:1.1.1.1")
        if number is None:
            waits.append(until - clock.now)
            clock.now = until
            number, _ = log.begin("sign-in:P1", "ip:1.1.1.1")
        assert number is not None
    assert waits == sorted(waits) and len(set(waits)) == len(waits) and waits[0] > 0
    clock.now += 3600
    number, _ = log.begin("sign-in:P1", "ip:1.1.1.1")
    log.succeeded(number)
    assert log.begin("sign-in:P1", "ip:1.1.1.1")[0] is not None


def test_an_attacker_with_many_addresses_cannot_lock_the_leader_out_of_her_own_device(tmp_path):
    clock = Clock()
    log = AttemptLog(tmp_path / "a.sqlite3", clock)
    number, _ = log.begin("sign-in:LEADER", "ip:10.0.0.5")  # the leader signed in from her office before
    log.succeeded(number)
    clock.now += 60
    allowed = 0
    for n in range(200):  # wrong codes from 200 addresses, as fast as the limits let them
        allowed += log.begin("sign-in:LEADER", f"ip:6.6.{n // 250}.{n % 250}")[0] is not None
    assert allowed == PERSON_CEILING  # guessing stops at the ceiling for unknown clients
    assert log.begin("sign-in:LEADER", "ip:10.0.0.5")[0] is not None  # her own device still may try


def test_the_attempt_file_is_private_to_the_app(tmp_path):
    AttemptLog(tmp_path / "a.sqlite3", Clock())
    assert (tmp_path / "a.sqlite3").stat().st_mode & 0o077 == 0
