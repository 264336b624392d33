"""The layers of architecture.md, checked on the source: pure rules, one door for changes.

workflows/ imports no I/O library; pages import no connector, build no row and never call the
live workbook's methods themselves: every change goes through services/, which audit it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
IO_LIBRARIES = {"streamlit", "gspread", "sqlalchemy", "requests", "sqlite3", "openpyxl", "google", "segno", "fpdf",
                "connectors", "services", "ui", "documents"}
# Workflow functions that make rows or IDs to write: only services may call them.
ROW_BUILDERS = {"signup_row", "checkin_row", "code_row", "new_code", "new_checkin_code", "new_id", "new_request",
                "survey_row", "question_rows", "action_row", "action_status_changes", "review_changes",
                "check_self_report", "check_activity", "new_activity_id", "plan_edits", "submission_rows",
                "claim_event", "decide", "decide_signup", "decide_cancel", "decide_checkin", "auto_closes"}
WRITES = {"append", "update", "update_rows", "sync", "ensure_schema"}


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).glob("*.py"))


def imported(tree: ast.AST) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in a file."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def parsed(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("path", modules("workflows"), ids=lambda p: p.name)
def test_workflows_import_no_io_library_and_no_outer_layer(path):
    for module, _ in imported(parsed(path)):
        assert module.split(".")[0] not in IO_LIBRARIES, f"{path.name} imports {module}"


@pytest.mark.parametrize("path", modules("workflows"), ids=lambda p: p.name)
def test_rules_never_walk_a_table_row_by_row_with_iterrows(path):
    """architecture.md § Scale: rules are vectorised over tables (no `iterrows`)."""
    calls = [node.lineno for node in ast.walk(parsed(path))
             if isinstance(node, ast.Attribute) and node.attr == "iterrows"]
    assert not calls, f"{path.name} walks rows with iterrows at line(s) {calls}"


@pytest.mark.parametrize("path", modules("pages"), ids=lambda p: p.name)
def test_pages_import_no_connector_and_no_row_builder(path):
    for module, names in imported(parsed(path)):
        assert not module.startswith("connectors"), f"{path.name} imports {module}: pages go through services/"
        assert module != "services.audit", f"{path.name} writes the audit log itself"
        if module.startswith("workflows"):
            builders = sorted(set(names) & ROW_BUILDERS)
            assert not builders, f"{path.name} builds rows itself ({', '.join(builders)}): call a service"


@pytest.mark.parametrize("path", modules("pages"), ids=lambda p: p.name)
def test_pages_never_call_the_live_workbook_themselves(path):
    """`live()` may be handed to a service; a page calling `live().append(...)` bypasses the door."""
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) \
                and getattr(node.value.func, "id", None) == "live":
            pytest.fail(f"{path.name} line {node.lineno}: live().{node.attr} — call a service instead")


@pytest.mark.parametrize("path", modules("pages"), ids=lambda p: p.name)
def test_pages_read_no_server_clock(path):
    """Now is the workbook's time zone (ui.session.now), never the server's own."""
    source = path.read_text(encoding="utf-8")
    for banned in ("datetime.now(", "datetime.today(", "date.today(", "time.time("):
        assert banned not in source, f"{path.name} reads the server clock ({banned})"


@pytest.mark.parametrize("path", modules("services"), ids=lambda p: p.name)
def test_services_write_through_the_live_workbook_never_past_it(path):
    """A write laid over the live data is what its author sees at once (read-your-writes)."""
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES - {"ensure_schema"}:
            owner = node.func.value
            assert not (isinstance(owner, ast.Attribute) and owner.attr == "workbook"), (
                f"{path.name} line {node.lineno}: writes to the backend past the live workbook")


def test_the_test_of_pages_would_catch_a_raw_append():
    tree = ast.parse("from ui.state import live\nlive().append('hours', [])\n")
    hits = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "id", None) == "live"]
    assert hits and hits[0].attr == "append"
