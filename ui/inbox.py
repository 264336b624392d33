"""The in-app inbox: the bell with the unread count, the list on Home, the choices on My record."""
from __future__ import annotations

import streamlit as st

from connectors.config import DEFAULT_URL, configured_workbook_url, outbox_path
from connectors.outbox import Outbox
from services import notifications
from ui import settings
from ui.display import plain
from ui.i18n import language, t
from workflows.access import Viewer
from workflows.notification_texts import render

INBOX_LENGTH = 20


def outbox() -> Outbox:
    """The outbox beside the workbook, shared with `cli.py notify` and every other process."""
    return _outbox_for(outbox_path(configured_workbook_url(secrets=settings.secrets()) or DEFAULT_URL))


@st.cache_resource(show_spinner=False)
def _outbox_for(path: str) -> Outbox:
    return Outbox(path)


def bell(viewer: Viewer) -> None:
    """The unread count, linking to the inbox on Home (in the sidebar of every page)."""
    if not viewer.signed_in:
        return
    count = notifications.unread(outbox(), viewer)
    label = t("inbox.bell_unread", count=count) if count else t("inbox.bell")
    st.page_link("pages/home.py", label=label, icon=":material/notifications:")


def inbox_list(viewer: Viewer) -> None:
    """The person's latest notifications, unread ones marked, with a button to mark them read."""
    st.subheader(t("inbox.title"))
    items = notifications.inbox(outbox(), viewer, INBOX_LENGTH)
    if not items:
        st.info(t("inbox.empty"))
        return
    for item in items:
        subject, body = render(item.kind, item.params, language())
        marker = "" if item.read else ":red[●] "
        with st.expander(f"{marker}{plain(subject)} · {item.at[:16]}"):
            st.markdown("  \n".join(plain(line) for line in body.splitlines()))
    if any(not item.read for item in items) and st.button(t("inbox.mark_read"), icon=":material/done_all:"):
        notifications.mark_read(outbox(), viewer, [item.id for item in items])
        st.rerun()


def choices_form(viewer: Viewer) -> None:
    """A switch per kind of message; a kind turned off reaches the person by no channel."""
    st.subheader(t("inbox.choices"))
    st.caption(t("inbox.choices_help"))
    current = notifications.choices(outbox(), viewer)
    for kind, enabled in current.items():
        chosen = st.toggle(t(f"inbox.kind.{kind}"), value=enabled, key=f"_notify_{kind}")
        if chosen != enabled:
            notifications.choose(outbox(), viewer, kind, chosen)
