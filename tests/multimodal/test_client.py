"""The Multimodal API client against `httpx.MockTransport`: no network, no sleeps."""

import base64
import io
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from studio.multimodal import streaming
from studio.multimodal.answers import GenerationResult, UrlPayload
from studio.multimodal.client import MultimodalClient, normalize_origin
from studio.multimodal.errors import (
    AddressRefused,
    ApiConnectionError,
    ApiTimeout,
    AuthenticationFailed,
    Forbidden,
    InsufficientCredits,
    InvalidRequest,
    MalformedAnswer,
    ProviderError,
    RateLimited,
)
from studio.multimodal.streaming import Base64Payload

ORIGIN = "https://api.example.test"
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers one response and keeps the requests."""

    def __init__(self, response: httpx.Response | Callable[[httpx.Request], httpx.Response]):
        self.response = response
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        request.read()
        return self.response(request) if callable(self.response) else self.response

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def make_client(handler: Handler, base_url: str = ORIGIN) -> MultimodalClient:
    return MultimodalClient(base_url, "secret-token", timeout=30,
                            transport=httpx.MockTransport(handler))


def answer(document: object, status: int = 200, **kwargs: object) -> Recorder:
    return Recorder(httpx.Response(status, json=document, **kwargs))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def generate(document: object, kind: str = "tts", params: dict | None = None,
             status: int = 200) -> GenerationResult:
    with make_client(answer(document, status)) as api:
        return api.generate(kind, params or {"text": "Hello"})


def raise_in_handler(exc_factory: Callable[[httpx.Request], Exception]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc_factory(request)

    return handler


class ChunkedStream(httpx.SyncByteStream):
    """A body delivered in small, odd-sized pieces, optionally failing part-way."""

    def __init__(self, body: bytes, piece: int = 1021, fail_after: int | None = None):
        self.body, self.piece, self.fail_after = body, piece, fail_after

    def __iter__(self) -> Iterator[bytes]:
        for offset in range(0, len(self.body), self.piece):
            if self.fail_after is not None and offset >= self.fail_after:
                raise httpx.ReadError("connection reset by peer")
            yield self.body[offset : offset + self.piece]


# --- base URL, headers, request bodies -----------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "https://api.example.test",
        "https://api.example.test/",
        "https://api.example.test/api/v1/multimodal",
        "https://api.example.test/api/v1/multimodal/",
        "  https://api.example.test/api/v1/multimodal//  ",
    ],
)
def test_base_url_is_normalised_to_the_origin(base_url: str) -> None:
    recorder = answer({"audio_base64": b64(b"mp3")})
    with make_client(recorder, base_url) as api:
        api.generate("tts", {"text": "Hi"})
    assert api.origin == ORIGIN
    assert str(recorder.last.url) == "https://api.example.test/api/v1/multimodal/tts"


def test_origin_with_a_path_prefix_keeps_it() -> None:
    recorder = answer({"audio_base64": b64(b"mp3")})
    with make_client(recorder, "http://127.0.0.1:8000/sandbox/api/v1/multimodal") as api:
        api.generate("tts", {"text": "Hi"})
    assert str(recorder.last.url) == "http://127.0.0.1:8000/sandbox/api/v1/multimodal/tts"


@pytest.mark.parametrize("base_url", ["", "api.example.test", "ftp://api.example.test"])
def test_base_url_without_http_scheme_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match="must start with http"):
        normalize_origin(base_url)


def test_bearer_token_user_agent_and_accept_are_sent() -> None:
    recorder = answer({"audio_base64": b64(b"mp3")})
    with make_client(recorder) as api:
        api.generate("tts", {"text": "Hi"})
    headers = recorder.last.headers
    assert headers["Authorization"] == "Bearer secret-token"
    assert headers["User-Agent"] == "Studio/1.0 (+multimodal client)"
    assert headers["Accept"] == "application/json"
    assert headers["Content-Type"] == "application/json"


def test_timeouts_are_always_set() -> None:
    recorder = answer({"audio_base64": b64(b"mp3")})
    with make_client(recorder) as api:
        api.generate("tts", {"text": "Hi"})
    timeout = recorder.last.extensions["timeout"]
    assert timeout["connect"] == 10.0
    assert timeout["read"] == 30


SUCCESS_BY_KIND = {"tts": {"audio_base64": b64(b"mp3")}, "image": {"image_base64": b64(b"png")}}


@pytest.mark.parametrize(
    ("kind", "params", "sent", "path"),
    [
        ("tts", {"text": "Hi"}, {"text": "Hi", "voice": "Wise_Woman"}, "/tts"),
        ("image", {"prompt": "A cat", "style": ""},
         {"prompt": "A cat", "width": 1024, "height": 1024}, "/image"),
        ("video_i2v", {"image_url": "https://x.test/a.jpg", "motion_prompt": "zoom"},
         {"image_url": "https://x.test/a.jpg", "motion_prompt": "zoom", "provider": "wan22"},
         "/video/i2v"),
        ("video_t2v", {"prompt": "Waves"}, {"prompt": "Waves", "duration": 5}, "/video/t2v"),
        ("video_cogvideox", {"prompt": "Robot", "num_frames": 17},
         {"prompt": "Robot", "num_frames": 17, "guidance_scale": 6.0,
          "num_inference_steps": 50}, "/video/cogvideox"),
    ],
)
def test_params_are_posted_with_catalog_defaults_filled(
    kind: str, params: dict, sent: dict, path: str
) -> None:
    recorder = answer(SUCCESS_BY_KIND.get(kind, {"usage_id": "u1", "status": "pending"}))
    with make_client(recorder) as api:
        api.generate(kind, params)
    assert recorder.last.method == "POST"
    assert recorder.last.url.path == "/api/v1/multimodal" + path
    assert json.loads(recorder.last.content) == sent


def test_unknown_kind_is_a_programming_error() -> None:
    with make_client(answer({})) as api, pytest.raises(ValueError, match="Unknown kind"):
        api.generate("music", {})


# --- successful generations ----------------------------------------------------


@pytest.mark.parametrize("status", [200, 201])
def test_tts_answer_is_parsed(status: int) -> None:
    result = generate({"audio_base64": b64(b"ID3 mp3 bytes"), "format": "mp3",
                       "duration_ms": 2150, "usage_id": "use_1", "credits_used": 14,
                       "credits_remaining": 986}, status=status)
    assert isinstance(result.media, Base64Payload)
    assert result.media.read_all() == b"ID3 mp3 bytes"
    assert (result.endpoint_type, result.status, result.usage_id) == ("tts", "completed", "use_1")
    assert (result.credits_used, result.credits_remaining) == (14, 986)
    assert (result.format, result.duration_ms) == ("mp3", 2150)
    assert result.width is None
    result.close()


def test_numbers_given_as_strings_are_accepted() -> None:
    result = generate({"audio_base64": b64(b"a"), "credits_used": "14",
                       "credits_remaining": "986", "duration_ms": "2150.0"})
    assert (result.credits_used, result.credits_remaining, result.duration_ms) == (14, 986, 2150)


def test_missing_optional_fields_are_none() -> None:
    result = generate({"audio_base64": b64(b"a")})
    assert result.usage_id is None
    assert result.credits_used is None and result.credits_remaining is None
    assert result.format is None and result.duration_ms is None


def test_image_answer_is_parsed() -> None:
    result = generate({"image_base64": b64(b"\x89PNG data"), "format": "png", "width": 1024,
                       "height": "768", "credits_used": 50}, kind="image",
                      params={"prompt": "A cat"})
    assert isinstance(result.media, Base64Payload)
    assert result.media.read_all() == b"\x89PNG data"
    assert (result.width, result.height, result.format) == (1024, 768, "png")


def test_video_url_variant_carries_the_url() -> None:
    result = generate({"video_url": "https://cdn.example.test/v/1.mp4", "format": "mp4",
                       "duration_seconds": 5.0, "usage_id": "use_9", "credits_used": 1000,
                       "credits_remaining": 0}, kind="video_t2v", params={"prompt": "Waves"})
    assert result.media == UrlPayload("https://cdn.example.test/v/1.mp4")
    assert (result.status, result.duration_seconds) == ("completed", 5.0)
    assert result.credits_remaining == 0


def test_relative_video_url_is_resolved_against_the_origin() -> None:
    recorder = answer({"video_url": "media/v1.mp4", "usage_id": "u"})
    with make_client(recorder, "http://127.0.0.1:8000/sandbox") as api:
        result = api.generate("video_t2v", {"prompt": "Waves"})
    assert result.media == UrlPayload("http://127.0.0.1:8000/sandbox/media/v1.mp4")


def test_video_base64_variant_carries_the_bytes_and_duration() -> None:
    result = generate({"video_base64": b64(b"\x00\x00\x00\x18ftypmp42"), "format": "mp4",
                       "fps": 8, "duration_s": "6.125", "usage_id": "use_3",
                       "credits_used": 800}, kind="video_cogvideox", params={"prompt": "Robot"})
    assert isinstance(result.media, Base64Payload)
    assert result.media.read_all() == b"\x00\x00\x00\x18ftypmp42"
    assert result.duration_seconds == 6.125
    assert result.status == "completed"


@pytest.mark.parametrize(("document_status", "status"),
                         [(None, "pending"), ("pending", "pending"),
                          ("Processing", "processing")])
def test_long_running_video_answer_is_a_result_without_media(
    document_status: str | None, status: str
) -> None:
    document = {"usage_id": "use_7", "credits_used": 400, "video_base64": None}
    if document_status:
        document["status"] = document_status
    result = generate(document, kind="video_i2v",
                      params={"image_url": "https://x.test/a.jpg", "motion_prompt": "zoom"})
    assert result.media is None
    assert (result.usage_id, result.status, result.credits_used) == ("use_7", status, 400)


def test_tts_answer_still_processing_is_a_result_without_media() -> None:
    result = generate({"usage_id": "use_5", "status": "processing"})
    assert (result.media, result.status, result.usage_id) == (None, "processing", "use_5")


def test_tts_answer_without_audio_is_malformed() -> None:
    with pytest.raises(MalformedAnswer, match="without the audio"):
        generate({"usage_id": "use_1", "credits_used": 14, "format": "mp3"})


def test_an_answer_without_media_but_with_a_usage_id_says_which_instead_of_none() -> None:
    with pytest.raises(MalformedAnswer) as refused:
        generate({"usage_id": "use_1", "status": "completed", "audio_base64": ""})
    assert str(refused.value) == ("The API answered without the audio (usage id use_1, "
                                  "status completed): there is nothing to store")


def test_video_answer_without_video_or_usage_id_is_malformed() -> None:
    with pytest.raises(MalformedAnswer, match="without the video"):
        generate({"credits_used": 1000}, kind="video_t2v", params={"prompt": "Waves"})


def test_empty_media_string_counts_as_missing() -> None:
    with pytest.raises(MalformedAnswer, match="without the audio"):
        generate({"audio_base64": "", "usage_id": "u"})


def test_media_of_another_kind_is_malformed() -> None:
    with pytest.raises(MalformedAnswer, match="audio request with image_base64"):
        generate({"image_base64": b64(b"png")})


def test_media_that_is_not_a_string_is_malformed() -> None:
    with pytest.raises(MalformedAnswer, match="not a string"):
        generate({"audio_base64": 12345})


@pytest.mark.parametrize(
    "document",
    [{"audio_base64": b64(b"a"), "credits_used": "fourteen"},
     {"audio_base64": b64(b"a"), "credits_used": 14.5},
     {"audio_base64": b64(b"a"), "credits_used": True},
     {"audio_base64": b64(b"a"), "format": 3},
     {"audio_base64": b64(b"a"), "usage_id": ["u"]}],
)
def test_wrong_types_are_malformed(document: dict) -> None:
    with pytest.raises(MalformedAnswer, match="The API sent"):
        generate(document)


def test_non_json_200_is_malformed() -> None:
    with make_client(Recorder(httpx.Response(200, text="<html>Gateway login</html>"))) as api:
        with pytest.raises(MalformedAnswer, match="not JSON") as caught:
            api.generate("tts", {"text": "Hi"})
    assert caught.value.status_code == 200
    assert caught.value.retryable is False


def test_json_array_200_is_malformed() -> None:
    with pytest.raises(MalformedAnswer, match="a JSON array where an object was expected"):
        generate([{"audio_base64": "AAAA"}])


@pytest.mark.parametrize("junk", ["not*base64!", "QUJD\\u0041", "QQ=", "QQ==QUJD", "Q"])
def test_bad_base64_is_malformed_when_decoded(junk: str) -> None:
    result = generate({"audio_base64": junk})
    with pytest.raises(MalformedAnswer, match="not valid base64"):
        result.media.read_all()  # type: ignore[union-attr]


def test_unterminated_media_string_is_malformed() -> None:
    recorder = Recorder(httpx.Response(200, content=b'{"audio_base64": "QUJD'))
    with make_client(recorder) as api, pytest.raises(MalformedAnswer, match="ended inside"):
        api.generate("tts", {"text": "Hi"})


# --- large media: streamed, spooled and decoded in chunks ------------------------


def test_five_megabyte_media_decodes_through_write_to_with_escaped_slashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    media = os.urandom(3_932_161)  # not a multiple of 3: the base64 ends with padding
    encoded = b64(media)
    assert len(encoded) > 5_000_000 and encoded.endswith("=") and "/" in encoded
    escaped = encoded.replace("/", "\\/")
    body = ('{"usage_id": "use_big", "format":"mp4", "video_base64" :  "' + escaped
            + '", "fps": 8, "duration_s": 6.1}').encode()
    parsed_lengths: list[int] = []
    real_loads = json.loads
    monkeypatch.setattr(streaming.json, "loads",
                        lambda text: parsed_lengths.append(len(text)) or real_loads(text))

    recorder = Recorder(httpx.Response(200, stream=ChunkedStream(body, piece=9973)))
    with make_client(recorder) as api:
        result = api.generate("video_t2v", {"prompt": "Waves"})
    assert isinstance(result.media, Base64Payload)
    out = io.BytesIO()
    assert result.media.write_to(out) == len(media)
    assert out.getvalue() == media
    assert (result.usage_id, result.duration_seconds) == ("use_big", 6.1)
    assert parsed_lengths and max(parsed_lengths) < 200  # the base64 never went to json
    result.close()


def test_escapes_and_whitespace_split_across_reads_decode(monkeypatch: pytest.MonkeyPatch) -> None:
    media = bytes(range(256)) * 40
    encoded = b64(media)
    wrapped = "\\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    body = ('{"image_base64":"' + wrapped.replace("/", "\\/") + '"}').encode()
    monkeypatch.setattr(streaming, "CHUNK_SIZE", 7)  # boundaries land inside escapes
    with make_client(Recorder(httpx.Response(200, content=body))) as api:
        result = api.generate("image", {"prompt": "A cat"})
    assert result.media.read_all() == media  # type: ignore[union-attr]


def test_media_field_split_between_reads_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(streaming, "CHUNK_SIZE", 5)
    body = b'{"format": "mp3", "audio_base64"\n :\t "QUJD", "usage_id": "u"}'
    with make_client(Recorder(httpx.Response(200, content=body))) as api:
        result = api.generate("tts", {"text": "Hi"})
    assert result.media.read_all() == b"ABC"  # type: ignore[union-attr]
    assert (result.format, result.usage_id) == ("mp3", "u")


def test_media_key_mentioned_inside_another_string_is_not_mistaken() -> None:
    document = {"note": 'see "audio_base64": "below"', "audio_base64": b64(b"real")}
    assert generate(document).media.read_all() == b"real"  # type: ignore[union-attr]


def test_large_answer_is_spooled_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps({"audio_base64": b64(os.urandom(2 * 1024 * 1024))}).encode()
    with make_client(Recorder(httpx.Response(200, content=body))) as api:
        result = api.generate("tts", {"text": "Hi"})
    assert result.media.file._rolled  # type: ignore[union-attr]
    result.close()


def test_read_error_in_the_middle_of_the_body_is_a_connection_error() -> None:
    body = json.dumps({"audio_base64": b64(os.urandom(100_000))}).encode()
    recorder = Recorder(httpx.Response(200, stream=ChunkedStream(body, fail_after=50_000)))
    with make_client(recorder) as api, pytest.raises(ApiConnectionError, match="api.example"):
        api.generate("tts", {"text": "Hi"})


# --- error answers and transport failures ---------------------------------------


def error_for(response: httpx.Response) -> Exception:
    with make_client(Recorder(response)) as api, pytest.raises(Exception) as caught:
        api.generate("tts", {"text": "Hi"})
    return caught.value


def test_400_with_string_detail_is_invalid_request() -> None:
    error = error_for(httpx.Response(400, json={"detail": "Unsupported voice"}))
    assert isinstance(error, InvalidRequest)
    assert (error.message, error.status_code, error.retryable) == ("Unsupported voice", 400,
                                                                   False)


def test_422_with_fastapi_list_gives_field_errors() -> None:
    detail = [{"loc": ["body", "text"], "msg": "String should have at most 5000 characters",
               "type": "string_too_long"}]
    error = error_for(httpx.Response(422, json={"detail": detail}))
    assert isinstance(error, InvalidRequest)
    assert error.field_errors == {"text": "String should have at most 5000 characters"}
    assert error.message == "text: String should have at most 5000 characters"


def test_401_is_authentication_failed() -> None:
    error = error_for(httpx.Response(401, json={"detail": "Invalid token"}))
    assert isinstance(error, AuthenticationFailed)
    assert error.message == "Invalid token"


def test_402_is_insufficient_credits_with_the_api_message() -> None:
    error = error_for(httpx.Response(402, json={"detail": "Insufficient credits: need 14"}))
    assert isinstance(error, InsufficientCredits)
    assert error.message == "Insufficient credits: need 14"


def test_402_without_body_says_not_enough_credits() -> None:
    error = error_for(httpx.Response(402))
    assert isinstance(error, InsufficientCredits)
    assert error.message == "Not enough credits for this generation."


def test_403_is_forbidden() -> None:
    error = error_for(httpx.Response(403, json={"detail": "T2V requires the premium tier"}))
    assert isinstance(error, Forbidden)
    assert error.message == "T2V requires the premium tier"


def test_429_carries_retry_after_seconds() -> None:
    error = error_for(httpx.Response(429, json={"detail": "Rate limit exceeded"},
                                     headers={"Retry-After": "12"}))
    assert isinstance(error, RateLimited)
    assert (error.retry_after, error.retryable) == (12.0, True)


def test_429_carries_retry_after_http_date() -> None:
    when = datetime.now(UTC) + timedelta(seconds=120)
    error = error_for(httpx.Response(429, headers={"Retry-After": format_datetime(when, True)}))
    assert isinstance(error, RateLimited)
    assert error.retry_after is not None and 100 < error.retry_after <= 120


def test_429_without_retry_after_has_none() -> None:
    error = error_for(httpx.Response(429, json={"detail": "Rate limit exceeded"}))
    assert isinstance(error, RateLimited)
    assert error.retry_after is None


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(500, json={"detail": "GPU provider error"}), "GPU provider error"),
        (httpx.Response(502, text="<html>Bad Gateway</html>"),
         "The API answered 502 with no explanation."),
        (httpx.Response(503), "The API answered 503 with no explanation."),
    ],
)
def test_5xx_is_a_retryable_provider_error(response: httpx.Response, message: str) -> None:
    error = error_for(response)
    assert isinstance(error, ProviderError)
    assert (error.message, error.status_code, error.retryable) == (
        message, response.status_code, True)


def test_read_timeout_is_api_timeout_naming_the_seconds() -> None:
    handler = raise_in_handler(lambda r: httpx.ReadTimeout("timed out", request=r))
    with make_client(handler) as api, pytest.raises(ApiTimeout) as caught:
        api.generate("tts", {"text": "Hi"})
    assert caught.value.message == "The API at api.example.test did not answer within 30 s"
    assert caught.value.retryable is True


def test_connect_timeout_names_the_connect_timeout() -> None:
    handler = raise_in_handler(lambda r: httpx.ConnectTimeout("timed out", request=r))
    with make_client(handler) as api, pytest.raises(ApiTimeout, match="within 10 s"):
        api.generate("tts", {"text": "Hi"})


def test_connect_error_is_api_connection_error_naming_the_host() -> None:
    handler = raise_in_handler(
        lambda r: httpx.ConnectError("[Errno 111] Connection refused", request=r))
    with make_client(handler) as api, pytest.raises(ApiConnectionError) as caught:
        api.generate("tts", {"text": "Hi"})
    assert caught.value.message == (
        "Could not connect to the API at api.example.test: [Errno 111] Connection refused")
    assert caught.value.retryable is True


def test_remote_protocol_error_is_api_connection_error() -> None:
    handler = raise_in_handler(lambda r: httpx.RemoteProtocolError(
        "Server disconnected without sending a response.", request=r))
    with make_client(handler) as api, pytest.raises(ApiConnectionError,
                                                    match="api.example.test broke off"):
        api.generate("tts", {"text": "Hi"})


# --- usage history, credit balance, health --------------------------------------

RECORD = {"id": "use_1", "endpoint_type": "tts", "model_used": "minimax-speech-02",
          "credits_used": 14, "status": "completed", "created_at": "2026-03-01T12:00:00Z",
          "completed_at": "2026-03-01T12:00:09.5+00:00"}


def test_list_usage_sends_skip_limit_and_endpoint_type() -> None:
    recorder = answer({"records": [RECORD], "total": "31"})
    with make_client(recorder) as api:
        page = api.list_usage(skip=20, limit=10, endpoint_type="video_i2v")
    request = recorder.last
    assert (request.method, request.url.path) == ("GET", "/api/v1/multimodal/usage")
    assert dict(request.url.params) == {"skip": "20", "limit": "10",
                                        "endpoint_type": "video_i2v"}
    assert request.headers["Authorization"] == "Bearer secret-token"
    assert [r.usage_id for r in page.records] == ["use_1"]


def test_list_usage_without_filter_sends_no_endpoint_type() -> None:
    recorder = answer([RECORD])
    with make_client(recorder) as api:
        page = api.list_usage()
    assert dict(recorder.last.url.params) == {"skip": "0", "limit": "50"}
    assert len(page.records) == 1


@pytest.mark.parametrize("key", ["items", "usage", "data", "results"])
def test_list_usage_finds_records_under_common_keys(key: str) -> None:
    with make_client(answer({key: [RECORD, RECORD]})) as api:
        assert len(api.list_usage().records) == 2


def test_list_usage_without_a_list_is_malformed() -> None:
    with make_client(answer({"total": 3})) as api, pytest.raises(MalformedAnswer):
        api.list_usage()


def test_usage_record_is_parsed() -> None:
    recorder = answer(RECORD)
    with make_client(recorder) as api:
        record = api.get_usage("use_1")
    assert recorder.last.url.path == "/api/v1/multimodal/usage/use_1"
    assert (record.usage_id, record.endpoint_type) == ("use_1", "tts")
    assert (record.credits_used, record.status) == (14, "completed")
    assert record.created_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert record.media is None and record.error is None


def test_usage_record_without_completed_at_and_naive_dates() -> None:
    document = {"id": 42, "status": "pending", "created_at": "2026-03-01T12:00:00"}
    with make_client(answer(document)) as api:
        record = api.get_usage("42")
    assert (record.usage_id, record.status) == ("42", "pending")
    assert record.created_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_usage_id_is_quoted_in_the_path() -> None:
    recorder = answer(RECORD)
    with make_client(recorder) as api:
        api.get_usage("a/b c")
    assert recorder.last.url.raw_path == b"/api/v1/multimodal/usage/a%2Fb%20c"


def test_completed_video_record_carries_the_video_url() -> None:
    document = {**RECORD, "endpoint_type": "video_i2v",
                "video_url": "https://cdn.example.test/v.mp4", "duration_seconds": "5"}
    with make_client(answer(document)) as api:
        record = api.get_usage("use_1")
    assert record.media == UrlPayload("https://cdn.example.test/v.mp4")
    assert record.duration_seconds == 5.0


def test_completed_video_record_carries_video_base64_even_nested_in_result() -> None:
    document = {**RECORD, "endpoint_type": "video_cogvideox",
                "result": {"video_base64": b64(b"mp4 bytes"), "fps": 8, "duration_s": 6}}
    with make_client(answer(document)) as api:
        record = api.get_usage("use_1")
    assert isinstance(record.media, Base64Payload)
    assert record.media.read_all() == b"mp4 bytes"
    assert record.duration_seconds == 6.0
    record.close()


def test_failed_record_carries_its_error_message() -> None:
    document = {**RECORD, "status": "failed", "error": "GPU worker crashed"}
    with make_client(answer(document)) as api:
        record = api.get_usage("use_1")
    assert (record.status, record.error) == ("failed", "GPU worker crashed")


@pytest.mark.parametrize(
    "document",
    [{"status": "completed"}, {"id": "use_1"}, {"id": "use_1", "status": "done",
                                                 "created_at": "yesterday"}],
)
def test_usage_record_missing_id_status_or_with_bad_date_is_malformed(document: dict) -> None:
    with make_client(answer(document)) as api, pytest.raises(MalformedAnswer):
        api.get_usage("use_1")


def test_usage_record_for_unknown_id_is_invalid_request() -> None:
    with make_client(answer({"detail": "Usage record not found"}, 404)) as api:
        with pytest.raises(InvalidRequest, match="not found"):
            api.get_usage("nope")


@pytest.mark.parametrize(
    ("document", "credits"),
    [
        ({"credits_remaining": 5000}, 5000),
        ({"remaining_credits": "4200"}, 4200),
        ({"balance": 99.7, "currency": "credits"}, 99),
        ({"plan": "pro", "credits": 1200}, 1200),
        ({"available": 10}, 10),
        ({"usage": {"credits_used": 300, "credits_remaining": 700}}, 700),
        ({"data": {"balance": 12}}, 12),
        ({"credits": {"used": 10, "remaining": 90}}, 90),
        ({"plan": "free", "credits_used": 14}, None),
        ({"credits_remaining": "unlimited", "data": {"available": 3}}, 3),
    ],
)
def test_managed_usage_finds_credits_remaining_defensively(document: dict,
                                                           credits: int | None) -> None:
    recorder = answer(document)
    with make_client(recorder) as api:
        balance = api.managed_usage()
    assert recorder.last.url.path == "/api/v1/managed/usage"
    assert recorder.last.headers["Authorization"] == "Bearer secret-token"
    assert balance.credits_remaining == credits


def test_managed_usage_that_is_not_an_object_is_malformed() -> None:
    with make_client(answer([1, 2])) as api, pytest.raises(MalformedAnswer):
        api.managed_usage()


def test_health_is_asked_without_authorization() -> None:
    recorder = answer({"status": "ok", "gpu_endpoints": {"tts": True}})
    with make_client(recorder) as api:
        assert api.health() == {"status": "ok", "gpu_endpoints": {"tts": True}}
    assert recorder.last.url.path == "/api/v1/multimodal/health"
    assert "Authorization" not in recorder.last.headers
    assert recorder.last.headers["User-Agent"] == "Studio/1.0 (+multimodal client)"


def test_health_of_an_unavailable_api_is_a_provider_error() -> None:
    with make_client(answer({"detail": "No GPU endpoint available"}, 503)) as api:
        with pytest.raises(ProviderError, match="No GPU endpoint"):
            api.health()


def test_close_closes_the_http_client() -> None:
    api = make_client(answer({}))
    api.close()
    with pytest.raises(RuntimeError):
        api.health()


# --- media a video_url names, and addresses a member gave ----------------------------


def test_token_goes_with_media_only_on_the_api_origin() -> None:
    recorder = Recorder(httpx.Response(200, content=b"clip"))
    with make_client(recorder) as api:
        api.download(f"{ORIGIN}/media/1.mp4", io.BytesIO(), max_bytes=100)
        api.download("https://cdn.example.test/1.mp4", io.BytesIO(), max_bytes=100)
    own, elsewhere = recorder.requests
    assert own.headers["Authorization"] == "Bearer secret-token"
    assert "Authorization" not in elsewhere.headers


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/v.mp4", "http://localhost:9/v.mp4", "http://[::1]:9/v.mp4",
    "http://[::ffff:10.0.0.7]/v.mp4", "http://[::127.0.0.1]:9/v.mp4",
    "http://169.254.169.254/latest/meta-data/",
])
def test_media_at_a_private_address_off_the_api_host_is_refused(settings, url) -> None:
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    out = io.BytesIO()
    with MultimodalClient(ORIGIN, "secret-token") as api, \
            pytest.raises(MalformedAnswer, match="not a public address") as caught:
        api.download(url, out, max_bytes=100)
    assert caught.value.retryable is False
    assert out.getvalue() == b""


def test_media_url_that_cannot_be_parsed_is_malformed() -> None:
    with make_client(answer({})) as api, pytest.raises(MalformedAnswer, match="not an http"):
        api.download("http://[::1/v.mp4", io.BytesIO(), max_bytes=100)


def test_api_url_a_member_typed_is_not_connected_to_at_a_private_address(settings) -> None:
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    with MultimodalClient("http://127.0.0.1:9", "secret-token",
                          url_from_operator=False) as api, \
            pytest.raises(AddressRefused, match="not a public address") as refused:
        api.health()
    assert not refused.value.retryable and not refused.value.may_have_reached_api
    with MultimodalClient("http://127.0.0.1:9", "secret-token") as api, \
            pytest.raises(ApiConnectionError, match="Connection refused"):
        api.health()  # the operator's own address: really tried
