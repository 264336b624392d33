"""Sign-in codes (coordinator): issue, reset or revoke the codes of the branch's volunteers."""
import streamlit as st

from services.codes import issue_code
from services.outcomes import Refused
from ui.display import plain
from ui.i18n import t
from ui.messages import refusal_text
from ui.session import data, guard, now
from ui.state import live
from workflows.codes_overview import branch_volunteers_with_codes

viewer = guard("codes")
st.title(t("page.codes"))
st.write(t("codes.intro"))
tables = data().tables
volunteers = branch_volunteers_with_codes(tables, viewer)
if volunteers.empty:
    st.info(t("codes.none"))
    st.stop()

names = dict(zip(volunteers["person_id"], volunteers["name"]))
person_id = st.selectbox(t("codes.person"), list(names), format_func=lambda p: f"{names[p]} · {p}",
                         placeholder=t("widget.choose"))
issue, revoke = st.columns(2)
for column, label, revoking in ((issue, "codes.issue", False), (revoke, "codes.revoke", True)):
    if column.button(t(label), type="secondary" if revoking else "primary", width="stretch"):
        try:
            issued = issue_code(live(), viewer, person_id, now, revoke=revoking)
        except Refused as refused:
            st.error(refusal_text(refused.refusal))
        else:
            name = plain(names[person_id])
            st.success(t("codes.revoked", name=name) if revoking else t("codes.issued", name=name, code=issued.code))
            if issued.queued:
                st.info(t("codes.queued"))

shown = volunteers.assign(has_code=volunteers["has_code"].map({True: t("yes"), False: t("no")}))
st.dataframe(shown.rename(columns={"person_id": t("sign_in.person_id"), "name": t("codes.person"),
                                   "has_code": t("codes.has_code"), "issued_at": t("codes.issued_at")}),
             hide_index=True, width="stretch")
st.caption(t("codes.cli_hint"))
