"""The workbench app: navigation by role over pages/, on the shared live workbook.

Every page is registered (so a link to one always answers, with a clear message when it is
not for the person), but the menu lists only the pages of the signed-in person's role, in
sections (activities, hours, requests, surveys, data), all of them one tap away.
"""
from __future__ import annotations

import streamlit as st

from ui.display import plain
from ui.i18n import language_switch, t
from ui.inbox import bell
from ui.pages import PAGES, PAGES_BY_KEY, menu_keys, menu_sections
from ui.session import current_viewer, data, keep_session_on_device, sign_out
from ui.state import live
from workflows.meta import holds_demo

st.set_page_config(page_title=t("app.title"), page_icon="🏫", layout="wide")

viewer = current_viewer()
default = "home" if viewer.signed_in else "sign_in"
menu = menu_keys(viewer)


def page(spec) -> st.Page:
    return st.Page(spec.path, title=t(f"page.{spec.key}"), icon=spec.icon, url_path=spec.key,
                   default=spec.key == default, visibility="visible" if spec.key in menu else "hidden")


sections = {t(f"nav.section.{name}") if name else "": [page(PAGES_BY_KEY[key]) for key in keys]
            for name, keys in menu_sections(menu).items()}
sections.setdefault("", []).extend(page(spec) for spec in PAGES if spec.key not in menu)  # reachable by link
current = st.navigation(sections, position="sidebar", expanded=True)  # every page one tap away, no "View more"

with st.sidebar:
    language_switch()
    if viewer.signed_in:
        bell(viewer)
        st.caption(t("signed_in_as", name=plain(viewer.name), role=t(f"role.{viewer.role}")))
        if st.button(t("sign_out"), icon=":material/logout:"):
            sign_out()
            st.switch_page("pages/sign_in.py")
    shown = data()
    st.caption(t("data.as_of", time=f"{shown.taken_at:%Y-%m-%d %H:%M:%S}"))
    if live().last_error is not None:
        st.warning(t("data.stale", time=f"{shown.taken_at:%H:%M:%S}", error=live().last_error))
    keep_session_on_device()

if holds_demo(shown.tables):
    st.caption(f":orange[:material/science: {t('data.demo')}]")  # wraps on a phone; st.info stays the pages' own
current.run()
if viewer.signed_in and current.url_path not in ("", "home"):  # (the default page's path is "")  # on a phone the menu hides in the sidebar: a way home
    st.divider()
    st.page_link("pages/home.py", label=t("nav.back_home"), icon=":material/home:")
