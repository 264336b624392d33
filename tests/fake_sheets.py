"""A local fake of the Google Sheets v4 REST API, served over real HTTP on 127.0.0.1.

It models a spreadsheet as sheets holding a grid of text cells, and answers the
endpoints gspread's low-level ``HTTPClient`` uses with the status codes and JSON
shapes Google returns (checked against recorded exchanges in
tests/test_fake_sheets_matches_google.py).  Knobs let tests inject latency,
failures (the next N, or a random share), writes whose answer is lost, a full outage,
per-minute quotas and the lost-update race of concurrent appends.

Usage::

    fake = FakeSheetsServer().start()
    sid = fake.create_spreadsheet(sheets=["people"])
    requests.get(f"{fake.base_url}/v4/spreadsheets/{sid}/values/people")
    fake.stop()
"""

from __future__ import annotations

import collections
import json
import random
import re
import string
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_ROW_COUNT = 1000
DEFAULT_COLUMN_COUNT = 26
FORMULA_DISPLAY_TEXT = "#FORMULA"
QUOTA_WINDOW_SECONDS = 60.0

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

INJECTED_FAILURE_MESSAGES = {
    429: "Quota exceeded for quota metric 'Write requests' and limit 'Write requests per "
    "minute per user' of service 'sheets.googleapis.com' for consumer "
    "'project_number:000000000000'.",
    500: "Internal error encountered.",
    502: "Bad gateway.",
    503: "The service is currently unavailable.",
    504: "The request timed out.",
}

READ_KINDS = frozenset({"get_spreadsheet", "values_get", "values_batch_get"})


class ApiError(Exception):
    """An error answered to the client in Google's JSON error format."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    def payload(self) -> dict:
        return error_payload(self.status, self.message)


def error_payload(status: int, message: str) -> dict:
    return {"error": {"code": status, "message": message, "status": STATUS_NAMES.get(status, "UNKNOWN")}}


# --------------------------------------------------------------------------- A1 notation


def column_number(letters: str) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + (ord(letter) - ord("A") + 1)
    return number


def column_letters(number: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    letters = ""
    while number > 0:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


_PLAIN_TITLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CELL_LIKE_TITLE = re.compile(r"[A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*")


def quote_sheet_title(title: str) -> str:
    """Sheet title as Google writes it in returned ranges: quoted unless a plain identifier.

    The recordings show `Sheet1!A1` bare and `'🌵 name'!A1:C2` quoted.  Titles that could be
    read as a cell reference (e.g. "A1") are quoted too, so the range stays unambiguous.
    """
    if _PLAIN_TITLE.fullmatch(title) and not _CELL_LIKE_TITLE.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_a1(title: str, top: int, left: int, bottom: int, right: int) -> str:
    start = f"{column_letters(left)}{top}"
    end = f"{column_letters(right)}{bottom}"
    cells = start if start == end else f"{start}:{end}"
    return f"{quote_sheet_title(title)}!{cells}"


@dataclass(frozen=True)
class CellBounds:
    """Corners of an A1 cell reference, 1-based; bottom/right are None when left open (`A:A`, `1:1`, `A2:Z`)."""

    top: int
    left: int
    bottom: int | None
    right: int | None


_ENDPOINT = re.compile(r"([A-Za-z]{0,3})([0-9]*)")


def _parse_endpoint(text: str) -> tuple[int | None, int | None]:
    match = _ENDPOINT.fullmatch(text)
    if not match or text == "":
        raise ValueError(text)
    letters, digits = match.groups()
    row = int(digits) if digits else None
    if row == 0:
        raise ValueError(text)
    return row, (column_number(letters) if letters else None)


def parse_cells(cells: str) -> CellBounds:
    """Parse the part after '!': `A1`, `A1:C3`, `A:A`, `B:D`, `1:1`, `3:5`, `A2:Z`, `A1:1`."""
    start_text, colon, end_text = cells.partition(":")
    start_row, start_col = _parse_endpoint(start_text)
    if not colon:
        if start_row is None or start_col is None:
            raise ValueError(cells)
        return CellBounds(start_row, start_col, start_row, start_col)
    end_row, end_col = _parse_endpoint(end_text)
    if start_col is None and end_col is not None and start_row is not None:
        raise ValueError(cells)  # e.g. "1:A" is not a range
    top, bottom = _ordered(start_row or 1, end_row)
    left, right = _ordered(start_col or 1, end_col)
    return CellBounds(top, left, bottom, right)


def _ordered(low: int, high: int | None) -> tuple[int, int | None]:
    if high is not None and high < low:
        return high, low
    return low, high


def split_sheet_title(range_text: str, known_titles: list[str]) -> tuple[str | None, str | None]:
    """Split a range into (sheet title or None for the first sheet, cells or None for the whole sheet)."""
    if range_text.startswith("'"):
        return _split_quoted_title(range_text)
    if range_text in known_titles:
        return range_text, None
    if "!" in range_text:
        title, cells = range_text.rsplit("!", 1)
        return title, cells
    return None, range_text


def _split_quoted_title(range_text: str) -> tuple[str, str | None]:
    title_chars = []
    position = 1
    while position < len(range_text):
        char = range_text[position]
        if char == "'":
            if range_text[position + 1 : position + 2] == "'":
                title_chars.append("'")
                position += 2
                continue
            rest = range_text[position + 1 :]
            if rest == "":
                return "".join(title_chars), None
            if rest.startswith("!") and len(rest) > 1:
                return "".join(title_chars), rest[1:]
            break
        title_chars.append(char)
        position += 1
    raise ValueError(range_text)


# --------------------------------------------------------------------------- the data model


def cell_text(value) -> str:
    """How a JSON value sent by the client ends up in a plain text cell."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass
class Sheet:
    sheet_id: int
    title: str
    row_count: int = DEFAULT_ROW_COUNT
    column_count: int = DEFAULT_COLUMN_COUNT
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    formulas: set[tuple[int, int]] = field(default_factory=set)

    def properties(self, index: int) -> dict:
        return {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": self.row_count, "columnCount": self.column_count},
        }

    def last_filled_row(self) -> int:
        return max((row for row, _ in self.cells), default=0)

    def first_filled_row(self) -> int:
        return min((row for row, _ in self.cells), default=0)

    def last_filled_column(self) -> int:
        return max((column for _, column in self.cells), default=0)

    def display_value(self, row: int, column: int, render_option: str) -> str:
        text = self.cells.get((row, column), "")
        if (row, column) in self.formulas and render_option != "FORMULA":
            return FORMULA_DISPLAY_TEXT
        return text

    def write(self, row: int, column: int, value, as_formula_if_prefixed: bool) -> None:
        key = (row, column)
        text = cell_text(value)
        self.formulas.discard(key)
        if text == "":
            self.cells.pop(key, None)
            return
        self.cells[key] = text
        if as_formula_if_prefixed and text.startswith("="):
            self.formulas.add(key)

    def clear(self, area: "Area") -> None:
        for key in [k for k in self.cells if area.contains(*k)]:
            del self.cells[key]
            self.formulas.discard(key)

    def grow_to(self, rows: int, columns: int) -> None:
        self.row_count = max(self.row_count, rows)
        self.column_count = max(self.column_count, columns)


@dataclass(frozen=True)
class Area:
    """A resolved rectangle of one sheet, 1-based inclusive, open sides closed at the grid edge."""

    sheet: Sheet
    top: int
    left: int
    bottom: int
    right: int
    right_is_open: bool = False

    def a1(self) -> str:
        return format_a1(self.sheet.title, self.top, self.left, self.bottom, self.right)

    def contains(self, row: int, column: int) -> bool:
        return self.top <= row <= self.bottom and self.left <= column <= self.right


@dataclass
class Spreadsheet:
    spreadsheet_id: str
    title: str
    sheets: list[Sheet]

    def titles(self) -> list[str]:
        return [sheet.title for sheet in self.sheets]

    def sheet_titled(self, title: str) -> Sheet | None:
        return next((sheet for sheet in self.sheets if sheet.title == title), None)

    def sheet_with_id(self, sheet_id) -> Sheet | None:
        return next((sheet for sheet in self.sheets if sheet.sheet_id == sheet_id), None)

    def metadata(self) -> dict:
        return {
            "spreadsheetId": self.spreadsheet_id,
            "properties": {
                "title": self.title,
                "locale": "en_US",
                "autoRecalc": "ON_CHANGE",
                "timeZone": "Etc/GMT",
            },
            "sheets": [{"properties": sheet.properties(index)} for index, sheet in enumerate(self.sheets)],
            "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit",
        }

    def resolve(self, range_text: str) -> Area:
        """Turn an A1 range into an Area, failing like Google on unknown sheets, bad syntax, grid overflow."""
        unparsable = ApiError(400, f"Unable to parse range: {range_text}")
        try:
            title, cells = split_sheet_title(range_text, self.titles())
            bounds = parse_cells(cells) if cells is not None else CellBounds(1, 1, None, None)
        except ValueError:
            raise unparsable from None
        sheet = self.sheets[0] if title is None else self.sheet_titled(title)
        if sheet is None:
            raise unparsable
        area = Area(
            sheet,
            bounds.top,
            bounds.left,
            bounds.bottom or sheet.row_count,
            bounds.right or sheet.column_count,
            right_is_open=bounds.right is None,
        )
        check_within_grid(area, quote_sheet_title_always(sheet.title) + (f"!{cells}" if cells else ""))
        return area


def quote_sheet_title_always(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def check_within_grid(area: Area, range_label: str) -> None:
    sheet = area.sheet
    if area.bottom > sheet.row_count or area.right > sheet.column_count:
        raise ApiError(
            400,
            f"Range ({range_label}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}",
        )


def read_area(area: Area, major_dimension: str, render_option: str) -> list[list[str]]:
    """Values of an area the way the API returns them: trailing empty cells and rows dropped."""
    sheet = area.sheet
    bottom = min(area.bottom, sheet.last_filled_row())
    right = min(area.right, sheet.last_filled_column())
    matrix = [
        [sheet.display_value(row, column, render_option) for column in range(area.left, right + 1)]
        for row in range(area.top, bottom + 1)
    ]
    if major_dimension == "COLUMNS":
        matrix = [list(column) for column in zip(*matrix)]
    return trim_trailing_empties(matrix)


def trim_trailing_empties(matrix: list[list[str]]) -> list[list[str]]:
    trimmed = []
    for line in matrix:
        line = list(line)
        while line and line[-1] == "":
            line.pop()
        trimmed.append(line)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def value_range(area: Area, major_dimension: str, render_option: str) -> dict:
    response = {"range": area.a1(), "majorDimension": major_dimension}
    values = read_area(area, major_dimension, render_option)
    if values:
        response["values"] = values
    return response


def rows_from_body(body: dict) -> list[list]:
    values = body.get("values") or []
    if body.get("majorDimension") == "COLUMNS":
        height = max((len(column) for column in values), default=0)
        return [[column[i] if i < len(column) else None for column in values] for i in range(height)]
    return values


@dataclass(frozen=True)
class WriteResult:
    area: Area
    rows: int
    columns: int
    cells: int

    def update_response(self, spreadsheet_id: str) -> dict:
        response = {"spreadsheetId": spreadsheet_id, "updatedRange": self.area.a1()}
        # Google leaves zero counts out of its JSON (proto3 defaults).
        for key, count in (("updatedRows", self.rows), ("updatedColumns", self.columns), ("updatedCells", self.cells)):
            if count:
                response[key] = count
        return response


def block_size(rows: list[list]) -> tuple[int, int, int]:
    width = max((len(row) for row in rows), default=0)
    return len(rows), width, sum(len(row) for row in rows)


def write_block(sheet: Sheet, top: int, left: int, rows: list[list], input_option: str) -> WriteResult:
    """Write rows of values with their top-left corner at (top, left); None leaves a cell untouched."""
    height, width, cell_count = block_size(rows)
    for row_offset, row in enumerate(rows):
        for column_offset, value in enumerate(row):
            if value is not None:
                sheet.write(top + row_offset, left + column_offset, value, input_option == "USER_ENTERED")
    area = Area(sheet, top, left, top + max(height, 1) - 1, left + max(width, 1) - 1)
    return WriteResult(area, height, width, cell_count)


def check_fits_requested_range(area: Area, rows: list[list], range_text: str) -> None:
    height, width, _ = block_size(rows)
    if area.top + height - 1 > area.bottom:
        raise ApiError(
            400,
            f"Requested writing within range [{range_text}], but tried writing to row [{area.top + height - 1}]",
        )
    if not area.right_is_open and area.left + width - 1 > area.right:
        raise ApiError(
            400,
            f"Requested writing within range [{range_text}], but tried writing to column "
            f"[{column_letters(area.left + width - 1)}]",
        )


def required_value_input_option(option: str | None) -> str:
    if not option:
        raise ApiError(400, "'valueInputOption' is required but not specified")
    if option not in ("RAW", "USER_ENTERED"):
        raise ApiError(400, f"Invalid value at 'value_input_option' ({option})")
    return option


# --------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class Route:
    kind: str
    spreadsheet_id: str | None = None
    range_text: str | None = None


_SPREADSHEET_PATH = re.compile(r"/v4/spreadsheets/([^/:]+)(.*)")


def route_request(method: str, raw_path: str) -> Route:
    """Map an HTTP method and a (still URL-quoted) path onto an API method."""
    match = _SPREADSHEET_PATH.fullmatch(raw_path)
    if not match:
        return Route("other")
    spreadsheet_id, rest = unquote(match.group(1)), match.group(2)
    fixed_routes = {
        ("GET", ""): "get_spreadsheet",
        ("POST", ":batchUpdate"): "batch_update_spreadsheet",
        ("GET", "/values:batchGet"): "values_batch_get",
        ("POST", "/values:batchUpdate"): "values_batch_update",
        ("POST", "/values:batchClear"): "values_batch_clear",
    }
    if (method, rest) in fixed_routes:
        return Route(fixed_routes[(method, rest)], spreadsheet_id)
    if not rest.startswith("/values/"):
        return Route("other", spreadsheet_id)
    raw_range = rest[len("/values/") :]
    if method == "GET":
        return Route("values_get", spreadsheet_id, unquote(raw_range))
    if method == "PUT":
        return Route("values_update", spreadsheet_id, unquote(raw_range))
    if method == "POST":
        # gspread quotes the range (':' -> %3A) but not the ':append' suffix; accept both forms.
        quoted_range, _, action = (raw_range if ":" in raw_range else unquote(raw_range)).rpartition(":")
        kind = {"append": "values_append", "clear": "values_clear"}.get(action)
        if kind and quoted_range:
            return Route(kind, spreadsheet_id, unquote(quoted_range))
    return Route("other", spreadsheet_id)


# --------------------------------------------------------------------------- the server


class FakeSheetsServer:
    """Fake Google Sheets API v4 on 127.0.0.1; see the module docstring."""

    def __init__(self, *, latency: float = 0.0):
        self.latency = latency
        self.quota_per_minute: int | None = None
        self.racing_appends = False
        self.race_window = 0.05
        # Faults: a share of requests refused before they act (`error_rate`, with a status drawn from
        # `error_statuses`), a share of writes that land but whose answer is an error (`lost_response_rate`),
        # and a full outage (`down`: every request answers 503).
        self.error_rate = 0.0
        self.error_statuses = (429, 500, 503)
        self.lost_response_rate = 0.0
        self.down = False
        # The quota window reads this clock; tests may swap it to slide the window without sleeping.
        self.clock = time.monotonic
        self.log: list[dict] = []
        self.base_url = ""
        self._lock = threading.RLock()
        self._spreadsheets: dict[str, Spreadsheet] = {}
        self._pending_failures: collections.deque[int] = collections.deque()
        self._accepted_times: collections.deque[float] = collections.deque()
        self._random = random.Random(20240101)
        self._http: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> "FakeSheetsServer":
        self._http = _HttpServer(("127.0.0.1", 0), _Handler)
        self._http.fake = self
        host, port = self._http.server_address[:2]
        self.base_url = f"http://{host}:{port}"
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-sheets", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "FakeSheetsServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # ---------------------------------------------------------------- direct access for tests

    def create_spreadsheet(
        self, spreadsheet_id: str | None = None, title: str = "Workbook", sheets=("Sheet1",)
    ) -> str:
        with self._lock:
            spreadsheet_id = spreadsheet_id or self._new_spreadsheet_id()
            sheet_list = [Sheet(0 if index == 0 else self._new_sheet_id(), name) for index, name in enumerate(sheets)]
            self._spreadsheets[spreadsheet_id] = Spreadsheet(spreadsheet_id, title, sheet_list)
            return spreadsheet_id

    def set_values(self, spreadsheet_id, sheet_title, rows: list[list[str]], start_row: int = 1) -> None:
        """A hand edit in the browser: writes text cells directly, growing the grid; not logged."""
        with self._lock:
            sheet = self._sheet(spreadsheet_id, sheet_title)
            height, width, _ = block_size(rows)
            sheet.grow_to(start_row + height - 1, width)
            write_block(sheet, start_row, 1, rows, "RAW")

    def get_values(self, spreadsheet_id, sheet_title) -> list[list[str]]:
        with self._lock:
            sheet = self._sheet(spreadsheet_id, sheet_title)
            return read_area(Area(sheet, 1, 1, sheet.row_count, sheet.column_count), "ROWS", "FORMATTED_VALUE")

    def sheet_titles(self, spreadsheet_id) -> list[str]:
        with self._lock:
            return self._spreadsheets[spreadsheet_id].titles()

    def formula_cells(self, spreadsheet_id, sheet_title) -> list[tuple[int, int, str]]:
        with self._lock:
            sheet = self._sheet(spreadsheet_id, sheet_title)
            return [(row, column, sheet.cells[(row, column)]) for row, column in sorted(sheet.formulas)]

    def _sheet(self, spreadsheet_id, sheet_title) -> Sheet:
        sheet = self._spreadsheets[spreadsheet_id].sheet_titled(sheet_title)
        if sheet is None:
            raise KeyError(sheet_title)
        return sheet

    # ---------------------------------------------------------------- knobs and log

    def fail_next(self, n: int, status: int = 500) -> None:
        with self._lock:
            self._pending_failures.extend([status] * n)

    def clear_faults(self) -> None:
        """Google answers normally again: no outage, no injected or random failures, no quota, no race."""
        with self._lock:
            self._pending_failures.clear()
            self.error_rate = self.lost_response_rate = 0.0
            self.down, self.racing_appends, self.quota_per_minute = False, False, None
            self.clock = time.monotonic

    def requests_of(self, kind: str) -> list[dict]:
        with self._lock:
            return [entry for entry in self.log if entry["kind"] == kind]

    def count(self, kind: str) -> int:
        return len(self.requests_of(kind))

    def reset_log(self) -> None:
        with self._lock:
            self.log.clear()

    # ---------------------------------------------------------------- request handling

    def handle(self, method: str, target: str, body_bytes: bytes) -> tuple[int, dict]:
        """Answer one HTTP request: (status, JSON payload).  Called from the server threads."""
        split = urlsplit(target)
        route = route_request(method, split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        if self.latency:
            time.sleep(self.latency)
        try:
            body = json.loads(body_bytes) if body_bytes.strip() else None
        except ValueError:
            body = None
            status, payload = 400, error_payload(400, "Invalid JSON payload received.")
        else:
            status, payload = self._answer(route, query, body)
        with self._lock:
            self.log.append(
                {
                    "kind": route.kind,
                    "method": method,
                    "path": unquote(split.path),
                    "query": query,
                    "body": body,
                    "status": status,
                }
            )
        return status, payload

    def _answer(self, route: Route, query: dict, body) -> tuple[int, dict]:
        refusal = self._refusal(route.kind)
        if refusal is not None:
            return refusal, error_payload(refusal, self._refusal_message(refusal, route.kind))
        if body is not None and not isinstance(body, dict):
            return 400, error_payload(400, "Invalid JSON payload received. Expected an object.")
        try:
            answer = self._dispatch(route, query, body or {})
        except ApiError as error:
            return error.status, error.payload()
        except Exception as error:  # a bug in the fake must not look like a dropped connection
            return 500, error_payload(500, f"Fake Sheets server error: {error!r}")
        if route.kind not in READ_KINDS and self._draw(self.lost_response_rate):
            return 503, error_payload(503, INJECTED_FAILURE_MESSAGES[503])  # it landed; the answer is lost
        return 200, answer

    def _draw(self, rate: float) -> bool:
        with self._lock:
            return rate > 0 and self._random.random() < rate

    def _refusal(self, kind: str) -> int | None:
        """An injected failure or a quota refusal that pre-empts the request, if any."""
        with self._lock:
            if self.down:
                return 503
            if self._pending_failures:
                return self._pending_failures.popleft()
            if self.error_rate and self._random.random() < self.error_rate:
                return self._random.choice(self.error_statuses)
            if self.quota_per_minute is None:
                return None
            now = self.clock()
            while self._accepted_times and now - self._accepted_times[0] >= QUOTA_WINDOW_SECONDS:
                self._accepted_times.popleft()
            if len(self._accepted_times) >= self.quota_per_minute:
                return 429
            self._accepted_times.append(now)
            return None

    @staticmethod
    def _refusal_message(status: int, kind: str) -> str:
        if status == 429:
            metric = "Read requests" if kind in READ_KINDS else "Write requests"
            return (
                f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute per user' "
                "of service 'sheets.googleapis.com' for consumer 'project_number:000000000000'."
            )
        return INJECTED_FAILURE_MESSAGES.get(status, "Injected failure.")

    def _dispatch(self, route: Route, query: dict, body: dict) -> dict:
        if route.kind == "other":
            raise ApiError(404, "Requested entity was not found.")
        handlers = {
            "get_spreadsheet": self._get_spreadsheet,
            "batch_update_spreadsheet": self._batch_update_spreadsheet,
            "values_get": self._values_get,
            "values_batch_get": self._values_batch_get,
            "values_append": self._values_append,
            "values_update": self._values_update,
            "values_batch_update": self._values_batch_update,
            "values_clear": self._values_clear,
            "values_batch_clear": self._values_batch_clear,
        }
        return handlers[route.kind](route, query, body)

    def _spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        spreadsheet = self._spreadsheets.get(spreadsheet_id)
        if spreadsheet is None:
            raise ApiError(404, "Requested entity was not found.")
        return spreadsheet

    # ---------------------------------------------------------------- API methods

    def _get_spreadsheet(self, route: Route, query: dict, body: dict) -> dict:
        with self._lock:
            return self._spreadsheet(route.spreadsheet_id).metadata()

    def _batch_update_spreadsheet(self, route: Route, query: dict, body: dict) -> dict:
        with self._lock:
            spreadsheet = self._spreadsheet(route.spreadsheet_id)
            replies = [
                self._apply_sheet_request(spreadsheet, index, request)
                for index, request in enumerate(body.get("requests") or [])
            ]
            return {"spreadsheetId": spreadsheet.spreadsheet_id, "replies": replies}

    def _apply_sheet_request(self, spreadsheet: Spreadsheet, index: int, request: dict) -> dict:
        if "addSheet" in request:
            return {"addSheet": {"properties": self._add_sheet(spreadsheet, index, request["addSheet"])}}
        if "deleteSheet" in request:
            self._delete_sheet(spreadsheet, index, request["deleteSheet"])
        elif "updateSheetProperties" in request:
            self._update_sheet_properties(spreadsheet, index, request["updateSheetProperties"])
        # Formatting and other requests are accepted and ignored: this fake only models values.
        return {}

    def _add_sheet(self, spreadsheet: Spreadsheet, index: int, request: dict) -> dict:
        properties = request.get("properties") or {}
        title = properties.get("title") or f"Sheet{len(spreadsheet.sheets) + 1}"
        if spreadsheet.sheet_titled(title) is not None:
            raise ApiError(
                400,
                f'Invalid requests[{index}].addSheet: A sheet with the name "{title}" already exists. '
                "Please enter another name.",
            )
        grid = properties.get("gridProperties") or {}
        sheet = Sheet(
            properties.get("sheetId", self._new_sheet_id()),
            title,
            grid.get("rowCount", DEFAULT_ROW_COUNT),
            grid.get("columnCount", DEFAULT_COLUMN_COUNT),
        )
        position = min(properties.get("index", len(spreadsheet.sheets)), len(spreadsheet.sheets))
        spreadsheet.sheets.insert(position, sheet)
        return sheet.properties(position)

    def _delete_sheet(self, spreadsheet: Spreadsheet, index: int, request: dict) -> None:
        sheet = spreadsheet.sheet_with_id(request.get("sheetId"))
        if sheet is None:
            raise ApiError(400, f"Invalid requests[{index}].deleteSheet: No grid with id: {request.get('sheetId')}")
        if len(spreadsheet.sheets) == 1:
            raise ApiError(
                400, f"Invalid requests[{index}].deleteSheet: You can't remove all the sheets in a document."
            )
        spreadsheet.sheets.remove(sheet)

    def _update_sheet_properties(self, spreadsheet: Spreadsheet, index: int, request: dict) -> None:
        properties = request.get("properties") or {}
        sheet = spreadsheet.sheet_with_id(properties.get("sheetId", 0))
        if sheet is None:
            raise ApiError(
                400, f"Invalid requests[{index}].updateSheetProperties: No grid with id: {properties.get('sheetId')}"
            )
        sheet.title = properties.get("title", sheet.title)
        grid = properties.get("gridProperties") or {}
        sheet.row_count = grid.get("rowCount", sheet.row_count)
        sheet.column_count = grid.get("columnCount", sheet.column_count)

    def _values_get(self, route: Route, query: dict, body: dict) -> dict:
        with self._lock:
            area = self._spreadsheet(route.spreadsheet_id).resolve(route.range_text)
            return value_range(area, _param(query, "majorDimension", "ROWS"), _param(query, "valueRenderOption", ""))

    def _values_batch_get(self, route: Route, query: dict, body: dict) -> dict:
        major_dimension = _param(query, "majorDimension", "ROWS")
        render_option = _param(query, "valueRenderOption", "")
        with self._lock:
            spreadsheet = self._spreadsheet(route.spreadsheet_id)
            areas = [spreadsheet.resolve(range_text) for range_text in query.get("ranges", [])]
            response = {"spreadsheetId": spreadsheet.spreadsheet_id}
            if areas:
                response["valueRanges"] = [value_range(area, major_dimension, render_option) for area in areas]
            return response

    def _values_update(self, route: Route, query: dict, body: dict) -> dict:
        input_option = required_value_input_option(_param(query, "valueInputOption"))
        with self._lock:
            spreadsheet = self._spreadsheet(route.spreadsheet_id)
            result = self._write_range(spreadsheet, route.range_text, rows_from_body(body), input_option)
            return result.update_response(spreadsheet.spreadsheet_id)

    def _values_batch_update(self, route: Route, query: dict, body: dict) -> dict:
        input_option = required_value_input_option(body.get("valueInputOption"))
        with self._lock:
            spreadsheet = self._spreadsheet(route.spreadsheet_id)
            results = [
                self._write_range(spreadsheet, item.get("range", ""), rows_from_body(item), input_option)
                for item in body.get("data") or []
            ]
            return batch_update_response(spreadsheet.spreadsheet_id, results)

    def _write_range(
        self, spreadsheet: Spreadsheet, range_text: str, rows: list[list], input_option: str
    ) -> WriteResult:
        area = spreadsheet.resolve(range_text)
        # A single-cell range such as `A1` names only the top-left corner of the written block.
        if not (area.top == area.bottom and area.left == area.right):
            check_fits_requested_range(area, rows, range_text)
        height, width, _ = block_size(rows)
        target = Area(area.sheet, area.top, area.left, area.top + height - 1, area.left + width - 1)
        check_within_grid(target, target.a1())
        return write_block(area.sheet, area.top, area.left, rows, input_option)

    def _values_append(self, route: Route, query: dict, body: dict) -> dict:
        input_option = required_value_input_option(_param(query, "valueInputOption"))
        rows = rows_from_body(body)
        with self._lock:
            spreadsheet = self._spreadsheet(route.spreadsheet_id)
            area = spreadsheet.resolve(route.range_text)
            table_range = find_table_range(area)
            target_row = row_after_table(area)
            if not self.racing_appends:
                return self._land_append(spreadsheet, area, target_row, rows, input_option, table_range)
        # Like the real service under concurrent appends: the target row is chosen before the
        # write lands, so appends overlapping in time write to the same row and one is lost.
        threading.Event().wait(self.race_window)
        with self._lock:
            return self._land_append(spreadsheet, area, target_row, rows, input_option, table_range)

    @staticmethod
    def _land_append(
        spreadsheet: Spreadsheet, area: Area, target_row: int, rows: list[list], input_option: str, table_range
    ) -> dict:
        height, width, _ = block_size(rows)
        area.sheet.grow_to(target_row + height - 1, area.left + width - 1)
        result = write_block(area.sheet, target_row, area.left, rows, input_option)
        response = {"spreadsheetId": spreadsheet.spreadsheet_id}
        if table_range:
            response["tableRange"] = table_range
        response["updates"] = result.update_response(spreadsheet.spreadsheet_id)
        return response

    def _values_clear(self, route: Route, query: dict, body: dict) -> dict:
        with self._lock:
            spreadsheet = self._spreadsheet(route.spreadsheet_id)
            area = spreadsheet.resolve(route.range_text)
            area.sheet.clear(area)
            return {"spreadsheetId": spreadsheet.spreadsheet_id, "clearedRange": area.a1()}

    def _values_batch_clear(self, route: Route, query: dict, body: dict) -> dict:
        with self._lock:
            spreadsheet = self._spreadsheet(route.spreadsheet_id)
            areas = [spreadsheet.resolve(range_text) for range_text in body.get("ranges") or []]
            for area in areas:
                area.sheet.clear(area)
            response = {"spreadsheetId": spreadsheet.spreadsheet_id}
            if areas:
                response["clearedRanges"] = [area.a1() for area in areas]
            return response

    # ---------------------------------------------------------------- ids

    def _new_spreadsheet_id(self) -> str:
        alphabet = string.ascii_letters + string.digits + "-_"
        while True:
            candidate = "1" + "".join(self._random.choice(alphabet) for _ in range(43))
            if candidate not in self._spreadsheets:
                return candidate

    def _new_sheet_id(self) -> int:
        return self._random.randint(1, 2**31 - 1)


def row_after_table(area: Area) -> int:
    """Where an append writes: below the sheet's last filled row, and not above the range asked for."""
    return max(area.sheet.last_filled_row() + 1, area.top)


def find_table_range(area: Area) -> str | None:
    """The existing table an append lands under, as Google reports it in `tableRange`.

    Rows span the sheet's filled rows; columns are the requested ones when the range closes
    them (an `A1` range reports `Sheet1!A1`, as recorded), else the filled columns.
    """
    sheet = area.sheet
    if not sheet.cells:
        return None
    right = sheet.last_filled_column() if area.right_is_open or area.right == sheet.column_count else area.right
    return format_a1(sheet.title, sheet.first_filled_row(), area.left, sheet.last_filled_row(), max(right, area.left))


def batch_update_response(spreadsheet_id: str, results: list[WriteResult]) -> dict:
    response = {"spreadsheetId": spreadsheet_id}
    if not results:
        return response
    touched_rows = {(r.area.sheet.sheet_id, row) for r in results for row in range(r.area.top, r.area.top + r.rows)}
    touched_columns = {
        (r.area.sheet.sheet_id, column) for r in results for column in range(r.area.left, r.area.left + r.columns)
    }
    response.update(
        {
            "totalUpdatedRows": len(touched_rows),
            "totalUpdatedColumns": len(touched_columns),
            "totalUpdatedCells": sum(r.cells for r in results),
            "totalUpdatedSheets": len({r.area.sheet.sheet_id for r in results}),
            "responses": [r.update_response(spreadsheet_id) for r in results],
        }
    )
    return response


def _param(query: dict, name: str, default: str | None = None) -> str | None:
    values = query.get(name)
    return values[0] if values else default


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    fake: FakeSheetsServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HttpServer
    # Idle keep-alive connections give up after this long rather than pinning a thread forever.
    timeout = 30
    # Headers and body go out in separate writes; with Nagle on, delayed ACKs add ~40 ms a request.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._respond()

    def do_POST(self) -> None:
        self._respond()

    def do_PUT(self) -> None:
        self._respond()

    def do_DELETE(self) -> None:
        self._respond()

    def do_PATCH(self) -> None:
        self._respond()

    def _respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body_bytes = self.rfile.read(length) if length else b""
        status, payload = self.server.fake.handle(self.command, self.path, body_bytes)
        encoded = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature fixed by the base class
        pass
