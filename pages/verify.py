"""Verify (public): a certificate number confirms name, hours and date of issue — nothing private."""
import streamlit as st

from ui.display import number_text, plain
from ui.i18n import t
from ui.session import data, guard
from workflows.certificate import verify

guard("verify")
st.title(t("page.verify"))
st.write(t("verify.intro"))
with st.form("verify"):
    number = st.text_input(t("verify.number"), value=st.query_params.get("no", ""), max_chars=40)
    submitted = st.form_submit_button(t("verify.submit"), type="primary")
if submitted and number.strip():
    found = verify(data().tables, number)
    if found:
        st.success(t("verify.valid", name=plain(found.name), hours=number_text(found.hours), date=f"{found.issued_on:%Y-%m-%d}"))
    else:
        st.error(t("verify.invalid", number=plain(number.strip())))
