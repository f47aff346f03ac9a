"""The load test (tests/load/run.py) as one of `make bench`'s benchmarks: 50, 100 and
200 members, so the number one 2-core web dyno serves within the goals can be read
off. `python -m tests.bench load`; LOAD_SECONDS=15 for a quick check; LOAD_MEMBERS
and LOAD_WEB ("workers,threads[,class]") to try other sizes."""

import os

from tests.load import run


def main() -> None:
    os.environ.setdefault("LOAD_MEMBERS", "50,100,200")
    run.main()
