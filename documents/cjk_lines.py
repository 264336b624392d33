"""Breaking Chinese text into lines the way Chinese typesetting does (避头尾, after GB/T 15834 and
the W3C's "Requirements for Chinese Text Layout"): a line never starts with a closing mark such
as "，" "。" "）" "”", and never ends with an opening one such as "（" "《" "“". A run of Latin
letters or digits (an ID, a number, "ZYFW-2026-…") is not split unless it is wider than a line.
"""
from __future__ import annotations

import re
from collections.abc import Callable

NOT_AT_LINE_START = set("，。、；：！？）》」』】〕〉”’…—·%,.;:!?)]}>")
NOT_AT_LINE_END = set("（《「『【〔〈“‘([{<")
_PIECES = re.compile(r"[A-Za-z0-9/][A-Za-z0-9.\-_/:?=&%#]*|\s+|.", re.DOTALL)  # a word, a number, an address


def break_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """The lines of `text` (its own line breaks kept), each at most `width` wide as `measure` says."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_paragraph_lines(paragraph, width, measure))
    return lines


def _paragraph_lines(paragraph: str, width: float, measure) -> list[str]:
    pieces = _pieces(paragraph, width, measure)
    lines: list[list[str]] = [[]]
    for piece in pieces:
        line = lines[-1]
        if not line or measure("".join(line) + piece) <= width:
            line.append(piece)
            continue
        carried = [piece]
        # 避头: a closing mark may not start the next line, so the piece before it goes down with it
        while _starts_closed(carried) and line:
            carried.insert(0, line.pop())
        # 避尾: an opening mark (before any trailing space) may not end this line
        while _ends_open(line):
            while line[-1].isspace():
                carried.insert(0, line.pop())
            carried.insert(0, line.pop())
        while carried and carried[0].isspace():  # a line starts with text, not with the space before it
            carried.pop(0)
        if not carried:  # only a space overflowed: it is dropped, and the line goes on
            continue
        if line:
            lines.append(carried)
        else:  # nothing could stay: the line runs a little long rather than break a rule
            line.extend(carried)
    return ["".join(line).rstrip() for line in lines] or [""]


def _starts_closed(pieces: list[str]) -> bool:
    text = "".join(pieces).lstrip()
    return bool(text) and text[0] in NOT_AT_LINE_START


def _ends_open(line: list[str]) -> bool:
    text = "".join(line).rstrip()
    return bool(text) and text[-1] in NOT_AT_LINE_END


def _pieces(paragraph: str, width: float, measure) -> list[str]:
    """Characters, with each Latin word or number kept whole (one wider than a line split by character)."""
    pieces = []
    for piece in _PIECES.findall(paragraph):
        if len(piece) > 1 and measure(piece) > width:  # an address breaks after a / ? or &, else anywhere
            for part in re.split(r"(?<=[/?&])", piece):
                pieces.extend(part if measure(part) > width else [part] if part else [])
        else:
            pieces.append(piece)
    return pieces


def breaks_well(lines: list[str]) -> bool:
    """No line after the first starts with a closing mark; no line but the last ends with an opening one."""
    return (all(not line or line[0] not in NOT_AT_LINE_START for line in lines[1:])
            and all(not line or line[-1] not in NOT_AT_LINE_END for line in lines[:-1]))
