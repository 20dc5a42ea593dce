"""Untrusted search text turned into a bounded list of plain words (no query syntax survives)."""

from __future__ import annotations

import re

MAX_QUERY_CHARS = 256
MAX_TERMS = 12
# Letters and digits only: underscores and punctuation separate words, as in both databases' tokenizers.
_WORD = re.compile(r"[^\W_]+")


def search_terms(query: str) -> list[str]:
    """The distinct lower-cased words of the first MAX_QUERY_CHARS characters of a query, at most MAX_TERMS."""
    words = (word.lower() for word in _WORD.findall(query[:MAX_QUERY_CHARS]))
    return list(dict.fromkeys(words))[:MAX_TERMS]


def fts5_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression requiring every term, each quoted so that FTS5 reads it as a string, not syntax."""
    return " ".join(f'"{term}"' for term in terms)
