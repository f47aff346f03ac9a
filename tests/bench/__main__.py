"""`make bench`: every benchmark, each printing its own figures.

Run one with `python -m tests.bench NAME` (e.g. `dispatch`).
"""

import importlib
import os
import sys

BENCHES = ["matcher", "video_memory", "finishing", "film", "storyboard_cost", "hostile",
           "dispatch", "turns", "api", "gallery", "load"]


def main(names: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    for name in names or BENCHES:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"tests.bench.{name}").main()


if __name__ == "__main__":
    main(sys.argv[1:])
