"""The fake Sheets server answers like Google.

Part 1 replays real recorded Google exchanges (gspread's vcrpy cassettes) against the fake and
compares answers.  Part 2 pins the behaviour the app's tests rely on: append placement, value
trimming, A1 parsing, formulas, injected failures, quotas, racing appends, the request log.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import gspread
import pytest
import requests

try:
    from tests.fake_sheets import FakeSheetsServer, parse_cells, CellBounds, quote_sheet_title
except ImportError:  # tests/ is not a package: pytest put tests/ itself on sys.path
    from fake_sheets import FakeSheetsServer, parse_cells, CellBounds, quote_sheet_title

CASSETTE_DIR = Path(__file__).parent / "cassettes" / "gspread"  # gspread's recordings (MIT), see its README
GOOGLE_SHEETS = "https://sheets.googleapis.com"
DRIVE_CREATE_FILE = "https://www.googleapis.com/drive/v3/files?"


@pytest.fixture
def fake():
    server = FakeSheetsServer().start()
    yield server
    server.stop()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def url(fake: FakeSheetsServer, spreadsheet_id: str, suffix: str = "") -> str:
    return f"{fake.base_url}/v4/spreadsheets/{spreadsheet_id}{suffix}"


# =========================================================================== 1. replay


def shape(value):
    """The structure of a JSON value: keys recursively, lists by their first element, scalars by type."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def kind_of(method: str, uri: str) -> str:
    path = uri.split("?")[0].split("/v4/spreadsheets/")[1]
    if "/values" not in path:
        return "get_spreadsheet" if method == "GET" else "batch_update_spreadsheet"
    return "values"


def map_json(value, spreadsheet_ids: dict[str, str], sheet_ids: dict[int, int]):
    """Rewrite recorded spreadsheet ids and sheet ids to the fake's."""
    if isinstance(value, dict):
        return {
            key: (sheet_ids.get(item, item) if key == "sheetId" else map_json(item, spreadsheet_ids, sheet_ids))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [map_json(item, spreadsheet_ids, sheet_ids) for item in value]
    if isinstance(value, str):
        for recorded, ours in spreadsheet_ids.items():
            value = value.replace(recorded, ours)
    return value


def metadata_the_app_relies_on(metadata: dict) -> dict:
    """Metadata keys gspread/the app read.  Google also sends defaultFormat, spreadsheetTheme and
    other formatting the fake does not model, so only these are compared (values and shape)."""
    return {
        "spreadsheetId": metadata["spreadsheetId"],
        "properties": {key: metadata["properties"][key] for key in ("title", "locale", "timeZone")},
        "sheets": [
            {
                "properties": {
                    key: sheet["properties"][key] for key in ("sheetId", "title", "index", "sheetType", "gridProperties")
                }
            }
            for sheet in metadata["sheets"]
        ],
        "spreadsheetUrl": metadata["spreadsheetUrl"],
    }


def learn_added_sheet_ids(recorded: dict, answered: dict, sheet_ids: dict[int, int]) -> None:
    for recorded_reply, answered_reply in zip(recorded.get("replies", []), answered.get("replies", [])):
        if "addSheet" in recorded_reply and "addSheet" in answered_reply:
            recorded_id = recorded_reply["addSheet"]["properties"]["sheetId"]
            sheet_ids[recorded_id] = answered_reply["addSheet"]["properties"]["sheetId"]


class Replay:
    """Sends one cassette's Sheets requests to the fake in order and collects every difference."""

    def __init__(self, fake: FakeSheetsServer, session: requests.Session, cassette: Path):
        self.fake = fake
        self.session = session
        self.cassette = cassette
        self.spreadsheet_ids: dict[str, str] = {}
        self.sheet_ids: dict[int, int] = {}
        self.differences: list[str] = []
        self.compared: dict[str, int] = {"values": 0, "batch_update_spreadsheet": 0, "get_spreadsheet": 0}

    def run(self) -> None:
        interactions = json.loads(self.cassette.read_text())["interactions"]
        for number, interaction in enumerate(interactions):
            request, response = interaction["request"], interaction["response"]
            if request["uri"].startswith(GOOGLE_SHEETS):
                self.replay(number, request, response)
            elif request["method"] == "POST" and request["uri"].startswith(DRIVE_CREATE_FILE):
                self.create_spreadsheet_like(json.loads(response["body"]["string"]))
            # Other Drive calls (file metadata, delete) are not part of the Sheets API: skipped.

    def create_spreadsheet_like(self, drive_file: dict) -> None:
        # Drive creates spreadsheets with one "Sheet1"; the cassettes add the 🌵 sheets themselves.
        self.spreadsheet_ids[drive_file["id"]] = self.fake.create_spreadsheet(title=drive_file["name"], sheets=["Sheet1"])

    def replay(self, number: int, request: dict, response: dict) -> None:
        method = request["method"]
        target = map_json(request["uri"], self.spreadsheet_ids, {}).replace(GOOGLE_SHEETS, self.fake.base_url)
        body = None
        if request["body"]:
            body = json.dumps(map_json(json.loads(request["body"]), self.spreadsheet_ids, self.sheet_ids))
        answer = self.session.request(
            method, target, data=body.encode() if body else None, headers={"Content-Type": "application/json"}
        )
        where = f"{self.cassette.name} interaction #{number}: {method} {request['uri'].split('/spreadsheets/')[1]}"
        recorded_status = response["status"]["code"]
        if answer.status_code != recorded_status:
            self.differences.append(f"{where}: status {answer.status_code} != recorded {recorded_status}: {answer.text}")
            return
        recorded = json.loads(response["body"]["string"])
        answered = answer.json()
        kind = kind_of(method, request["uri"])
        if kind == "batch_update_spreadsheet":
            learn_added_sheet_ids(recorded, answered, self.sheet_ids)
        expected = map_json(recorded, self.spreadsheet_ids, self.sheet_ids)
        if kind == "get_spreadsheet":
            expected, answered = metadata_the_app_relies_on(expected), metadata_the_app_relies_on(answered)
        self.compared[kind] += 1
        if shape(answered) != shape(expected):
            self.differences.append(f"{where}: shape {shape(answered)} != recorded {shape(expected)}")
        elif answered != expected:
            self.differences.append(f"{where}: answered {answered} != recorded {expected}")


CASSETTES = sorted(CASSETTE_DIR.glob("*.json"))


def test_the_recorded_exchanges_ship_with_the_repository_so_a_fresh_clone_replays_them():
    assert len(CASSETTES) >= 9, f"gspread's recorded cassettes are missing from {CASSETTE_DIR}"
    assert sum(path.stat().st_size for path in CASSETTES) < 3_000_000  # test data stays small


@pytest.mark.parametrize("cassette", CASSETTES, ids=lambda path: path.stem)
def test_replaying_recorded_google_exchanges_gives_the_same_answers(fake, http, cassette):
    replay = Replay(fake, http, cassette)
    replay.run()
    assert not replay.differences, "\n".join(replay.differences)
    assert sum(replay.compared.values()) > 0


def test_replay_covers_every_recorded_values_endpoint(fake, http):
    kinds_seen = set()
    for cassette in CASSETTES:
        Replay(fake, http, cassette).run()
    for entry in fake.log:
        kinds_seen.add(entry["kind"])
    assert {
        "get_spreadsheet",
        "batch_update_spreadsheet",
        "values_get",
        "values_batch_get",
        "values_append",
        "values_update",
        "values_batch_update",
        "values_clear",
    } <= kinds_seen
    assert all(entry["status"] == 200 for entry in fake.log)


def test_shape_helper():
    assert shape({"a": [{"b": 1}], "c": [], "d": "x"}) == {"a": [{"b": "int"}], "c": [], "d": "str"}


# =========================================================================== 2. behaviour


def append(http, fake, spreadsheet_id, range_text, rows, option="RAW"):
    return http.post(
        url(fake, spreadsheet_id, f"/values/{requests.utils.quote(range_text, safe='')}:append"),
        params={"valueInputOption": option, "insertDataOption": "INSERT_ROWS"},
        json={"values": rows},
    )


def get_range(http, fake, spreadsheet_id, range_text, **params):
    return http.get(url(fake, spreadsheet_id, f"/values/{requests.utils.quote(range_text, safe='')}"), params=params)


def test_append_lands_after_the_last_filled_row_despite_blank_rows_in_between(fake, http):
    sid = fake.create_spreadsheet(sheets=["people"])
    fake.set_values(sid, "people", [["name", "age"], ["ann", "31"], [], [], ["bob", "40"]])

    answer = append(http, fake, sid, "people", [["cid", "22"]])

    assert answer.status_code == 200
    assert answer.json()["updates"]["updatedRange"] == "people!A6:B6"
    assert answer.json()["tableRange"] == "people!A1:B5"
    assert fake.get_values(sid, "people")[5] == ["cid", "22"]


def test_append_starts_at_the_first_column_of_the_range_and_grows_the_grid(fake, http):
    sid = fake.create_spreadsheet(sheets=["log"])
    fake.set_values(sid, "log", [["x"]] * 1000)

    answer = append(http, fake, sid, "'log'!B:B", [["y", "z"]])

    assert answer.json()["updates"]["updatedRange"] == "log!B1001:C1001"
    assert fake.get_values(sid, "log")[1000] == ["", "y", "z"]


def test_reads_drop_trailing_empties_and_keep_inner_empty_rows(fake, http):
    sid = fake.create_spreadsheet()
    fake.set_values(sid, "Sheet1", [["a", "", "c", ""], ["", "", ""], ["", "b"], [""], []])

    answer = get_range(http, fake, sid, "Sheet1").json()

    assert answer == {"range": "Sheet1!A1:Z1000", "majorDimension": "ROWS", "values": [["a", "", "c"], [], ["", "b"]]}
    assert fake.get_values(sid, "Sheet1") == [["a", "", "c"], [], ["", "b"]]


def test_an_empty_range_has_no_values_key(fake, http):
    sid = fake.create_spreadsheet()
    answer = http.get(url(fake, sid, "/values:batchGet"), params={"ranges": ["Sheet1!A1:B2"]}).json()
    assert answer == {
        "spreadsheetId": sid,
        "valueRanges": [{"range": "Sheet1!A1:B2", "majorDimension": "ROWS"}],
    }


@pytest.mark.parametrize(
    "cells, bounds",
    [
        ("A1", CellBounds(1, 1, 1, 1)),
        ("A1:C3", CellBounds(1, 1, 3, 3)),
        ("C3:A1", CellBounds(1, 1, 3, 3)),
        ("A:A", CellBounds(1, 1, None, 1)),
        ("B:D", CellBounds(1, 2, None, 4)),
        ("1:1", CellBounds(1, 1, 1, None)),
        ("3:5", CellBounds(3, 1, 5, None)),
        ("A2:Z", CellBounds(2, 1, None, 26)),
        ("A1:1", CellBounds(1, 1, 1, None)),
        ("AA10:AB11", CellBounds(10, 27, 11, 28)),
    ],
)
def test_a1_cell_parsing(cells, bounds):
    assert parse_cells(cells) == bounds


@pytest.mark.parametrize("cells", ["", "A", "A0", "1", "A1:B2:C3", "A-1", "ABCD1"])
def test_a1_cell_parsing_rejects_garbage(cells):
    with pytest.raises(ValueError):
        parse_cells(cells)


@pytest.mark.parametrize(
    "range_text, answered_range",
    [
        ("people", "people!A1:Z1000"),
        ("'people'", "people!A1:Z1000"),
        ("'people'!A:A", "people!A1:A1000"),
        ("people!1:1", "people!A1:Z1"),
        ("people!3:5", "people!A3:Z5"),
        ("people!B:D", "people!B1:D1000"),
        ("people!A2:Z", "people!A2:Z1000"),
        ("people!B2", "people!B2"),
        ("A1:B2", "people!A1:B2"),
        ("'成员'!A1:Z1", "'成员'!A1:Z1"),
        ("'it''s here'!A1:C2", "'it''s here'!A1:C2"),
        ("it's here!A1", "'it''s here'!A1"),
        ("'a!b'!A1", "'a!b'!A1"),
        ("'A1'!A1", "'A1'!A1"),
    ],
)
def test_ranges_are_resolved_and_answered_in_googles_notation(fake, http, range_text, answered_range):
    sid = fake.create_spreadsheet(sheets=["people", "成员", "it's here", "a!b", "A1"])
    answer = get_range(http, fake, sid, range_text)
    assert answer.status_code == 200, answer.text
    assert answer.json()["range"] == answered_range


def test_sheet_title_quoting():
    assert quote_sheet_title("Sheet1") == "Sheet1"
    assert quote_sheet_title("my sheet") == "'my sheet'"
    assert quote_sheet_title("B2") == "'B2'"
    assert quote_sheet_title("o'neil") == "'o''neil'"


def test_user_entered_formula_becomes_a_formula_cell_but_raw_stays_text(fake, http):
    sid = fake.create_spreadsheet()
    user_entered = http.put(
        url(fake, sid, "/values/Sheet1%21A1"), params={"valueInputOption": "USER_ENTERED"}, json={"values": [["=1+1", "hi"]]}
    )
    raw = http.put(url(fake, sid, "/values/Sheet1%21A2"), params={"valueInputOption": "RAW"}, json={"values": [["=1+1"]]})

    assert user_entered.status_code == raw.status_code == 200
    assert fake.formula_cells(sid, "Sheet1") == [(1, 1, "=1+1")]
    assert get_range(http, fake, sid, "Sheet1").json()["values"] == [["#FORMULA", "hi"], ["=1+1"]]
    assert get_range(http, fake, sid, "Sheet1!A1", valueRenderOption="FORMULA").json()["values"] == [["=1+1"]]


def test_json_numbers_and_booleans_are_stored_as_text(fake, http):
    sid = fake.create_spreadsheet()
    append(http, fake, sid, "Sheet1", [[7, 2.5, 3.0, True, False, None, ""]])
    assert fake.get_values(sid, "Sheet1") == [["7", "2.5", "3", "TRUE", "FALSE"]]


def test_writes_without_value_input_option_are_rejected(fake, http):
    sid = fake.create_spreadsheet()
    responses = [
        http.put(url(fake, sid, "/values/Sheet1%21A1"), json={"values": [["x"]]}),
        http.post(url(fake, sid, "/values/Sheet1:append"), json={"values": [["x"]]}),
        http.post(url(fake, sid, "/values:batchUpdate"), json={"data": [{"range": "Sheet1!A1", "values": [["x"]]}]}),
    ]
    for answer in responses:
        assert answer.status_code == 400
        assert answer.json()["error"]["message"] == "'valueInputOption' is required but not specified"
    assert fake.get_values(sid, "Sheet1") == []


def test_injected_failures_answer_then_stop(fake, http):
    sid = fake.create_spreadsheet()
    fake.fail_next(2, 429)

    statuses = [append(http, fake, sid, "Sheet1", [["x"]]).status_code for _ in range(3)]

    assert statuses == [429, 429, 200]
    assert fake.get_values(sid, "Sheet1") == [["x"]]
    refused = fake.requests_of("values_append")[0]
    assert refused["status"] == 429
    assert append(http, fake, sid, "Sheet1", [["y"]]).ok


@pytest.mark.parametrize("status, name", [(500, "INTERNAL"), (503, "UNAVAILABLE"), (429, "RESOURCE_EXHAUSTED")])
def test_injected_failures_look_like_google_errors(fake, http, status, name):
    sid = fake.create_spreadsheet()
    fake.fail_next(1, status)
    error = http.get(url(fake, sid)).json()["error"]
    assert error["code"] == status and error["status"] == name and error["message"]


def test_quota_per_minute_refuses_requests_beyond_the_window(fake, http):
    sid = fake.create_spreadsheet()
    now = [1000.0]
    fake.clock = lambda: now[0]
    fake.quota_per_minute = 3

    statuses = [http.get(url(fake, sid, "/values/Sheet1")).status_code for _ in range(5)]
    refusal = http.get(url(fake, sid, "/values/Sheet1")).json()["error"]
    now[0] += 61
    after_a_minute = http.get(url(fake, sid, "/values/Sheet1")).status_code

    assert statuses == [200, 200, 200, 429, 429]
    assert refusal["status"] == "RESOURCE_EXHAUSTED"
    assert "Quota exceeded for quota metric 'Read requests'" in refusal["message"]
    assert after_a_minute == 200
    assert [entry["status"] for entry in fake.log].count(429) == 3


def concurrent_appends(fake, sid, count: int) -> list[int]:
    start_together = threading.Barrier(count)
    statuses = [0] * count

    def append_one(number: int) -> None:
        with requests.Session() as session:
            start_together.wait()
            statuses[number] = append(session, fake, sid, "log", [[f"row {number}"]]).status_code

    threads = [threading.Thread(target=append_one, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return statuses


def test_racing_appends_lose_rows(fake):
    sid = fake.create_spreadsheet(sheets=["log"])
    fake.set_values(sid, "log", [["header"]])
    fake.racing_appends = True
    fake.race_window = 0.3

    statuses = concurrent_appends(fake, sid, 10)

    assert statuses == [200] * 10
    landed = fake.get_values(sid, "log")[1:]
    assert len(landed) < 10


def test_without_racing_every_concurrent_append_lands(fake):
    sid = fake.create_spreadsheet(sheets=["log"])
    fake.set_values(sid, "log", [["header"]])

    statuses = concurrent_appends(fake, sid, 10)

    assert statuses == [200] * 10
    landed = fake.get_values(sid, "log")[1:]
    assert sorted(landed) == sorted([f"row {number}"] for number in range(10))


def test_a_hundred_concurrent_clients_are_all_served(fake):
    sid = fake.create_spreadsheet()
    start_together = threading.Barrier(100)
    statuses = []

    def read() -> None:
        start_together.wait()
        statuses.append(requests.get(url(fake, sid, "/values/Sheet1"), timeout=10).status_code)

    threads = [threading.Thread(target=read) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)
    assert statuses == [200] * 100
    assert fake.count("values_get") == 100


def test_latency_is_added_to_every_request(fake, http):
    sid = fake.create_spreadsheet()
    fake.latency = 0.2
    started = time.monotonic()
    http.get(url(fake, sid))
    assert time.monotonic() - started >= 0.2


def test_request_log_counts_by_kind(fake, http):
    sid = fake.create_spreadsheet()
    http.get(url(fake, sid), params={"includeGridData": "false"})
    http.post(url(fake, sid, ":batchUpdate"), json={"requests": [{"addSheet": {"properties": {"title": "t"}}}]})
    get_range(http, fake, sid, "Sheet1")
    http.get(url(fake, sid, "/values:batchGet"), params={"ranges": ["Sheet1", "t!A:A"]})
    append(http, fake, sid, "Sheet1", [["a"]])
    http.put(url(fake, sid, "/values/Sheet1%21A2"), params={"valueInputOption": "RAW"}, json={"values": [["b"]]})
    http.post(url(fake, sid, "/values:batchUpdate"), json={"valueInputOption": "RAW", "data": []})
    http.post(url(fake, sid, "/values/Sheet1%21A1:clear"))
    http.post(url(fake, sid, "/values:batchClear"), json={"ranges": ["t"]})
    http.get(f"{fake.base_url}/v4/nothing-here")

    kinds = [
        "get_spreadsheet", "batch_update_spreadsheet", "values_get", "values_batch_get", "values_append",
        "values_update", "values_batch_update", "values_clear", "values_batch_clear", "other",
    ]  # fmt: skip
    assert {kind: fake.count(kind) for kind in kinds} == dict.fromkeys(kinds, 1)
    batch_get = fake.requests_of("values_batch_get")[0]
    assert batch_get["query"]["ranges"] == ["Sheet1", "t!A:A"]
    assert batch_get["method"] == "GET" and batch_get["status"] == 200
    update = fake.requests_of("values_update")[0]
    assert update["path"] == f"/v4/spreadsheets/{sid}/values/Sheet1!A2"
    assert update["body"] == {"values": [["b"]]}
    assert fake.requests_of("other")[0]["status"] == 404
    fake.reset_log()
    assert fake.log == [] and fake.count("values_get") == 0


def test_unknown_sheet_in_a_range_is_a_400(fake, http):
    sid = fake.create_spreadsheet(sheets=["people"])
    for answer in (
        get_range(http, fake, sid, "'ghosts'!A1:B2"),
        http.get(url(fake, sid, "/values:batchGet"), params={"ranges": ["people", "ghosts"]}),
        append(http, fake, sid, "ghosts", [["x"]]),
    ):
        assert answer.status_code == 400
        assert answer.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert get_range(http, fake, sid, "'ghosts'!A1:B2").json()["error"]["message"] == "Unable to parse range: 'ghosts'!A1:B2"


def test_unknown_spreadsheet_is_a_404(fake, http):
    for answer in (http.get(url(fake, "no-such-id")), get_range(http, fake, "no-such-id", "Sheet1")):
        assert answer.status_code == 404
        assert answer.json() == {
            "error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
        }


def test_writes_and_reads_beyond_the_grid_fail_like_google(fake, http):
    sid = fake.create_spreadsheet()
    write = http.put(url(fake, sid, "/values/Sheet1%21Z1"), params={"valueInputOption": "RAW"}, json={"values": [["a", "b"]]})
    read = get_range(http, fake, sid, "Sheet1!A1:AA1")
    assert write.status_code == read.status_code == 400
    assert read.json()["error"]["message"] == (
        "Range ('Sheet1'!A1:AA1) exceeds grid limits. Max rows: 1000, max columns: 26"
    )


def test_add_and_delete_sheets(fake, http):
    sid = fake.create_spreadsheet()
    added = http.post(
        url(fake, sid, ":batchUpdate"),
        json={"requests": [{"addSheet": {"properties": {"title": "people", "gridProperties": {"rowCount": 5, "columnCount": 2}}}}]},
    ).json()
    properties = added["replies"][0]["addSheet"]["properties"]
    assert properties["title"] == "people" and properties["index"] == 1
    assert properties["gridProperties"] == {"rowCount": 5, "columnCount": 2}
    assert fake.sheet_titles(sid) == ["Sheet1", "people"]

    duplicate = http.post(url(fake, sid, ":batchUpdate"), json={"requests": [{"addSheet": {"properties": {"title": "people"}}}]})
    assert duplicate.status_code == 400

    deleted = http.post(url(fake, sid, ":batchUpdate"), json={"requests": [{"deleteSheet": {"sheetId": properties["sheetId"]}}]})
    assert deleted.json() == {"spreadsheetId": sid, "replies": [{}]}
    assert fake.sheet_titles(sid) == ["Sheet1"]


def test_clear_empties_the_range(fake, http):
    sid = fake.create_spreadsheet()
    fake.set_values(sid, "Sheet1", [["a", "b"], ["c", "d"]])
    answer = http.post(url(fake, sid, "/values/Sheet1%21B1%3AB2:clear")).json()
    assert answer == {"spreadsheetId": sid, "clearedRange": "Sheet1!B1:B2"}
    assert fake.get_values(sid, "Sheet1") == [["a"], ["c"]]


# =========================================================================== gspread itself


class FakeBackedHTTPClient(gspread.http_client.HTTPClient):
    def __init__(self, base_url: str):
        super().__init__(auth=None, session=requests.Session())
        self.base_url = base_url

    def request(self, method, endpoint, *args, **kwargs):
        return super().request(method, endpoint.replace(GOOGLE_SHEETS, self.base_url), *args, **kwargs)


def test_gspread_http_client_talks_to_the_fake(fake):
    sid = fake.create_spreadsheet(title="Club", sheets=["people"])
    client = FakeBackedHTTPClient(fake.base_url)

    client.values_append(
        sid, "'people'!A1", params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
        body={"values": [["name", "age"], ["ann", 31]]},
    )  # fmt: skip
    client.values_batch_update(
        sid, body={"valueInputOption": "RAW", "data": [{"range": "'people'!B2", "values": [["32"]]}]}
    )
    batch = client.values_batch_get(sid, ["'people'!1:1", "'people'!A:A", "people"])
    added = client.batch_update(sid, {"requests": [{"addSheet": {"properties": {"title": "成员"}}}]})
    metadata = client.fetch_sheet_metadata(sid)

    assert [value_range["values"] for value_range in batch["valueRanges"]] == [
        [["name", "age"]],
        [["name"], ["ann"]],
        [["name", "age"], ["ann", "32"]],
    ]
    assert added["replies"][0]["addSheet"]["properties"]["title"] == "成员"
    assert metadata["properties"]["title"] == "Club"
    assert [sheet["properties"]["title"] for sheet in metadata["sheets"]] == ["people", "成员"]

    with pytest.raises(gspread.exceptions.APIError) as raised:
        client.values_get(sid, "'nobody'!A1")
    assert raised.value.response.status_code == 400
    assert fake.count("values_append") == 1 and fake.count("values_batch_get") == 1
