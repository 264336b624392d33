"""From raw text sheets to typed tables, collecting every cell that does not parse.

Nothing here raises on bad data: a bad cell becomes a `Problem` and the cell is treated as
empty (or the row skipped when the cell is required), never guessed.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from connectors import row_parsing
from connectors.column_parsing import DTYPES, object_array, parse_column, stripped_cells
from workflows.headers import column_positions, header_label, normalise
from connectors.sheet import RawSheet, Snapshot, StackedRows
from workflows.problems import Problem
from workflows.schema import ALL_TABLES, APPEND_ONLY, RECORD, Table, table as schema_table
from workflows.tables import DEFAULT_TIMEZONE, ROW, Stacked, Tables, frame_of, held_in, parts_of, per_frame


def parse_snapshot(snapshot: Snapshot, earlier: tuple[Snapshot, Tables] | None = None) -> Tables:
    """The tables of `snapshot`. With `earlier` (a snapshot the backend read `snapshot` since, and its
    tables): a sheet that is the very one read then is not parsed again, and of a sheet only appended
    to since, only the new rows are (see `Snapshot.appended`); the tables are those a whole parse gives."""
    if earlier is not None:
        return _parse_since(snapshot, *earlier)
    return parse_sheets(snapshot.sheets.get("settings"), ((table.key, snapshot.sheets.get(table.key))
                                                          for table in ALL_TABLES))


def _parse_since(snapshot: Snapshot, before: Snapshot, parsed: Tables) -> Tables:
    settings = snapshot.sheets.get("settings")
    timezone, first_problems = timezone_of(settings)
    if timezone != parsed.timezone:  # every date-time with an offset may read otherwise
        return parse_snapshot(snapshot)
    tz = ZoneInfo(timezone)
    frames, problems = {}, {}
    for table in ALL_TABLES:
        key, raw, old = table.key, snapshot.sheets.get(table.key), before.sheets.get(table.key)
        if raw is not None and raw is old and key != "settings":  # the settings also hold the time zone
            frames[key], problems[key] = parsed.frames[key], [p for p in parsed.problems if p.sheet == raw.title]
            continue
        found = None
        if raw is not None and old is not None and old.header == raw.header and key != "settings":
            found = _changed(table, raw, old, snapshot, parsed, tz)
        frames[key], problems[key] = found if found is not None else parse_sheet(table, raw, tz)
    labels = {table.key: {column: header_label(table, raw.header if raw else [], column) for column in table.column_keys}
              for table in ALL_TABLES for raw in [snapshot.sheets.get(table.key)]}
    return Tables(frames, first_problems + [p for table in ALL_TABLES for p in problems[table.key]], timezone,
                  {table.key: (snapshot.sheets[table.key].title if table.key in snapshot.sheets else table.key)
                   for table in ALL_TABLES}, labels)


def _changed(table: Table, raw: RawSheet, old: RawSheet, snapshot: Snapshot, parsed: Tables, tz: ZoneInfo):
    """(frame, problems) of a sheet the backend read as `old`'s rows with some edited and some appended
    (`Snapshot.edited`, `Snapshot.appended`), from what `parsed` holds of `old`; None: parse it whole."""
    edited, start = snapshot.edited.get(raw.title, ()), snapshot.appended.get(raw.title)
    if not edited and start is None:
        return None
    found = parsed.frames[table.key], [p for p in parsed.problems if p.sheet == raw.title]
    if edited:
        found = parse_edited(table, raw.title, raw.header, [(at, raw.rows[at]) for at in edited], *found, tz)
    if found is not None and start is not None:
        if start != len(old.rows):
            return None
        rows = raw.rows.rows_from(start) if isinstance(raw.rows, StackedRows) else list(raw.rows[start:])
        found = parse_appended(table, raw.title, raw.header, rows, start, *found, tz)
    return found


def parse_edited(table: Table, title: str, header: list[str], rows: list[tuple[int, list[str]]],
                 earlier: pd.DataFrame, earlier_problems: list[Problem], tz: ZoneInfo):
    """(frame, problems) of a sheet parsed into `earlier` with `earlier_problems`, after the rows at these
    positions (0 = the first under the header) were edited to these cells: only those rows are parsed
    again. None when that might not give what a parse of the whole sheet would: in a log (an identical
    re-send of a row is no problem, so which rows repeat another is not known), for an edited row that
    was not read before (blank, unusable, a duplicate), changed its ID, or is the first of an ID that
    other rows repeat, and when the header had problems."""
    if table.kind != RECORD or any(p.row is None or p.row <= 1 for p in earlier_problems):
        return None
    frame = earlier.whole() if isinstance(earlier, Stacked) else earlier
    numbers = frame[ROW].to_numpy()
    repeated = {p.params.get("first_row") for p in earlier_problems if p.code == "duplicate_id"}
    positions = column_positions(table, header)
    replaced, found = {}, {}
    for at, cells in rows:
        number = RawSheet.row_number(at)
        where = int(np.searchsorted(numbers, number))
        if where == len(numbers) or numbers[where] != number or number in repeated:
            return None
        again, problems = row_parsing.parse_few_rows(table, RawSheet(title, header, [cells]), positions, tz, at)
        if len(again) and any(again[k].iat[0] != frame[k].iat[where] for k in table.id_columns):
            return None
        replaced[where], found[number] = again, problems
    kept = np.ones(len(frame), dtype=bool)
    kept[list(replaced)] = False
    frame = pd.concat([frame[kept], *(again for again in replaced.values() if len(again))], ignore_index=True)
    frame = frame.sort_values(ROW, kind="stable", ignore_index=True)
    problems = [p for p in earlier_problems if p.row not in found] + [p for found_here in found.values() for p in found_here]
    return frame, sorted(problems, key=lambda p: p.row)


def parse_appended(table: Table, title: str, header: list[str], rows: list[list[str]], start: int,
                   earlier: pd.DataFrame, earlier_problems: list[Problem], tz: ZoneInfo):
    """(frame, problems) of a sheet whose first `start` rows were parsed into `earlier` (a frame, or a
    `Stacked` one) with `earlier_problems`, followed by `rows`: only those are parsed, their IDs judged
    against all rows before, as a parse of the whole sheet would. None when the sheet is better parsed
    whole (its header had problems, which the new rows would repeat)."""
    if any(p.row is None or p.row <= 1 for p in earlier_problems):
        return None
    parts = parts_of(earlier)
    frame, problems = parse_sheet(table, RawSheet(title, header, rows), tz, first_index=start, earlier=parts)
    if any(p.row is None or p.row <= 1 for p in problems):
        return None
    return (Stacked.after(parts, frame) if len(frame) else earlier), earlier_problems + problems


def parse_sheets(settings: RawSheet | None, sheets: Iterable[tuple[str, RawSheet | None]]) -> Tables:
    """The tables of `sheets` ((table key, sheet or None) of every table, in any order), each parsed
    as it comes: a reader that yields them one by one may let each sheet's cells go once parsed."""
    timezone, first_problems = timezone_of(settings)
    tz = ZoneInfo(timezone)
    frames, titles, labels, problems = {}, {}, {}, {}
    for key, raw in sheets:
        table = schema_table(key)
        frames[key], problems[key] = parse_sheet(table, raw, tz)
        titles[key] = raw.title if raw else key
        header = raw.header if raw else []
        labels[key] = {column: header_label(table, header, column) for column in table.column_keys}
    in_order = [problem for table in ALL_TABLES for problem in problems[table.key]]  # as the workbook reads
    return Tables({table.key: frames[table.key] for table in ALL_TABLES}, first_problems + in_order, timezone,
                  {table.key: titles[table.key] for table in ALL_TABLES},
                  {table.key: labels[table.key] for table in ALL_TABLES})


def read_tables(workbook) -> tuple[Tables, dt.datetime]:
    """(the tables, when read) without keeping the cells: for commands that only read. A backend that
    can hand out its sheets one by one (`sheet_reader`: SQLite) lets each sheet's cells go once parsed,
    which at 30,000 people is a third of a read's memory; others are read whole first."""
    sheet_reader = getattr(workbook, "sheet_reader", None)
    if sheet_reader is None:
        snapshot = workbook.snapshot()
        return parse_snapshot(snapshot), snapshot.taken_at
    with sheet_reader() as (read, taken_at):
        settings = read("settings")
        sheets = ((table.key, settings if table.key == "settings" else read(table.key)) for table in ALL_TABLES)
        return parse_sheets(settings, sheets), taken_at


def timezone_of(settings: RawSheet | None) -> tuple[str, list[Problem]]:
    """The workbook's time zone (its `timezone` setting, else the default), and the problem of a bad one."""
    if settings is None:
        return DEFAULT_TIMEZONE, []
    positions = column_positions(schema_table("settings"), settings.header)
    if "key" not in positions or "value" not in positions:
        return DEFAULT_TIMEZONE, []
    for index in range(len(settings.rows)):
        if normalise(settings.cell(index, positions["key"])) == "timezone":
            name = settings.cell(index, positions["value"]).strip()
            if not name:
                return DEFAULT_TIMEZONE, []
            try:
                ZoneInfo(name)
                return name, []
            except (ZoneInfoNotFoundError, ValueError, OSError):  # e.g. `Asia` is a folder of zones, not a zone
                header = settings.header[positions["value"]]
                row = RawSheet.row_number(index)
                return DEFAULT_TIMEZONE, [Problem(settings.title, row, header, name, "unknown_time_zone")]
    return DEFAULT_TIMEZONE, []


def parse_sheet(table: Table, raw: RawSheet | None, tz: ZoneInfo, first_index: int = 0, earlier=None
                ) -> tuple[pd.DataFrame, list[Problem]]:
    """`first_index`: `raw` holds the sheet's rows from this one on (a write's rows), and row numbers
    are the sheet's. `earlier`: the frames parsed from the sheet's rows before those, whose IDs come
    first (a row of `raw` with one of their IDs is a duplicate, as in a parse of the whole sheet)."""
    if raw is None:
        return empty_frame(table), [Problem(table.zh, None, "", "", "worksheet_missing",
                                            {"table": table.key, "title": table.zh})]
    positions = column_positions(table, raw.header)
    problems = [Problem(raw.title, 1, column.zh, "", "column_missing", {"column": column.key, "label": column.zh})
                for column in table.columns if column.required and column.key not in positions]
    if problems:  # as if every row left that required cell empty: no row is read, the table is empty
        return empty_frame(table), problems
    if len(raw.rows) <= row_parsing.FEW_ROWS and earlier is None:  # a write's few rows
        return row_parsing.parse_few_rows(table, raw, positions, tz, first_index)
    cells, numbers = _nonblank_rows(raw, first_index)
    if not len(numbers):  # most sheets of a new workbook: nothing to parse
        return empty_frame(table), []
    found: list[tuple[int, int, Problem]] = []  # (row index, column order, problem): sorted as the sheet reads
    usable = np.ones(len(numbers), dtype=bool)
    values = {}
    for order, column in enumerate(table.columns):
        position = positions.get(column.key)
        if position is None:
            values[column.key] = _absent(column, len(numbers), tz)
            continue
        parsed = parse_column(column, *cells[position], tz)
        values[column.key] = parsed.values
        if column.required:
            usable &= ~parsed.blank
            for index in np.flatnonzero(parsed.blank):
                found.append((index, order, _problem(raw, numbers[index], position, "", "required_empty",
                                                     column=column.key)))
        for index, (text, why) in parsed.bad.items():
            found.append((index, order, _problem(raw, numbers[index], position, text, f"cell.{why.code}", **why.params)))
            if column.required:
                usable[index] = False
    frame = pd.DataFrame({ROW: numbers, **values})
    for key in table.id_columns:
        usable &= frame[key].notna().to_numpy(dtype=bool)
    frame = frame[usable]
    frame, duplicates = _without_duplicates(table, raw, frame, positions, np.flatnonzero(usable), earlier or ())
    found.extend(duplicates)
    found.sort(key=lambda item: (item[0], item[1]))
    return _frame(table, frame), [problem for _, _, problem in found]


def _nonblank_rows(raw: RawSheet, first_index: int) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], np.ndarray]:
    """The cells of the rows that hold anything, column by column (as read, and stripped), and those
    rows' sheet numbers. Cells past the header count too: a row holding only those is not blank."""
    texts, beyond_header = _columns(raw)
    stripped = [stripped_cells(column) for column in texts]
    count = len(texts[0]) if texts else len(raw.rows)
    blank = np.ones(count, dtype=bool)
    for column in stripped:
        blank &= column == ""
    blank[beyond_header] = False
    kept = np.flatnonzero(~blank)
    if len(kept) < count:
        texts, stripped = [column[kept] for column in texts], [column[kept] for column in stripped]
    return dict(enumerate(zip(texts, stripped))), RawSheet.row_number(first_index + kept).astype("int64")


def _columns(raw: RawSheet) -> tuple[list[np.ndarray], list[int]]:
    """The sheet's cells column by column, as wide as its header (object arrays of the very str objects
    read: a text cell that needs no stripping is not copied), and the rows holding cells past it."""
    width, rows = len(raw.header), raw.rows
    if raw.grid is not None and raw.grid.shape == (len(rows), width):
        return [raw.grid[:, position] for position in range(width)], []
    beyond_header = []
    if any(len(row) != width for row in rows):
        beyond_header = [index for index, row in enumerate(rows) if len(row) > width and "".join(row[width:]).strip()]
        rows = [_as_wide(row, width) for row in rows]
    return ([object_array(column) for column in zip(*rows)] if len(rows) else [object_array([])] * width), beyond_header


def _as_wide(row: list[str], width: int) -> list[str]:
    return row[:width] if len(row) >= width else row + [""] * (width - len(row))


def _absent(column, count: int, tz: ZoneInfo) -> pd.Series:
    """A column the sheet does not have: its default, else empty (text) or missing."""
    if column.default.strip():
        defaults = object_array([column.default] * count)
        return parse_column(column, defaults, stripped_cells(defaults), tz).values
    if column.type == "text":
        return pd.Series([""] * count, dtype=object)
    return pd.Series([None] * count, dtype=object).astype(DTYPES.get(column.type, object))


def _problem(raw: RawSheet, row: int, position: int, value: str, code: str, **params) -> Problem:
    return Problem(raw.title, int(row), raw.header[position], value, code, params)


def _without_duplicates(table, raw, frame, positions, indexes, earlier=()) -> tuple[pd.DataFrame, list]:
    """The frame without second rows of an ID (the first wins, also when it is in `earlier`: frames of
    the rows before), and the problems they are. A log's identical re-send (an append retried after its
    answer was lost) is skipped without a problem."""
    columns = list(table.id_columns)
    repeated = frame.duplicated(columns, keep="first").to_numpy()
    for part in earlier:
        if len(part):
            repeated = repeated | _ids_held(table, part, frame)
    if not repeated.any():
        return frame, []
    firsts = pd.concat([*(frame_of(part) for part in earlier if len(part)), frame[~repeated]]).set_index(columns,
                                                                                                        drop=False)
    header = raw.header[positions[table.id_columns[0]]]
    found = []
    for index, (_, row) in zip(indexes[repeated], frame[repeated].iterrows()):  # duplicates only: few
        key = tuple(row[k] for k in table.id_columns)
        first = firsts.loc[key if len(key) > 1 else key[0]]
        first = first.iloc[0] if isinstance(first, pd.DataFrame) else first
        if table.kind == APPEND_ONLY and _same_content(first, row):
            continue
        found.append((index, len(table.columns), Problem(raw.title, int(row[ROW]), header, "/".join(map(str, key)),
                                                         "duplicate_id", {"first_row": int(first[ROW])})))
    return frame[~repeated], found


def _ids_held(table: Table, part, frame: pd.DataFrame) -> np.ndarray:
    """Per row of `frame`: whether its ID is one of `part`'s rows' (a kept log not loaded is asked by its
    ID column alone)."""
    if len(table.id_columns) == 1:
        held = held_in(part, table.id_columns[0], frame[table.id_columns[0]].to_numpy(dtype=object))
        if held is not None:
            return held
    ids = ids_of(table, part)
    keys = zip(*(frame[k].to_numpy(dtype=object) for k in table.id_columns))
    return np.fromiter((key in ids for key in keys), dtype=bool, count=len(frame))


def ids_of(table: Table, part: pd.DataFrame) -> frozenset:
    """The IDs (tuples of the ID columns) of a parsed frame, made once per frame."""
    def compute():
        frame = frame_of(part)  # (a kept table not loaded is loaded)
        return frozenset(zip(*(frame[k].to_numpy(dtype=object) for k in table.id_columns)))
    return per_frame(part, "ids", compute)


def _same_content(first: pd.Series, second: pd.Series) -> bool:
    return all((pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)
               for key, a, b in zip(first.index, first.to_numpy(), second.to_numpy()) if key != ROW)


def _frame(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The table's columns in schema order, each of its type (converted only where it is not yet)."""
    frame = frame.reset_index(drop=True)
    count = len(frame)
    columns = {ROW: frame[ROW].astype("int64") if ROW in frame else pd.Series(np.zeros(count, dtype="int64"))}
    for column in table.columns:
        dtype = DTYPES.get(column.type, object)
        values = frame[column.key] if column.key in frame else pd.Series([None] * count, dtype=object)
        columns[column.key] = values if values.dtype == dtype else values.astype(dtype)
    return pd.DataFrame(columns)


def empty_frame(table: Table) -> pd.DataFrame:
    return _frame(table, pd.DataFrame())
