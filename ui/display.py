"""Typed tables made readable: enum labels in the page's language, yes/no, empty for missing."""
from __future__ import annotations

import pandas as pd

from ui.i18n import language, t
from workflows.schema import table as schema_table


def readable(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    shown = frame.copy()
    zh = language() == "zh"
    for column in schema_table(table).columns:
        if column.key not in shown.columns:
            continue
        if column.type == "enum" and zh:
            labels = dict(column.choices)
            shown[column.key] = shown[column.key].map(lambda v: labels.get(v, v) if v else "")
        elif column.type == "bool":
            shown[column.key] = shown[column.key].map(lambda v: "" if pd.isna(v) else t("yes") if v else t("no"))
    return shown


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
