"""Short plain-text excerpts and XML-safe strings for feeds and cards."""

from __future__ import annotations

import re

from ..text import plain_text

# Characters XML 1.0 cannot carry at all (control characters, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACES = re.compile(r"\s+")


def xml_safe(text: str) -> str:
    """The text without the characters XML 1.0 forbids, so that serialising it never fails."""
    return _NOT_XML.sub("", text)


def excerpt(text: str, limit: int = 200) -> str:
    """The text on one line, cut at a word boundary to at most `limit` characters (ending with '…' when cut)."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def html_excerpt(html: str, limit: int = 200) -> str:
    """A plain-text excerpt of rendered HTML (formulas as their TeX)."""
    return excerpt(plain_text(html), limit)
