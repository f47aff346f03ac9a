"""The REST API on the real stack (gunicorn, `manage.py worker`, the sandbox), speech
windows scaled to 6 s.

webhook   20 speech generations created through the API, one a second; a receiver on
          loopback records when each `generation.succeeded` delivery arrives. Latency:
          arrival minus the moment the result was stored (the row's finished_at).
          Goal: p95 within 2 s.
GET rate  one token reading one generation from 4 threads for 5 s: answers a second,
          and how many were 429 (the per-token limit). Goal: at least the gallery
          poll's rate (one request every 2 s).

Run it with `python -m tests.bench api`.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from tests.bench.dispatch import BenchStack, Scenario, warm_up

CREATED = 20
READ_SECONDS = 5.0
READERS = 4
POLL_RATE = 0.5  # the gallery's busy poll: one request every 2 s


class Receiver:
    def __init__(self) -> None:
        self.arrivals: dict[int, float] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                if body["type"] == "generation.succeeded":
                    receiver.arrivals[body["data"]["id"]] = time.time()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main() -> None:
    stack = BenchStack(Scenario("api", {"tts": (10, 6.0)}, {}, 0.97))
    receiver = Receiver()
    try:
        with stack:
            warm_up(stack)
            token = stack.manage("create_api_token", stack.username, "--team", stack.team,
                                 "--scope", "admin", "--name", "bench").strip()
            with httpx.Client(base_url=f"{stack.url}/api/v1", timeout=30,
                              headers={"Authorization": f"Bearer {token}"}) as api:
                api.post("/webhooks", json={"url": receiver.url,
                                            "events": ["generation.succeeded"]}
                         ).raise_for_status()
                ids = []
                for n in range(CREATED):
                    made = api.post("/generations", json={"kind": "tts", "params": {
                        "text": f"Webhook bench line {n}.", "voice": "Wise_Woman"}})
                    made.raise_for_status()
                    ids.append(made.json()["id"])
                    time.sleep(1)
                deadline = time.monotonic() + 60
                while len(receiver.arrivals) < CREATED and time.monotonic() < deadline:
                    time.sleep(0.2)
                rate, limited = read_rate(api, ids[0])
            with closing(stack.db()) as db:
                stored = dict(db.execute(
                    "SELECT id, finished_at FROM generations_generation WHERE id IN "
                    f"({','.join('?' * len(ids))})", ids).fetchall())
    finally:
        receiver.server.shutdown()
        stack.cleanup()
    report(receiver.arrivals, stored, rate, limited)


def read_rate(api: httpx.Client, pk: int) -> tuple[float, int]:
    counts = {"ok": 0, "limited": 0}
    stop = time.monotonic() + READ_SECONDS

    def reader(_) -> None:
        while time.monotonic() < stop:
            status = api.get(f"/generations/{pk}").status_code
            counts["ok" if status == 200 else "limited"] += 1
    with ThreadPoolExecutor(READERS) as pool:
        list(pool.map(reader, range(READERS)))
    return counts["ok"] / READ_SECONDS, counts["limited"]


def report(arrivals: dict, stored: dict, rate: float, limited: int) -> None:
    lags = []
    for pk, arrived in arrivals.items():
        done = datetime.fromisoformat(stored[pk])
        done = done if done.tzinfo else done.replace(tzinfo=UTC)
        lags.append((arrived - done.timestamp()) * 1000)
    lags.sort()
    p95 = lags[max(0, round(0.95 * len(lags)) - 1)] if lags else float("nan")
    print(f"webhook: {len(lags)} of {CREATED} speech deliveries; stored-to-arrival median "
          f"{statistics.median(lags):.0f} ms, p95 {p95:.0f} ms, max {max(lags):.0f} ms; "
          f"goal p95 under 2000 ms: {'ok' if p95 < 2000 else 'MISSED'}")
    print(f"GET rate: {rate:.0f} answers/s for one token from {READERS} threads "
          f"({limited} answered 429 at the per-token limit); the gallery poll needs "
          f"{POLL_RATE:g}/s: {'ok' if rate >= POLL_RATE else 'MISSED'}")
