"""Sheets (coordinator): a table as a spreadsheet — edit cells, add rows; only changes are written,
checked cell by cell, never over someone else's change; recent changes can be reverted; Excel round trip."""
import numpy as np
import pandas as pd
import streamlit as st

from documents.spreadsheets import SheetFile, xlsx_bytes
from services.outcomes import Refused
from services.sheet_edits import apply_upload, overwrite, plan_upload, revert, save_table_edits
from ui.display import audit_record_text, plain
from ui.i18n import in_this_language, t
from ui.messages import field_error, refusal_text
from ui.session import data, flash, guard, now, show_flash
from ui.state import live
from ui.upload import uploader
from workflows.access import masked, visible_rows
from workflows.schema import TABLES, table as schema_table
from workflows.edit_rights import visible_changes
from workflows.sheet_edits import editable_columns, sheet_positions

viewer = guard("sheets")
st.title(t("page.sheets"))
show_flash()
shown_data = data()
tables = shown_data.tables
table = st.selectbox(t("data.table"), [spec.key for spec in TABLES], format_func=tables.titles.get, key="sheet-table",
                     placeholder=t("widget.choose"))
spec = schema_table(table)
raw = shown_data.snapshot.sheets[table]
positions = sheet_positions(spec, raw.header)


def visible_sheet_rows() -> pd.DataFrame:
    """The sheet's non-blank rows as the viewer may see them: rows not theirs to read left out, private
    cells masked (`visible_rows`, `masked`: judged once per owner, not per row of a 300,000-row log)."""
    kept = [index for index, cells in enumerate(raw.rows) if any(c.strip() for c in cells)]
    frame = pd.DataFrame({"_row": [raw.row_number(index) for index in kept],
                          **{key: [raw.cell(index, position) for index in kept] for key, position in positions.items()}})
    people = tables["people"]
    return masked(table, visible_rows(table, frame, viewer, people), viewer, people).reset_index(drop=True)


def holding(frame: pd.DataFrame, text: str) -> pd.DataFrame:
    """The rows with `text` in any cell (not the row number)."""
    found = np.zeros(len(frame), dtype=bool)
    for key in positions:
        found |= frame[key].astype(str).str.contains(text, regex=False).to_numpy(dtype=bool)
    return frame[found].reset_index(drop=True)


everything = visible_sheet_rows()
search = st.text_input(t("sheets.search"), key=f"search-{table}").strip()
shown = holding(everything, search) if search else everything
columns = [key for key in spec.column_keys if key in positions]
frame = shown.reindex(columns=columns, fill_value="").astype("string")
editable = editable_columns(spec, columns)
version = st.session_state.get(f"sheet-version-{table}", 0)
editor_key = f"sheet-{table}-{version}"
st.caption(t("sheets.help", n=len(shown)))
st.data_editor(frame, key=editor_key, num_rows="dynamic", hide_index=True, width="stretch",
               column_config={key: st.column_config.TextColumn(raw.header[positions[key]], disabled=key not in editable)
                              for key in columns})


def save_edits() -> None:
    state = st.session_state.get(editor_key, {})
    plan, collisions = save_table_edits(live(), viewer, table, shown.to_dict("records"),
                                        {int(k): v for k, v in state.get("edited_rows", {}).items()},
                                        state.get("added_rows", []), state.get("deleted_rows", []), editable, now)
    st.session_state[f"sheet-refused-{table}"] = plan.refused
    st.session_state[f"sheet-collisions-{table}"] = collisions
    st.session_state[f"sheet-version-{table}"] = version + 1
    flash("success" if not plan.refused else "warning",
          t("sheets.saved", updated=len(plan.updates), added=len(plan.appends), refused=len(plan.refused)))


st.button(t("sheets.save"), type="primary", on_click=save_edits, icon=":material/save:")


def show_refused(refused: list) -> None:
    """Each refused cell with its row, column, value and the reason, in the page's language."""
    for row, column, value, why in refused:
        reason = (t(f"sheets.{why[0]}") if why[0] in ("no_delete", "not_editable")
                  else t("refusal.not_yours", detail=plain(row)) if why[0] == "not_yours" else field_error(why))
        st.error(t("sheets.refused", row=plain(row), column=plain(raw.header[positions[column]] if column in positions
                                                                   else column), value=plain(value), reason=reason))


show_refused(st.session_state.get(f"sheet-refused-{table}", []))

for n, collision in enumerate(st.session_state.get(f"sheet-collisions-{table}", [])):
    with st.container(border=True):
        st.warning(t("sheets.collision", record=", ".join(collision.key.values()), column=collision.column,
                     shown=collision.shown, theirs=collision.theirs, mine=collision.mine))
        keep, mine = st.columns(2)
        if keep.button(t("sheets.keep_theirs"), key=f"keep-{table}-{n}"):
            st.session_state[f"sheet-collisions-{table}"].pop(n)
            st.rerun()
        if mine.button(t("sheets.overwrite"), key=f"mine-{table}-{n}"):
            try:
                overwrite(live(), viewer, table, st.session_state[f"sheet-collisions-{table}"].pop(n), now)
            except Refused as refused:
                flash("error", refusal_text(refused.refusal))
            st.rerun()

st.subheader(t("sheets.recent"))
audit = tables["_audit"]
recent = audit[(audit["table"] == table) & (audit["column"] != "*")].sort_values("at", ascending=False).head(200)
recent = visible_changes(recent, viewer, tables).head(15)
if recent.empty:
    st.caption(t("data.no_changes"))
for change in recent.to_dict("records"):
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.write(t("sheets.change", at=f"{change['at']:%m-%d %H:%M}", actor=plain(change["actor"]),
                 record=plain(audit_record_text(change["record"])),
                 column=plain(raw.header[positions[change["column"]]] if change["column"] in positions else change["column"]), old=plain(change["old"]) or "∅",
                 new=plain(change["new"]) or "∅"))
    if right.button(t("sheets.revert"), key=f"revert-{change['audit_id']}"):
        try:
            revert(live(), viewer, change["audit_id"], now)
            flash("success", t("sheets.reverted"))
        except Refused as refused:  # the cell changed again since, or it is not theirs
            flash("warning", t("sheets.revert_conflict") if refused.refusal.code == "changed_meanwhile"
                  else refusal_text(refused.refusal))
        st.rerun()

st.subheader(t("sheets.excel"))
def sheet_file() -> bytes:
    """Made when the button is clicked, with the private cells masked as shown."""
    return xlsx_bytes([SheetFile(raw.title, [raw.header[positions[k]] for k in columns],
                                 everything.reindex(columns=columns, fill_value="").values.tolist())])


st.download_button(t("sheets.download"), in_this_language(sheet_file), file_name=f"{table}.xlsx", icon=":material/download:")
upload = uploader(t("sheets.upload"), ["xlsx"], key=f"upload-{table}-{version}")
if upload is not None:
    preview = plan_upload(live(), viewer, table, upload.getvalue())
    if preview is None:
        st.error(t("sheets.upload_no_table", table=spec.zh))
    else:
        plan = preview.plan
        st.info(t("sheets.preview", added=len(plan.appends), updated=len(plan.updates),
                  skipped=len(plan.skipped) + len(preview.refused)))
        for key, changes in plan.updates[:50]:
            st.write(plain(", ".join(key.values())) + ": " + "; ".join(f"{plain(k)} → {plain(v)}" for k, v in changes.items()))
        for skipped in plan.skipped:
            st.write(t("sheets.preview_skipped", row=skipped.row, reason=plain(skipped.reason)))
        show_refused(preview.refused)
        if st.button(t("sheets.apply"), type="primary"):
            apply_upload(live(), viewer, table, preview, now)
            st.session_state[f"sheet-version-{table}"] = version + 1
            flash("success", t("sheets.applied"))
            st.rerun()
