"""Rate-limit-aware dispatch: send each queued job the moment its window has room.

The API allows each token so many calls per kind in a sliding window and answers 429
above that. The dispatcher keeps its own record of every call sent (Attempt rows),
so it never provokes a 429: a job is handed to a worker only when fewer than the
limit were sent in the last window. Jobs wait in the database, not in a worker.

`tick()` is one pass; `run_forever()` loops it (started by `manage.py qcluster`).
Several dispatchers may run at once (one per worker dyno): each (token, kind) window
is decided inside a transaction holding that window's row lock.
"""

import bisect
import logging
import os
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.tasks import async_task

from studio.generations.models import (
    Attempt,
    FollowUp,
    Generation,
    Heartbeat,
    RateWindow,
    Status,
)
from studio.lib import clock
from studio.multimodal import catalog

log = logging.getLogger(__name__)

SEND_TASK = "studio.generations.tasks.send_attempt"
FOLLOW_UP_TASK = "studio.generations.tasks.follow_up"
IDLE_POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 10


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
    ready_first = sorted(jobs, key=lambda job: (max(job.next_attempt_at or now, now),
                                                job.created_at, job.pk))
    schedule = []
    for job in ready_first:
        start = max(now, blocked_until or now, job.next_attempt_at or now)
        if len(times) >= window.calls:
            start = max(start, times[-window.calls] + window.span)
        schedule.append((job, start))
        bisect.insort(times, start)
    return schedule


def tick(now: datetime | None = None) -> datetime | None:
    """One pass: reclaim dead calls, send what has room, start due follow-ups.

    Returns when something next becomes due, or None when nothing waits.
    """
    now = now or clock.now()
    reclaim_stuck(now)
    wakes = [dispatch_group(key, jobs, now) for key, jobs in queued_groups().items()]
    wakes.append(start_follow_ups(now))
    return min((w for w in wakes if w is not None), default=None)


def queued_groups() -> dict[tuple[str, str], list[Generation]]:
    """Queued jobs by (token fingerprint, kind): the unit the API rate-limits."""
    groups: dict[tuple[str, str], list[Generation]] = defaultdict(list)
    queued = (Generation.objects.filter(status=Status.QUEUED).select_related("team")
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
    """Take the slot: the job becomes running and a worker is asked to send it."""
    taken = Generation.objects.filter(pk=job.pk, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=Coalesce("started_at", now),
        next_attempt_at=None, queue_position=None, expected_start_at=None,
        updated_at=timezone.now(),
    )
    if not taken:
        return  # cancelled, or another dispatcher took it first
    attempt = Attempt.objects.create(
        generation_id=job.pk, number=job.attempt_log.count() + 1, token_key=token_key,
        kind=job.kind, sent_at=now,
    )
    transaction.on_commit(lambda: async_task(SEND_TASK, attempt.pk,
                                             task_name=f"attempt-{attempt.pk}"))


def publish_expectations(waiting: list[tuple[Generation, datetime]]) -> None:
    """Store each waiting job's place and expected start, so its card can show them."""
    for position, (job, start) in enumerate(waiting, start=1):
        shown = job.expected_start_at
        moved = shown is None or abs((shown - start).total_seconds()) >= 1
        if job.queue_position != position or moved:
            Generation.objects.filter(pk=job.pk, status=Status.QUEUED).update(
                queue_position=position, expected_start_at=start,
                updated_at=timezone.now())


def start_follow_ups(now: datetime) -> datetime | None:
    """Hand due follow-ups to workers, each under a lease that outlives the task."""
    waiting = (Generation.objects.filter(status=Status.RUNNING)
               .exclude(follow_up=FollowUp.NONE).exclude(next_attempt_at=None))
    for pk, due_at in waiting.filter(next_attempt_at__lte=now).values_list(
            "pk", "next_attempt_at"):
        lease = now + stuck_after()
        if Generation.objects.filter(pk=pk, next_attempt_at=due_at).update(
                next_attempt_at=lease):
            async_task(FOLLOW_UP_TASK, pk, lease.isoformat(), task_name=f"follow-up-{pk}")
    return waiting.filter(next_attempt_at__gt=now).aggregate(
        next=Min("next_attempt_at"))["next"]


def stuck_after() -> timedelta:
    """Longer than any task may live: django-q2 kills a task at its timeout."""
    return timedelta(seconds=settings.Q_CLUSTER["timeout"] + 60)


def reclaim_stuck(now: datetime) -> None:
    """Calls whose worker died: never sent ones go back to the queue, sent ones are
    checked against the API's usage history before anything is sent again."""
    dead = Attempt.objects.filter(
        outcome__in=(Attempt.Outcome.DISPATCHED, Attempt.Outcome.IN_FLIGHT),
        sent_at__lt=now - stuck_after())
    for attempt in dead.select_related("generation"):
        never_sent = attempt.outcome == Attempt.Outcome.DISPATCHED
        if not Attempt.objects.filter(pk=attempt.pk, outcome=attempt.outcome).update(
                outcome=Attempt.Outcome.LOST, finished_at=now,
                error_code="worker_lost",
                error_message="The worker stopped before this call finished."):
            continue
        log.warning("reclaimed", extra={"generation": attempt.generation_id,
                                        "attempt": attempt.number, "never_sent": never_sent})
        reclaim(attempt.generation, never_sent, now)


def reclaim(generation: Generation, never_sent: bool, now: datetime) -> None:
    if never_sent:
        changes = {"status": Status.QUEUED, "next_attempt_at": None}
    else:
        changes = {"follow_up": FollowUp.RECOVERY, "next_attempt_at": now,
                   "error_message": "The worker stopped during the call; checking with "
                                    "the API whether it was charged."}
    Generation.objects.filter(pk=generation.pk, status=Status.RUNNING).update(
        updated_at=timezone.now(), **changes)


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
    name = f"{socket.gethostname()}:{os.getpid()}"
    beat_at = 0.0
    while not stopped():
        try:
            close_old_connections()
            if time.monotonic() - beat_at >= HEARTBEAT_SECONDS:
                Heartbeat.objects.update_or_create(name=name,
                                                   defaults={"seen_at": timezone.now()})
                beat_at = time.monotonic()
            next_at = tick()
            pause = IDLE_POLL_SECONDS
            if next_at is not None:
                pause = min(pause, max(0.0, (next_at - clock.now()).total_seconds()))
        except Exception:
            log.exception("dispatcher pass failed; trying again")
            pause = on_error_pause
        wake_event.wait(pause)

