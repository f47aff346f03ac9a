"""The load test (tests/load/run.py) as one of `make bench`'s benchmarks: 200 and 500
members with their galleries' event streams open, so the number one 2-core web dyno
serves within the goals can be read off. `python -m tests.bench load`;
LOAD_SECONDS=15 for a quick check; LOAD_MEMBERS and LOAD_WEB_WORKERS to try other
sizes."""

import os

from tests.load import run


def main() -> None:
    os.environ.setdefault("LOAD_MEMBERS", "200,500")
    run.main()
