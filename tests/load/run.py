"""Members of 5 teams keep their galleries open, each with its event stream, while
10 of them submit work and a tenth of them load pages.

The studio runs as production runs it, on loopback: `collectstatic`, DEBUG off, a
real SECRET_KEY, the Procfile's web line (gunicorn, the studio's uvicorn workers)
serving the studio and its built-in sandbox, and `manage.py worker` (django-q2
workers and the dispatcher) with production defaults, over one fresh SQLite file
(tests/stack.py, with these settings on top; events reach the streams through the
web process's one read of the event table per STUDIO_EVENTS_POLL). Each team has its
own sandbox token; the rate limits are raised (RATE_LIMITS) so the submitted work
flows rather than queues.

Each simulated member is one httpx.AsyncClient with its own session (made at
seeding: hundreds of PBKDF2 logins would take minutes), driven the way a browser
with htmx and static/js/live.js drives the gallery:
  - loads `/` and opens the page's event stream (`data-live-stream`), reading every
    event as it comes; an idle gallery asks nothing else;
  - a tenth of the members ("browsing") load a page every ~10 s (and reopen their
    stream from it, as a new page does);
  - 10 of them (two a team) submit speech or a 512x512 image every ~5 s through the
    form (CSRF token from the cookie), follow the redirect to the gallery, and follow
    their own pending cards by polling `/generations/<id>/card/` every 2 s until 286.
Static files and thumbnails are not fetched (a browser caches the first, and
thumbnails are the gallery bench's figure).

Printed: requests per second, client- and server-side latency p50/p95/p99 of page
loads, card polls and submissions, event latency from stored (the event row's
`created_at`) to delivered (read by a member's stream), the web processes' memory
per open stream, errors (any unexpected status, timeout, transport error or a stream
that ended; goal 0), the worker queue lag of the submitted jobs, and the CPU each
side used.

`python -m tests.load.run`; LOAD_MEMBERS="200,500", LOAD_SECONDS=15 for a quick
check; LOAD_KEEP=1 keeps the stack's folder (database and logs).
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import random
import re
import resource
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.load.seed import username
from tests.stack import ROOT, Stack

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
TEAMS, SUBMITTERS_PER_TEAM = 5, 2
BROWSING = 0.10  # of the members, loading pages
HISTORY = 1000  # finished generations per team before the start
FOLLOW_EVERY, BROWSE_EVERY, SUBMIT_EVERY = 2.0, 10.0, 5.0
TIMEOUT = 10.0
DRAIN_SECONDS = 30.0
STREAMS_OPEN_SECONDS = 120.0
WEB_WORKERS = int(os.environ.get("LOAD_WEB_WORKERS", "2"))  # the Procfile's, on 2 cores
GOALS_MS = {"page": 300}  # server time p99
EVENT_GOAL_MS = 1000  # stored -> delivered, p95
# Per token (each team has its own): room for the ~12 speech and ~12 images a minute
# each team submits, so nothing waits for a window.
RATE_LIMITS = "tts=60/60,image=60/60"
PASSWORD = "load-studio-password-2024"
EXPECTED = {"page": {200}, "card": {200, 286}, "submit": {302}, "stream": {200}}
LIVE_STREAM = re.compile(r'data-live-stream="([^"]+)"')
FOLLOWED = re.compile(r'hx-get="(/generations/\d+/card/)" hx-trigger="every 2s"')


class LoadStack(Stack):
    """tests/stack.py's Stack with production settings and the load test's teams."""

    def __init__(self, per_team: int) -> None:
        super().__init__()
        self.per_team = per_team
        self.sessions: dict[str, str] = {}
        self.env.pop("STUDIO_QUEUE_POLL", None)  # the production default
        self.env |= {
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "STUDIO_REQUIRE_SECRET_KEY": "true",
            "STUDIO_RATE_LIMITS": RATE_LIMITS,
            "LOG_LEVEL": "INFO",
        }

    def __enter__(self) -> LoadStack:
        # Production serves the collected, hashed files (STATIC_ROOT, gitignored).
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        super().__enter__()
        try:
            out = self.dir / "sessions.json"
            done = subprocess.run(
                [sys.executable, "-m", "tests.load.seed", str(TEAMS), str(self.per_team),
                 PASSWORD, str(HISTORY), str(out)],
                cwd=ROOT, env=self.env | {"DJANGO_SETTINGS_MODULE": "studio.settings"},
                capture_output=True, text=True, timeout=600)
            if done.returncode:
                raise RuntimeError(f"seeding failed:\n{done.stdout}{done.stderr}")
            self.sessions = json.loads(out.read_text())
        except BaseException:
            self.stop()
            raise
        return self

    def spawn(self, name: str, *command: str) -> None:
        if name == "web":
            command = web_command(command)
        super().spawn(name, *command)

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.dir / "db.sqlite3", timeout=20)


def web_command(command: tuple[str, ...]) -> tuple[str, ...]:
    """The Stack's line as the Procfile has it (no access log: the studio logs each
    request itself), with LOAD_WEB_WORKERS processes."""
    args = list(command)
    args[args.index("--workers") + 1] = str(WEB_WORKERS)
    del args[args.index("--access-logfile"):args.index("--access-logfile") + 2]
    return (*args, "--timeout", "60")


# --- simulated members ----------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    started: float  # monotonic
    seconds: float
    status: int | None
    error: str | None


@dataclass
class Delivery:
    event_id: int
    received: float  # wall clock


class Member:
    def __init__(self, name: str, session: str, role: str, url: str, samples: list[Sample],
                 deliveries: list[Delivery]):
        self.name, self.role = name, role
        self.samples, self.deliveries = samples, deliveries
        self.rng = random.Random(name)
        self.client = httpx.AsyncClient(
            base_url=url, timeout=TIMEOUT, follow_redirects=False,
            limits=httpx.Limits(max_connections=6, keepalive_expiry=1.0),
            headers={"User-Agent": "studio-load-test"}, cookies={"sessionid": session})
        self.stream_task: asyncio.Task | None = None
        self.ready = asyncio.Event()
        self.following: dict[str, asyncio.Task] = {}
        self.submitted = 0
        self.closing = False

    async def request(self, kind: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            self.fail(kind, started, "timeout")
            return None
        except httpx.HTTPError as exc:
            self.fail(kind, started, type(exc).__name__)
            return None
        elapsed = time.monotonic() - started
        error = None if response.status_code in EXPECTED[kind] else \
            f"HTTP {response.status_code}"
        self.samples.append(Sample(kind, started, elapsed, response.status_code, error))
        return response

    def fail(self, kind: str, started: float, error: str) -> None:
        self.samples.append(Sample(kind, started, time.monotonic() - started, None, error))

    async def load_page(self, with_stream: bool = True) -> None:
        response = await self.request("page", "GET", "/")
        if response is None or response.status_code != 200:
            return
        found = LIVE_STREAM.search(response.text)
        if found and with_stream:
            self.open_stream(html.unescape(found.group(1)))
        for card in FOLLOWED.findall(response.text):
            if card not in self.following:
                self.following[card] = asyncio.create_task(self.follow(card))

    def open_stream(self, url: str) -> None:
        """The page's stream, as live.js opens it: the one before ends."""
        if self.stream_task is not None:
            self.stream_task.cancel()
        self.stream_task = asyncio.create_task(self.listen(url))

    async def listen(self, url: str) -> None:
        started = time.monotonic()
        try:
            async with self.client.stream("GET", url, timeout=httpx.Timeout(
                    TIMEOUT, read=None)) as response:
                self.samples.append(Sample("stream", started, time.monotonic() - started,
                                           response.status_code, None
                                           if response.status_code == 200 else
                                           f"HTTP {response.status_code}"))
                event_id = None
                async for line in response.aiter_lines():
                    if line.startswith("id: "):
                        event_id = int(line[4:])
                    elif line == "event: ready":
                        self.ready.set()
                    elif line == "" and event_id is not None:
                        self.deliveries.append(Delivery(event_id, time.time()))
                        event_id = None
            if not self.closing:
                self.fail("stream", started, "ended")
        except asyncio.CancelledError:
            raise
        except httpx.HTTPError as exc:
            if not self.closing:
                self.fail("stream", started, type(exc).__name__)

    async def follow(self, card: str) -> None:
        """An own pending card's htmx poll: every 2 s until 286."""
        while not self.closing:
            await asyncio.sleep(FOLLOW_EVERY)
            response = await self.request("card", "GET", card, headers={
                "HX-Request": "true", "HX-Current-URL": f"{self.client.base_url}"})
            if response is not None and response.status_code == 286:
                return

    async def submit(self) -> None:
        n = self.submitted = self.submitted + 1
        slug, data = ("tts", {"text": f"Load test line {n} from {self.name}.",
                              "voice": "Wise_Woman"}) if n % 2 else \
            ("image", {"prompt": f"load test lighthouse {n} by {self.name}",
                       "width": 512, "height": 512})
        data["csrfmiddlewaretoken"] = self.client.cookies.get("csrftoken", "")
        response = await self.request("submit", "POST", f"/generate/{slug}/", data=data)
        if response is not None and response.status_code == 302:
            await self.load_page()  # the browser follows the redirect to the gallery

    async def run(self, end: float) -> None:
        now = time.monotonic()
        next_page = now + BROWSE_EVERY * self.rng.uniform(0.1, 1.0) \
            if self.role == "browsing" else float("inf")
        next_submit = now + self.rng.uniform(0.5, SUBMIT_EVERY) \
            if self.role == "submitting" else float("inf")
        while (due := min(next_page, next_submit)) < end:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            if due == next_submit:
                await self.submit()
                next_submit = time.monotonic() + SUBMIT_EVERY * self.rng.uniform(0.8, 1.2)
            else:
                await self.load_page()
                next_page = time.monotonic() + BROWSE_EVERY * self.rng.uniform(0.8, 1.2)
        await asyncio.sleep(max(0.0, end - time.monotonic()))

    async def close(self) -> None:
        self.closing = True
        for task in [self.stream_task, *self.following.values()]:
            if task is not None:
                task.cancel()
        await self.client.aclose()


def roles(per_team: int) -> list[tuple[str, str]]:
    """(username, role) of every member: two submitting per team, then a tenth of all
    browsing, the rest idle."""
    everyone = [username(t, m) for t in range(1, TEAMS + 1) for m in range(1, per_team + 1)]
    submitting = {username(t, m) for t in range(1, TEAMS + 1)
                  for m in range(1, SUBMITTERS_PER_TEAM + 1)}
    rest = [name for name in everyone if name not in submitting]
    browsing = set(rest[::max(1, round(1 / BROWSING))][:round(len(everyone) * BROWSING)])
    return [(name, "submitting" if name in submitting else
             "browsing" if name in browsing else "idle") for name in everyone]


async def simulate(stack: LoadStack, at_start) -> tuple[list[Sample], list[Delivery], int,
                                                         float, float, float]:
    """Load every member's gallery once (the web processes warm), call
    `at_start(streams)` before and after opening every gallery with its stream, then
    run the members for SECONDS.
    Returns the window's samples and deliveries, the streams open, the window's
    start and end (monotonic) and its start on the wall clock."""
    samples: list[Sample] = []
    deliveries: list[Delivery] = []
    members = [Member(name, stack.sessions[name], role, stack.url, samples, deliveries)
               for name, role in roles(stack.per_team)]
    try:
        gate = asyncio.Semaphore(8)

        async def warm(member: Member) -> None:
            async with gate:
                await member.load_page(with_stream=False)

        async def arrive(member: Member) -> None:
            async with gate:
                await member.load_page()
                await asyncio.wait_for(member.ready.wait(), STREAMS_OPEN_SECONDS)

        await asyncio.gather(*(warm(m) for m in members))
        at_start(0)
        await asyncio.gather(*(arrive(m) for m in members))
        streams = sum(1 for m in members if m.ready.is_set())
        at_start(streams)
        samples.clear()
        deliveries.clear()
        wall = time.time()
        start = time.monotonic()
        end = start + SECONDS
        await asyncio.gather(*(m.run(end) for m in members))
        finished = time.monotonic()
    finally:
        await asyncio.gather(*(m.close() for m in members))
    return samples, deliveries, streams, start, max(end, finished), wall


# --- figures --------------------------------------------------------------------------


def pct(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.0f}"


def stamp(text: str | None) -> datetime | None:
    if not text:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def queue_lags(stack: LoadStack, since: datetime) -> dict:
    """The submitted jobs, from the database: queued -> dispatched (started_at) ->
    a worker sends the call (first Attempt.sent_at) -> finished."""
    with closing(stack.db()) as db:
        rows = db.execute(
            "SELECT g.status, g.created_at, g.started_at, g.finished_at, "
            "(SELECT MIN(a.sent_at) FROM generations_attempt a WHERE a.generation_id = g.id), "
            "(SELECT MAX(a.latency_ms) FROM generations_attempt a "
            " WHERE a.generation_id = g.id) "
            "FROM generations_generation g WHERE g.kind IN ('tts', 'image') "
            "AND g.created_at >= ?", (since.strftime("%Y-%m-%d %H:%M:%S"),)).fetchall()
    lags: dict[str, list[float]] = defaultdict(list)
    statuses = Counter(row[0] for row in rows)
    for _, created, started, finished, sent, latency in rows:
        created, started, finished, sent = map(stamp, (created, started, finished, sent))
        if started:
            lags["queued -> dispatched"].append((started - created).total_seconds())
        if started and sent:
            lags["dispatched -> worker sends"].append((sent - started).total_seconds())
        if latency is not None:
            lags["API call (sandbox)"].append(latency / 1000)
        if finished:
            lags["queued -> finished"].append((finished - created).total_seconds())
    return {"jobs": len(rows), "statuses": statuses, "lags": lags}


def wait_until_drained(stack: LoadStack, since: datetime) -> float:
    began = time.monotonic()
    while time.monotonic() - began < DRAIN_SECONDS:
        with closing(stack.db()) as db:
            (pending,) = db.execute(
                "SELECT COUNT(*) FROM generations_generation WHERE kind IN ('tts', 'image') "
                "AND status IN ('queued', 'running') AND created_at >= ?",
                (since.strftime("%Y-%m-%d %H:%M:%S"),)).fetchone()
        if not pending:
            break
        time.sleep(0.25)
    return time.monotonic() - began


def server_times(stack: LoadStack, since: datetime, until: datetime) -> dict[str, list[float]]:
    """The studio's own request log (one JSON line a request): server time by kind."""
    times: dict[str, list[float]] = defaultdict(list)
    first, last = since.strftime("%Y-%m-%dT%H:%M:%S"), until.strftime("%Y-%m-%dT%H:%M:%S")
    for line in (stack.dir / "web.log").read_text(errors="replace").splitlines():
        if '"studio.requests"' not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not first <= record["time"] <= last:
            continue
        path = record["path"]
        kind = ("page" if path == "/" else "card" if CARD_PATH.fullmatch(path) else
                "submit" if path.startswith("/generate/") else
                "sandbox" if path.startswith("/sandbox/") else
                "stream" if path == "/events/" else "other")
        times[kind].append(record["duration_ms"] / 1000)
    return times


CARD_PATH = re.compile(r"/generations/\d+/card/")


def event_latencies(stack: LoadStack, deliveries: list[Delivery]) -> list[float]:
    """Seconds from each event's row (`created_at`) to each stream that read it."""
    with closing(stack.db()) as db:
        stored = {event_id: stamp(created).timestamp() for event_id, created in
                  db.execute("SELECT id, created_at FROM events_event")}
    return [d.received - stored[d.event_id] for d in deliveries if d.event_id in stored]


def rss_bytes(group: int) -> int:
    """Resident memory of every process in a process group."""
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            stat = (status.parent / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[2]) != group:
                continue
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


def cpu_seconds(groups: dict[str, int]) -> dict[str, float]:
    """CPU time so far of every live process in each process group (the stack's
    processes each lead a session of their own)."""
    tick = os.sysconf("SC_CLK_TCK")
    used = dict.fromkeys(groups, 0.0)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        group = int(fields[2])
        for name, pgid in groups.items():
            if group == pgid:
                used[name] += (int(fields[11]) + int(fields[12])) / tick
    return used


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def print_figures(members: int, streams: int, memory: tuple[int, int], samples: list[Sample],
                  latencies: list[float], window: float, server: dict[str, list[float]],
                  queue: dict, cpu: dict[str, float], drained: float) -> int:
    """The run's figures; the number of goals missed (0: this many members fit)."""
    roles_seen = Counter(role for _, role in roles(members // TEAMS))
    print(f"{members} members of {TEAMS} teams, each with the gallery and its event stream "
          f"open: {roles_seen['submitting']} submitting every ~{SUBMIT_EVERY:g} s (and "
          f"following their pending cards every {FOLLOW_EVERY:g} s), "
          f"{roles_seen['browsing']} loading a page every ~{BROWSE_EVERY:g} s, "
          f"{roles_seen['idle']} idle; {window:.1f} s; gunicorn {WEB_WORKERS} uvicorn "
          f"workers, DEBUG off, SQLite; rate limits {RATE_LIMITS} per team token")
    before, after = memory
    print(f"streams open: {streams}; web memory {before / 2**20:.0f} MiB with every "
          f"page loaded once, {after / 2**20:.0f} MiB with the streams open too: "
          f"{(after - before) / max(streams, 1) / 1024:.0f} KiB per open stream\n")
    print(f"requests: {len(samples)} in {window:.1f} s = {len(samples) / window:.1f} per "
          f"second ({', '.join(f'{k} {v}' for k, v in Counter(s.kind for s in samples).items())})")
    header = f"{'latency ms':<26}{'n':>7}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}"
    print(f"\n{header}\n{'-' * len(header)}")
    for kind in ("page", "card", "submit"):
        for side, values in (("client", [s.seconds for s in samples
                                         if s.kind == kind and s.error is None]),
                             ("server", server.get(kind, []))):
            print(f"{kind + ' (' + side + ')':<26}{len(values):>7}{ms(pct(values, 50)):>7}"
                  f"{ms(pct(values, 95)):>7}{ms(pct(values, 99)):>7}"
                  f"{ms(max(values, default=None)):>7}")
    sandbox = server.get("sandbox", [])
    print(f"{'sandbox API (server)':<26}{len(sandbox):>7}{ms(pct(sandbox, 50)):>7}"
          f"{ms(pct(sandbox, 95)):>7}{ms(pct(sandbox, 99)):>7}{ms(max(sandbox, default=None)):>7}")
    print(f"{'event stored -> delivered':<26}{len(latencies):>7}{ms(pct(latencies, 50)):>7}"
          f"{ms(pct(latencies, 95)):>7}{ms(pct(latencies, 99)):>7}"
          f"{ms(max(latencies, default=None)):>7}")

    missed = 0
    for kind, goal in GOALS_MS.items():
        p99 = pct(server.get(kind, []), 99)
        ok = p99 is not None and p99 * 1000 < goal
        missed += not ok
        print(f"goal: {kind} p99 on the server under {goal} ms: {'ok' if ok else 'MISSED'}")
    p95 = pct(latencies, 95)
    ok = p95 is not None and p95 * 1000 < EVENT_GOAL_MS
    missed += not ok
    print(f"goal: events delivered p95 under {EVENT_GOAL_MS} ms: {'ok' if ok else 'MISSED'}")

    errors = Counter((s.kind, s.error) for s in samples if s.error)
    total = sum(errors.values())
    missed += bool(total)
    print(f"\nerrors: {total} (goal 0) {'ok' if not total else 'MISSED'}")
    for (kind, error), n in errors.most_common():
        print(f"  {kind}: {error} x{n}")

    print(f"\nworker queue lag of the {queue['jobs']} jobs submitted (speech and 512x512 "
          f"images; {', '.join(f'{k} {v}' for k, v in queue['statuses'].items())}; "
          f"drained {drained:.1f} s after the end)")
    header = f"{'lag ms':<28}{'n':>6}{'p50':>7}{'p95':>7}{'max':>7}"
    print(f"{header}\n{'-' * len(header)}")
    for name, values in queue["lags"].items():
        print(f"{name:<28}{len(values):>6}{ms(pct(values, 50)):>7}{ms(pct(values, 95)):>7}"
              f"{ms(max(values, default=None)):>7}")
    not_done = sum(n for status, n in queue["statuses"].items() if status != "succeeded")
    if not_done:
        print(f"  ! {not_done} submitted jobs did not succeed")

    available = window * (os.cpu_count() or 1)
    print("\nCPU during the window: " + ", ".join(
        f"{name} {seconds:.1f} s" for name, seconds in cpu.items())
        + f" of {available:.0f} core-seconds ({os.cpu_count()} cores)")
    return missed + bool(not_done)


def main() -> None:
    """One run per size of LOAD_MEMBERS (e.g. "200,500"; 200 by default), then the
    largest that met every goal: the members one dyno serves."""
    served = 0
    for members in map(int, os.environ.get("LOAD_MEMBERS", "200").split(",")):
        if run(members) == 0:
            served = max(served, members)
    print(f"\none web dyno ({WEB_WORKERS} processes) served "
          + (f"{served} members within every goal" if served else "no size within the goals"))


def run(members: int) -> int:
    began = time.monotonic()
    load = os.getloadavg()[0]
    per_team = max(SUBMITTERS_PER_TEAM, members // TEAMS)
    stack = LoadStack(per_team)
    try:
        with stack:
            groups = {"web": stack.processes["web"].pid, "worker": stack.processes["worker"].pid}
            print(f"stack up and seeded in {time.monotonic() - began:.1f} s (load average "
                  f"{load:.1f} before the start)", flush=True)
            before: dict[str, float] = {}
            memory: list[int] = []

            def at_start(streams: int) -> None:
                """Before the streams (warm pages), then with them all open."""
                memory.append(rss_bytes(groups["web"]))
                before.update(cpu_seconds(groups), **{"load client": client_cpu()})

            samples, deliveries, streams, start, end, wall = asyncio.run(
                simulate(stack, at_start))
            cpu_after, client_after = cpu_seconds(groups), client_cpu()
            since = datetime.fromtimestamp(wall, UTC)
            until = datetime.fromtimestamp(wall + (end - start), UTC)
            drained = wait_until_drained(stack, since)
            queue = queue_lags(stack, since)
            server = server_times(stack, since, until)
            latencies = event_latencies(stack, deliveries)
    finally:
        if os.environ.get("LOAD_KEEP"):
            kept = Path(tempfile.mkdtemp(prefix="load-run-"))
            shutil.copytree(stack.dir, kept, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("media", "*.ctl"))
            print(f"stack database and logs kept in {kept}")
        stack.cleanup()
    cpu = {name: cpu_after[name] - before[name] for name in groups}
    cpu["load client"] = client_after - before["load client"]
    window = end - start
    print()
    missed = print_figures(TEAMS * per_team, streams, (memory[0], memory[1]), samples,
                           latencies, window, server, queue, cpu, drained)
    print(f"\nwall time {time.monotonic() - began:.1f} s")
    if missed:
        print("GOAL MISSED: see above")
    return missed


if __name__ == "__main__":
    main()
