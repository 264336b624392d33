"""The app's own settings (not the workbook's): from secrets' [app] table or the environment."""
from __future__ import annotations

import os

import streamlit as st

from connectors.config import public_url as config_public_url


def _secrets() -> dict:
    try:
        return {key: st.secrets[key] for key in st.secrets}
    except Exception:  # noqa: BLE001 - no secrets.toml is a normal, offline setup
        return {}


def secrets() -> dict:
    return _secrets()


def refresh_seconds() -> float:
    value = os.environ.get("WORKBOOK_REFRESH_SECONDS") or _secrets().get("app", {}).get("refresh_seconds", 15)
    return float(value)


def public_url() -> str:
    """The app's address as people's phones reach it (env PUBLIC_URL, or `public_url` in secrets or
    their [app] table); empty when unset. QR codes and links that leave the browser use it."""
    return config_public_url(os.environ, _secrets())


def oidc_enabled() -> bool:
    return "auth" in _secrets()


def session_days() -> float:
    """How long a sign-in lasts on a device (the session cookie's lifetime), in days."""
    value = os.environ.get("SESSION_DAYS") or _secrets().get("app", {}).get("session_days", 14)
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return 14.0
