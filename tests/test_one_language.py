"""One language at a time: every page, for every role, in Chinese and in English, shows no text of
the app's own in the other language.

The rule for telling the app's own text from data: everything a person or a coordinator typed into
the workbook is data and may be in either language (names, branch names, titles, places, the
sheets' own titles and headers, settings). So the check collects every cell value, sheet title and
header of the workbook under test, removes each of them from the rendered strings, and looks at
what is left, which is the app's own text:
- in the Chinese UI no English word of three letters or more (a few names such as Excel, CSV, PDF,
  Google are allowed);
- in the English UI no Chinese character and no full-width punctuation (e.g. "Status：").
An enum cell (political status, a status, a kind, a question type) and a request category hold a
value the app defines, so they are not counted as data: the app must show them by their label.

The strings are the ones a person reads: titles, markdown, captions, alerts, labels, help texts,
placeholders, options, button texts, metrics, tabs, expanders, and the headers and cells of tables.
"""
from __future__ import annotations

import json
import re

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.proto.Dataframe_pb2 import Dataframe as DataframeProto
from streamlit.proto.Html_pb2 import Html as HtmlProto
from streamlit.proto.VegaLiteChart_pb2 import VegaLiteChart as ChartProto
from streamlit.testing.v1 import AppTest

from connectors.parsing import parse_snapshot
from connectors.sqlite_workbook import SqliteWorkbook
from demo.codes import DEMO_CODES
from services.audit import audited_update
from connectors.live import LiveWorkbook
from tests.pages import APP, demo_workbook
from ui.display import audit_record_text, readable
from ui.messages import refusal_text
from ui.pages import PAGES, menu_keys
from workflows.access import SIGNED_OUT, viewer_for
from workflows.clock import local_now
from workflows.refusals import Refusal
from workflows.schema import TABLES
from workflows.sheet_edits import sheet_positions

VOLUNTEER, COORDINATOR, LEADER = (p for p, *_ in DEMO_CODES)
ROLES = {"signed out": None, "volunteer": VOLUNTEER, "coordinator": COORDINATOR, "leader": LEADER}
APP_DEFINED = {(spec.key, column.key) for spec in TABLES for column in spec.columns if column.type == "enum"} | {
    ("requests", "category"), ("actions", "source"), ("_audit", "table"), ("_audit", "record"), ("_audit", "column")}
ENGLISH_ALLOWED = {"Excel", "CSV", "PDF", "Google", "Sheets", "xlsx", "XLSX", "YYYY", "MM", "DD", "HH"}
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
CODE_OR_LINK = re.compile(r"`[^`]*`|https?://\S+|:material/\w+:")  # commands, addresses, icons: no language
TEXT_FIELDS = {"label", "body", "placeholder", "help", "options", "caption", "text", "display_value"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo workbook, with one change made through the app so that the change logs show a row."""
    url = f"sqlite:///{tmp_path_factory.mktemp('language') / 'w.sqlite3'}"
    book = demo_workbook(url)
    live = LiveWorkbook(book, interval_seconds=0)
    tables = live.data().tables
    coordinator = viewer_for(tables["people"], COORDINATOR)
    mine = tables["activities"][tables["activities"]["branch"] == coordinator.branch].iloc[0]
    audited_update(live, coordinator.person_id, "activities", {"activity_id": mine["activity_id"]},
                   {"location": str(mine["location"]) + "（二楼）"}, lambda: local_now("Asia/Shanghai"))
    return url


def data_values(url: str) -> list[str]:
    """Every cell, title and header of the workbook that is data (see the module's docstring), longest first."""
    snapshot = SqliteWorkbook(url).snapshot()
    values: set[str] = set()
    for key, sheet in snapshot.sheets.items():
        values.update([sheet.title, *sheet.header])
        spec = next((spec for spec in TABLES if spec.key == key), None)
        column_at = {position: column for column, position in sheet_positions(spec, sheet.header).items()} if spec else {}
        for row in sheet.rows:
            values.update(cell.strip() for position, cell in enumerate(row)
                          if (key, column_at.get(position)) not in APP_DEFINED)
    return sorted((v for v in values if v), key=len, reverse=True)


def repeated(field) -> bool:
    return field.is_repeated


def strings_of(at: AppTest, page_key: str = "") -> list[str]:
    """The strings a person reads on the page (see the module's docstring)."""
    found: list[str] = []

    def collect(message) -> None:
        for field, value in message.ListFields():
            if field.type == field.TYPE_MESSAGE:
                for item in (value if repeated(field) else [value]):
                    collect(item)
            elif field.type == field.TYPE_STRING and field.name in TEXT_FIELDS:
                found.extend(value if repeated(field) else [value])

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, ChartProto):
            found.extend(chart_strings(proto))
        elif proto is not None and not isinstance(proto, (DataframeProto, HtmlProto)):  # styles are not text
            collect(proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    for frame in [*at.dataframe, *at.table]:
        found.extend(table_strings(frame, with_cells=not (page_key == "sheets" and frame in at.data_editor)))
    return [s for s in found if s and s.strip()]


def chart_strings(chart) -> list[str]:
    """A chart's titles, the field names it shows where it has no title (tooltips, legends), and the
    text values of its data (axis labels)."""
    strings: list[str] = []

    def walk(node, in_encoding: bool = False) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("title"), str):
                strings.append(node["title"])
            if in_encoding and "field" in node and "title" not in node:
                strings.append(str(node["field"]))
            for key, value in node.items():
                walk(value, in_encoding or key in ("encoding", "tooltip"))
        elif isinstance(node, list):
            for item in node:
                walk(item, in_encoding)

    walk(json.loads(chart.spec))
    for named in chart.datasets:
        frame = pa.ipc.open_stream(named.data.data).read_all().to_pandas()
        for column in frame.columns:
            if not pd.api.types.is_numeric_dtype(frame[column]):
                strings.extend(str(v) for v in frame[column] if isinstance(v, str))
    return strings


def table_strings(frame, with_cells: bool) -> list[str]:
    """A table's headers as shown (a column's configured label) and its text cells (a yes/no column
    shows as ticks, not as words). The Sheets page's editor shows the cells exactly as the sheet
    holds them, so there they are data and only the headers are the app's."""
    value = frame.value
    config = json.loads(frame.proto.columns or "{}") if hasattr(frame.proto, "columns") else {}
    strings = [str((config.get(str(c)) or {}).get("label") or c) for c in value.columns]
    if with_cells:
        for column in value.columns:
            if value[column].dtype != bool and not pd.api.types.is_numeric_dtype(value[column]):
                options = (config.get(str(column)) or {}).get("type_config", {}).get("options", [])
                shown_as = {option["value"]: option.get("label", option["value"]) for option in options}
                strings.extend(str(shown_as.get(v, v)) for v in value[column] if v is not None and not pd.isna(v))
    return strings


def foreign_text(strings: list[str], data: list[str], lang: str) -> list[str]:
    left = []
    for text in strings:
        text = CODE_OR_LINK.sub(" ", text.replace("\\", ""))
        for value in data:
            if value in text:
                text = text.replace(value, " ")
        if lang == "zh":
            words = set(ENGLISH_WORD.findall(text)) - ENGLISH_ALLOWED
            if words:
                left.append(text)
        elif CHINESE.search(text):
            left.append(text)
    return left


def run_page(person_id: str | None, page, locale: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.context = {"locale": locale}
    if person_id:
        at.session_state["person_id"] = person_id
    at.run()
    at.switch_page(page.path).run()
    assert not at.exception, (page.key, at.exception)
    return at


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_speaks_only_the_page_language(demo, monkeypatch, role, lang):
    monkeypatch.setenv("WORKBOOK_URL", demo)
    data = data_values(demo)
    tables = parse_snapshot(SqliteWorkbook(demo).snapshot())
    person_id = ROLES[role]
    viewer = viewer_for(tables["people"], person_id) if person_id else SIGNED_OUT
    mixed = {}
    for page in PAGES:
        if page.key not in menu_keys(viewer):
            continue
        at = run_page(person_id, page, "zh-CN" if lang == "zh" else "en-US")
        left = foreign_text(strings_of(at, page.key), data, lang)
        if left:
            mixed[page.key] = sorted(set(left))[:12]
    assert mixed == {}


def test_every_choice_widget_has_a_placeholder_in_the_page_language(demo, monkeypatch):
    """Streamlit's own placeholder ("Choose an option") is English whatever the page's language."""
    monkeypatch.setenv("WORKBOOK_URL", demo)
    missing = []
    for page in PAGES:
        if page.key == "sign_in":
            continue
        at = run_page(COORDINATOR, page, "zh-CN")
        for widget in [*at.selectbox, *at.multiselect]:
            if not widget.proto.placeholder.strip():
                missing.append((page.key, widget.label))
    assert missing == []


@pytest.mark.parametrize(("lang", "expected"), [("zh", "请填写：标题、类别"), ("en", "Please fill in: title, category")])
def test_a_form_sent_without_its_fields_names_them_in_the_page_language(monkeypatch, lang, expected):
    monkeypatch.setattr("ui.i18n.language", lambda: lang)
    assert refusal_text(Refusal("missing_fields", "title, category")) == expected


@pytest.mark.parametrize(("lang", "expected"), [("zh", ["中共党员", "共青团员", ""]),
                                                ("en", ["Party member", "Youth League member", ""])])
def test_an_enum_column_shows_its_labels_in_both_languages(monkeypatch, lang, expected):
    monkeypatch.setattr("ui.i18n.language", lambda: lang)
    frame = pd.DataFrame({"political_status": ["party_member", "league_member", None]})
    assert list(readable("people", frame)["political_status"]) == expected


def test_a_change_log_names_the_record_by_its_ids_not_by_column_keys():
    assert audit_record_text("activity_id=A0002") == "A0002"
    assert audit_record_text("survey_id=S1, question_id=Q2") == "S1 · Q2"


@pytest.mark.parametrize(("locale", "expected"), [("zh-CN", "请填写：标题、类别"), ("en-US", "Please fill in: Title, Category")])
def test_a_request_sent_without_a_title_says_so_in_the_page_language(demo, monkeypatch, locale, expected):
    """(AppTest formats a choice's value outside the script run, where the page's language is not known:
    the language is fixed for the whole test instead.)"""
    monkeypatch.setenv("WORKBOOK_URL", demo)
    monkeypatch.setattr("ui.i18n.language", lambda: locale[:2])
    at = run_page(VOLUNTEER, next(page for page in PAGES if page.key == "requests"), locale)
    next(button for button in at.button if button.label in ("提交", "Submit")).click().run()
    shown = [element.value for element in at.error]
    assert expected in shown, shown
