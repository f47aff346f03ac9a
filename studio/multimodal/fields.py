"""Typed readers of an answer's fields: a missing or empty field is None, a value
of the wrong type is a MalformedAnswer that names the field."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from studio.multimodal.errors import MalformedAnswer


def integer(fields: dict[str, Any], key: str) -> int | None:
    value = fields.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    found = number(fields, key, expected="a whole number")
    if found is None:
        return None
    if not found.is_integer():
        raise _wrong(key, value, "a whole number")
    return int(found)


def number(fields: dict[str, Any], key: str, *, expected: str = "a number") -> float | None:
    value = fields.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _wrong(key, value, expected)
    try:
        found = float(value)
    except (TypeError, ValueError):
        raise _wrong(key, value, expected) from None
    if not math.isfinite(found):
        raise _wrong(key, value, expected)
    return found


def text(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _wrong(key, value, "text")
    return value


def identifier(fields: dict[str, Any], key: str) -> str | None:
    """Text, or a whole number read as text (the API's ids are either)."""
    value = fields.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return text(fields, key)


def url(fields: dict[str, Any], key: str, origin: str) -> str | None:
    value = text(fields, key)
    if value is None:
        return None
    # A relative URL is on the API's own origin (the sandbox answers that way).
    return value if urlsplit(value).scheme else urljoin(origin + "/", value)


def timestamp(fields: dict[str, Any], key: str) -> datetime | None:
    """ISO 8601 (a naive one is UTC) or seconds since the epoch."""
    value = fields.get(key)
    if value is None or value == "":
        return None
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
        if isinstance(value, str):
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise _wrong(key, value, "a date and time")


def _wrong(key: str, value: Any, expected: str) -> MalformedAnswer:
    return MalformedAnswer(f"The API sent {key} as {value!r}, which is not {expected}")
