"""The HTTP client of the Multimodal API: the only code that speaks HTTP to it, and
the one that fetches the media its answers name.

Each call maps what went wrong on the wire to a typed error (errors.py); a successful
answer is spooled and parsed (streaming.py) and shaped into results (answers.py).
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO
from urllib.parse import quote, urlsplit

import certifi
import httpx

from studio.lib import safe_http
from studio.lib.download import TooLarge, copy_capped
from studio.multimodal import answers, catalog, streaming
from studio.multimodal.answers import CreditBalance, GenerationResult, UsagePage, UsageRecord
from studio.multimodal.errors import (
    AddressRefused,
    ApiConnectionError,
    ApiTimeout,
    MalformedAnswer,
    MultimodalError,
    error_from_response,
)

USER_AGENT = "Studio/1.0 (+multimodal client)"
CONNECT_TIMEOUT = 10.0


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
        return answers.generation_result(kind, document, self.origin)

    def list_usage(
        self, skip: int = 0, limit: int = 50, endpoint_type: str | None = None
    ) -> UsagePage:
        query: dict[str, str | int] = {"skip": skip, "limit": limit}
        if endpoint_type:
            query["endpoint_type"] = endpoint_type
        document = self._request("GET", f"{catalog.API_BASE_PATH}/usage", params=query)
        return answers.usage_page(document, self.origin)

    def get_usage(self, usage_id: str) -> UsageRecord:
        path = f"{catalog.API_BASE_PATH}/usage/{quote(usage_id, safe='')}"
        return answers.usage_record(self._request("GET", path), self.origin)

    def managed_usage(self) -> CreditBalance:
        return answers.credit_balance(self._request("GET", catalog.MANAGED_USAGE_PATH))

    def health(self) -> dict[str, Any]:
        document = self._request("GET", f"{catalog.API_BASE_PATH}/health", auth=False)
        return answers.object_without_media(document)

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
        refused = MalformedAnswer(f"The API pointed at media on {host}, which is not a "
                                  "public address, so the studio did not fetch it")
        with self._answer(self._client_for_media(same_origin), "GET", url, refused,
                          headers=headers) as response:
            try:
                return copy_capped(response, out, max_bytes)
            except TooLarge as exc:
                raise _media_too_large(exc) from None

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
    ) -> streaming.Document:
        headers = {"Authorization": f"Bearer {self._token}"} if auth and self._token else {}
        refused = AddressRefused(f"The team's API URL points at {self.host}, which is not "
                                 "a public address, so the studio did not call it")
        with self._answer(self._http, method, path, refused, json=body, params=params,
                          headers=headers) as response:
            spooled = streaming.spool(response.iter_bytes(streaming.CHUNK_SIZE))
        return streaming.read_document(spooled, response.status_code)

    @contextmanager
    def _answer(self, http: httpx.Client, method: str, url: str, refused: MultimodalError,
                **options: Any) -> Iterator[httpx.Response]:
        """A successful answer, streaming. An error answer raises its typed error, and
        so does a failure on the wire, also while the body is read; `refused` is for
        an address that is not public."""
        try:
            with http.stream(method, url, **options) as response:
                if not response.is_success:
                    raise error_from_response(
                        response.status_code, response.read(), response.headers
                    )
                yield response
        except safe_http.NotPublic as exc:
            raise refused from exc
        except httpx.TimeoutException as exc:
            raise self._timeout_error(exc) from exc
        except httpx.TransportError as exc:
            raise self._connection_error(exc) from exc
        except httpx.DecodingError as exc:
            raise MalformedAnswer(f"The API sent an answer that cannot be decoded ({exc})") from exc

    def _timeout_error(self, exc: httpx.TimeoutException) -> ApiTimeout:
        connecting = isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout))
        seconds = CONNECT_TIMEOUT if connecting else self.timeout
        return ApiTimeout(f"The API at {self.host} did not answer within {seconds:g} s",
                          may_have_reached_api=not connecting)

    def _connection_error(self, exc: httpx.TransportError) -> ApiConnectionError:
        reason = str(exc) or "no reason given"
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


def _media_too_large(exc: TooLarge) -> MalformedAnswer:
    if exc.size is not None:
        return MalformedAnswer(f"The API's media is {exc.size:,} bytes, more than the "
                               f"{exc.limit:,} this studio accepts")
    return MalformedAnswer(f"The API's media is larger than the {exc.limit:,} "
                           "bytes this studio accepts")


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
