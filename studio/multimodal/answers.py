"""A parsed answer shaped into what the studio reads: a generation's result, a usage
record, a page of usage history, the credit balance."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from studio.multimodal import catalog, fields
from studio.multimodal.errors import MalformedAnswer
from studio.multimodal.streaming import MEDIA_KEYS, Base64Payload, Document


@dataclass(frozen=True)
class UrlPayload:
    """Media the API left at a URL (the `video_url` variant)."""

    url: str

    def close(self) -> None:
        pass


MediaPayload = Base64Payload | UrlPayload


@dataclass
class MediaAnswer:
    """What the API says of one call: its usage record, its charge, and its media
    once there is any. Close it to drop media nobody stored."""

    usage_id: str | None
    endpoint_type: str | None
    status: str
    credits_used: int | None
    format: str | None
    media: MediaPayload | None
    duration_seconds: float | None

    def close(self) -> None:
        if self.media is not None:
            self.media.close()


@dataclass
class GenerationResult(MediaAnswer):
    """The answer to a generation call. With `media` None, poll `get_usage(usage_id)`."""

    credits_remaining: int | None
    duration_ms: int | None
    width: int | None
    height: int | None
    http_status: int


@dataclass
class UsageRecord(MediaAnswer):
    """One entry of the API's usage history."""

    usage_id: str  # a record always has one
    created_at: datetime | None
    error: str | None


@dataclass
class UsagePage:
    records: list[UsageRecord]


@dataclass
class CreditBalance:
    credits_remaining: int | None


def generation_result(kind: catalog.Kind, document: Document, origin: str) -> GenerationResult:
    try:
        values = _result_fields(_object(document))
        media = _media(kind.media, document, values, origin)
        usage_id = fields.identifier(values, "usage_id")
        status = _status(values)
        if media is None:
            waiting = kind.media == "video" or status in catalog.USAGE_IN_PROGRESS
            if not usage_id:
                raise MalformedAnswer(
                    f"The API answered without the {kind.media} and without a usage id "
                    "to follow"
                )
            if not waiting:
                raise MalformedAnswer(
                    f"The API answered without the {kind.media} (usage id {usage_id}, "
                    f"status {status or 'not given'}): there is nothing to store"
                )
        return GenerationResult(
            usage_id=usage_id,
            endpoint_type=kind.endpoint_type,
            status=catalog.USAGE_COMPLETED if media is not None
            else status or catalog.USAGE_PENDING,
            credits_used=fields.integer(values, "credits_used"),
            format=fields.text(values, "format"),
            media=media,
            duration_seconds=_duration_seconds(values),
            credits_remaining=fields.integer(values, "credits_remaining"),
            duration_ms=fields.integer(values, "duration_ms"),
            width=fields.integer(values, "width"),
            height=fields.integer(values, "height"),
            http_status=document.status_code,
        )
    except BaseException:
        document.discard_media()
        raise


def usage_record(document: Document, origin: str) -> UsageRecord:
    try:
        values = _result_fields(_object(document))
        usage_id = fields.identifier(values, "id") or fields.identifier(values, "usage_id")
        status = _status(values)
        if not usage_id or not status:
            raise MalformedAnswer("The API sent a usage record without an id or a status")
        media_type = _media_type(document.media_key) or ("video" if "video_url" in values else "")
        return UsageRecord(
            usage_id=usage_id,
            endpoint_type=fields.text(values, "endpoint_type"),
            status=status,
            credits_used=fields.integer(values, "credits_used"),
            format=fields.text(values, "format"),
            media=_media(media_type, document, values, origin) if media_type else None,
            duration_seconds=_duration_seconds(values),
            created_at=fields.timestamp(values, "created_at"),
            error=_error_message(values),
        )
    except BaseException:
        document.discard_media()
        raise


def usage_page(document: Document, origin: str) -> UsagePage:
    document.discard_media()
    items = document.data if isinstance(document.data, list) else \
        _listed_records(_object(document))
    return UsagePage(records=[usage_record(Document(item), origin) for item in items])


def credit_balance(document: Document) -> CreditBalance:
    return CreditBalance(credits_remaining=_find_balance(object_without_media(document)))


def object_without_media(document: Document) -> dict[str, Any]:
    """An answer that has no use for media (health, the balance): any is dropped."""
    document.discard_media()
    return _object(document)


def _object(document: Document) -> dict[str, Any]:
    """The answer, which must be a JSON object; its media stays with `document`."""
    if isinstance(document.data, dict):
        return document.data
    document.discard_media()
    data = document.data
    shape = "a JSON array" if isinstance(data, list) else f"JSON {type(data).__name__}"
    raise MalformedAnswer(f"The API sent {shape} where an object was expected")


def _media(
    media_type: str, document: Document, values: dict[str, Any], origin: str
) -> MediaPayload | None:
    """The payload a `media_type` answer carries, checked against what was found."""
    expected_key = MEDIA_KEYS[media_type]
    if document.media_key not in (None, expected_key):
        raise MalformedAnswer(
            f"The API answered a {media_type} request with {document.media_key}"
        )
    if document.media is not None:
        if expected_key in values and values[expected_key] is None:
            if document.media.end > document.media.start:
                return document.media
            document.discard_media()  # an empty string: no media after all
        else:
            raise MalformedAnswer(f"The API sent {expected_key} in an unexpected place")
    elif values.get(expected_key) is not None:
        raise MalformedAnswer(f"The API sent {expected_key} that is not a string")
    if media_type == "video":
        url = fields.url(values, "video_url", origin)
        return UrlPayload(url) if url else None
    return None


def _media_type(media_key: str | None) -> str:
    return next((t for t, key in MEDIA_KEYS.items() if key == media_key), "")


def _result_fields(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer's fields, with those of a nested `result` object when present."""
    nested = answer.get("result")
    return {**answer, **nested} if isinstance(nested, dict) else answer


def _status(values: dict[str, Any]) -> str | None:
    status = fields.text(values, "status")
    return status.strip().lower() if status else None


def _duration_seconds(values: dict[str, Any]) -> float | None:
    seconds = fields.number(values, "duration_seconds")
    return seconds if seconds is not None else fields.number(values, "duration_s")


def _error_message(values: dict[str, Any]) -> str | None:
    for key in ("error", "error_message", "detail", "message"):
        value = values.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return value["message"]
    return None


def _listed_records(answer: dict[str, Any]) -> list[Any]:
    for key in ("records", "items", "usage", "data", "results"):
        if isinstance(answer.get(key), list):
            return answer[key]
    raise MalformedAnswer("The API sent a usage list without any records")


BALANCE_KEYS = (
    "credits_remaining",
    "remaining_credits",
    "credit_balance",
    "balance",
    "available_credits",
    "available",
    "credits",
    "remaining",
)


def _find_balance(answer: dict[str, Any]) -> int | None:
    """Credits remaining, at the top level or one object down (shape undocumented)."""
    found = _first_balance(answer)
    if found is not None:
        return found
    for value in answer.values():
        if isinstance(value, dict) and (found := _first_balance(value)) is not None:
            return found
    return None


def _first_balance(values: dict[str, Any]) -> int | None:
    for key in BALANCE_KEYS:
        value = values.get(key)
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            return math.floor(number)
    return None
