"""The studio's settings for the test run, with one difference: when pytest-xdist
runs the suite in several processes against one Redis server, each process gets a
Redis database of its own (gw0 the 0th, gw1 the 8th...), so their caches, queues
and stacks never meet (tests/stack.py takes the databases after it)."""

import os
from urllib.parse import urlsplit

REDIS_DATABASES_PER_PROCESS = 8

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker and os.environ.get("REDIS_URL"):
    _first = REDIS_DATABASES_PER_PROCESS * int(_worker.removeprefix("gw"))
    os.environ["REDIS_URL"] = urlsplit(os.environ["REDIS_URL"])._replace(
        path=f"/{_first}").geturl()

from studio.settings import *  # noqa: E402, F403
