"""How an error answer of the API becomes a typed error a person can act on."""

import json
from datetime import UTC, datetime

import pytest

from studio.multimodal.errors import (
    ApiConnectionError,
    ApiTimeout,
    AuthenticationFailed,
    Forbidden,
    InsufficientCredits,
    InvalidRequest,
    MalformedAnswer,
    MultimodalError,
    ProviderError,
    RateLimited,
    error_from_response,
    parse_retry_after,
)

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def body(document: object) -> bytes:
    return json.dumps(document).encode()


def test_every_error_is_a_multimodal_error_with_its_message_as_str() -> None:
    error = InsufficientCredits("You have 3 credits left.", 402)
    assert isinstance(error, MultimodalError)
    assert str(error) == "You have 3 credits left."
    assert error.message == "You have 3 credits left."
    assert error.status_code == 402


@pytest.mark.parametrize(
    ("error_class", "retryable"),
    [
        (InvalidRequest, False),
        (AuthenticationFailed, False),
        (Forbidden, False),
        (InsufficientCredits, False),
        (MalformedAnswer, False),
        (RateLimited, True),
        (ProviderError, True),
        (ApiTimeout, True),
        (ApiConnectionError, True),
    ],
)
def test_only_transient_errors_are_retryable(error_class: type, retryable: bool) -> None:
    assert error_class.retryable is retryable
    assert issubclass(error_class, MultimodalError)


def test_each_error_class_has_its_own_code() -> None:
    classes = [InvalidRequest, AuthenticationFailed, Forbidden, InsufficientCredits,
               RateLimited, ProviderError, ApiTimeout, ApiConnectionError, MalformedAnswer]
    assert len({c.code for c in classes}) == len(classes)


def test_string_detail_is_the_message() -> None:
    error = error_from_response(400, body({"detail": "Unsupported format: webp"}))
    assert isinstance(error, InvalidRequest)
    assert error.message == "Unsupported format: webp"
    assert error.field_errors == {}


def test_fastapi_validation_list_gives_field_errors_by_last_loc_element() -> None:
    detail = [
        {"loc": ["body", "width"], "msg": "Input should be less than or equal to 2048",
         "type": "less_than_equal"},
        {"loc": ["body", "prompt"], "msg": "Field required", "type": "missing"},
    ]
    error = error_from_response(422, body({"detail": detail}))
    assert isinstance(error, InvalidRequest)
    assert error.status_code == 422
    assert error.field_errors == {
        "width": "Input should be less than or equal to 2048",
        "prompt": "Field required",
    }
    assert error.message == (
        "width: Input should be less than or equal to 2048; prompt: Field required"
    )


def test_validation_item_without_loc_keeps_its_message() -> None:
    error = error_from_response(422, body({"detail": [{"msg": "Body is not JSON"}]}))
    assert isinstance(error, InvalidRequest)
    assert error.message == "Body is not JSON"
    assert error.field_errors == {}


@pytest.mark.parametrize(
    "document",
    [{"message": "Prompt is empty"}, {"error": "Prompt is empty"},
     {"error": {"code": "bad_prompt", "message": "Prompt is empty"}},
     {"detail": {"message": "Prompt is empty"}}],
)
def test_message_and_error_shapes_are_understood(document: dict) -> None:
    assert error_from_response(400, body(document)).message == "Prompt is empty"


def test_plain_text_body_is_the_message() -> None:
    error = error_from_response(400, b"  bad   request:\n prompt too long ")
    assert error.message == "bad request: prompt too long"


def test_html_error_page_falls_back_to_the_status() -> None:
    error = error_from_response(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>")
    assert isinstance(error, ProviderError)
    assert error.message == "The API answered 502 with no explanation."


@pytest.mark.parametrize("empty", [b"", b"   ", b"{}", b"null", b'{"detail": ""}'])
def test_empty_explanation_falls_back_to_a_message_naming_the_status(empty: bytes) -> None:
    error = error_from_response(500, empty)
    assert isinstance(error, ProviderError)
    assert error.message == "The API answered 500 with no explanation."


def test_long_message_is_shortened() -> None:
    error = error_from_response(400, body({"detail": "x" * 5000}))
    assert len(error.message) <= 500
    assert error.message.endswith("…")


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(400, InvalidRequest), (404, InvalidRequest), (409, InvalidRequest),
     (422, InvalidRequest), (401, AuthenticationFailed), (402, InsufficientCredits),
     (403, Forbidden), (429, RateLimited), (500, ProviderError), (502, ProviderError),
     (503, ProviderError), (504, ProviderError)],
)
def test_status_maps_to_its_error_class(status: int, error_class: type) -> None:
    error = error_from_response(status, body({"detail": "why"}))
    assert type(error) is error_class
    assert error.status_code == status
    assert error.message == "why"


def test_402_without_explanation_says_there_are_not_enough_credits() -> None:
    assert error_from_response(402, b"").message == "Not enough credits for this generation."


def test_401_and_403_without_explanation_point_at_the_token() -> None:
    assert "token" in error_from_response(401, b"").message
    assert "tier" in error_from_response(403, b"").message


def test_redirect_is_malformed_and_points_at_the_api_url() -> None:
    error = error_from_response(301, b"")
    assert isinstance(error, MalformedAnswer)
    assert "check the API URL" in error.message


def test_429_reads_retry_after_seconds_case_insensitively() -> None:
    error = error_from_response(429, body({"detail": "Rate limit exceeded"}),
                                {"retry-after": "42"})
    assert isinstance(error, RateLimited)
    assert error.retry_after == 42.0
    assert error.message == "Rate limit exceeded"


def test_429_reads_retry_after_http_date_against_the_given_clock() -> None:
    error = error_from_response(429, b"", {"Retry-After": "Sun, 01 Mar 2026 12:01:30 GMT"},
                                now=NOW)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 90.0


def test_429_without_retry_after_has_none() -> None:
    error = error_from_response(429, b"")
    assert isinstance(error, RateLimited)
    assert error.retry_after is None
    assert error.message == "Too many requests to the API; the call will be tried again later."


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("30", 30.0), ("1.5", 1.5), (" 7 ", 7.0), ("-5", 0.0),
     ("Sun, 01 Mar 2026 11:59:00 GMT", 0.0), ("soon", None), ("", None), (None, None)],
)
def test_retry_after_parsing(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, now=NOW) == seconds
