"""The few Google Sheets v4 calls the workbook needs, through gspread's HTTP client.

The transport is a parameter: with `SHEETS_API_URL` set every call goes to that base URL
(an emulator or the test fake) with no credentials, like the emulator variables of other
Google SDKs.
"""
from __future__ import annotations

from typing import Any, Callable

import requests
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from connectors.retry import RETRIED_STATUSES, Backoff, Paused, shared_pause

GOOGLE_SHEETS_BASE = "https://sheets.googleapis.com"
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
REQUEST_TIMEOUT = (10, 60)


class RedirectedHTTPClient(HTTPClient):
    """gspread's client with every Sheets URL sent to another base URL."""

    def __init__(self, base_url: str, session: requests.Session | None = None):
        super().__init__(auth=None, session=session or requests.Session())
        self.base_url = base_url.rstrip("/")

    def request(self, method, endpoint, *args, **kwargs):
        if endpoint.startswith(GOOGLE_SHEETS_BASE):
            endpoint = self.base_url + endpoint[len(GOOGLE_SHEETS_BASE):]
        return super().request(method, endpoint, *args, **kwargs)


def http_client_for(sheets_api_url: str | None, service_account_info: dict | None) -> HTTPClient:
    if sheets_api_url:
        client = RedirectedHTTPClient(sheets_api_url)
    else:
        if not service_account_info:
            raise RuntimeError("no Google credentials: set GOOGLE_APPLICATION_CREDENTIALS or the "
                               "[connections.workbook] table in .streamlit/secrets.toml")
        from google.oauth2.service_account import Credentials

        client = HTTPClient(Credentials.from_service_account_info(service_account_info, scopes=SCOPES))
    client.set_timeout(REQUEST_TIMEOUT)
    return client


def is_transient(error: Exception) -> bool:
    if isinstance(error, APIError):
        return error.response.status_code in RETRIED_STATUSES
    return isinstance(error, (requests.ConnectionError, requests.Timeout, Paused))


def explain(error: Exception) -> str | None:
    """A sentence for a coordinator about an error of the Sheets API or of the network; None for others."""
    if isinstance(error, APIError):
        status = error.response.status_code
        detail = str(error.args[0].get("message", "")) if error.args and isinstance(error.args[0], dict) else ""
        detail = f"HTTP {status}{': ' + detail if detail else ''}"
        if status in RETRIED_STATUSES:
            return f"Google Sheets did not answer ({detail}); try again later"
        return (f"Google Sheets refused the request ({detail}); check the spreadsheet URL and that it is shared "
                "with the service account")
    if isinstance(error, (requests.RequestException, Paused)):
        return f"Google Sheets could not be reached ({error}); try again later"
    return None


def is_quota(error: Exception) -> bool:
    return isinstance(error, APIError) and error.response.status_code == 429


def quote_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_text(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class SheetsApi:
    """One spreadsheet's calls, each retried with bounded backoff; a 429 pauses all of them in the process."""

    def __init__(self, client: HTTPClient, spreadsheet_id: str, backoff: Backoff | None = None):
        self.client, self.id, self.backoff = client, spreadsheet_id, backoff or Backoff()
        self.pause = shared_pause(f"{getattr(client, 'base_url', '')}/{spreadsheet_id}")

    def _run(self, call, before_retry=None):
        return self.backoff.run(call, is_transient, before_retry, self.pause, is_quota)

    def titles(self) -> list[str]:
        metadata = self._run(lambda: self.client.fetch_sheet_metadata(self.id))
        return [sheet["properties"]["title"] for sheet in metadata.get("sheets", [])]

    def batch_get(self, ranges: list[str]) -> list[list[list[str]]]:
        params = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "FORMATTED_STRING"}
        response = self._run(lambda: self.client.values_batch_get(self.id, list(ranges), dict(params)))
        return [[[cell_text(c) for c in row] for row in vr.get("values", [])]
                for vr in response.get("valueRanges", [])]

    def append(self, range_: str, values: Callable[[], list[list[str]]], before_retry=None) -> None:
        """Appends what `values()` gives at each attempt: `before_retry` may narrow it."""
        params = {"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"}

        def send():
            rows = values()
            if rows:
                self.client.values_append(self.id, range_, dict(params), {"values": rows})

        self._run(send, before_retry)

    def write_cells(self, data: list[dict]) -> None:
        body = {"valueInputOption": "RAW", "data": data}
        self._run(lambda: self.client.values_batch_update(self.id, body))

    def add_sheets(self, titles: list[str], columns: int) -> None:
        requests_ = [{"addSheet": {"properties": {"title": t, "gridProperties": {"rowCount": 1000, "columnCount": columns}}}}
                     for t in titles]
        self._run(lambda: self.client.batch_update(self.id, {"requests": requests_}))
