"""Structural limits for received JSON: nesting depth, node count, string and id lengths, http(s) ids."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .errors import ActivityError

MAX_DEPTH = 24
MAX_NODES = 20_000
MAX_STRING_LENGTH = 512 * 1024  # a long summary with MathML stays well under this
MAX_KEY_LENGTH = 256
MAX_ID_LENGTH = 2048


def check_structure(
    doc: Any,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
    max_string_length: int = MAX_STRING_LENGTH,
) -> None:
    """Raise ActivityError if a parsed JSON document is absurdly nested, too large, or has over-long strings."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    nodes = 0
    while stack:
        value, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise ActivityError(f"document has more than {max_nodes} values", code="too_large")
        if isinstance(value, str):
            if len(value) > max_string_length:
                raise ActivityError(f"a string is longer than {max_string_length} characters", code="too_long")
        elif isinstance(value, (dict, list)):
            if depth > max_depth:
                raise ActivityError(f"document is nested deeper than {max_depth} levels", code="too_deep")
            stack.extend((item, depth + 1) for item in _children(value))
        elif value is not None and not isinstance(value, (bool, int, float)):
            raise ActivityError(f"unexpected value of type {type(value).__name__}", code="not_json")


def _children(value: dict[str, Any] | list[Any]) -> list[Any]:
    if isinstance(value, list):
        return value
    for key in value:
        if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH:
            raise ActivityError("a property name is too long or not a string", code="bad_key")
    return list(value.values())


_WHITESPACE = re.compile(r"\s")  # str.isspace's characters: one regex scan instead of a Python loop per character


def is_http_url(value: object) -> bool:
    """True for an absolute http(s) URL with a host, no longer than MAX_ID_LENGTH, without whitespace."""
    if not isinstance(value, str) or not value or len(value) > MAX_ID_LENGTH:
        return False
    if _WHITESPACE.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def require_http_id(value: object, what: str) -> str:
    """`value` if it is an http(s) URL; else ActivityError naming `what` (e.g. "activity id")."""
    if value is None or value == "":
        raise ActivityError(f"{what} is missing", code="missing_" + what.replace(" ", "_"))
    if not isinstance(value, str):
        raise ActivityError(f"{what} is not a string", code="bad_" + what.replace(" ", "_"))
    if not is_http_url(value):
        raise ActivityError(f"{what} is not an http(s) URL: {value[:100]!r}", code="bad_" + what.replace(" ", "_"))
    return value
