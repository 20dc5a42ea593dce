"""Reading and checking JSON request bodies and query arguments: every mistake is a 400 naming the field."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from flask import request

from .errors import ApiError

_TYPE_NAMES = {bool: "a boolean (true or false)", int: "an integer", str: "a string"}


@dataclass(frozen=True)
class Field:
    """One accepted body field: its JSON type, whether it must be present, whether null is allowed."""

    kind: type
    required: bool = False
    nullable: bool = False


def json_body(fields: dict[str, Field]) -> dict[str, Any]:
    """The request's JSON object, checked against fields: unknown, missing or wrongly typed fields are a 400."""
    data = _parse_object()
    unknown = sorted(set(data) - set(fields))
    if unknown:
        allowed = ", ".join(fields) or "none"
        raise ApiError(400, f"Unknown field {', '.join(map(repr, unknown))}; accepted fields: {allowed}.")
    for name, spec in fields.items():
        if name not in data:
            if spec.required:
                raise ApiError(400, f"The field {name!r} is required.")
            continue
        _check_value(name, data[name], spec)
    return data


def int_argument(name: str, default: int, low: int, high: int) -> int:
    """An integer query argument between low and high (inclusive), or a 400."""
    text = request.args.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", text) or not low <= int(text) <= high:
        raise ApiError(400, f"?{name}= must be an integer from {low} to {high}.")
    return int(text)


def _parse_object() -> dict[str, Any]:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError(400, "The request needs a JSON object as its body.")
    try:
        data = json.loads(raw)
    except UnicodeDecodeError:
        raise ApiError(400, "The body is not UTF-8.") from None
    except json.JSONDecodeError as exc:
        reason = f"The body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
        raise ApiError(400, reason) from None
    except (ValueError, RecursionError):
        reason = "The body is not JSON this API can read (too deeply nested or too large a number)."
        raise ApiError(400, reason) from None
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.")
    return data


def _check_value(name: str, value: Any, spec: Field) -> None:
    if value is None:
        if spec.nullable:
            return
        raise ApiError(400, f"The field {name!r} must be {_TYPE_NAMES[spec.kind]}, not null.")
    # bool is a subclass of int in Python, but true is not a number in JSON.
    if not isinstance(value, spec.kind) or (spec.kind is int and isinstance(value, bool)):
        raise ApiError(400, f"The field {name!r} must be {_TYPE_NAMES[spec.kind]}.")
    if isinstance(value, str):
        _check_text(name, value)


def _check_text(name: str, value: str) -> None:
    """Refuse what no database column can store: NUL characters and unpaired surrogates (\\ud800)."""
    if "\x00" in value:
        raise ApiError(400, f"The field {name!r} contains a NUL character.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, f"The field {name!r} contains an unpaired surrogate escape.") from None
