"""Load tests: the studio served as production serves it, under simulated members.

Run by `make bench` (through `tests/bench/load.py`), never by `make test`:
`python -m tests.load.run`, or `LOAD_SECONDS=15 python -m tests.load.run` for a quick
check.
"""
