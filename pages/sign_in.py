"""Sign in: with the school's OIDC provider when configured, else person_id + code."""
import streamlit as st

from ui import settings
from ui.display import plain
from ui.i18n import t
from ui.session import current_viewer, now, oidc_email, sign_in_with_code

st.title(t("page.sign_in"))
viewer = current_viewer()
if viewer.signed_in:
    st.success(t("sign_in.done", name=plain(viewer.name), role=t(f"role.{viewer.role}")))
    st.page_link("pages/home.py", label=t("page.home"), icon=":material/home:")
    st.stop()

if settings.oidc_enabled():
    email = oidc_email()
    if email is not None:
        st.warning(t("sign_in.oidc_unknown", email=email))
    else:
        st.button(t("sign_in.oidc_button"), type="primary", on_click=st.login)
    st.stop()

st.write(t("sign_in.intro"))
with st.form("sign_in"):
    person_id = st.text_input(t("sign_in.person_id"), max_chars=40)
    code = st.text_input(t("sign_in.code"), type="password", max_chars=40)
    submitted = st.form_submit_button(t("sign_in.submit"), type="primary", width="stretch")
if submitted:
    problem = sign_in_with_code(person_id, code, now())
    if problem:
        st.error(problem)
    else:  # back to the page that asked for a sign-in (e.g. a check-in QR link), else Home
        page, query = st.session_state.pop("return_to", ("pages/home.py", {}))
        st.switch_page(page, query_params=query)
