"""Links into the app that a QR code or a message can carry."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})


def app_link(current_url: str, page: str, public_url: str = "", **params: str) -> str:
    """The link to `page`, with `params` in the query string: under `public_url` (the address people's
    phones open the app at, path included) when set, else on the host of the app serving `current_url`."""
    query = f"?{urlencode(params)}" if params else ""
    if public_url.strip():
        return f"{public_url.strip().rstrip('/')}/{page}{query}"
    parts = urlsplit(current_url or "http://localhost:8501/")
    return f"{parts.scheme}://{parts.netloc}/{page}{query}"


def is_local(url: str) -> bool:
    """Whether `url` points at this computer only (a phone scanning a QR code of it reaches nothing)."""
    host = (urlsplit(url or "").hostname or "").lower()
    return host in LOCAL_HOSTS or host.startswith("127.")
