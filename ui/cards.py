"""Lists as cards: on a 390 px phone a table of four or five columns pushes its figures off-screen
(and squeezes a status such as 待审核 into one character a line), so the lists people read on a
phone are cards — a title, one line of details, and the figure or status that matters, in bold."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui.display import plain


NO_BREAK = "\u00a0"


@dataclass(frozen=True)
class Card:
    title: str  # as typed into the workbook: shown as plain text
    details: tuple[str, ...] = ()  # dates, places, labels, joined by " · " (plain text too)
    badge: str = ""  # the status or figure that matters most, shown after the title


def show_cards(cards: list[Card], key: str) -> None:
    for n, card in enumerate(cards):
        with st.container(border=True, key=f"{key}-{n}"):
            badge = plain(card.badge).replace(" ", NO_BREAK)  # "1.5 h" stays on one line
            st.markdown(f"**{plain(card.title)}**" + (f" · **{badge}**" if badge else ""))
            if card.details:
                st.caption(" · ".join(plain(part) for part in card.details if part))
