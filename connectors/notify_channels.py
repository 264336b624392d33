"""Where notifications go besides the in-app inbox: e-mail over SMTP, and branch group robots.

Configured per deployment in `.streamlit/secrets.toml` ([notifications], see secrets.toml.example)
or the environment (NOTIFY_SMTP_*, NOTIFY_ROBOTS). A send either returns (the server took it)
or raises `SendFailed` (it is tried again later). None of these channels can recognise a message
it has already taken; an e-mail carries a Message-ID made from the notification's ID, which many
mail clients use to show a resent copy once.

Robots: 企业微信 (WeCom) group robots are addressed by the key in their URL and need no signature;
钉钉 (DingTalk) signs `timestamp\\nsecret` with HMAC-SHA256 into the URL; 飞书 (Feishu/Lark) signs
with `timestamp\\nsecret` as the HMAC key and puts timestamp and sign in the body.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

TIMEOUT_SECONDS = 30.0
ROBOT_KINDS = ("wecom", "dingtalk", "feishu")
EVERY_BRANCH = ("", "*")


class SendFailed(Exception):
    """The channel did not take the message; it is tried again later."""


@dataclass(frozen=True)
class EmailChannel:
    host: str
    port: int = 587
    security: str = "starttls"  # "starttls", "ssl" or "none"
    username: str = ""
    password: str = ""
    sender: str = ""
    ca_file: str = ""  # a private CA's certificate (PEM), for a campus server the system does not trust
    timeout: float = TIMEOUT_SECONDS

    name = "email"

    def _tls(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    def message(self, to: str, subject: str, body: str, notification_id: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender or self.username
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        domain = parseaddr(self.sender or self.username)[1].rpartition("@")[2] or "workbench.invalid"
        message["Message-ID"] = f"<{notification_id}@{domain}>"
        message.set_content(body)
        return message

    def send(self, to: str, subject: str, body: str, notification_id: str) -> None:
        message = self.message(to, subject, body, notification_id)
        try:
            if self.security == "ssl":
                server = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls())
            else:
                server = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with server:
                if self.security == "starttls":
                    server.starttls(context=self._tls())
                if self.username:
                    server.login(self.username, self.password)
                server.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            raise SendFailed(f"{type(error).__name__}: {error}") from None


@dataclass(frozen=True)
class RobotChannel:
    kind: str  # wecom | dingtalk | feishu
    url: str
    secret: str = ""
    branch: str = ""  # the branch whose digests it receives; "" or "*": every branch
    timeout: float = TIMEOUT_SECONDS
    clock: object = field(default=time.time, compare=False, repr=False)

    name = "robot"

    def serves(self, branch: str) -> bool:
        return self.branch in EVERY_BRANCH or self.branch == branch

    @property
    def address(self) -> str:
        """How the outbox names this robot: its kind and URL without the key or token."""
        parts = urllib.parse.urlsplit(self.url)
        return f"{self.kind}:{parts.netloc}{parts.path}#{hashlib.sha256(self.url.encode()).hexdigest()[:8]}"

    def request(self, text: str) -> tuple[str, dict]:
        """The URL and JSON body to post `text` to this robot, signed as its kind requires."""
        if self.kind == "dingtalk":
            url = self.url
            if self.secret:
                stamp = str(int(self.clock() * 1000))
                sign = base64.b64encode(hmac.new(self.secret.encode(), f"{stamp}\n{self.secret}".encode(),
                                                 hashlib.sha256).digest()).decode()
                url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"timestamp": stamp, "sign": sign})
            return url, {"msgtype": "text", "text": {"content": text}}
        if self.kind == "feishu":
            body = {"msg_type": "text", "content": {"text": text}}
            if self.secret:
                stamp = str(int(self.clock()))
                sign = base64.b64encode(hmac.new(f"{stamp}\n{self.secret}".encode(), b"",
                                                 hashlib.sha256).digest()).decode()
                body = {"timestamp": stamp, "sign": sign, **body}
            return self.url, body
        return self.url, {"msgtype": "text", "text": {"content": text}}

    def send(self, text: str) -> None:
        url, body = self.request(text)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        post = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"},
                                      method="POST")
        try:
            with urllib.request.urlopen(post, timeout=self.timeout) as answer:
                reply = json.loads(answer.read().decode("utf-8") or "{}")
        except (OSError, ValueError) as error:
            raise SendFailed(f"{type(error).__name__}: {error}") from None
        code = reply.get("errcode", reply.get("code", reply.get("StatusCode", 0)))
        if code not in (0, "0", None):
            raise SendFailed(f"{self.kind} answered {code}: {reply.get('errmsg') or reply.get('msg') or ''}")


@dataclass(frozen=True)
class Channels:
    email: EmailChannel | None = None
    robots: tuple[RobotChannel, ...] = ()
    language: str = "zh"  # "zh", "en", or "zh+en" (both, Chinese first)
    in_app: bool = False  # the running app sends from its refresh thread too

    def robot(self, address: str) -> RobotChannel | None:
        return next((robot for robot in self.robots if robot.address == address), None)


def _flag(value) -> bool:
    return str(value).strip().casefold() in ("1", "true", "yes", "on")


def channels_from(secrets: dict, env=os.environ) -> Channels:
    """The channels a deployment configured: secrets' [notifications], overridden by the environment."""
    table = dict(secrets.get("notifications", {}))
    mail = dict(table.get("email", {}))
    for key, name in (("host", "NOTIFY_SMTP_HOST"), ("port", "NOTIFY_SMTP_PORT"), ("security", "NOTIFY_SMTP_SECURITY"),
                      ("username", "NOTIFY_SMTP_USER"), ("password", "NOTIFY_SMTP_PASSWORD"),
                      ("sender", "NOTIFY_SMTP_FROM"), ("ca_file", "NOTIFY_SMTP_CA_FILE")):
        if env.get(name):
            mail[key] = env[name]
    email = None
    if mail.get("host"):
        security = str(mail.get("security", "starttls")).casefold()
        email = EmailChannel(str(mail["host"]), int(mail.get("port") or (465 if security == "ssl" else 587)),
                             security if security in ("starttls", "ssl", "none") else "starttls",
                             str(mail.get("username", "")), str(mail.get("password", "")), str(mail.get("sender", "")),
                             str(mail.get("ca_file", "")))
    robots_config = json.loads(env["NOTIFY_ROBOTS"]) if env.get("NOTIFY_ROBOTS") else table.get("robots", [])
    robots = tuple(RobotChannel(str(r["kind"]).casefold(), str(r["url"]), str(r.get("secret", "")),
                                str(r.get("branch", ""))) for r in robots_config
                   if str(r.get("kind", "")).casefold() in ROBOT_KINDS and r.get("url"))
    language = str(env.get("NOTIFY_LANGUAGE") or table.get("language", "zh"))
    in_app = _flag(env.get("NOTIFY_IN_APP") or table.get("send_from_app", False))
    return Channels(email, robots, language if language in ("zh", "en", "zh+en") else "zh", in_app)
