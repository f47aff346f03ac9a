"""The lost-call matcher and the alternatives' counting, in process.

decisions   `recovery.decide` over 500 unclaimed usage records (the whole scan a
            check reads), with 20 other lost calls and 10 answered without a usage id
            around it: decisions per second.
refusal     a 1,000-character prompt of alternatives ({a|b} 200 times: 2**200
            generations) through the image form: the time until it is refused
            (goal: well under 100 ms).

Run it with `python -m tests.bench matcher`.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import django

RECORDS = 500


def main() -> None:
    django.setup()
    decisions()
    refusal()


def decisions() -> None:
    from studio.generations.recovery import Call, Candidate, decide

    start = datetime(2026, 12, 1, tzinfo=UTC)
    at = [start + timedelta(seconds=0.4 * n) for n in range(RECORDS)]
    records = [Candidate(f"usage_{n}", moment) for n, moment in enumerate(at)]
    lost = Call(at[250], at[250] + timedelta(seconds=1), "lost")
    others = [Call(at[n], at[n] + timedelta(seconds=1), f"lost {n}") for n in range(230, 270, 2)]
    unnamed = [Call(at[n], at[n] + timedelta(seconds=1)) for n in range(200, 300, 10)]
    rounds, began = 0, time.perf_counter()
    while time.perf_counter() - began < 2.0:
        decide(lost, records, in_flight=[], lost_others=others, unnamed=unnamed)
        rounds += 1
    rate = rounds / (time.perf_counter() - began)
    print(f"decisions   {rate:,.0f} per second at {RECORDS} records "
          f"({len(others)} other lost calls, {len(unnamed)} unnamed answers)")


def refusal() -> None:
    from studio.generations.forms import FORMS

    prompt = "{a|b}" * 200
    times = []
    for _ in range(50):
        began = time.perf_counter()
        form = FORMS["image"]({"prompt": prompt, "width": 512, "height": 512})
        refused = not form.is_valid()
        times.append((time.perf_counter() - began) * 1000)
    assert refused and "at most 64" in str(form.errors["prompt"])
    print(f"refusal     a {len(prompt):,}-character prompt of alternatives refused in "
          f"{statistics.median(times):.2f} ms median, {max(times):.2f} ms max "
          "(goal: well under 100 ms)")
