"""The studio's settings for the test run, with one difference: when several test
processes share one Redis server (pytest-xdist's, and `make test`'s serial run beside
them, STUDIO_TEST_SLOT=2), each gets Redis databases of its own (gw0 from the 0th,
gw1 from the 8th...), so their caches, queues and stacks never meet (tests/stack.py
takes the databases after the first)."""

import os
from urllib.parse import urlsplit

REDIS_DATABASES_PER_PROCESS = 8

_slot = (os.environ.get("PYTEST_XDIST_WORKER", "").removeprefix("gw")
         or os.environ.get("STUDIO_TEST_SLOT", ""))
if _slot and os.environ.get("REDIS_URL"):
    _first = REDIS_DATABASES_PER_PROCESS * int(_slot)
    os.environ["REDIS_URL"] = urlsplit(os.environ["REDIS_URL"])._replace(
        path=f"/{_first}").geturl()

from studio.settings import *  # noqa: E402, F403
