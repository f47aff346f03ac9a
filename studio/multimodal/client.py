"""The HTTP client of the Multimodal API: the only code that speaks HTTP to it.

A video answer may carry 70 MB of base64, so a successful answer is streamed into a
spooled temporary file; the one large media string is located there and decoded on
demand in chunks, and only the rest of the document goes through `json.loads`.
"""

from __future__ import annotations

import binascii
import functools
import io
import json
import math
import re
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, BinaryIO
from urllib.parse import quote, urljoin, urlsplit

import certifi
import httpx

from studio.lib import safe_http
from studio.multimodal import catalog
from studio.multimodal.errors import (
    AddressRefused,
    ApiConnectionError,
    ApiTimeout,
    MalformedAnswer,
    error_from_response,
)

USER_AGENT = "Studio/1.0 (+multimodal client)"
CONNECT_TIMEOUT = 10.0
CHUNK_SIZE = 64 * 1024
SPOOL_MAX_SIZE = 1024 * 1024
# Everything but the media string is a few kilobytes; more means something is wrong.
MAX_DOCUMENT_SIZE = 16 * 1024 * 1024

MEDIA_KEYS = {"audio": "audio_base64", "image": "image_base64", "video": "video_base64"}
WAITING_STATUSES = ("pending", "processing")
NOT_BASE64 = "The API sent media that is not valid base64"

_MEDIA_FIELD = re.compile(rb'"(audio_base64|image_base64|video_base64)"\s*:\s*"')
_SCAN_OVERLAP = 256
_JSON_ESCAPES_IN_BASE64 = ((b"\\/", b"/"), (b"\\n", b""), (b"\\r", b""), (b"\\t", b""))
_WHITESPACE = b" \t\r\n"


@dataclass(eq=False)
class Base64Payload:
    """A base64 media string left in the spooled answer, decoded on demand."""

    file: IO[bytes]
    start: int
    end: int

    def write_to(self, out: BinaryIO) -> int:
        """Decode into `out` chunk by chunk; the number of bytes written."""
        written = 0
        pending = b""
        padded = False
        for piece in self._base64_pieces():
            pending += piece
            usable = len(pending) - len(pending) % 4
            if not usable:
                continue
            if padded:
                raise MalformedAnswer(NOT_BASE64)
            block, pending = pending[:usable], pending[usable:]
            decoded = _decode_base64(block)
            padded = block.endswith(b"=")
            out.write(decoded)
            written += len(decoded)
        if pending:
            raise MalformedAnswer(NOT_BASE64)
        return written

    def read_all(self) -> bytes:
        """The decoded media in memory: only for small media (images, tests)."""
        buffer = io.BytesIO()
        self.write_to(buffer)
        return buffer.getvalue()

    def close(self) -> None:
        self.file.close()

    def _base64_pieces(self) -> Iterator[bytes]:
        """The base64 text in chunks, JSON escapes and whitespace removed."""
        self.file.seek(self.start)
        remaining = self.end - self.start
        carry = b""
        while remaining > 0:
            raw = self.file.read(min(CHUNK_SIZE, remaining))
            if not raw:
                raise MalformedAnswer("The API's answer ended inside the media")
            remaining -= len(raw)
            text, carry = carry + raw, b""
            if text.endswith(b"\\") and remaining > 0:
                text, carry = text[:-1], b"\\"  # an escape split between two reads
            yield _unescape_base64(text)


@dataclass(frozen=True)
class UrlPayload:
    """Media the API left at a URL (the `video_url` variant)."""

    url: str

    def close(self) -> None:
        pass


MediaPayload = Base64Payload | UrlPayload


@dataclass
class GenerationResult:
    """One generation's answer. With `media` None, poll `get_usage(usage_id)`."""

    endpoint_type: str
    usage_id: str | None
    status: str
    credits_used: int | None
    credits_remaining: int | None
    format: str | None
    media: MediaPayload | None
    duration_ms: int | None
    width: int | None
    height: int | None
    duration_seconds: float | None
    fps: float | None
    video_url: str | None
    raw: dict[str, Any] = field(repr=False)
    http_status: int = 200

    def close(self) -> None:
        if self.media is not None:
            self.media.close()


@dataclass
class UsageRecord:
    id: str
    endpoint_type: str | None
    model_used: str | None
    credits_used: int | None
    status: str
    created_at: datetime | None
    completed_at: datetime | None
    raw: dict[str, Any] = field(repr=False)
    media: MediaPayload | None = None
    video_url: str | None = None
    format: str | None = None
    duration_seconds: float | None = None
    fps: float | None = None
    error: str | None = None

    def close(self) -> None:
        if self.media is not None:
            self.media.close()


@dataclass
class UsagePage:
    records: list[UsageRecord]
    total: int | None
    skip: int
    limit: int


@dataclass
class CreditBalance:
    credits_remaining: int | None
    raw: dict[str, Any]


@dataclass
class _Document:
    """A parsed JSON answer whose media string, if any, was replaced by null."""

    data: Any
    media_key: str | None = None
    media: Base64Payload | None = None
    status_code: int = 200

    def discard_media(self) -> None:
        if self.media is not None:
            self.media.close()


def normalize_origin(base_url: str) -> str:
    """The API's origin; a URL ending in the seed's base path means the same."""
    url = base_url.strip().rstrip("/")
    if url.endswith(catalog.API_BASE_PATH):
        url = url[: -len(catalog.API_BASE_PATH)].rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"The API URL {base_url!r} must start with http:// or https://")
    return url


class MultimodalClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 180.0,
        transport: httpx.BaseTransport | None = None,
        url_from_operator: bool = True,
    ) -> None:
        """`url_from_operator` False: a member typed `base_url`, so connect only to
        public addresses, as for media an answer names on another host (neither when
        the operator allows private addresses). `transport` replaces the network."""
        self.origin = normalize_origin(base_url)
        self.host = urlsplit(self.origin).netloc
        self.timeout = timeout
        self._token = token
        self._transport = transport
        if transport is None and not url_from_operator:
            transport = safe_http.member_transport(_ssl_context())
        self._http = self._new_http(transport, base_url=self.origin)
        self._media_http: httpx.Client | None = None

    def _new_http(self, transport: httpx.BaseTransport | None, **options: Any) -> httpx.Client:
        return httpx.Client(
            transport=transport,
            verify=_ssl_context(),
            timeout=httpx.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            **options,
        )

    def __enter__(self) -> MultimodalClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()
        if self._media_http is not None:
            self._media_http.close()

    def generate(self, endpoint_type: str, params: dict[str, Any]) -> GenerationResult:
        kind = _kind(endpoint_type)
        document = self._request("POST", kind.url_path, body=kind.with_defaults(params))
        return _generation_result(kind, document, self.origin)

    def list_usage(
        self, skip: int = 0, limit: int = 50, endpoint_type: str | None = None
    ) -> UsagePage:
        query: dict[str, str | int] = {"skip": skip, "limit": limit}
        if endpoint_type:
            query["endpoint_type"] = endpoint_type
        document = self._request("GET", f"{catalog.API_BASE_PATH}/usage", params=query)
        document.discard_media()
        items, total = _usage_items(document.data)
        records = [_usage_record(_object(item), _Document(item), self.origin) for item in items]
        return UsagePage(records=records, total=total, skip=skip, limit=limit)

    def get_usage(self, usage_id: str) -> UsageRecord:
        path = f"{catalog.API_BASE_PATH}/usage/{quote(usage_id, safe='')}"
        document = self._request("GET", path)
        return _usage_record(_object(document.data, document), document, self.origin)

    def managed_usage(self) -> CreditBalance:
        document = self._request("GET", catalog.MANAGED_USAGE_PATH)
        document.discard_media()
        answer = _object(document.data)
        return CreditBalance(credits_remaining=_find_balance(answer), raw=answer)

    def health(self) -> dict[str, Any]:
        document = self._request("GET", f"{catalog.API_BASE_PATH}/health", auth=False)
        document.discard_media()
        return _object(document.data)

    def download(self, url: str, out: BinaryIO, *, max_bytes: int) -> int:
        """Stream the media at `url` (a `video_url`) into `out`; bytes written.

        Only http(s), at most `max_bytes`; the token goes along only to the API's
        own origin, never to a storage host it points at.
        """
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            parts = host = None
        if parts is None or parts.scheme not in ("http", "https") or not host:
            raise MalformedAnswer(f"The API pointed at media that is not an http(s) URL: "
                                  f"{url[:200]}")
        same_origin = f"{parts.scheme}://{parts.netloc}" == self._origin_root
        headers = {"Authorization": f"Bearer {self._token}"} if same_origin else {}
        try:
            with self._client_for_media(same_origin).stream(
                "GET", url, headers=headers
            ) as response:
                if not response.is_success:
                    raise error_from_response(response.status_code, response.read(),
                                              response.headers)
                return _copy_capped(response, out, max_bytes)
        except safe_http.NotPublic as exc:
            raise MalformedAnswer(f"The API pointed at media on {host}, which is not a "
                                  "public address, so the studio did not fetch it") from exc
        except httpx.TimeoutException as exc:
            raise self._timeout_error(exc) from exc
        except httpx.TransportError as exc:
            raise self._connection_error(exc) from exc

    def _client_for_media(self, same_origin: bool) -> httpx.Client:
        """The API's own client for its origin. Another host is the answer's word, so
        only its public addresses, unless the operator allows private ones (or a test
        replaced the network)."""
        if same_origin or self._transport is not None or safe_http.private_allowed():
            return self._http
        if self._media_http is None:
            self._media_http = self._new_http(safe_http.PublicOnlyTransport(_ssl_context()))
        return self._media_http

    @property
    def _origin_root(self) -> str:
        parts = urlsplit(self.origin)
        return f"{parts.scheme}://{parts.netloc}"

    def _request(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        body: dict[str, Any] | None = None,
        params: dict[str, str | int] | None = None,
    ) -> _Document:
        headers = {"Authorization": f"Bearer {self._token}"} if auth and self._token else {}
        try:
            with self._http.stream(
                method, path, json=body, params=params, headers=headers
            ) as response:
                if not response.is_success:
                    raise error_from_response(
                        response.status_code, response.read(), response.headers
                    )
                spooled = _spool(response)
        except safe_http.NotPublic as exc:
            raise AddressRefused(f"The team's API URL points at {self.host}, which is not "
                                 "a public address, so the studio did not call it") from exc
        except httpx.TimeoutException as exc:
            raise self._timeout_error(exc) from exc
        except httpx.TransportError as exc:
            raise self._connection_error(exc) from exc
        except httpx.DecodingError as exc:
            raise MalformedAnswer(f"The API sent an answer that cannot be decoded ({exc})") from exc
        return _read_document(spooled, response.status_code)

    def _timeout_error(self, exc: httpx.TimeoutException) -> ApiTimeout:
        connecting = isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
        seconds = CONNECT_TIMEOUT if connecting else self.timeout
        return ApiTimeout(f"The API at {self.host} did not answer within {seconds:g} s",
                          may_have_reached_api=not connecting)

    def _connection_error(self, exc: httpx.TransportError) -> ApiConnectionError:
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, httpx.ConnectError):
            message = f"Could not connect to the API at {self.host}: {reason}"
        elif isinstance(exc, httpx.RemoteProtocolError):
            message = f"The API at {self.host} broke off the answer: {reason}"
        elif isinstance(exc, (httpx.ReadError, httpx.WriteError)):
            message = f"The connection to the API at {self.host} was lost: {reason}"
        else:
            message = f"Could not talk to the API at {self.host}: {reason}"
        return ApiConnectionError(
            message, may_have_reached_api=not isinstance(exc, httpx.ConnectError))


def _copy_capped(response: httpx.Response, out: BinaryIO, max_bytes: int) -> int:
    declared = response.headers.get("Content-Length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise MalformedAnswer(f"The API's media is {int(declared):,} bytes, more than the "
                              f"{max_bytes:,} this studio accepts")
    written = 0
    for chunk in response.iter_bytes(CHUNK_SIZE):
        written += len(chunk)
        if written > max_bytes:
            raise MalformedAnswer(f"The API's media is larger than the {max_bytes:,} "
                                  "bytes this studio accepts")
        out.write(chunk)
    return written


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One TLS context per process: building it costs tens of milliseconds, which
    would otherwise sit between a call's rate-limit stamp and its sending."""
    return ssl.create_default_context(cafile=certifi.where())


def _kind(endpoint_type: str) -> catalog.Kind:
    try:
        return catalog.get(endpoint_type)
    except KeyError:
        raise ValueError(
            f"Unknown kind {endpoint_type!r}; known: {', '.join(catalog.KINDS)}"
        ) from None


# --- reading a successful answer ------------------------------------------------


def _spool(response: httpx.Response) -> IO[bytes]:
    spooled: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_SIZE)
    try:
        for chunk in response.iter_bytes(CHUNK_SIZE):
            spooled.write(chunk)
    except BaseException:
        spooled.close()
        raise
    return spooled


def _read_document(spooled: IO[bytes], status_code: int) -> _Document:
    """Parse the spooled answer, leaving its one large media string in the file."""
    try:
        found = _find_media_field(spooled)
        size = spooled.seek(0, io.SEEK_END)
        if found is None:
            _check_document_size(size)
            spooled.seek(0)
            data = _parse_json(spooled.read(), status_code)
            spooled.close()
            return _Document(data, status_code=status_code)
        key, start = found
        end = _find_string_end(spooled, start)
        _check_document_size(size - (end - start))
        spooled.seek(0)
        prefix = spooled.read(start - 1)
        spooled.seek(end + 1)
        suffix = spooled.read()
        data = _parse_json(prefix + b"null" + suffix, status_code)
    except BaseException:
        spooled.close()
        raise
    return _Document(data, key, Base64Payload(spooled, start, end), status_code)


def _find_media_field(spooled: IO[bytes]) -> tuple[str, int] | None:
    """(key, offset where its string value starts) of the first media field."""
    spooled.seek(0)
    window_start = 0
    window = b""
    while chunk := spooled.read(CHUNK_SIZE):
        window += chunk
        match = _MEDIA_FIELD.search(window)
        if match:
            return match.group(1).decode(), window_start + match.end()
        keep = min(len(window), _SCAN_OVERLAP)  # a key split between two reads
        window_start += len(window) - keep
        window = window[len(window) - keep :]
    return None


def _find_string_end(spooled: IO[bytes], start: int) -> int:
    """Offset of the unescaped quote closing the string that starts at `start`."""
    spooled.seek(start)
    offset = start
    carried_backslashes = 0
    while chunk := spooled.read(CHUNK_SIZE):
        quote_at = chunk.find(b'"')
        while quote_at != -1:
            before = chunk[:quote_at]
            backslashes = _trailing_backslashes(before)
            if backslashes == len(before):
                backslashes += carried_backslashes
            if backslashes % 2 == 0:
                return offset + quote_at
            quote_at = chunk.find(b'"', quote_at + 1)
        trailing = _trailing_backslashes(chunk)
        carried_backslashes = trailing + (carried_backslashes if trailing == len(chunk) else 0)
        offset += len(chunk)
    raise MalformedAnswer("The API's answer ended inside the media")


def _trailing_backslashes(data: bytes) -> int:
    return len(data) - len(data.rstrip(b"\\"))


def _check_document_size(size: int) -> None:
    if size > MAX_DOCUMENT_SIZE:
        raise MalformedAnswer(
            f"The API sent an answer of {size} bytes outside any media field; "
            "that is not an answer the studio understands"
        )


def _parse_json(text: bytes, status_code: int) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        snippet = " ".join(text[:120].decode("utf-8", errors="replace").split())
        raise MalformedAnswer(
            f"The API answered {status_code} with something that is not JSON: {snippet!r}",
            status_code,
        ) from None


def _unescape_base64(text: bytes) -> bytes:
    for escape, replacement in _JSON_ESCAPES_IN_BASE64:
        text = text.replace(escape, replacement)
    if b"\\" in text:
        raise MalformedAnswer(NOT_BASE64)
    return text.translate(None, _WHITESPACE)


def _decode_base64(block: bytes) -> bytes:
    try:
        return binascii.a2b_base64(block, strict_mode=True)
    except binascii.Error:
        raise MalformedAnswer(NOT_BASE64) from None


# --- shaping answers into results -----------------------------------------------


def _generation_result(kind: catalog.Kind, document: _Document, origin: str) -> GenerationResult:
    try:
        answer = _object(document.data, document)
        fields = _result_fields(answer)
        media = _media(kind.media, document, fields, origin)
        usage_id = _id(fields, "usage_id")
        status = _status(fields)
        if media is None:
            waiting = kind.media == "video" or status in WAITING_STATUSES
            if not (usage_id and waiting):
                raise MalformedAnswer(
                    f"The API answered without the {kind.media} and without a usage id "
                    "to follow"
                )
        return GenerationResult(
            endpoint_type=kind.endpoint_type,
            usage_id=usage_id,
            status="completed" if media is not None else status or "pending",
            credits_used=_int(fields, "credits_used"),
            credits_remaining=_int(fields, "credits_remaining"),
            format=_str(fields, "format"),
            media=media,
            duration_ms=_int(fields, "duration_ms"),
            width=_int(fields, "width"),
            height=_int(fields, "height"),
            duration_seconds=_duration_seconds(fields),
            fps=_float(fields, "fps"),
            video_url=_url(fields, "video_url", origin),
            raw=_small_fields(answer),
            http_status=document.status_code,
        )
    except BaseException:
        document.discard_media()
        raise


def _usage_record(record: dict[str, Any], document: _Document, origin: str) -> UsageRecord:
    try:
        fields = _result_fields(record)
        record_id = _id(fields, "id") or _id(fields, "usage_id")
        status = _status(fields)
        if not record_id or not status:
            raise MalformedAnswer("The API sent a usage record without an id or a status")
        media_type = _media_type(document.media_key) or ("video" if "video_url" in fields else "")
        return UsageRecord(
            id=record_id,
            endpoint_type=_str(fields, "endpoint_type"),
            model_used=_str(fields, "model_used"),
            credits_used=_int(fields, "credits_used"),
            status=status,
            created_at=_datetime(fields, "created_at"),
            completed_at=_datetime(fields, "completed_at"),
            raw=_small_fields(record),
            media=_media(media_type, document, fields, origin) if media_type else None,
            video_url=_url(fields, "video_url", origin),
            format=_str(fields, "format"),
            duration_seconds=_duration_seconds(fields),
            fps=_float(fields, "fps"),
            error=_error_message(fields),
        )
    except BaseException:
        document.discard_media()
        raise


def _media(
    media_type: str, document: _Document, fields: dict[str, Any], origin: str
) -> MediaPayload | None:
    """The payload a `media_type` answer carries, checked against what was found."""
    expected_key = MEDIA_KEYS[media_type]
    if document.media_key not in (None, expected_key):
        raise MalformedAnswer(
            f"The API answered a {media_type} request with {document.media_key}"
        )
    if document.media is not None:
        if expected_key in fields and fields[expected_key] is None:
            if document.media.end > document.media.start:
                return document.media
            document.discard_media()  # an empty string: no media after all
        else:
            raise MalformedAnswer(f"The API sent {expected_key} in an unexpected place")
    elif fields.get(expected_key) is not None:
        raise MalformedAnswer(f"The API sent {expected_key} that is not a string")
    if media_type == "video":
        url = _url(fields, "video_url", origin)
        return UrlPayload(url) if url else None
    return None


def _media_type(media_key: str | None) -> str:
    return next((t for t, key in MEDIA_KEYS.items() if key == media_key), "")


def _object(data: Any, document: _Document | None = None) -> dict[str, Any]:
    if isinstance(data, dict):
        return data
    if document is not None:
        document.discard_media()
    shape = "a JSON array" if isinstance(data, list) else f"JSON {type(data).__name__}"
    raise MalformedAnswer(f"The API sent {shape} where an object was expected")


def _result_fields(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer's fields, with those of a nested `result` object when present."""
    nested = answer.get("result")
    return {**answer, **nested} if isinstance(nested, dict) else answer


def _small_fields(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in MEDIA_KEYS.values()}


def _usage_items(data: Any) -> tuple[list[Any], int | None]:
    if isinstance(data, list):
        return data, None
    answer = _object(data)
    for key in ("records", "items", "usage", "data", "results"):
        if isinstance(answer.get(key), list):
            return answer[key], _int(answer, "total")
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


def _first_balance(fields: dict[str, Any]) -> int | None:
    for key in BALANCE_KEYS:
        value = fields.get(key)
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            return math.floor(number)
    return None


# --- typed field readers: missing is None, a wrong type is a MalformedAnswer -----


def _wrong(key: str, value: Any, expected: str) -> MalformedAnswer:
    return MalformedAnswer(f"The API sent {key} as {value!r}, which is not {expected}")


def _int(fields: dict[str, Any], key: str) -> int | None:
    value = fields.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _wrong(key, value, "a whole number")
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _wrong(key, value, "a whole number") from None
    if not number.is_integer():
        raise _wrong(key, value, "a whole number")
    return int(number)


def _float(fields: dict[str, Any], key: str) -> float | None:
    value = fields.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _wrong(key, value, "a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _wrong(key, value, "a number") from None
    if not math.isfinite(number):
        raise _wrong(key, value, "a number")
    return number


def _str(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _wrong(key, value, "text")
    return value


def _id(fields: dict[str, Any], key: str) -> str | None:
    value = fields.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _str(fields, key)


def _status(fields: dict[str, Any]) -> str | None:
    status = _str(fields, "status")
    return status.strip().lower() if status else None


def _duration_seconds(fields: dict[str, Any]) -> float | None:
    seconds = _float(fields, "duration_seconds")
    return seconds if seconds is not None else _float(fields, "duration_s")


def _url(fields: dict[str, Any], key: str, origin: str) -> str | None:
    value = _str(fields, key)
    if value is None:
        return None
    # A relative URL is on the API's own origin (the sandbox answers that way).
    return value if urlsplit(value).scheme else urljoin(origin + "/", value)


def _datetime(fields: dict[str, Any], key: str) -> datetime | None:
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


def _error_message(fields: dict[str, Any]) -> str | None:
    for key in ("error", "error_message", "detail", "message"):
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, dict) and isinstance(value.get("message"), str):
            return value["message"]
    return None

