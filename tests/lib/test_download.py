"""One size-capped download serves the API's media, a member's image URL and the
sandbox's source image; each says in its own words that the file is too large."""

import io
from collections.abc import Iterator

import httpx
import pytest
from django.core.exceptions import ValidationError

from studio.lib.images import check_image_url
from studio.multimodal.client import MultimodalClient
from studio.multimodal.errors import MalformedAnswer
from studio.sandbox.handlers import UnsupportedInSandbox, fetch_image
from tests.lib.fakes import PUBLIC, FakeDns, FakeNetwork, http_response

ORIGIN = "https://api.example.test"
CLIP = f"{ORIGIN}/media/1.mp4"


class CountedBody(httpx.SyncByteStream):
    """A body of `size` bytes in pieces of 10,000, counting what was read of it."""

    def __init__(self, size: int) -> None:
        self.size, self.read = size, 0

    def __iter__(self) -> Iterator[bytes]:
        while self.read < self.size:
            piece = min(10_000, self.size - self.read)
            self.read += piece
            yield b"x" * piece


def download(response: httpx.Response, max_bytes: int,
             out: io.BytesIO | None = None) -> io.BytesIO:
    out = out or io.BytesIO()
    with MultimodalClient(ORIGIN, "secret-token",
                          transport=httpx.MockTransport(lambda request: response)) as api:
        api.download(CLIP, out, max_bytes=max_bytes)
    return out


def test_media_declared_larger_than_the_cap_is_refused_unread() -> None:
    body = CountedBody(5000)
    response = httpx.Response(200, stream=body, headers={"Content-Length": "5000"})
    with pytest.raises(MalformedAnswer) as refused:
        download(response, max_bytes=1000)
    assert refused.value.message == ("The API's media is 5,000 bytes, more than the 1,000 "
                                     "this studio accepts")
    assert body.read == 0


def test_media_that_grows_past_the_cap_is_cut_off_there() -> None:
    out = io.BytesIO()
    body = CountedBody(1_000_000)
    with pytest.raises(MalformedAnswer) as refused:
        download(httpx.Response(200, stream=body), max_bytes=1000, out=out)
    assert refused.value.message == ("The API's media is larger than the 1,000 bytes this "
                                     "studio accepts")
    assert len(out.getvalue()) <= 1000 and body.read < 1_000_000


@pytest.mark.parametrize("declared", ["²", "٥", "12abc"])
def test_a_length_in_other_digits_is_ignored_and_the_body_still_capped(declared) -> None:
    headers = [(b"Content-Length", declared.encode())]
    assert download(httpx.Response(200, stream=CountedBody(300), headers=headers),
                    max_bytes=1000).getvalue() == b"x" * 300
    with pytest.raises(MalformedAnswer, match="larger than the 100 bytes"):
        download(httpx.Response(200, stream=CountedBody(300), headers=headers), max_bytes=100)


def test_media_of_exactly_the_cap_is_written_whole() -> None:
    response = httpx.Response(200, stream=CountedBody(1000), headers={"Content-Length": "1000"})
    assert download(response, max_bytes=1000).getvalue() == b"x" * 1000


def test_an_image_url_serving_more_than_the_upload_limit_is_refused(settings, monkeypatch):
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    settings.STUDIO_MAX_UPLOAD_BYTES = 2_000_000
    FakeDns(monkeypatch).answer("images.example.test", PUBLIC)
    FakeNetwork(http_response(200, b"x" * 2_000_001)).instead_of_sockets(monkeypatch)
    with pytest.raises(ValidationError) as refused:
        check_image_url("http://images.example.test/huge.png")
    assert refused.value.messages == ["That image is larger than 2 MB."]


def test_the_sandbox_refuses_a_source_image_over_its_cap(settings, monkeypatch):
    settings.SANDBOX_MAX_SOURCE_BYTES = 1000
    FakeNetwork(http_response(200, b"x" * 1001)).instead_of_sockets(monkeypatch)
    with pytest.raises(UnsupportedInSandbox, match="^image_url is larger than 1,000 bytes$"):
        fetch_image("http://images.example.test/huge.png")
