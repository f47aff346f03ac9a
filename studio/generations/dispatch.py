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
import multiprocessing
import multiprocessing.synchronize
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Max, Min, Q
from django_q.tasks import async_task

from studio.generations import lifecycle
from studio.generations.models import Attempt, Generation, Lane, RateWindow
from studio.generations.states import FOLLOWED_UP, State
from studio.lib import clock
from studio.multimodal import catalog

log = logging.getLogger(__name__)

SEND_TASK = "studio.generations.tasks.send_attempt"
FOLLOW_UP_TASK = "studio.generations.tasks.follow_up"
MAKE_TASK = "studio.finishing.tasks.make"
# More work of each pass, registered by later apps (the API's webhook deliveries):
# the dispatcher is the one process that looks at the clock for everyone.
PASSES: list[Callable[[datetime], None]] = []
LOCAL_BATCH = 20  # local jobs handed out per pass
IDLE_POLL_SECONDS = 0.25
# While work waits for a window, a slot can open before the plan says (an answer
# arriving early tightens its call's bound): look again this often.
BACKLOG_POLL_SECONDS = 0.1
SERVED_LOOKBACK = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    calls: int
    span: timedelta  # the API's window
    margin: timedelta  # how late the API may stamp a call we have no answer to yet

    @classmethod
    def for_kind(cls, kind: str) -> "Window":
        calls, seconds = catalog.rate_limit(kind)
        margin = max(settings.STUDIO_RATE_MARGIN_MIN, seconds * 0.01)
        return cls(calls, timedelta(seconds=seconds), timedelta(seconds=margin))


LANE_ORDER = {Lane.URGENT: 0, Lane.NORMAL: 1, Lane.BACKGROUND: 2}


class Turns:
    """The queued jobs of one window, handed out one slot at a time: the most urgent
    lane with work waiting first (background only when nothing else waits); in it,
    the member who has waited longest for a slot; of theirs, their own order."""

    def __init__(self, jobs: list[Generation], served: dict, now: datetime) -> None:
        self.now = now
        self.lanes: dict = defaultdict(lambda: defaultdict(list))  # lane -> member -> jobs
        for job in sorted(jobs, key=lambda j: (j.rank, j.created_at, j.pk)):
            self.lanes[LANE_ORDER[job.lane]][job.author_id].append(job)
        oldest: dict = {}
        for job in jobs:
            oldest[job.author_id] = min(oldest.get(job.author_id, job.created_at),
                                        job.created_at)
        # (since when, how): never served in this window, waiting since their oldest
        # job was queued (-1: before anyone served at that same instant).
        self.waited = {member: (served[member], 0) if member in served else (since, -1)
                       for member, since in oldest.items()}
        self.granted = 0

    def __bool__(self) -> bool:
        return bool(self.lanes)

    def take(self, room: datetime) -> tuple[Generation, datetime]:
        """The job that gets the slot opening at `room`, and when it can go."""
        lane = self.lanes[min(self.lanes)]
        offers = [(*self.offer(member, queue, room), member) for member, queue in lane.items()]
        start, _, job, member = min(offers, key=lambda offer: offer[:2])
        lane[member].remove(job)
        if not lane[member]:
            del lane[member]
            if not lane:
                del self.lanes[min(self.lanes)]
        self.granted += 1
        self.waited[member] = (start, self.granted)
        return job, start

    def offer(self, member, queue: list[Generation], room: datetime) -> tuple:
        """(start, waited since, job): the member's first job in their order that is
        ready at `room` (one backing off lets the next pass)."""
        job = next((j for j in queue if not j.not_before or j.not_before <= room), None)
        if job is None:
            job = min(queue, key=lambda j: j.not_before)
        return max(room, job.not_before or room), self.waited[member], job


def plan(sent: list[datetime], jobs: list[Generation], window: Window, now: datetime,
         blocked_until: datetime | None, served: dict | None = None,
         hold: timedelta | None = None) -> list[tuple[Generation, datetime]]:
    """When each job can go: each call already counted (`sent`: the latest moment the
    API can have stamped it) holds a slot until a window after it; each slot then
    goes by turns (Turns). `served`: when each member's last call of it went.
    `hold`: how long a call to come will take to be answered (the margin at least):
    only the expected starts beyond this pass depend on it."""
    times = sorted(sent)
    turns = Turns(jobs, served or {}, now)
    schedule = []
    while turns:
        room = max(now, blocked_until or now)
        if len(times) >= window.calls:
            room = max(room, times[-window.calls] + window.span)
        job, start = turns.take(room)
        schedule.append((job, start))
        bisect.insort(times, start + max(hold or window.margin, window.margin))
    return schedule


def tick(now: datetime | None = None) -> datetime | None:
    """One pass: reclaim what dead workers left, send what has room, start due
    follow-ups. Returns when something next becomes due, or None when nothing waits.
    """
    now = now or clock.now()
    reclaim_lapsed(now)
    wakes = [dispatch_group(key, jobs, now) for key, jobs in queued_groups().items()]
    start_local(now)
    for more in PASSES:
        more(now)
    wakes.append(start_follow_ups(now))
    return min((w for w in wakes if w is not None), default=None)


def queued_groups() -> dict[tuple[str, str], list[Generation]]:
    """Queued jobs by (token fingerprint, kind): the unit the API rate-limits."""
    groups: dict[tuple[str, str], list[Generation]] = defaultdict(list)
    queued = (Generation.objects.filter(state=State.QUEUED)
              .exclude(kind__in=catalog.LOCAL_KINDS).select_related("team")
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
        schedule = plan(sent, jobs, window, now, gate.blocked_until,
                        last_served(token_key, kind, jobs, now),
                        typical_call(token_key, kind))
        for job, start in schedule:
            if start <= now:
                hand_to_worker(job, token_key, now)
    waiting = [(job, start) for job, start in schedule if start > now]
    publish_expectations(waiting)
    return waiting[0][1] if waiting else None


def forecast(team_fingerprint: str, kind: str,
             now: datetime | None = None) -> dict[int, datetime]:
    """When each queued job of a (token, kind) window should be answered, planned now
    as the dispatcher will plan it (read only; the places are published for the
    cards). For a quote's expected finish at submission, before the dispatcher's next
    pass."""
    now = now or clock.now()
    jobs = queued_groups().get((team_fingerprint, kind), [])
    if not jobs:
        return {}
    window = Window.for_kind(kind)
    gate = RateWindow.objects.filter(token_key=team_fingerprint, kind=kind).first()
    hold = typical_call(team_fingerprint, kind)
    schedule = plan(calls_in_window(team_fingerprint, kind, window, now), jobs, window, now,
                    gate.blocked_until if gate else None,
                    last_served(team_fingerprint, kind, jobs, now), hold)
    publish_expectations([(job, start) for job, start in schedule if start > now])
    return {job.pk: start + hold for job, start in schedule}


TYPICAL_SAMPLE = 10


def typical_call(token_key: str, kind: str) -> timedelta:
    """How long the window's recent calls took to be answered (the median of the
    last few): a call holds its slot that long (calls_in_window)."""
    recent = (Attempt.objects.filter(token_key=token_key, kind=kind,
                                     finished_at__isnull=False)
              .exclude(outcome=Attempt.Outcome.RATE_LIMITED).order_by("-sent_at")
              .values_list("sent_at", "finished_at")[:TYPICAL_SAMPLE])
    durations = sorted(finished - sent for sent, finished in recent)
    return durations[len(durations) // 2] if durations else timedelta(0)


def calls_in_window(token_key: str, kind: str, window: Window, now: datetime) -> list[datetime]:
    """For each of our calls that may still count in the API's window, the latest
    moment the API can have stamped it: an answered call arrived before its answer
    came back, so that bound is certain (a long render holds its slot until then); a
    call still in flight is taken to arrive within the margin of leaving; one still
    waiting for a worker leaves now at the earliest. A 429 took no slot."""
    open_calls = (Attempt.Outcome.DISPATCHED, Attempt.Outcome.IN_FLIGHT)
    attempts = (Attempt.objects.filter(token_key=token_key, kind=kind)
                .filter(Q(finished_at__gt=now - window.span)
                        | Q(outcome__in=open_calls))
                .exclude(outcome=Attempt.Outcome.RATE_LIMITED)
                .values_list("sent_at", "finished_at", "outcome"))
    bounds = []
    for sent_at, finished_at, outcome in attempts:
        if outcome == Attempt.Outcome.DISPATCHED:
            bounds.append(max(sent_at, now) + window.margin)
        elif finished_at is None:
            bounds.append(sent_at + window.margin)
        else:
            bounds.append(finished_at)
    return [bound for bound in bounds if bound > now - window.span]


def last_served(token_key: str, kind: str, jobs: list[Generation],
                now: datetime) -> dict:
    """When each waiting member's last call of this window went (a day back at most)."""
    members = {job.author_id for job in jobs}
    rows = (Attempt.objects.filter(token_key=token_key, kind=kind,
                                   sent_at__gt=now - SERVED_LOOKBACK,
                                   generation__author_id__in=members - {None})
            .values("generation__author_id").annotate(last=Max("sent_at"))
            .values_list("generation__author_id", "last"))
    return dict(rows)


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


def start_local(now: datetime) -> None:
    """Hand queued local kinds (mix, sequence) to workers: they take no API slot."""
    local = Generation.objects.filter(state=State.QUEUED, kind__in=catalog.LOCAL_KINDS)
    for job in local.order_by("id")[:LOCAL_BATCH]:
        lease = lifecycle.take_local(job, now)
        if lease is not None:
            async_task(MAKE_TASK, job.pk, lease.isoformat(), task_name=f"make-{job.pk}")


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


# Set by a worker process of this dyno when an answer arrives: an answered call frees
# its slot sooner than planned, so the dispatcher looks again at once. Made by
# `manage.py worker` before the cluster forks (the workers inherit it).
answers: multiprocessing.synchronize.Event | None = None


def listen_for_answers() -> None:
    global answers
    answers = multiprocessing.get_context("fork").Event()


def answer_arrived() -> None:
    if answers is not None:
        answers.set()


def run_forever(stopped: Callable[[], bool], *, on_error_pause: float = 1.0) -> None:
    """Tick until `stopped()`; sleep until the next window opens, an answer arrives,
    or a short idle poll."""
    wake_event = answers or threading.Event()
    heart = threading.Thread(target=beat_until, args=(stopped,), daemon=True,
                             name="heartbeat")
    heart.start()
    while not stopped():
        try:
            close_old_connections()
            next_at = tick()
            pause = IDLE_POLL_SECONDS
            if next_at is not None:
                pause = min(BACKLOG_POLL_SECONDS,
                            max(0.0, (next_at - clock.now()).total_seconds()))
        except Exception:
            log.exception("dispatcher pass failed; trying again")
            pause = on_error_pause
        wake_event.wait(pause)
        wake_event.clear()


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
