"""Rate-limit-aware dispatch: send each queued job the moment its window has room.

The API allows each token so many calls per kind in a sliding window and answers 429
above that. The dispatcher keeps its own record of every call sent (Attempt rows),
so it never provokes a 429: a job is handed to a worker only when fewer than the
limit were sent in the last window. Jobs wait in the database, not in a worker.

`tick()` is one pass; `run_forever()` loops it (started by `manage.py worker`).
Several dispatchers may run at once (one per worker dyno): each (token, kind) window
is decided inside a transaction holding that window's row lock. The dispatcher is
also the owner of every lapsed lease (states.py): it moves on what a dead worker left.
"""

import bisect
import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Min, Q
from django_q.tasks import async_task

from studio.generations import lifecycle
from studio.generations.models import Attempt, Generation, RateWindow
from studio.generations.states import FOLLOWED_UP, State
from studio.lib import clock
from studio.multimodal import catalog

log = logging.getLogger(__name__)

SEND_TASK = "studio.generations.tasks.send_attempt"
FOLLOW_UP_TASK = "studio.generations.tasks.follow_up"
IDLE_POLL_SECONDS = 0.25


@dataclass(frozen=True)
class Window:
    calls: int
    span: timedelta  # the API's window plus our safety margin

    @classmethod
    def for_kind(cls, kind: str) -> "Window":
        calls, seconds = catalog.rate_limit(kind)
        # Our clock stamps a call when it leaves; the API stamps it on arrival, a
        # moment later. The margin keeps our window closing after the API's does.
        margin = max(settings.STUDIO_RATE_MARGIN_MIN, seconds * 0.01)
        return cls(calls, timedelta(seconds=seconds + margin))


def plan(sent: list[datetime], jobs: list[Generation], window: Window, now: datetime,
         blocked_until: datetime | None) -> list[tuple[Generation, datetime]]:
    """When each job can go, first come first served, given the calls already sent."""
    times = sorted(sent)
    ready_first = sorted(jobs, key=lambda job: (max(job.not_before or now, now),
                                                job.created_at, job.pk))
    schedule = []
    for job in ready_first:
        start = max(now, blocked_until or now, job.not_before or now)
        if len(times) >= window.calls:
            start = max(start, times[-window.calls] + window.span)
        schedule.append((job, start))
        bisect.insort(times, start)
    return schedule


def tick(now: datetime | None = None) -> datetime | None:
    """One pass: reclaim what dead workers left, send what has room, start due
    follow-ups. Returns when something next becomes due, or None when nothing waits.
    """
    now = now or clock.now()
    reclaim_lapsed(now)
    wakes = [dispatch_group(key, jobs, now) for key, jobs in queued_groups().items()]
    wakes.append(start_follow_ups(now))
    return min((w for w in wakes if w is not None), default=None)


def queued_groups() -> dict[tuple[str, str], list[Generation]]:
    """Queued jobs by (token fingerprint, kind): the unit the API rate-limits."""
    groups: dict[tuple[str, str], list[Generation]] = defaultdict(list)
    queued = (Generation.objects.filter(state=State.QUEUED).select_related("team")
              .order_by("created_at", "id"))
    fingerprints: dict[int, str] = {}
    for job in queued:
        if job.team_id not in fingerprints:
            fingerprints[job.team_id] = job.team.api_fingerprint
        groups[(fingerprints[job.team_id], job.kind)].append(job)
    return groups


def dispatch_group(key: tuple[str, str], jobs: list[Generation],
                   now: datetime) -> datetime | None:
    token_key, kind = key
    window = Window.for_kind(kind)
    with transaction.atomic():
        gate, _ = RateWindow.objects.select_for_update().get_or_create(
            token_key=token_key, kind=kind)
        sent = calls_in_window(token_key, kind, window, now)
        schedule = plan(sent, jobs, window, now, gate.blocked_until)
        for job, start in schedule:
            if start <= now:
                hand_to_worker(job, token_key, now)
    waiting = [(job, start) for job, start in schedule if start > now]
    publish_expectations(waiting)
    return waiting[0][1] if waiting else None


def calls_in_window(token_key: str, kind: str, window: Window, now: datetime) -> list[datetime]:
    """When our calls in the window went out. A call still waiting for a worker goes
    out later than its stamp says, so it counts as going out now; a call the API
    refused with 429 took no slot of its window."""
    attempts = (Attempt.objects.filter(token_key=token_key, kind=kind)
                .filter(Q(sent_at__gt=now - window.span) | Q(outcome=Attempt.Outcome.DISPATCHED))
                .exclude(outcome=Attempt.Outcome.RATE_LIMITED)
                .values_list("sent_at", "outcome"))
    return [max(sent_at, now) if outcome == Attempt.Outcome.DISPATCHED else sent_at
            for sent_at, outcome in attempts]


def hand_to_worker(job: Generation, token_key: str, now: datetime) -> None:
    """Take the slot: the job is dispatched and a worker is asked to send it."""
    attempt = lifecycle.dispatch(job, token_key, now)
    if attempt is None:
        return  # cancelled, or another dispatcher took it first
    transaction.on_commit(lambda: async_task(SEND_TASK, attempt.pk,
                                             task_name=f"attempt-{attempt.pk}"))


def publish_expectations(waiting: list[tuple[Generation, datetime]]) -> None:
    """Store each waiting job's place and expected start, so its card can show them."""
    for position, (job, start) in enumerate(waiting, start=1):
        shown = job.expected_start_at
        moved = shown is None or abs((shown - start).total_seconds()) >= 1
        if job.queue_position != position or moved:
            lifecycle.publish_place(job, position, start)


def start_follow_ups(now: datetime) -> datetime | None:
    """Hand due polls and checks to workers, each under a lease that outlives the task."""
    waiting = Generation.objects.filter(state__in=FOLLOWED_UP, lease_until=None)
    for pk, due_at in waiting.filter(follow_up_at__lte=now).values_list(
            "pk", "follow_up_at"):
        lease = lifecycle.take_follow_up(pk, due_at, now)
        if lease is not None:
            async_task(FOLLOW_UP_TASK, pk, lease.isoformat(), task_name=f"follow-up-{pk}")
    return waiting.filter(follow_up_at__gt=now).aggregate(
        next=Min("follow_up_at"))["next"]


def reclaim_lapsed(now: datetime) -> None:
    """What dead workers left: each state's lapse move (states.py), at most once."""
    for generation in lifecycle.lapsed_leases(now):
        lifecycle.reclaim(generation, now)


def block_window(token_key: str, kind: str, until: datetime) -> None:
    """After a 429 the API knows better than our record: send nothing before `until`."""
    with transaction.atomic():
        gate, _ = RateWindow.objects.select_for_update().get_or_create(
            token_key=token_key, kind=kind)
        if gate.blocked_until is None or gate.blocked_until < until:
            gate.blocked_until = until
            gate.save(update_fields=["blocked_until"])


def run_forever(stopped: Callable[[], bool], *, on_error_pause: float = 1.0) -> None:
    """Tick until `stopped()`; sleep until the next window opens or a short idle poll."""
    wake_event = threading.Event()
    heart = threading.Thread(target=beat_until, args=(stopped,), daemon=True,
                             name="heartbeat")
    heart.start()
    while not stopped():
        try:
            close_old_connections()
            next_at = tick()
            pause = IDLE_POLL_SECONDS
            if next_at is not None:
                pause = min(pause, max(0.0, (next_at - clock.now()).total_seconds()))
        except Exception:
            log.exception("dispatcher pass failed; trying again")
            pause = on_error_pause
        wake_event.wait(pause)


def beat_until(stopped: Callable[[], bool]) -> None:
    """The worker's heartbeat, on a thread of its own so that a slow pass never
    makes a live worker look dead and its leases lapse."""
    pause = threading.Event()
    while not stopped():
        try:
            close_old_connections()
            lifecycle.beat()
        except Exception:
            log.exception("heartbeat failed; trying again")
        pause.wait(settings.STUDIO_HEARTBEAT_SECONDS)
