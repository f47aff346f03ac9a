"""A deploy: SIGTERM to the web process (gunicorn with the studio's uvicorn workers)
ends every open stream at once, and a stream reopened on the next server catches up
on what happened meanwhile from its Last-Event-ID."""

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.events.sse import messages, next_event
from tests.stack import Stack, csrf_post, running_stack

pytestmark = pytest.mark.e2e
# gunicorn's graceful timeout is 30 s: a stream left open would hold the worker that long.
CLOSED_WITHIN = 5.0


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    yield from running_stack(request, start_worker=False)


def make_image(client: httpx.Client, prompt: str) -> None:
    made = csrf_post(client, "/generate/image/", {"prompt": prompt})
    assert made.status_code == 302, made.text


def test_sigterm_ends_the_streams_and_a_reconnect_catches_up(stack: Stack) -> None:
    watcher, maker = stack.login_client(), stack.login_client()
    with watcher.stream("GET", "/events/") as response:
        stream = messages(response)
        assert next(stream).retry is not None
        make_image(maker, "seen before the deploy")
        seen = next_event(stream, "card")
        assert "seen before the deploy" in seen.json["html"]
        started = time.monotonic()
        web = stack.processes["web"]
        stack.stop_web()
        assert list(stream) == []  # ended by the server, not cut by a timeout
        assert time.monotonic() - started < CLOSED_WITHIN
    assert web.returncode == 0, stack.logs()
    stack.start_web()
    stack.wait_until_serving()
    make_image(maker, "made while it was away")
    with watcher.stream("GET", "/events/", headers={"Last-Event-ID": seen.id}) as response:
        caught_up = next_event(messages(response), "card")
    assert "made while it was away" in caught_up.json["html"]
    assert int(caught_up.id) > int(seen.id)
