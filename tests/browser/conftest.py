"""Playwright drives Debian's Chromium (never `playwright install`: no network)."""

import os
from collections.abc import Iterator

import pytest

from tests.browser.world import Contexts, World, running_world
from tests.stack import Stack, running_stack

# pytest-django is active; Playwright's sync API runs an event loop in this thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS]}


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    """The studio with its worker held back: a test sees its cards pending, then
    calls `stack.start_worker()` (the sandbox answers faster than a page loads)."""
    yield from running_stack(request, start_worker=False)


@pytest.fixture(scope="session")
def studio_world(request: pytest.FixtureRequest) -> Iterator[World]:
    """Every kind and state of work, every role, served once for the whole session
    (tests/browser/world.py); nothing in it moves, so tests must not change it."""
    yield from running_world(request)


@pytest.fixture(scope="session")
def contexts(browser, studio_world: World) -> Iterator[Contexts]:
    """Browser contexts logged in to the studio world, one per role, theme and width."""
    made = Contexts(browser, studio_world)
    yield made
    made.close()
