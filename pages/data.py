"""Data (coordinator): every problem in the sheets, each table, a link to the sheet, an Excel download."""
import pandas as pd
import streamlit as st

from documents.spreadsheets import frame_as_sheet, xlsx_bytes
from services.activities import derivation_of
from ui import settings
from ui.display import audit_record_text, readable
from ui.i18n import in_language, in_this_language, language, t
from ui.messages import problem_text
from ui.session import data, guard
from ui.state import spreadsheet_link
from workflows.access import masked, visible_rows
from workflows.edit_rights import visible_changes
from workflows.schema import TABLES
from workflows.validation import data_problems

viewer = guard("data")
st.title(t("page.data"))


@st.fragment(run_every=settings.refresh_seconds())
def problems_section():
    """Refreshes by itself, so a fixed or newly broken cell shows within the refresh interval."""
    shown = data()
    problems = shown.memo("data_problems", lambda tables: data_problems(tables, derivation_of(shown)))
    st.subheader(t("data.problems"))
    st.caption(t("data.as_of", time=f"{shown.taken_at:%H:%M:%S}"))
    if not problems:
        st.success(t("data.no_problems"))
        return
    st.warning(t("data.problem_count", n=len(problems)))
    left, right = st.columns(2)
    sheets = left.multiselect(t("data.filter_sheet"), sorted({p.sheet for p in problems}), placeholder=t("widget.choose_many"))
    search = right.text_input(t("data.search")).strip().casefold()
    with in_language(language()):  # one look at the session for the language, not one per problem
        rows = [(p, problem_text(p)) for p in problems if not sheets or p.sheet in sheets]
    rows = [(p, text) for p, text in rows
            if not search or search in p.value.casefold() or search in text.casefold()]
    st.dataframe(pd.DataFrame({t("data.sheet"): [p.sheet for p, _ in rows], t("data.row"): [p.row for p, _ in rows],
                               t("data.column"): [p.column for p, _ in rows], t("data.value"): [p.value for p, _ in rows],
                               t("data.problem"): [text for _, text in rows]}),
                 hide_index=True, width="stretch")


problems_section()

tables = data().tables
st.subheader(t("data.tables"))
chosen = st.selectbox(t("data.table"), [spec.key for spec in TABLES], format_func=tables.titles.get, placeholder=t("widget.choose"))
frame = masked(chosen, visible_rows(chosen, tables[chosen], viewer, tables["people"]), viewer, tables["people"])
st.caption(t("data.rows", n=len(frame)) + " · " + t("data.private_note"))
st.dataframe(readable(chosen, frame).drop(columns=["_row"]).rename(columns=tables.labels[chosen]),
             hide_index=True, width="stretch")

st.subheader(t("data.recent_changes"))
audit = visible_changes(tables["_audit"].sort_values("at", ascending=False).head(500), viewer, tables).head(50)
if audit.empty:
    st.caption(t("data.no_changes"))
else:
    names = dict(zip(tables["people"]["person_id"], tables["people"]["name"]))
    st.dataframe(audit.assign(actor=audit["actor"].map(lambda p: names.get(p, p)),
                              column=[tables.labels.get(table, {}).get(column, column)
                                      for table, column in zip(audit["table"], audit["column"])],
                              table=audit["table"].map(lambda key: tables.titles.get(key, key)),
                              record=audit["record"].map(audit_record_text))[
        ["at", "actor", "table", "record", "column", "old", "new"]].rename(columns=lambda c: t(f"data.audit.{c}")),
        hide_index=True, width="stretch", column_config={t("data.audit.at"): st.column_config.DatetimeColumn(
            format="YYYY-MM-DD HH:mm:ss")})

link = spreadsheet_link()
if link:
    st.link_button(t("data.open_sheet"), link, icon=":material/open_in_new:")
def whole_workbook() -> bytes:
    """Made when the button is clicked: a whole university's workbook takes a while."""
    return xlsx_bytes([frame_as_sheet(tables.titles[s.key], readable(s.key, masked(
        s.key, visible_rows(s.key, tables[s.key], viewer, tables["people"]), viewer, tables["people"])),
                                      tables.labels[s.key]) for s in TABLES])


st.download_button(t("data.download"), in_this_language(whole_workbook), file_name="workbook.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/download:")
