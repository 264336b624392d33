"""Sign-in codes for the offline sign-in: issuing, checking, rate limiting.

Codes are stored only as salted scrypt hashes in the app's own `_access_codes` log; the
latest row of a person is their valid code (an empty hash revokes it). A person's code is
never written anywhere in clear. The demo's codes are published (README), so a code issued
by the demo counts only while the workbook holds the demo (workflows/meta.py).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

import pandas as pd

from workflows.meta import holds_demo
from workflows.tables import Tables

SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
PERSONAL, ACCESS = "personal", "access"
DEMO_ISSUER = "demo"  # issued_by of the demo's published codes


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def is_strong(code: str, length: int = 8) -> bool:
    """As strong as a generated code: at least `length` symbols of the code alphabet."""
    canonical = _canonical(code)
    return len(canonical) >= length and all(ch in CODE_ALPHABET for ch in canonical)


def hash_code(code: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(_canonical(code).encode(), salt=salt, **SCRYPT, dklen=32)
    return "scrypt${n}${r}${p}$".format(**SCRYPT) + _b64(salt) + "$" + _b64(digest)


def code_matches(code: str, stored: str) -> bool:
    try:
        name, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(_canonical(code).encode(), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return name == "scrypt" and hmac.compare_digest(actual, expected)


def _canonical(code: str) -> str:
    return code.strip().upper()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def code_row(person_id: str, code: str | None, kind: str, issued_by: str, at: dt.datetime) -> dict[str, str]:
    """The row that issues `code` (or, with None, revokes the person's code)."""
    return {"code_id": f"K{at:%Y%m%d%H%M%S}-{secrets.token_hex(4)}", "person_id": person_id, "kind": kind,
            "hash": hash_code(code) if code else "", "issued_at": at.strftime("%Y-%m-%d %H:%M:%S"),
            "issued_by": issued_by}


def current_code(codes: pd.DataFrame, person_id: str) -> pd.Series | None:
    """The person's latest code row, or None when they have none or it was revoked."""
    mine = codes[codes["person_id"] == person_id]
    if mine.empty:
        return None
    latest = mine.sort_values(["issued_at", "_row"]).iloc[-1]
    return latest if latest["hash"] else None


_NO_CODE = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="


def code_is_valid(tables: Tables, person_id: str, code: str) -> bool:
    """`code` is the person's current code, and not a demo code in a workbook that no longer holds
    the demo. Someone without a code (or no such person) costs the same hashing, so the answer's
    timing does not tell who exists."""
    latest = current_code(tables["_access_codes"], person_id) if person_id else None
    matches = code_matches(code, latest["hash"] if latest is not None else _NO_CODE)
    if latest is None or (str(latest["issued_by"]).strip() == DEMO_ISSUER and not holds_demo(tables)):
        return False
    return matches
