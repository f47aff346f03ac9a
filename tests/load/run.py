"""50 members of 5 teams keep their galleries open while 10 of them submit work.

The studio runs as production runs it, on loopback: `collectstatic`, DEBUG off, a
real SECRET_KEY, gunicorn (2 workers x 8 threads, the Procfile's timeout) serving
the studio and its built-in sandbox, and `manage.py worker` (django-q2 workers and
the dispatcher) with production defaults, over one fresh SQLite file (tests/stack.py,
with these settings on top). Each team has its own sandbox token; the rate limits
are raised (RATE_LIMITS) so the submitted work flows rather than queues.

Each simulated member is one httpx.AsyncClient with its own cookies, driven the way
a browser with htmx drives the gallery:
  - logs in through the real login form (before the clock starts);
  - loads `/` and follows the page's `<div id="poller" hx-get=...>` every 2 s,
    taking the new URL from the out-of-band `#poller` of a 200, keeping it on a 204,
    stopping on a 286 (htmx's `every 2s`: a trigger while a poll is in flight is
    dropped); a poll every 2 s is the load, as each team has videos waiting;
  - reloads the page every ~20 s;
  - 10 of them (two a team) also submit speech or a 512x512 image every ~5 s through
    the form (CSRF token from the cookie), and follow the redirect to the gallery.
Static files and thumbnails are not fetched (a browser caches the first, and
thumbnails are the gallery bench's figure).

Printed: requests served per second, client-side latency p50/p95/p99 of polls and of
page loads (and of submissions), the server's own time for them (the studio's
request log), errors (any unexpected status, timeout or transport error; goal 0),
the worker queue lag of the submitted jobs from the database (queued -> dispatched
-> a worker sends the call -> finished), and the CPU each side used.

`python -m tests.load.run`; LOAD_SECONDS=15 for a quick check; LOAD_KEEP=1 keeps
the stack's folder (database and logs).
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
HISTORY = 1000  # finished generations per team before the start
# A gallery polls as its poller says (every 2 s while something is pending, every 6 s
# when idle: the live team gallery); this is the first page's rhythm until it says.
POLL_EVERY, RELOAD_EVERY, SUBMIT_EVERY = 2.0, 20.0, 5.0
TIMEOUT = 10.0
DRAIN_SECONDS = 30.0
# The Procfile's web line unless told otherwise (LOAD_WEB="workers,threads[,class]").
WEB = os.environ.get("LOAD_WEB", "2,4").split(",")
WEB_WORKERS, WEB_THREADS = int(WEB[0]), int(WEB[1])
WEB_CLASS = WEB[2] if len(WEB) > 2 else "gthread"
GOALS_MS = {"poll": 200, "page": 300}  # server time p99
# Per token (each team has its own): room for the ~12 speech and ~12 images a minute
# each team submits, so nothing waits for a window.
RATE_LIMITS = "tts=60/60,image=60/60"
PASSWORD = "load-studio-password-2024"
EXPECTED = {"login page": {200}, "login": {302}, "page": {200}, "poll": {200, 204, 286},
            "submit": {302}}
POLLER = re.compile(r'<div id="poller"([^>]*)>')
HX_GET = re.compile(r'hx-get="([^"]+)"')
EVERY = re.compile(r'hx-trigger="every (\d+(?:\.\d+)?)s"')


class LoadStack(Stack):
    """tests/stack.py's Stack with production settings and the load test's teams."""

    def __init__(self, per_team: int) -> None:
        super().__init__()
        self.per_team = per_team
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
            done = subprocess.run(
                [sys.executable, "-m", "tests.load.seed", str(TEAMS), str(self.per_team),
                 PASSWORD, str(HISTORY)],
                cwd=ROOT, env=self.env | {"DJANGO_SETTINGS_MODULE": "studio.settings"},
                capture_output=True, text=True, timeout=300)
            if done.returncode:
                raise RuntimeError(f"seeding failed:\n{done.stdout}{done.stderr}")
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
    """The Stack's gunicorn line as the Procfile has it (no access log: the studio
    logs each request itself), with this machine's workers and threads."""
    args = list(command)
    for flag, value in (("--workers", WEB_WORKERS), ("--threads", WEB_THREADS)):
        args[args.index(flag) + 1] = str(value)
    args += ["--worker-class", WEB_CLASS]
    if "--access-logfile" in args:
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


class Member:
    def __init__(self, name: str, submitter: bool, url: str, samples: list[Sample]):
        self.name, self.submitter, self.samples = name, submitter, samples
        self.rng = random.Random(name)
        # Idle connections closed before gunicorn's 2 s keep-alive closes them, so a
        # poll never races the server's close on a stale connection.
        self.client = httpx.AsyncClient(
            base_url=url, timeout=TIMEOUT, follow_redirects=False,
            limits=httpx.Limits(max_connections=6, keepalive_expiry=1.0),
            headers={"User-Agent": "studio-load-test"})
        self.poll_url: str | None = None
        self.poll_every = POLL_EVERY
        self.next_poll = float("inf")
        self.submitted = 0

    async def request(self, kind: str, method: str, url: str, **kwargs) -> httpx.Response | None:
        started = time.monotonic()
        try:
            response = await self.client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            self.samples.append(Sample(kind, started, time.monotonic() - started, None,
                                       "timeout"))
            return None
        except httpx.HTTPError as exc:
            self.samples.append(Sample(kind, started, time.monotonic() - started, None,
                                       type(exc).__name__))
            return None
        elapsed = time.monotonic() - started
        error = None if response.status_code in EXPECTED[kind] else \
            f"HTTP {response.status_code}"
        self.samples.append(Sample(kind, started, elapsed, response.status_code, error))
        return response

    async def log_in(self) -> bool:
        await self.request("login page", "GET", "/accounts/login/")
        response = await self.request("login", "POST", "/accounts/login/", data={
            "username": self.name, "password": PASSWORD,
            "csrfmiddlewaretoken": self.client.cookies.get("csrftoken", "")})
        return response is not None and response.headers.get("location") == "/"

    async def load_page(self) -> None:
        response = await self.request("page", "GET", "/")
        if response is not None and response.status_code == 200:
            self.follow_poller(response.text)

    def follow_poller(self, text: str) -> None:
        """The poller element now on the page: a new one restarts htmx's timer."""
        found = POLLER.search(text)
        if found is None:
            return  # a 200 without a poller: the old one stays
        url = HX_GET.search(found.group(1))
        every = EVERY.search(found.group(1))
        self.poll_every = float(every.group(1)) if every else POLL_EVERY
        self.poll_url = html.unescape(url.group(1)) if url else None
        self.next_poll = time.monotonic() + self.poll_every if url else float("inf")

    async def poll(self) -> None:
        fired = self.next_poll
        response = await self.request("poll", "GET", self.poll_url, headers={
            "HX-Request": "true", "HX-Trigger": "poller", "HX-Target": "poller",
            "HX-Current-URL": f"{self.client.base_url}"})
        if response is not None and response.status_code == 286:
            self.poll_url, self.next_poll = None, float("inf")
            return
        if response is not None and response.status_code == 200:
            self.follow_poller(response.text)
            if self.next_poll != fired:
                return
        # 204 or an error: the same element keeps its rhythm, and a trigger that came
        # while this poll was in flight was dropped.
        now = time.monotonic()
        self.next_poll = fired + self.poll_every
        while self.next_poll <= now:
            self.next_poll += self.poll_every

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

    async def run(self, start: float, end: float) -> None:
        await asyncio.sleep(max(0.0, start - time.monotonic()))
        await self.load_page()
        now = time.monotonic()
        next_reload = now + RELOAD_EVERY * self.rng.uniform(0.8, 1.2)
        next_submit = now + self.rng.uniform(0.5, SUBMIT_EVERY) if self.submitter \
            else float("inf")
        while True:
            due = min(self.next_poll, next_reload, next_submit)
            now = time.monotonic()
            if due >= end:
                break
            await asyncio.sleep(max(0.0, due - now))
            if due == next_submit:
                await self.submit()
                next_submit = time.monotonic() + SUBMIT_EVERY * self.rng.uniform(0.8, 1.2)
            elif due == next_reload:
                await self.load_page()
                next_reload = time.monotonic() + RELOAD_EVERY * self.rng.uniform(0.8, 1.2)
            else:
                await self.poll()

    async def close(self) -> None:
        await self.client.aclose()


async def simulate(url: str, per_team: int, at_start) -> tuple[
        list[Sample], list[Sample], float, float, float]:
    """Log everyone in, call `at_start()`, then run the members for SECONDS. Returns
    the login samples, the window's samples, the window's start and end (monotonic)
    and its start on the wall clock."""
    samples: list[Sample] = []
    members = [Member(username(t, m), m <= SUBMITTERS_PER_TEAM, url, samples)
               for t in range(1, TEAMS + 1) for m in range(1, per_team + 1)]
    try:
        gate = asyncio.Semaphore(4)

        async def log_in(member: Member) -> None:
            async with gate:
                if not await member.log_in():
                    raise RuntimeError(f"{member.name} could not log in")

        await asyncio.gather(*(log_in(m) for m in members))
        logins = samples[:]
        samples.clear()
        at_start()
        wall = time.time()
        start = time.monotonic() + 0.1
        end = start + SECONDS
        # Arrivals spread over one poll interval, as people open the page.
        await asyncio.gather(*(m.run(start + i * POLL_EVERY / len(members), end)
                               for i, m in enumerate(members)))
        finished = time.monotonic()
    finally:
        await asyncio.gather(*(m.close() for m in members))
    return logins, samples, start, max(end, finished), wall


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
        kind = ("poll" if path == "/gallery/poll/" else "page" if path == "/" else
                "submit" if path.startswith("/generate/") else
                "sandbox" if path.startswith("/sandbox/") else "other")
        times[kind].append(record["duration_ms"] / 1000)
    return times


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


def print_figures(members: int, logins: list[Sample], samples: list[Sample], window: float,
                  server: dict[str, list[float]], queue: dict, cpu: dict[str, float],
                  drained: float) -> int:
    print(f"{members} members of {TEAMS} teams, {TEAMS * SUBMITTERS_PER_TEAM} submitting "
          f"every ~{SUBMIT_EVERY:g} s; every gallery polls as its poller says (2 s while "
          f"something is pending, 6 s idle), page reload every ~{RELOAD_EVERY:g} s; "
          f"{window:.1f} s; gunicorn {WEB_WORKERS} workers x {WEB_THREADS} threads "
          f"({WEB_CLASS}), DEBUG off; rate limits {RATE_LIMITS} per team token")
    login_times = [s.seconds for s in logins if s.kind == "login"]
    print(f"logins before the start: {len(login_times)}, p50 {ms(pct(login_times, 50))} ms, "
          f"max {ms(max(login_times, default=None))} ms (PBKDF2, 4 at a time)\n")
    print(f"requests served: {len(samples)} in {window:.1f} s = "
          f"{len(samples) / window:.1f} per second "
          f"({', '.join(f'{k} {v}' for k, v in Counter(s.kind for s in samples).items())})")
    statuses = Counter((s.kind, s.status) for s in samples if s.kind == "poll")
    print("poll answers: " + ", ".join(f"{status} x{n}" for (_, status), n in
                                      sorted(statuses.items(), key=lambda i: str(i[0][1]))))
    header = f"{'latency ms':<24}{'n':>6}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}"
    print(f"\n{header}\n{'-' * len(header)}")
    for kind in ("poll", "page", "submit"):
        for side, values in (("client", [s.seconds for s in samples
                                         if s.kind == kind and s.error is None]),
                             ("server", server.get(kind, []))):
            print(f"{kind + ' (' + side + ')':<24}{len(values):>6}{ms(pct(values, 50)):>7}"
                  f"{ms(pct(values, 95)):>7}{ms(pct(values, 99)):>7}"
                  f"{ms(max(values, default=None)):>7}")
    sandbox = server.get("sandbox", [])
    print(f"{'sandbox API (server)':<24}{len(sandbox):>6}{ms(pct(sandbox, 50)):>7}"
          f"{ms(pct(sandbox, 95)):>7}{ms(pct(sandbox, 99)):>7}{ms(max(sandbox, default=None)):>7}")

    for kind, goal in GOALS_MS.items():
        p99 = pct(server.get(kind, []), 99)
        verdict = "-" if p99 is None else ("ok" if p99 * 1000 < goal else "MISSED")
        print(f"goal: {kind} p99 on the server under {goal} ms: {verdict}")

    errors = Counter((s.kind, s.error) for s in samples if s.error)
    total = sum(errors.values())
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
    return total + not_done


def main() -> None:
    """One run per team size of LOAD_MEMBERS (e.g. "50,100,200"; 50 by default)."""
    for members in map(int, os.environ.get("LOAD_MEMBERS", "50").split(",")):
        run(members)


def run(members: int) -> None:
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

            def at_start() -> None:
                before.update(cpu_seconds(groups), **{"load client": client_cpu()})

            logins, samples, start, end, wall = asyncio.run(
                simulate(stack.url, per_team, at_start))
            cpu_after, client_after = cpu_seconds(groups), client_cpu()
            since = datetime.fromtimestamp(wall, UTC)
            until = datetime.fromtimestamp(wall + (end - start), UTC)
            drained = wait_until_drained(stack, since)
            queue = queue_lags(stack, since)
            server = server_times(stack, since, until)
    finally:
        if os.environ.get("LOAD_KEEP"):
            kept = Path(tempfile.mkdtemp(prefix="load-run-"))
            shutil.copytree(stack.dir, kept, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("media", "*.ctl"))
            print(f"stack database and logs kept in {kept}")
        stack.cleanup()
    cpu = {name: cpu_after[name] - before[name] for name in groups}
    cpu["load client"] = client_after - before["load client"]
    # Only requests started in the window count; the last ones may end just after.
    window = end - start
    print()
    missed = print_figures(TEAMS * per_team, logins, samples, window, server, queue, cpu,
                           drained)
    print(f"\nwall time {time.monotonic() - began:.1f} s")
    if missed:
        print("GOAL MISSED: see the errors above")


if __name__ == "__main__":
    main()
