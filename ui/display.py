"""Typed tables made readable: enum labels in the page's language, yes/no, empty for missing."""
from __future__ import annotations

import pandas as pd

from ui.i18n import t, t_or
from workflows.schema import table as schema_table
from workflows.tables import once_per_value


def choice_label(table: str, column: str, value) -> str:
    """An enum cell by its label in the page's language (a value the schema does not know: as it is)."""
    if not isinstance(value, str) or not value:
        return ""
    return t_or(f"choice.{table}.{column}.{value}", value)


def category_label(category) -> str:
    """A request category by its label in the page's language (one a coordinator made up: as it is)."""
    return t_or(f"request_category.{category}", category) if isinstance(category, str) and category else ""


def readable(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.copy()
    for column in schema_table(table).columns:
        if column.key not in shown.columns:
            continue
        if column.type == "enum":
            shown[column.key] = _labelled(shown[column.key], lambda v, c=column.key: choice_label(table, c, v))
        elif table == "requests" and column.key == "category":
            shown[column.key] = _labelled(shown[column.key], category_label)
        elif column.type == "bool":
            shown[column.key] = _labelled(shown[column.key], lambda v: "" if pd.isna(v) else t("yes") if v else t("no"))
    return shown


def _labelled(values: pd.Series, label) -> pd.Series:
    return pd.Series(once_per_value(values, label), index=values.index, dtype=object)


def number_text(value) -> str:
    """A number as people write it (`3.5`, `12`); an empty or unparsable cell shows as a dash."""
    return "—" if value is None or pd.isna(value) else f"{value:g}"


_MARKDOWN_SPECIAL = set("\\`*_{}[]()#+-.!|<>~:$=\"'&%@^")
_INVISIBLE = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def plain(value) -> str:
    """Text a person typed, safe to put into Markdown (st.markdown, st.write, messages, st.table):
    every ASCII punctuation mark is backslash-escaped, so nothing in it becomes a link, an image,
    emphasis, a colour or an icon; line breaks become spaces; direction overrides are dropped."""
    text = ("" if value is None else str(value)).translate(_INVISIBLE)
    text = " ".join(text.split("\n"))
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)


def audit_record_text(record) -> str:
    """An audit row's record (`activity_id=A0002, ...`) as the IDs people see in the sheet (`A0002`)."""
    parts = [part.partition("=") for part in str(record or "").split(", ")]
    return " · ".join(value if sep else key for key, sep, value in parts)
