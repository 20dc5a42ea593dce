"""Safe snippet HTML: the database marks matches with private-use sentinels; we escape, then insert <mark>."""

from __future__ import annotations

import re
from html import escape

MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
ELLIPSIS = "…"
_SENTINEL = re.compile(f"([{MARK_OPEN}{MARK_CLOSE}])")


def snippet_html(raw: str) -> str:
    """Escape a database snippet and turn its sentinels into balanced <mark> elements."""
    parts: list[str] = []
    open_ = False
    for piece in _SENTINEL.split(raw):
        if piece == MARK_OPEN:
            if not open_:
                parts.append("<mark>")
            open_ = True
        elif piece == MARK_CLOSE:
            if open_:
                parts.append("</mark>")
            open_ = False
        else:
            parts.append(escape(piece, quote=True))
    if open_:
        parts.append("</mark>")
    return "".join(parts).strip()
