"""The workbench app. For now: the embedded workbook with the demo loaded, read-only.

The full shell (sign-in, navigation by role, the workflow pages) builds on this.
"""
from __future__ import annotations

import datetime as dt
import threading

import streamlit as st

from connectors.config import open_workbook
from connectors.parsing import parse_snapshot
from workflows.demo import demo_tables
from workflows.schema import TABLES
from workflows.validation import data_problems

_first_start = threading.Lock()


@st.cache_resource
def workbook():
    """One workbook per process; an empty one gets the schema and the demo on first start."""
    book = open_workbook()
    with _first_start:
        book.ensure_schema("zh")
        snapshot = book.snapshot()
        if not any(sheet.rows for sheet in snapshot.sheets.values()):
            tables = demo_tables(dt.datetime.now().replace(microsecond=0))
            for spec in TABLES:
                book.append(spec.key, tables[spec.key])
    return book


@st.cache_data(ttl=15, show_spinner=False)
def tables():
    return parse_snapshot(workbook().snapshot())


st.set_page_config(page_title="志愿服务与社区治理工作台", page_icon="🏫", layout="wide")
st.title("志愿服务与社区治理工作台")
data = tables()
st.caption(f"数据更新于 {dt.datetime.now():%Y-%m-%d %H:%M:%S} · {len(data['people'])} 名成员 · "
           f"{len(data['activities'])} 项活动 · {len(data['requests'])} 条诉求与微心愿")
problems = data_problems(data)
if problems:
    st.warning(f"工作簿中有 {len(problems)} 处数据问题（运行 `python cli.py validate` 查看）")
public = {spec.key: [c.key for c in spec.columns if not c.private] for spec in TABLES}
for tab, spec in zip(st.tabs([spec.zh for spec in TABLES]), TABLES):
    with tab:
        frame = data[spec.key][public[spec.key]]
        st.dataframe(frame.rename(columns={c.key: c.zh for c in spec.columns}), hide_index=True)
