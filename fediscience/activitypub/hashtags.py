"""Paper keywords as valid Mastodon hashtags: `cs.LG` → `csLG`, `graph neural networks` → `GraphNeuralNetworks`.

Mastodon's HASHTAG_NAME_RE (app/models/concerns/tag/naming.rb) allows word characters (letters, marks, digits,
underscore, plus a few separators) and needs at least one letter. We keep letters, marks, decimal digits and `_`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

MAX_HASHTAG_LENGTH = 100


def _is_word_char(char: str) -> bool:
    return char == "_" or unicodedata.category(char)[0] in ("L", "M") or unicodedata.category(char) == "Nd"


def is_valid_hashtag(name: str) -> bool:
    """True if `name` (without `#`) is word characters only with at least one letter, as Mastodon requires."""
    return (
        0 < len(name) <= MAX_HASHTAG_LENGTH
        and all(_is_word_char(char) for char in name)
        and any(unicodedata.category(char)[0] == "L" for char in name)
    )


def _words(keyword: str) -> list[list[str]]:
    """Whitespace-separated words, each split further into runs of word characters."""
    words = []
    for word in keyword.split():
        runs, current = [], ""
        for char in word:
            if _is_word_char(char):
                current += char
            elif current:
                runs.append(current)
                current = ""
        if current:
            runs.append(current)
        if runs:
            words.append(runs)
    return words


def hashtag_name(keyword: str) -> str | None:
    """The hashtag for a keyword (no `#`), or None if it has no letter. Words are joined in CamelCase."""
    words = _words(unicodedata.normalize("NFC", keyword))
    if len(words) > 1:
        words = [[runs[0][:1].upper() + runs[0][1:], *runs[1:]] for runs in words]
    name = "".join("".join(runs) for runs in words)[:MAX_HASHTAG_LENGTH]
    return name if is_valid_hashtag(name) else None


def hashtag_key(name: str) -> str:
    """The case-insensitive key of a hashtag (for tag URLs and de-duplication): NFKC, case-folded, no `#`."""
    return unicodedata.normalize("NFKC", name.lstrip("#")).casefold()


def hashtag_names(keywords: Iterable[str]) -> list[str]:
    """The hashtags of several keywords, in order, invalid ones dropped, duplicates (case-insensitive) removed."""
    seen: dict[str, str] = {}
    for keyword in keywords:
        name = hashtag_name(keyword)
        if name is not None:
            seen.setdefault(hashtag_key(name), name)
    return list(seen.values())
