"""Sign-in codes (coordinator): issue, reset or revoke the codes of the branch's volunteers."""
import datetime as dt

import streamlit as st

from ui.display import plain
from ui.i18n import t
from ui.session import data, guard
from ui.state import live
from workflows.codes import PERSONAL, code_row, new_code
from workflows.codes_overview import branch_volunteers_with_codes, may_issue_code

viewer = guard("codes")
st.title(t("page.codes"))
st.write(t("codes.intro"))
tables = data().tables
volunteers = branch_volunteers_with_codes(tables, viewer)
if volunteers.empty:
    st.info(t("codes.none"))
    st.stop()

names = dict(zip(volunteers["person_id"], volunteers["name"]))
person_id = st.selectbox(t("codes.person"), list(names), format_func=lambda p: f"{names[p]} · {p}")
issue, revoke = st.columns(2)
allowed = may_issue_code(tables, viewer, person_id)
if issue.button(t("codes.issue"), type="primary", width="stretch") and allowed:
    code = new_code()
    sent = live().append("_access_codes", [code_row(person_id, code, PERSONAL, viewer.person_id, dt.datetime.now())])
    st.success(t("codes.issued", name=plain(names[person_id]), code=code))
    if not sent:
        st.info(t("codes.queued"))
if revoke.button(t("codes.revoke"), width="stretch") and allowed:
    sent = live().append("_access_codes", [code_row(person_id, None, PERSONAL, viewer.person_id, dt.datetime.now())])
    st.success(t("codes.revoked", name=plain(names[person_id])))
    if not sent:
        st.info(t("codes.queued"))

shown = volunteers.assign(has_code=volunteers["has_code"].map({True: t("yes"), False: t("no")}))
st.dataframe(shown.rename(columns={"person_id": t("sign_in.person_id"), "name": t("codes.person"),
                                   "has_code": t("codes.has_code"), "issued_at": t("codes.issued_at")}),
             hide_index=True, width="stretch")
st.caption(t("codes.cli_hint"))
