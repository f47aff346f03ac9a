"""The load test (tests/load/run.py) as one of `make bench`'s benchmarks:
`python -m tests.bench load`; LOAD_SECONDS=15 for a quick check."""

from tests.load.run import main

__all__ = ["main"]
