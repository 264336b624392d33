"""Delivering notifications: a real SMTP server and fake group robots on loopback, the outbox's
exactly-once under concurrent `cli.py notify` runs, failed sends and a crash mid-send."""
from __future__ import annotations

import base64
import datetime as dt
import email
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from connectors.live import LiveWorkbook
from connectors.notify_channels import Channels, EmailChannel, RobotChannel, channels_from
from connectors.outbox import LEASE_SECONDS, Outbox, Planned
from connectors.sqlite_workbook import SqliteWorkbook
from services.activities import cancel
from services.clock import fixed_clock
from services.notifications import choose, inbox, mark_read, notify, plan, send_due, texts, unread
from workflows.notifications import due
from services.requests import act
from workflows.access import Viewer

ROOT = Path(__file__).resolve().parent.parent
T0 = dt.datetime(2025, 11, 18, 10, 0)
AS_OF = "2025-11-18 10:05"
DING_SECRET, FEISHU_SECRET = "SECdingtalk", "feishu-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


class Mailbox:
    """What the SMTP server on loopback received; it refuses the next `refuse` messages with 451."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 try again later"
            self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


class RobotServer(ThreadingHTTPServer):
    posts: list


class RobotHandler(BaseHTTPRequestHandler):
    """A fake of the 企业微信 / 钉钉 / 飞书 webhooks that checks each one's signature as they do."""

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        kind = url.path.strip("/")
        ok = True
        if kind == "dingtalk":
            expected = base64.b64encode(hmac.new(DING_SECRET.encode(), f"{query.get('timestamp')}\n{DING_SECRET}".encode(),
                                                 hashlib.sha256).digest()).decode()
            ok = query.get("sign") == expected
        if kind == "feishu":
            expected = base64.b64encode(hmac.new(f"{body.get('timestamp')}\n{FEISHU_SECRET}".encode(), b"",
                                                 hashlib.sha256).digest()).decode()
            ok = body.get("sign") == expected
        text = body.get("text", {}).get("content") or body.get("content", {}).get("text")
        if ok:
            self.server.posts.append((kind, text))
        answer = {"code": 0 if ok else 19021} if kind == "feishu" else {"errcode": 0 if ok else 310000}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def robots():
    server = RobotServer(("127.0.0.1", 0), RobotHandler)
    server.posts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.posts, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def robot_config(base: str) -> list[dict]:
    return [{"kind": "wecom", "url": f"{base}/wecom?key=k1", "branch": "一支部"},
            {"kind": "dingtalk", "url": f"{base}/dingtalk?access_token=t1", "secret": DING_SECRET, "branch": "*"},
            {"kind": "feishu", "url": f"{base}/feishu", "secret": FEISHU_SECRET, "branch": "二支部"}]


def person(pid, **more):
    return {"person_id": pid, "name": f"成员{pid}", "political_status": "party_member", "branch": "一支部",
            "email": f"{pid.lower()}@example.edu.cn", "phone": "13911112222", **more}


@pytest.fixture
def url(tmp_path):
    """A workbook: A1 (2 places) with P1, P2 confirmed and P3 waitlisted; Q1 of R1 assigned to M1; hours of
    P2 waiting for review (so 一支部's coordinator and robots get a digest)."""
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    book = SqliteWorkbook(url)
    book.ensure_schema("en")
    book.append("people", [person("P1"), person("P2"), person("P3"), person("R1"), person("M1"),
                           person("C1", role="coordinator")])
    book.append("activities", [{"activity_id": "A1", "title": "社区义诊", "starts_at": "2025-11-25 09:00",
                                "ends_at": "2025-11-25 11:00", "capacity": "2", "location": "东门广场",
                                "checkin_code": "K7Q2", "status": "open", "branch": "一支部"}])
    book.append("signups", [{"signup_id": f"S{i}", "activity_id": "A1", "person_id": p, "action": "signup",
                             "at": f"2025-11-10 10:0{i}"} for i, p in enumerate(["P1", "P2", "P3"])])
    book.append("requests", [{"request_id": "Q1", "title": "水龙头漏水", "requester_id": "R1", "contact": "13800001111",
                              "submitted_at": "2025-11-17 09:00", "status": "assigned", "assignee_id": "M1",
                              "category": "维修", "due_at": "2025-11-20 09:00"}])
    book.append("hours", [{"entry_id": "H1", "person_id": "P2", "date": "2025-11-17", "hours": "2",
                           "description": "整理图书", "status": "pending"}])
    return url


def the_events_happen(url: str) -> None:
    """P1 cancels (P3 gets the place); M1 resolves Q1."""
    live = LiveWorkbook(SqliteWorkbook(url), interval_seconds=0)
    assert cancel(live, "A1", "P1", "P1", fixed_clock(T0)).promoted == "P3"
    act(live, "Q1", "resolve", Viewer("M1", "成员M1", "volunteer", "一支部"), fixed_clock(T0),
        resolution="已更换阀门")


def cli_env(url: str, smtp_port: int, robots_base: str) -> dict:
    return {**os.environ, "WORKBOOK_URL": url, "NOTIFY_SMTP_HOST": "127.0.0.1", "NOTIFY_SMTP_PORT": str(smtp_port),
            "NOTIFY_SMTP_SECURITY": "none", "NOTIFY_SMTP_FROM": "工作台 <noreply@example.edu.cn>",
            "NOTIFY_ROBOTS": json.dumps(robot_config(robots_base))}


def run_cli_twice_at_once(env: dict, *argv: str) -> list[subprocess.CompletedProcess]:
    runs = [subprocess.Popen([sys.executable, "cli.py", "notify", "--as-of", AS_OF, "--json", *argv], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for process in runs:
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_done_when_a_promotion_and_a_resolution_are_each_delivered_once_by_two_concurrent_runs(url, smtp, robots):
    mailbox, port = smtp
    posts, base = robots
    the_events_happen(url)
    env = cli_env(url, port, base)
    first, second = run_cli_twice_at_once(env)
    assert (first.returncode, second.returncode) == (0, 0), first.stderr + second.stderr
    sent = json.loads(first.stdout)["sent"] + json.loads(second.stdout)["sent"]
    keys = [(s["id"], s["channel"], s["recipient"]) for s in sent]
    assert len(keys) == len(set(keys)) and keys  # no delivery sent by both runs

    places = [m for m in mailbox.to("p3@example.edu.cn") if "您已获得名额" in m["Subject"]]
    assert len(places) == 1 and "社区义诊" in places[0].get_content()
    assert [m for m in mailbox.to("r1@example.edu.cn") if "请评价" in m["Subject"]].__len__() == 1
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(ids) == len(set(ids))

    outbox = Outbox(f"{url.removeprefix('sqlite:///')}.outbox")
    p3 = Viewer("P3", "成员P3", "volunteer", "一支部")
    assert [item.kind for item in inbox(outbox, p3)].count("waitlist_promoted") == 1
    assert unread(outbox, p3) >= 1

    digests = [(kind, text) for kind, text in posts if "每日简报" in text]
    assert sorted(kind for kind, _ in digests) == ["dingtalk", "wecom"]  # 一支部's robots, not 二支部's feishu

    again = subprocess.run([sys.executable, "cli.py", "notify", "--as-of", AS_OF, "--json"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0 and json.loads(again.stdout)["sent"] == []
    assert len(mailbox.messages) == len(set(ids))


def test_no_email_or_robot_post_carries_a_private_value_of_someone_else(url, smtp, robots):
    mailbox, port = smtp
    posts, base = robots
    the_events_happen(url)
    run_cli_twice_at_once(cli_env(url, port, base))
    assert mailbox.messages and posts
    for message in mailbox.messages:
        words = message["Subject"] + message.get_content()
        for secret in ("13911112222", "13800001111", "K7Q2"):
            assert secret not in words
        other_addresses = {f"{p}@example.edu.cn" for p in ("p1", "p2", "p3", "r1", "m1", "c1")} - {message["To"]}
        assert not any(address in words for address in other_addresses)
    for _, text in posts:
        assert not any(secret in text for secret in ("13911112222", "13800001111", "K7Q2", "水龙头漏水", "@example"))


def run_cli(url, port, base, monkeypatch, *argv) -> int:
    import cli

    for key, value in cli_env(url, port, base).items():
        if key.startswith("NOTIFY_"):
            monkeypatch.setenv(key, value)
    return cli.main(["notify", "--workbook", url, "--as-of", AS_OF, "--json", *argv])


def test_dry_run_prints_what_is_due_and_records_and_sends_nothing(url, smtp, robots, capsys, monkeypatch):
    mailbox, port = smtp
    the_events_happen(url)
    code = run_cli(url, port, robots[1], monkeypatch, "--dry-run")
    would = json.loads(capsys.readouterr().out)["would_send"]
    assert code == 0 and mailbox.messages == []
    promoted = [n for n in would if n["kind"] == "waitlist_promoted"]
    assert [(n["recipient"], n["channels"]) for n in promoted] == [("P3", ["inbox", "email"])]
    assert Outbox(f"{url.removeprefix('sqlite:///')}.outbox").counts() == {}


def test_notify_keeps_the_tables_it_read_and_its_next_run_sees_the_cancellation_made_since(url, smtp, robots, capsys,
                                                                                            monkeypatch):
    """notify only reads the workbook (it writes to the outbox), so it keeps its parsed tables for the
    next run as report does: a scheduled run every few minutes reads only what changed since."""
    run_cli(url, smtp[1], robots[1], monkeypatch, "--dry-run")
    before = json.loads(capsys.readouterr().out)["would_send"]
    assert Path(url.removeprefix("sqlite:///") + "-kept").exists()
    the_events_happen(url)
    run_cli(url, smtp[1], robots[1], monkeypatch, "--dry-run")
    after = json.loads(capsys.readouterr().out)["would_send"]
    assert [n for n in before if n["kind"] == "waitlist_promoted"] == []
    assert [n["recipient"] for n in after if n["kind"] == "waitlist_promoted"] == ["P3"]


def test_notify_exits_1_when_a_send_failed_and_0_once_nothing_is_left(url, smtp, robots, capsys, monkeypatch):
    mailbox, port = smtp
    the_events_happen(url)
    mailbox.refuse = 10_000
    assert run_cli(url, port, robots[1], monkeypatch) == 1
    failed = json.loads(capsys.readouterr().out)["failed"]
    assert failed and all(f["retry"] and "451" in f["error"] for f in failed)
    assert run_cli(url, port, robots[1], monkeypatch) == 0  # the retries wait; nothing else is due
    assert mailbox.messages == []


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def live_of(url: str) -> LiveWorkbook:
    return LiveWorkbook(SqliteWorkbook(url), interval_seconds=0)


def test_a_failed_send_is_retried_after_a_growing_wait_and_then_delivered_once(url, smtp, tmp_path):
    mailbox, port = smtp
    the_events_happen(url)
    clock = Clock()
    outbox = Outbox(tmp_path / "o.sqlite3", clock=clock)
    channels = Channels(EmailChannel("127.0.0.1", port, "none", sender="noreply@example.edu.cn"))
    mailbox.refuse = 100
    first = notify(live_of(url), outbox, channels, fixed_clock(T0 + dt.timedelta(minutes=5)))
    assert not first.ok and first.sent == [] and all(f["retry"] for f in first.failed)
    mailbox.refuse = 0
    assert send_due(outbox, channels).sent == []  # the wait has not passed yet
    clock.now += 61
    retried = send_due(outbox, channels)
    assert retried.ok and len(retried.sent) == len(first.failed)
    mailbox.refuse = 100
    again = notify(live_of(url), outbox, channels, fixed_clock(T0 + dt.timedelta(minutes=6)))
    assert again.sent == [] and again.failed == []  # each was sent once; nothing new is due
    assert len({m["Message-ID"] for m in mailbox.messages}) == len(mailbox.messages) == len(first.failed)


def test_a_send_that_keeps_failing_is_given_up_and_reported(url, smtp, tmp_path):
    mailbox, port = smtp
    the_events_happen(url)
    clock = Clock()
    outbox = Outbox(tmp_path / "o.sqlite3", clock=clock)
    channels = Channels(EmailChannel("127.0.0.1", port, "none", sender="noreply@example.edu.cn"))
    mailbox.refuse = 10_000
    failed = notify(live_of(url), outbox, channels, fixed_clock(T0 + dt.timedelta(minutes=5))).failed
    for _ in range(20):
        clock.now += 7 * 3600
        failed += send_due(outbox, channels).failed
    given_up = {f["id"] for f in failed if not f["retry"]}
    assert given_up == {f["id"] for f in failed} and len([f for f in failed if not f["retry"]]) == len(given_up)
    assert outbox.counts().get("given_up") == len(given_up) and outbox.counts().get("pending") is None
    assert mailbox.messages == []


def test_a_crash_between_sending_and_marking_resends_at_most_once(url, smtp, tmp_path):
    mailbox, port = smtp
    the_events_happen(url)
    clock = Clock()
    outbox = Outbox(tmp_path / "o.sqlite3", clock=clock)
    channels = Channels(EmailChannel("127.0.0.1", port, "none", sender="noreply@example.edu.cn"))
    shown = live_of(url).data()
    emails = dict(zip(shown.tables["people"]["person_id"], shown.tables["people"]["email"]))
    outbox.record(plan(due(shown.tables, T0 + dt.timedelta(minutes=5)), emails, channels, set(), "Asia/Shanghai"))

    def crash_after_sending(owner):
        delivery = outbox.claim(owner)
        channels.email.send(delivery.address, *texts(delivery.kind, delivery.params, "zh"), delivery.notification_id)
        return delivery  # the process dies here: never marked sent

    crashed = crash_after_sending("dead-1")
    assert send_due(outbox, channels).sent  # the others go; the leased one waits for its lease
    message_id = f"<{crashed.notification_id}@example.edu.cn>"
    assert [m["Message-ID"] for m in mailbox.messages].count(message_id) == 1
    clock.now += LEASE_SECONDS + 1
    resent = outbox.claim("dead-2")  # taken over once, and the process dies again
    assert resent.notification_id == crashed.notification_id and resent.resent_after_crash
    channels.email.send(resent.address, "again", "again", resent.notification_id)
    clock.now += LEASE_SECONDS + 1
    assert send_due(outbox, channels).sent == []
    copies = [m for m in mailbox.messages if m["Message-ID"] == message_id]
    assert len(copies) == 2  # the send, and at most one more
    assert outbox.deliveries_of(crashed.notification_id)[0]["state"] == "unsure"


def test_a_kind_turned_off_reaches_the_person_by_no_channel_and_others_still_get_theirs(url, smtp, tmp_path):
    mailbox, port = smtp
    the_events_happen(url)
    outbox = Outbox(tmp_path / "o.sqlite3")
    p3 = Viewer("P3", "成员P3", "volunteer", "一支部")
    choose(outbox, p3, "waitlist_promoted", False)
    channels = Channels(EmailChannel("127.0.0.1", port, "none", sender="noreply@example.edu.cn"))
    assert notify(live_of(url), outbox, channels, fixed_clock(T0 + dt.timedelta(minutes=5))).ok
    assert mailbox.to("p3@example.edu.cn") == [] and inbox(outbox, p3) == []
    assert [m for m in mailbox.to("r1@example.edu.cn") if "请评价" in m["Subject"]]


def test_a_person_reads_and_marks_only_their_own_inbox(url, tmp_path):
    the_events_happen(url)
    outbox = Outbox(tmp_path / "o.sqlite3")
    notify(live_of(url), outbox, Channels(), fixed_clock(T0 + dt.timedelta(minutes=5)))
    p3, r1 = Viewer("P3", "", "volunteer", "一支部"), Viewer("R1", "", "volunteer", "一支部")
    assert {item.kind for item in inbox(outbox, p3)} == {"waitlist_promoted"}
    assert "request_resolved" in {item.kind for item in inbox(outbox, r1)}
    before = unread(outbox, r1)
    mark_read(outbox, p3, [item.id for item in inbox(outbox, r1)])  # someone else's IDs change nothing
    assert unread(outbox, r1) == before and unread(outbox, p3) == 1
    mark_read(outbox, p3)
    assert unread(outbox, p3) == 0 and all(item.read for item in inbox(outbox, p3))


def test_robots_are_signed_as_dingtalk_and_feishu_require_and_a_refused_signature_fails(robots):
    posts, base = robots
    for config in robot_config(base):
        RobotChannel(config["kind"], config["url"], config.get("secret", "")).send(f"hello {config['kind']}")
    assert sorted(posts) == [("dingtalk", "hello dingtalk"), ("feishu", "hello feishu"), ("wecom", "hello wecom")]
    from connectors.notify_channels import SendFailed

    with pytest.raises(SendFailed):
        RobotChannel("dingtalk", f"{base}/dingtalk?access_token=t1", "wrong-secret").send("x")


def test_channels_come_from_the_secrets_table_and_the_environment_overrides_it():
    secrets = {"notifications": {"language": "en", "send_from_app": True,
                                 "email": {"host": "smtp.example.edu.cn", "security": "ssl", "sender": "a@b.cn"},
                                 "robots": [{"kind": "feishu", "url": "https://open.feishu.cn/x", "secret": "s"}]}}
    channels = channels_from(secrets, {})
    assert (channels.email.host, channels.email.port, channels.email.security) == ("smtp.example.edu.cn", 465, "ssl")
    assert channels.language == "en" and channels.in_app and [r.kind for r in channels.robots] == ["feishu"]
    overridden = channels_from(secrets, {"NOTIFY_SMTP_HOST": "127.0.0.1", "NOTIFY_SMTP_PORT": "2525",
                                         "NOTIFY_SMTP_SECURITY": "none"})
    assert (overridden.email.host, overridden.email.port, overridden.email.security) == ("127.0.0.1", 2525, "none")
    assert channels_from({}, {}).email is None


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, as a campus mail server with its own CA would have."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def tls_server(certificate, **options):
    import ssl

    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    mailbox = Mailbox()

    def authenticator(server, session, envelope, mechanism, data):
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (b"robot", b"s3cret")
        return AuthResult(success=good)

    if options.pop("implicit", False):  # the whole connection is TLS: aiosmtpd does not know it, so AUTH is allowed
        options.update(ssl_context=context, auth_require_tls=False)
    else:
        options.update(tls_context=context, require_starttls=True, auth_require_tls=True)
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator, **options)
    controller.start()
    return mailbox, controller


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_goes_over_starttls_or_ssl_with_a_login_and_the_servers_own_ca(certificate, security):
    mailbox, controller = tls_server(certificate, implicit=security == "ssl")
    try:
        channel = EmailChannel("127.0.0.1", controller.port, security, "robot", "s3cret", "noreply@example.edu.cn",
                               ca_file=str(certificate[0]))
        channel.send("p3@example.edu.cn", "您已获得名额：社区义诊", "正文", "Nabc")
        assert [(m["To"], m["Subject"], m["Message-ID"]) for m in mailbox.messages] == [
            ("p3@example.edu.cn", "您已获得名额：社区义诊", "<Nabc@example.edu.cn>")]
        from connectors.notify_channels import SendFailed

        with pytest.raises(SendFailed):  # a certificate nobody vouches for is refused
            EmailChannel("127.0.0.1", controller.port, security, "robot", "s3cret", "noreply@example.edu.cn").send(
                "p3@example.edu.cn", "x", "x", "Ny")
        assert len(mailbox.messages) == 1
    finally:
        controller.stop()


def test_the_outbox_which_holds_addresses_is_readable_by_the_app_only(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3")
    outbox.choose("P1", "reminder_2h", False)
    for path in tmp_path.iterdir():
        assert path.stat().st_mode & 0o077 == 0, path.name


def epoch(moment: dt.datetime) -> float:
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()


def test_a_reminder_held_by_the_quiet_hours_is_not_sent_to_someone_who_cancelled_meanwhile(url, smtp, tmp_path):
    mailbox, port = smtp
    clock = Clock()
    outbox = Outbox(tmp_path / "o.sqlite3", clock=clock)
    channels = Channels(EmailChannel("127.0.0.1", port, "none", sender="noreply@example.edu.cn"))
    evening, morning = dt.datetime(2025, 11, 24, 23, 0), dt.datetime(2025, 11, 25, 7, 5)  # A1 starts 11-25 09:00
    clock.now = epoch(evening)
    held = notify(live_of(url), outbox, channels, fixed_clock(evening))
    assert held.sent == [] and held.recorded  # quiet until 07:00
    cancel(live_of(url), "A1", "P2", "P2", fixed_clock(evening + dt.timedelta(minutes=30)))
    clock.now = epoch(morning)
    assert notify(live_of(url), outbox, channels, fixed_clock(morning)).ok
    # P1, still confirmed, gets the 2-hour reminder; the day-before one held overnight is superseded
    assert [m["Subject"] for m in mailbox.to("p1@example.edu.cn")] == ["即将开始：社区义诊"]
    assert not [m for m in mailbox.to("p2@example.edu.cn") if "社区义诊" in m["Subject"]]
    assert not [item for item in inbox(outbox, Viewer("P2", "", "volunteer", "一支部")) if item.kind == "reminder_24h"]


CLAIMER = """
import sys
from connectors.outbox import Outbox
outbox = Outbox(sys.argv[1])
while (delivery := outbox.claim(sys.argv[2])) is not None:
    print(delivery.notification_id, flush=True)
    outbox.sent(delivery, sys.argv[2])
"""


def test_processes_claiming_from_one_outbox_at_once_never_take_the_same_delivery(tmp_path):
    path = tmp_path / "o.sqlite3"
    outbox = Outbox(path)
    ids = [f"N{i:04}" for i in range(300)]
    outbox.record([Planned(id_, "hours_approved", "P1", "H", id_, "2025-11-18 10:00:00", {},
                           deliveries=(("email", "p1@example.edu.cn"),)) for id_ in ids])
    runs = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(path), f"worker-{n}"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(3)]
    taken = []
    for process in runs:
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        taken += out.split()
    assert sorted(taken) == ids  # every one once, none twice
    assert outbox.counts() == {"sent": 300}
