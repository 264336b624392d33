"""A file uploader that speaks the page's language.

Streamlit 1.67 draws the uploader's own words ("Drag and drop file here", "Upload",
"200MB per file • XLSX") in English whatever the page's language, and offers no option to change
them. So the app hides those words with a style rule, writes the button's text in the page's
language, and states the limits itself in a caption.
"""
from __future__ import annotations

import json

import streamlit as st

from ui.i18n import t

_MAX_MEGABYTES = 200  # Streamlit's server.maxUploadSize, left at its default


def uploader(label: str, types: list[str], key: str):
    button = json.dumps(t("widget.upload_button"), ensure_ascii=False)  # a CSS string: quoted and escaped
    st.html(f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button::after {{ content: {button}; margin-left: 0.5rem; }}
</style>""")
    upload = st.file_uploader(label, type=types, key=key)
    st.caption(t("widget.upload_limits", types=" / ".join(f".{kind}" for kind in types), megabytes=_MAX_MEGABYTES))
    return upload
