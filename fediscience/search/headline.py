"""Snippets cut in Python around the first matching word (PostgreSQL's ts_headline cost ~3 ms a hit)."""

from __future__ import annotations

import re

from .highlight import ELLIPSIS, MARK_CLOSE, MARK_OPEN

WORD = re.compile(r"\w+")
WORDS_BEFORE = 8
SNIPPET_WORDS = 32
MAX_TEXT = 20_000


def stem_prefix(term: str) -> str:
    """A prefix that the words of one stem share (`passing` → `pass`), a cheap stand-in for the stemmer."""
    term = term.lower()
    return term if len(term) <= 4 else term[: max(4, len(term) - 3)]


def headline(text: str, terms: list[str]) -> str:
    """Up to SNIPPET_WORDS words around the first match, matches wrapped in the highlight sentinels."""
    text = text[:MAX_TEXT]
    prefixes = tuple(stem_prefix(term) for term in terms)
    words = list(WORD.finditer(text))
    if not words:
        return ""
    matches = {i for i, word in enumerate(words) if word.group().lower().startswith(prefixes)}
    start = max(0, min(matches, default=0) - WORDS_BEFORE)
    end = min(len(words), start + SNIPPET_WORDS)
    parts, position = [], words[start].start()
    for index in range(start, end):
        if index in matches:
            word = words[index]
            parts += [text[position:word.start()], MARK_OPEN, word.group(), MARK_CLOSE]
            position = word.end()
    parts.append(text[position:words[end - 1].end()])
    body = " ".join("".join(parts).split())
    return f"{ELLIPSIS + ' ' if start else ''}{body}{' ' + ELLIPSIS if end < len(words) else ''}"
