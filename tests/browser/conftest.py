"""Playwright drives Debian's Chromium (never `playwright install`: no network)."""

import os
from collections.abc import Iterator

import pytest

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
