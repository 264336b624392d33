"""Links for QR codes and sharing: on the configured public address, with a warning when there is none."""
from __future__ import annotations

import streamlit as st

from ui import settings
from ui.i18n import t
from workflows.links import app_link, is_local


def share_link(page: str, **params: str) -> str:
    """The link to `page` that someone else's phone can open (the `public_url` setting, else this address)."""
    return app_link(st.context.url or "", page, settings.public_url(), **params)


def warn_if_only_local(link: str) -> None:
    """A clear warning when a QR code or link would point at this computer only."""
    if not settings.public_url() and is_local(link):
        st.warning(t("links.local_only", setting="secrets.toml [app] public_url", env="PUBLIC_URL",
                     example="https://volunteer.example.edu"), icon=":material/warning:")
