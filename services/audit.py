"""Changes to record tables, each leaving who, when, and what was there before.

The `_audit` log is append-only: one row per changed cell (or per created row). Only the
services write through here; the Data and Sheets pages show the recent entries.
"""
from __future__ import annotations

from connectors.live import LiveWorkbook
from services.clock import Clock
from workflows.signup import new_id

CREATED = "*"  # the column of an audit row that records a new row


def _record(key: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in key.items())


def current_cells(live: LiveWorkbook, table: str, key: dict[str, str], extra_columns=()) -> dict[str, str]:
    """The cells of the first row with `key`, as the sheet holds them now ({} when there is none)."""
    shown = live.data()
    frame = shown.tables[table]
    match = frame
    for column, value in key.items():
        match = match[match[column] == value]
    return {} if match.empty else shown.cells_of(table, int(match.iloc[0]["_row"]), extra_columns)


def audited_update(live: LiveWorkbook, actor: str, table: str, key: dict[str, str], changes: dict[str, str],
                   clock: Clock, expect: dict[str, str] | None = None, extra_columns=()) -> bool:
    """Updates the cells (see `LiveWorkbook.update`) and logs each change with its old value."""
    before = current_cells(live, table, key, extra_columns)
    sent = live.update(table, key, changes, expect, extra_columns=extra_columns)
    _log_changes(live, actor, table, [(key, changes, before)], clock)
    return sent


def current_cells_of_rows(live: LiveWorkbook, table: str, keys: list[dict[str, str]]) -> list[dict[str, str]]:
    """`current_cells` of each key, the table looked through once for a batch of one-column keys (a
    branch's pending hours approved at once: once per entry, 150,000 rows each time)."""
    if len(keys) <= 1 or any(list(key) != list(keys[0]) or len(key) != 1 for key in keys):
        return [current_cells(live, table, key) for key in keys]
    shown = live.data()
    frame = shown.tables[table]
    (column,) = keys[0]
    wanted = {key[column] for key in keys}
    named = frame[frame[column].isin(wanted)]
    row_of = {}
    for value, row in zip(named[column], named["_row"]):
        row_of.setdefault(value, int(row))
    return [shown.cells_of(table, row_of[key[column]]) if key[column] in row_of else {} for key in keys]


def audited_update_rows(live: LiveWorkbook, actor: str, table: str, items: list[tuple[dict, dict]],
                        clock: Clock) -> bool:
    """Several rows' cells in one write, and one log append for all of them."""
    befores = current_cells_of_rows(live, table, [key for key, _ in items])
    sent = live.update_rows(table, items)
    _log_changes(live, actor, table, [(key, changes, before) for (key, changes), before in zip(items, befores)], clock)
    return sent


def _log_changes(live: LiveWorkbook, actor: str, table: str, changed: list[tuple[dict, dict, dict]],
                 clock: Clock) -> None:
    now = clock()
    rows = [{"audit_id": new_id("U", now), "actor": actor, "table": table, "record": _record(key), "column": column,
             "old": before.get(column, ""), "new": str(value)}
            for key, changes, before in changed for column, value in changes.items()
            if before.get(column, "") != str(value)]
    if rows:
        live.append("_audit", rows, stamp=("at", clock))


def audited_append(live: LiveWorkbook, actor: str, table: str, rows: list[dict[str, str]], id_columns: tuple[str, ...],
                   clock: Clock, extra_columns=()) -> bool:
    """Appends new record rows and logs that the actor created them."""
    sent = live.append(table, rows, extra_columns=extra_columns)
    now = clock()
    live.append("_audit", [{"audit_id": new_id("U", now), "actor": actor, "table": table,
                            "record": _record({k: row.get(k, "") for k in id_columns}), "column": CREATED,
                            "old": "", "new": ""} for row in rows], stamp=("at", clock))
    return sent
