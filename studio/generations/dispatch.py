"""The dispatcher's pass: send each queued job the moment its window has room.

The dispatcher keeps its own record of every call sent (Attempt rows), so it never
provokes a 429: a job is handed to a worker only when the window's plan
(rate_windows.py, the arithmetic) says its slot is open. Jobs wait in the database,
not in a worker.

A job that waits for other rows (`Generation.waits_for`: a clip its picture, a film
its parts) is not sent before every one of them succeeded, and fails, unsent, when
one of them fails or is canceled.

`tick()` is one pass; the runner (runner.py) loops it in `manage.py worker`.
Several dispatchers may run at once (one per worker dyno): each (token, kind) window
is decided inside a transaction holding that window's row lock. The dispatcher is
also the owner of every lapsed lease (states.py): it moves on what a dead worker left.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q
from django_q.tasks import async_task

from studio.generations import lifecycle
from studio.generations.models import Attempt, Generation, RateWindow
from studio.generations.rate_windows import Window, latest_stamps, plan, typical
from studio.generations.states import FOLLOWED_UP, State, Status
from studio.lib import clock
from studio.multimodal import catalog

SEND_TASK = "studio.generations.tasks.send_attempt"
FOLLOW_UP_TASK = "studio.generations.tasks.follow_up"
LOCAL_BATCH = 20  # local jobs handed out per pass
SERVED_LOOKBACK = timedelta(days=1)
TYPICAL_SAMPLE = 10


def tick(now: datetime | None = None) -> datetime | None:
    """One pass: reclaim what dead workers left, send what has room, start due
    follow-ups. Returns when something next becomes due, or None when nothing waits.
    """
    now = now or clock.now()
    reclaim_lapsed(now)
    fail_waiting_in_vain()
    wakes = [dispatch_group(key, jobs, now) for key, jobs in queued_groups().items()]
    start_local(now)
    wakes.append(start_follow_ups(now))
    return min((w for w in wakes if w is not None), default=None)


def queued_groups() -> dict[tuple[str, str], list[Generation]]:
    """Queued jobs by (token fingerprint, kind): the unit the API rate-limits."""
    groups: dict[tuple[str, str], list[Generation]] = defaultdict(list)
    queued = (unblocked(Generation.objects.filter(state=State.QUEUED))
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
        gate = RateWindow.locked(token_key, kind)
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


def typical_call(token_key: str, kind: str) -> timedelta:
    """How long the window's recent calls took to be answered (the median of the
    last few): a call holds its slot that long (calls_in_window)."""
    recent = (Attempt.objects.filter(token_key=token_key, kind=kind,
                                     finished_at__isnull=False)
              .exclude(outcome=Attempt.Outcome.RATE_LIMITED).order_by("-sent_at")
              .values_list("sent_at", "finished_at")[:TYPICAL_SAMPLE])
    return typical(recent)


def calls_in_window(token_key: str, kind: str, window: Window, now: datetime) -> list[datetime]:
    """Our calls of the window that may still count in the API's, each as the latest
    moment the API can have stamped it (rate_windows.latest_stamps): those answered
    within a window, and those not answered yet. A 429 took no slot."""
    open_calls = (Attempt.Outcome.DISPATCHED, Attempt.Outcome.IN_FLIGHT)
    attempts = (Attempt.objects.filter(token_key=token_key, kind=kind)
                .filter(Q(finished_at__gt=now - window.span)
                        | Q(outcome__in=open_calls))
                .exclude(outcome=Attempt.Outcome.RATE_LIMITED)
                .values_list("sent_at", "finished_at", "outcome"))
    return latest_stamps(attempts, window, now)


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
    """Hand queued local kinds (mix, sequence) to workers, each to its kind's maker
    (plugged into the catalog by the app that makes it): they take no API slot."""
    local = unblocked(Generation.objects.filter(state=State.QUEUED,
                                                kind__in=catalog.LOCAL_KINDS))
    for job in local.order_by("id")[:LOCAL_BATCH]:
        lease = lifecycle.take_local(job, now)
        if lease is not None:
            async_task(job.kind_spec.parts.maker, job.pk, lease.isoformat(),
                       task_name=f"make-{job.pk}")


WaitLink = Generation.waits_for.through
GAVE_UP = (Status.FAILED, Status.CANCELED)


def unblocked(queued):
    """Those of `queued` that wait for nothing still unfinished."""
    return queued.exclude(Exists(WaitLink.objects.filter(from_generation=OuterRef("pk"))
                                 .exclude(to_generation__status=Status.SUCCEEDED)))


def fail_waiting_in_vain() -> None:
    """Queued jobs waiting for one that failed or was canceled fail too, unsent; and
    so on down the line (a film whose clip failed with its picture)."""
    while True:
        links = (WaitLink.objects.filter(from_generation__state=State.QUEUED,
                                         to_generation__status__in=GAVE_UP)
                 .select_related("from_generation", "to_generation").order_by("id"))
        failed = [link for link in links if lifecycle.waited_in_vain(
            link.from_generation, gave_up_reason(link.from_generation, link.to_generation))]
        if not failed:
            return


# What a kind is called when one part of a piece names another.
PART_NOUNS = {catalog.TTS: "speech", catalog.IMAGE: "picture", catalog.VIDEO_I2V: "clip"}


def part_noun(generation: Generation) -> str:
    return PART_NOUNS.get(generation.kind) or generation.kind_spec.label.lower()


def gave_up_reason(waiting: Generation, awaited: Generation) -> str:
    """The picture #12 this clip moves failed: <its own reason>"""
    relation = "moves" if waiting.source_id == awaited.pk else "waits for"
    ended = "failed" if awaited.status == Status.FAILED else "was canceled"
    why = f": {awaited.error_message}" if awaited.error_message else "."
    return (f"The {part_noun(awaited)} #{awaited.pk} this {part_noun(waiting)} "
            f"{relation} {ended}{why}")


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
