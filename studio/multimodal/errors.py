"""Typed errors of the Multimodal API, and how an error answer becomes one.

Every message is meant for a person: the API's own words when it gave any, or a
sentence that says what happened and what to do. `retryable` tells the task layer
whether trying the same call again later can succeed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

MAX_MESSAGE_LENGTH = 500


class MultimodalError(Exception):
    retryable: ClassVar[bool] = False
    code: ClassVar[str] = "api_error"
    # True when the request may have reached the API before things went wrong, so
    # it may have been charged: the caller must ask before sending it again.
    may_have_reached_api: bool = False

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class InvalidRequest(MultimodalError):
    code = "invalid_request"

    def __init__(
        self,
        message: str,
        status_code: int | None = 400,
        field_errors: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, status_code)
        self.field_errors = field_errors or {}


class AuthenticationFailed(MultimodalError):
    code = "authentication_failed"


class Forbidden(MultimodalError):
    code = "forbidden"


class InsufficientCredits(MultimodalError):
    code = "insufficient_credits"


class RateLimited(MultimodalError):
    retryable = True
    code = "rate_limited"

    def __init__(
        self, message: str, status_code: int | None = 429, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status_code)
        self.retry_after = retry_after


class ProviderError(MultimodalError):
    retryable = True
    code = "provider_error"


class _InTransit(MultimodalError):
    retryable = True

    def __init__(self, message: str, *, may_have_reached_api: bool = True) -> None:
        super().__init__(message, None)
        self.may_have_reached_api = may_have_reached_api


class ApiTimeout(_InTransit):
    code = "timeout"


class ApiConnectionError(_InTransit):
    code = "connection_error"


class MalformedAnswer(MultimodalError):
    code = "malformed_answer"


class AddressRefused(MultimodalError):
    """The API URL a member typed resolves to a private address: not called, not
    retried (the settings form refuses such URLs; DNS can change afterwards)."""

    code = "address_not_public"


FALLBACK_MESSAGES = {
    401: "The API did not accept the API token; check the team's token in its settings.",
    402: "Not enough credits for this generation.",
    403: "The API refused this token: it may be wrong, or its tier may not allow this kind.",
    429: "Too many requests to the API; the call will be tried again later.",
}


def error_from_response(
    status_code: int,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    now: datetime | None = None,
) -> MultimodalError:
    """The typed error for a non-2xx answer of the API."""
    headers = headers or {}
    message, field_errors = _explanation(body)
    if status_code < 400:
        # A redirect or the like: the URL points somewhere that is not the API.
        return MalformedAnswer(
            f"The API answered {status_code} instead of a result; check the API URL."
            + (f" {message}" if message else ""),
            status_code,
        )
    if not message:
        message = FALLBACK_MESSAGES.get(
            status_code, f"The API answered {status_code} with no explanation."
        )
    if status_code == 401:
        return AuthenticationFailed(message, status_code)
    if status_code == 402:
        return InsufficientCredits(message, status_code)
    if status_code == 403:
        return Forbidden(message, status_code)
    if status_code == 429:
        retry_after = parse_retry_after(_header(headers, "Retry-After"), now=now)
        return RateLimited(message, status_code, retry_after)
    if status_code < 500:
        return InvalidRequest(message, status_code, field_errors)
    return ProviderError(message, status_code)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def _explanation(body: bytes) -> tuple[str, dict[str, str]]:
    """(human message, field errors) from an error body of any known shape."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return "", {}
    try:
        document = json.loads(text)
    except ValueError:
        return _plain_text_message(text), {}
    if isinstance(document, dict):
        return _message_from_object(document)
    if isinstance(document, list):
        return _message_from_detail_list(document)
    if isinstance(document, str):
        return _shorten(document), {}
    return "", {}


def _message_from_object(document: dict[str, Any]) -> tuple[str, dict[str, str]]:
    for key in ("detail", "message", "error", "error_description", "msg"):
        value = document.get(key)
        if isinstance(value, str) and value.strip():
            return _shorten(value), {}
        if isinstance(value, list) and value:
            return _message_from_detail_list(value)
        if isinstance(value, dict):
            message, field_errors = _message_from_object(value)
            if message:
                return message, field_errors
    return "", {}


def _message_from_detail_list(items: list[Any]) -> tuple[str, dict[str, str]]:
    """FastAPI's validation list: "field: msg" items and {field: msg}."""
    parts: list[str] = []
    field_errors: dict[str, str] = {}
    for item in items:
        if isinstance(item, str):
            parts.append(item)
            continue
        if not isinstance(item, dict):
            continue
        msg = str(item.get("msg") or item.get("message") or "is not valid")
        loc = item.get("loc")
        field = str(loc[-1]) if isinstance(loc, list) and loc else ""
        if field:
            field_errors.setdefault(field, msg)
            parts.append(f"{field}: {msg}")
        else:
            parts.append(msg)
    return _shorten("; ".join(parts)), field_errors


def _plain_text_message(text: str) -> str:
    # A proxy's HTML error page says nothing a person can act on.
    if text.lstrip().startswith("<"):
        return ""
    return _shorten(" ".join(text.split()))


def _shorten(text: str) -> str:
    text = text.strip()
    if len(text) <= MAX_MESSAGE_LENGTH:
        return text
    return text[: MAX_MESSAGE_LENGTH - 1].rstrip() + "…"
