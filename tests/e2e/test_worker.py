"""Speech and an image through the real web process, the real queue and a worker."""

import io
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from html.parser import HTMLParser

import av
import httpx
import pytest
from PIL import Image

from tests.stack import Stack, csrf_post, running_stack

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 60.0
MEDIA_TAGS = {"audio", "img", "video", "source"}


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    yield from running_stack(request)


@pytest.fixture
def client(stack: Stack) -> Iterator[httpx.Client]:
    with closing(stack.login_client()) as client:
        yield client


@pytest.fixture
def stranger(stack: Stack) -> Iterator[httpx.Client]:
    """Not logged in."""
    with stack.client() as client:
        yield client


@dataclass
class Card:
    id: int
    kind: str
    status: str
    media_src: str = ""
    download_href: str = ""


class CardParser(HTMLParser):
    """The gallery's cards: the `<article data-generation-id>` hooks and their links."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[Card] = []
        self._open: Card | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "article" and attr.get("data-generation-id"):
            self._open = Card(int(attr["data-generation-id"] or 0),
                              attr.get("data-kind") or "", attr.get("data-status") or "")
            self.cards.append(self._open)
        elif self._open and tag in MEDIA_TAGS and attr.get("src"):
            # A speech card's picture is its waveform; its media is the player's.
            if "card-waveform" not in (attr.get("class") or ""):
                self._open.media_src = self._open.media_src or attr["src"] or ""
        elif self._open and tag == "a" and "download" in attr:
            self._open.download_href = attr.get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._open = None


def gallery_cards(client: httpx.Client) -> dict[int, Card]:
    response = client.get("/")
    assert response.status_code == 200
    parser = CardParser()
    parser.feed(response.text)
    return {card.id: card for card in parser.cards}


def submit(client: httpx.Client, slug: str, data: dict[str, str | int]) -> Card:
    """Submit a form, land on the gallery, return the one card that is new there."""
    before = gallery_cards(client)
    response = csrf_post(client, f"/generate/{slug}/", data, follow_redirects=True)
    assert response.status_code == 200 and response.url.path == "/", response.text[:2000]
    new = [card for key, card in gallery_cards(client).items() if key not in before]
    assert len(new) == 1
    return new[0]


def wait_until_finished(client: httpx.Client, ids: set[int], stack: Stack) -> dict[int, Card]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    cards: dict[int, Card] = {}
    while time.monotonic() < deadline:
        cards = {key: card for key, card in gallery_cards(client).items() if key in ids}
        if all(card.status not in ("queued", "running") for card in cards.values()):
            return cards
        time.sleep(0.2)
    raise AssertionError(f"still pending after {DEADLINE_SECONDS}s: {cards}\n{stack.logs()}")


def mp3_seconds(data: bytes) -> float:
    with av.open(io.BytesIO(data)) as container:
        assert container.format.name == "mp3"
        stream = container.streams.audio[0]
        return sum(frame.samples / frame.sample_rate for frame in container.decode(stream))


def test_tts_and_image_reach_succeeded_through_a_real_worker(
        stack: Stack, client: httpx.Client, stranger: httpx.Client) -> None:
    speech = submit(client, "tts", {"text": "Hello from the end to end test.",
                                    "voice": "Wise_Woman"})
    image = submit(client, "image", {"prompt": "a lighthouse at dusk",
                                     "width": 640, "height": 512})
    assert (speech.kind, image.kind) == ("tts", "image")

    cards = wait_until_finished(client, {speech.id, image.id}, stack)
    assert [cards[speech.id].status, cards[image.id].status] == ["succeeded"] * 2, (
        f"{cards}\n{stack.logs()}")

    audio = client.get(cards[speech.id].media_src)
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"
    assert mp3_seconds(audio.content) > 0.3
    png = client.get(cards[image.id].media_src)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    with Image.open(io.BytesIO(png.content)) as picture:
        assert (picture.format, picture.size) == ("PNG", (640, 512))

    for card, served in ((cards[speech.id], audio), (cards[image.id], png)):
        download = client.get(card.download_href)
        assert download.status_code == 200 and download.content == served.content
        assert download.headers["content-disposition"].startswith("attachment")

        refused = stranger.get(card.media_src)
        assert refused.status_code == 302
        assert refused.headers["location"].startswith("/accounts/login/")


def test_static_files_are_served_without_collectstatic(stranger: httpx.Client) -> None:
    for path in ("/static/css/studio.css", "/static/js/studio.js",
                 "/static/js/htmx-2.0.10.min.js"):
        assert stranger.get(path).status_code == 200, path
