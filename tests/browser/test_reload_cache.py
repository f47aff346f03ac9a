"""Served as production serves it (collectstatic, DEBUG off), a gallery reload asks
the server for the page again and for nothing that did not change."""

import json
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_speech_and_image import generate, log_in
from tests.stack import Stack

pytestmark = pytest.mark.browser


class ProductionStack(Stack):
    def __init__(self, **options) -> None:
        super().__init__(**options)
        # Its own collected files: `make run`'s test may collect into the checkout's.
        self.env |= {"DEBUG": "false", "SECRET_KEY": "reload-test-" + "x" * 40,
                     "STATIC_ROOT": str(self.dir / "staticfiles")}

    def __enter__(self) -> "ProductionStack":
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        return super().__enter__()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    stack = ProductionStack()
    try:
        with stack:
            yield stack
    finally:
        stack.cleanup()


def requested_paths(stack: Stack, since: int) -> list[str]:
    lines = (stack.dir / "web.log").read_bytes()[since:].decode(errors="replace")
    paths = []
    for line in lines.splitlines():
        if line.startswith("{") and '"message": "request"' in line:
            paths.append(json.loads(line)["path"])
    return paths


def requested_until(stack: Stack, since: int, wanted: Callable[[list[str]], bool],
                    seconds: float = 10.0) -> list[str]:
    """The paths requested since `since` once `wanted` holds of them: a request's log
    line is written when its answer is, which a busy machine can put after the page
    says it is ready."""
    deadline = time.monotonic() + seconds
    while not wanted(paths := requested_paths(stack, since)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return paths


def settled(page: Page) -> None:
    """Loaded (media on the first screen included) and its event stream open: the
    stream never ends, so the network is never idle."""
    expect(page.locator("html[data-ready]")).to_be_attached()
    # The stream's first message, on a busy machine, can come later than expect's 5 s.
    expect(page.locator("html")).to_have_attribute("data-live", "open", timeout=20_000)


def test_a_reload_fetches_the_page_and_nothing_that_did_not_change(stack: Stack,
                                                                   page: Page) -> None:
    log_in(page, stack)
    generate(page, stack, "image", {"Prompt": "a lighthouse kept in the cache",
                                    "Width": "640", "Height": "512"})
    card = page.locator("article[data-kind=image]")
    expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    page.goto(f"{stack.url}/")
    settled(page)
    first = requested_until(stack, 0, lambda paths: any(
        path.endswith(("/thumbnail", "/media")) for path in paths))
    assert any(path.startswith("/static/") for path in first)
    assert any(path.endswith(("/thumbnail", "/media")) for path in first), first

    log = stack.dir / "web.log"
    before = log.stat().st_size
    page.reload()
    settled(page)
    again = requested_paths(stack, before)
    assert "/" in again
    assert set(again) <= {"/", "/gallery/poll/", "/events/"}, again  # the page's stream


def test_static_files_are_compressed_and_kept_for_a_year(stack: Stack) -> None:
    page = httpx.get(f"{stack.url}/accounts/login/")
    css = next(part.split('"')[0] for part in page.text.split('href="')
               if part.startswith("/static/css/studio."))
    answer = httpx.get(f"{stack.url}{css}", headers={"Accept-Encoding": "gzip, br"})
    assert answer.status_code == 200
    assert answer.headers["content-encoding"] in ("gzip", "br")
    control = answer.headers["cache-control"]
    assert "immutable" in control and "max-age=315360000" in control
