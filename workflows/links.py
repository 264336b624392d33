"""Links into the app that a QR code or a message can carry."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit


def app_link(current_url: str, page: str, **params: str) -> str:
    """The link to `page` of the app serving `current_url`, with `params` in the query string."""
    parts = urlsplit(current_url or "http://localhost:8501/")
    query = f"?{urlencode(params)}" if params else ""
    return f"{parts.scheme}://{parts.netloc}/{page}{query}"
