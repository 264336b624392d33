"""Lasting sign-ins: the signed token a browser keeps in a cookie, and the rules that accept it.

A token names a person and the moment it expires, signed (HMAC-SHA256) with the app's key over
those two and a fingerprint of the person's *current* sign-in code. Nothing secret is in the
token; whoever changes a byte of it breaks the signature. Resetting or revoking the person's
code changes (or removes) the fingerprint, so every token issued before no longer verifies: a
lasting session ends the moment its code does.
"""
from __future__ import annotations

import base64
import hashlib
import hmac

from workflows.codes import DEMO_ISSUER, current_code
from workflows.meta import holds_demo
from workflows.tables import Tables

VERSION = "v1"
DEFAULT_DAYS = 14


def code_fingerprint(tables: Tables, person_id: str) -> str | None:
    """What identifies the person's current code (its row and hash), or None when they have no code
    that signs them in (none, revoked, or a demo code in a workbook that no longer holds the demo)."""
    latest = current_code(tables["_access_codes"], person_id) if person_id else None
    if latest is None or (str(latest["issued_by"]).strip() == DEMO_ISSUER and not holds_demo(tables)):
        return None
    return f"{latest['code_id']}|{latest['hash']}"


def issue_token(key: bytes, person_id: str, fingerprint: str, now_epoch: float, days: float = DEFAULT_DAYS) -> str:
    """A token for `person_id`, valid for `days` from now, bound to the code with `fingerprint`."""
    expires = int(now_epoch + days * 86400)
    person = _encode(person_id.encode())
    return f"{VERSION}.{person}.{expires}.{_signature(key, person, expires, fingerprint)}"


def token_holder(key: bytes, token: str, tables: Tables, now_epoch: float) -> str | None:
    """The person a token signs in, or None when it is malformed, forged, expired, or its code has
    since been reset or revoked."""
    parts = (token or "").split(".")
    if len(parts) != 4 or parts[0] != VERSION or not parts[2].isdigit():
        return None
    _, person, expires, signature = parts
    try:
        person_id = base64.urlsafe_b64decode(person + "=" * (-len(person) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if int(expires) <= now_epoch:
        return None
    fingerprint = code_fingerprint(tables, person_id)
    if fingerprint is None:
        return None
    expected = _signature(key, person, int(expires), fingerprint)
    return person_id if hmac.compare_digest(signature, expected) else None


def seconds_left(token: str, now_epoch: float) -> int:
    """How long the browser should keep the token (its remaining lifetime; 0 for a malformed one)."""
    parts = (token or "").split(".")
    return max(0, int(parts[2]) - int(now_epoch)) if len(parts) == 4 and parts[2].isdigit() else 0


def _signature(key: bytes, person: str, expires: int, fingerprint: str) -> str:
    message = f"{VERSION}|{person}|{expires}|{fingerprint}".encode()
    return _encode(hmac.new(key, message, hashlib.sha256).digest())


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
