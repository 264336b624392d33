"""Which workbook to open, and opening it (spec/cli.md § Choosing the workbook)."""
from __future__ import annotations

import json
import os
import re
import tomllib
from pathlib import Path

from connectors.sheet import Workbook

DEFAULT_URL = "sqlite:///data/workbook.sqlite3"
SYNC_INTERVAL_SECONDS = 10.0  # an app refreshing while writes wait sends them at most this often
SECRETS_PATH = Path(".streamlit/secrets.toml")
_SHEET_URL = re.compile(r"^https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")


def load_secrets(path: Path = SECRETS_PATH) -> dict:
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def public_url(env=os.environ, secrets: dict | None = None) -> str:
    """The app's address as people's phones reach it: PUBLIC_URL, else secrets' `public_url` (top level
    or in [app]); empty when unset. QR codes and links that leave the browser use it."""
    secrets = load_secrets() if secrets is None else secrets
    value = env.get("PUBLIC_URL") or secrets.get("public_url") or secrets.get("app", {}).get("public_url") or ""
    return str(value).strip().rstrip("/")


def workbook_settings(secrets: dict) -> dict:
    return dict(secrets.get("connections", {}).get("workbook", {}))


def configured_workbook_url(explicit: str | None = None, env=os.environ, secrets: dict | None = None) -> str | None:
    """The workbook configuration names: --workbook, then WORKBOOK_URL, then secrets' [connections.workbook]
    url; None when nothing names one (then the default embedded file is used, the only workbook the app
    fills with the demo by itself)."""
    if explicit:
        return explicit
    if env.get("WORKBOOK_URL"):
        return env["WORKBOOK_URL"]
    return workbook_settings(load_secrets() if secrets is None else secrets).get("url") or None


def workbook_url(explicit: str | None = None, env=os.environ, secrets: dict | None = None) -> str:
    """The configured workbook, else the default embedded file."""
    return configured_workbook_url(explicit, env, secrets) or DEFAULT_URL


def spreadsheet_id(url: str) -> str | None:
    if url.startswith("gsheets://"):
        return url.removeprefix("gsheets://").strip("/")
    match = _SHEET_URL.match(url)
    return match.group(1) if match else None


def service_account_info(env=os.environ, secrets: dict | None = None) -> dict | None:
    path = env.get("GOOGLE_APPLICATION_CREDENTIALS")
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    table = workbook_settings(load_secrets() if secrets is None else secrets)
    table.pop("url", None)
    return table if table.get("type") == "service_account" else None


def journal_path(env=os.environ) -> Path:
    return Path(env.get("WORKBOOK_JOURNAL", "data/journal.sqlite3"))


def attempts_path(url: str, env=os.environ) -> str:
    """Where code attempts are counted: beside an embedded workbook, else beside the journal."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return url.removeprefix("sqlite:///") + ".attempts"
    sheet_id = spreadsheet_id(url) or "workbook"
    return str(journal_path(env).with_name(f"attempts-{sheet_id}.sqlite3"))


def outbox_path(url: str, env=os.environ) -> str:
    """Where notifications are recorded before they are sent (and the inbox and people's choices kept):
    beside an embedded workbook, else beside the journal; NOTIFY_OUTBOX names another file."""
    if env.get("NOTIFY_OUTBOX"):
        return env["NOTIFY_OUTBOX"]
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return url.removeprefix("sqlite:///") + ".outbox"
    sheet_id = spreadsheet_id(url) or "workbook"
    return str(journal_path(env).with_name(f"outbox-{sheet_id}.sqlite3"))


def app_key(url: str, env=os.environ) -> bytes:
    """The app's own secret for keyed hashes (e.g. who answered an anonymous survey, unnamed): from
    APP_KEY, else a random key made once and kept in a private file beside the attempts file."""
    if env.get("APP_KEY"):
        return env["APP_KEY"].encode()
    path = Path(attempts_path(url, env)).with_suffix(".key")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
        with os.fdopen(os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600), "wb") as handle:
            handle.write(os.urandom(32))
        try:
            os.link(draft, path)  # whole or not at all; the first process to make it wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_bytes()


def open_workbook(url: str | None = None, env=os.environ, secrets: dict | None = None, backoff=None) -> Workbook:
    url = workbook_url(url, env, secrets)
    if url.startswith("sqlite:"):
        from connectors.sqlite_workbook import SqliteWorkbook

        return SqliteWorkbook(url)
    sheet_id = spreadsheet_id(url)
    if sheet_id is None:
        raise ValueError(f"not a workbook URL: {url!r} (use sqlite:///path.sqlite3 or gsheets://SPREADSHEET_ID)")
    from connectors.gsheets_workbook import GoogleSheetsWorkbook
    from connectors.journal import Journal
    from connectors.sheets_api import SheetsApi, http_client_for

    from connectors.retry import Backoff

    api_url = env.get("SHEETS_API_URL")
    client = http_client_for(api_url, None if api_url else service_account_info(env, secrets))
    journal = Journal(journal_path(env), workbook=f"gsheets://{sheet_id}")
    if backoff is None and env.get("SHEETS_RETRY_SECONDS"):
        seconds = float(env["SHEETS_RETRY_SECONDS"])
        backoff = Backoff(base_seconds=min(1.0, seconds / 4), deadline_seconds=seconds)
    return GoogleSheetsWorkbook(f"gsheets://{sheet_id}", SheetsApi(client, sheet_id, backoff), journal,
                                min_sync_interval=SYNC_INTERVAL_SECONDS)
