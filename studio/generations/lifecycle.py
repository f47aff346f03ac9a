"""The one writer of a generation's state: every move of the graph in `states.py`.

Each move is one guarded write (compare-and-set) from the states it may start in,
and, for the moves a worker makes, from the lease that worker holds. A move that
finds the row already elsewhere changes nothing, logs why, and returns False: the
caller stops there, because whoever moved the row owns it now.

Fields written only here: state, status, not_before, follow_up_at, lease_owner,
lease_until, started_at, finished_at, error_code, error_message, usage_id,
credits_used, credits_remaining, lane, rank, tries, and the attempts' outcomes.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.dispatch import Signal
from django.utils import timezone

from studio.credits import ledger
from studio.credits.balance import observe_balance
from studio.generations import live
from studio.generations.models import Attempt, Generation, Heartbeat
from studio.generations.states import FOLLOWED_UP, GRAPH, State, may_move, status_of
from studio.lib import clock
from studio.multimodal import catalog

log = logging.getLogger(__name__)

# Sent after a move commits: (generation_id, source, target). The live gallery, the
# crash tests and webhooks listen; nothing here depends on a receiver.
moved = Signal()

_KEEP = object()  # a move that leaves the lease as it is


class Moved(Exception):
    """The row was no longer where the move expected it."""


def worker_name() -> str:
    """Who holds a lease: the worker process group (set by `manage.py worker`)."""
    return os.environ.get("STUDIO_WORKER_NAME") or f"{socket.gethostname()}:{os.getpid()}"


def lease_span() -> timedelta:
    """Longer than any task may live: django-q2 kills a task at its timeout."""
    return timedelta(seconds=settings.Q_CLUSTER["timeout"] + 60)


def heartbeat_silence() -> timedelta:
    return timedelta(seconds=3 * settings.STUDIO_HEARTBEAT_SECONDS)


def _move(generation: Generation, target: State, *, sources: Iterable[State] | None = None,
          lease: datetime | None = None, new_lease: object = None, **fields) -> bool:
    """Move `generation` to `target` if it is still in `sources` (and holds `lease`).

    `new_lease`: None clears the lease, _KEEP leaves it, a (owner, until) pair sets it.
    """
    sources = tuple(sources or (State(generation.state),))
    for source in sources:
        if not may_move(source, target):
            raise ValueError(f"{source} -> {target} is not a move of the graph")
    rows = Generation.objects.filter(pk=generation.pk, state__in=sources)
    if lease is not None:
        rows = rows.filter(lease_until=lease)
    values = {"state": target, "status": status_of(target), "updated_at": timezone.now(),
              **fields}
    if new_lease is None:
        values.update(lease_owner="", lease_until=None)
    elif new_lease is not _KEEP:
        values["lease_owner"], values["lease_until"] = new_lease
    if not _write(rows, values, generation):
        found = Generation.objects.filter(pk=generation.pk).values_list("state", flat=True)
        log.info("move_skipped", extra={"generation": generation.pk, "target": target,
                                        "expected": list(sources), "found": found.first()})
        return False
    source = generation.state
    for name, value in values.items():
        if not hasattr(value, "resolve_expression"):
            setattr(generation, name, value)
    transaction.on_commit(lambda: moved.send(Generation, generation_id=generation.pk,
                                             source=source, target=target))
    return True


def _write(rows, values: dict, generation: Generation) -> int:
    """The guarded update; 0 also when it would give the row a usage record another
    generation holds (the database refuses: a record is one call's)."""
    try:
        with transaction.atomic():
            return rows.update(**values)
    except IntegrityError:
        log.error("usage_id_taken", extra={"generation": generation.pk,
                                           "usage_id": values.get("usage_id")})
        return 0


def _lease(now: datetime) -> tuple[str, datetime]:
    return worker_name(), now + lease_span()


# --- the dispatcher's moves ------------------------------------------------------


def dispatch(generation: Generation, token_key: str, now: datetime) -> Attempt | None:
    """queued -> dispatched: a rate-limit slot taken, recorded as an attempt."""
    with transaction.atomic():
        if not _move(generation, State.DISPATCHED, new_lease=_lease(now),
                     started_at=Coalesce("started_at", now), not_before=None,
                     queue_position=None, expected_start_at=None):
            return None
        return Attempt.objects.create(
            generation_id=generation.pk, number=generation.attempt_log.count() + 1,
            token_key=token_key, kind=generation.kind, sent_at=now)


def take_local(generation: Generation, now: datetime) -> datetime | None:
    """queued -> dispatched: a local kind (mix, sequence) handed to a worker to make;
    no slot, no attempt. The lease (its token), or None."""
    lease = _lease(now)
    if not _move(generation, State.DISPATCHED, new_lease=lease,
                 started_at=Coalesce("started_at", now), queue_position=None,
                 expected_start_at=None):
        return None
    return lease[1]


def start_making(generation: Generation, now: datetime) -> bool:
    """A worker begins making the local kind it was handed: one more try counted (the
    lapse move gives up past STUDIO_MAKE_ATTEMPTS), the lease running from now. Not
    a move: the row stays dispatched."""
    owner, until = _lease(now)
    taken = Generation.objects.filter(
        pk=generation.pk, state=State.DISPATCHED, lease_until=generation.lease_until,
    ).update(tries=F("tries") + 1, lease_owner=owner, lease_until=until,
             updated_at=timezone.now())
    if taken:
        generation.tries += 1
        generation.lease_owner, generation.lease_until = owner, until
    return bool(taken)


def made(generation: Generation, media_fields: Iterable[str]) -> bool:
    """dispatched -> succeeded: a local kind made and stored under its lease."""
    media = {name: getattr(generation, name) for name in media_fields}
    return _finish(generation, State.SUCCEEDED, (State.DISPATCHED,), charged=False,
                   **media)


def publish_place(generation: Generation, position: int, start: datetime) -> None:
    """A queued job's place in line and expected start, for its card."""
    if Generation.objects.filter(pk=generation.pk, state=State.QUEUED).update(
            queue_position=position, expected_start_at=start, updated_at=timezone.now()):
        live.card_changed(generation)


def take_follow_up(generation_id: int, due_at: datetime, now: datetime) -> datetime | None:
    """A due poll or check taken under a lease; the lease (its token), or None."""
    until = now + lease_span()
    taken = Generation.objects.filter(
        pk=generation_id, state__in=FOLLOWED_UP, follow_up_at=due_at, lease_until=None,
    ).update(lease_owner=worker_name(), lease_until=until)
    return until if taken else None


def lapsed_leases(now: datetime):
    """Rows whose worker is gone: the lease ran out, or its owner stopped beating."""
    silent = Heartbeat.objects.filter(seen_at__lt=now - heartbeat_silence()).values("name")
    return (Generation.objects.exclude(lease_until=None)
            .filter(Q(lease_until__lt=now) | Q(lease_owner__in=silent))
            .select_related("team"))


def reclaim(generation: Generation, now: datetime) -> bool:
    """The lapse move of the state the dead worker left the row in."""
    target = GRAPH[State(generation.state)].on_lapse
    if target is None:
        return False
    if generation.kind in catalog.LOCAL_KINDS and generation.state == State.DISPATCHED:
        return _reclaim_making(generation)
    fields = {"follow_up_at": now} if target in FOLLOWED_UP else {}
    if generation.state == State.SENDING:
        fields.update(error_code="worker_lost", error_message=(
            "The worker stopped during the call; checking with the API whether it was "
            "charged before sending it again."))
    with transaction.atomic():
        if not _move(generation, target, lease=generation.lease_until, **fields):
            return False
        _lose_open_attempts(generation, now)
    log.warning("reclaimed", extra={"generation": generation.pk, "to": target,
                                    "owner": generation.lease_owner})
    return True


def _reclaim_making(generation: Generation) -> bool:
    """A mix or a sequence whose worker died: made again, until it was begun
    STUDIO_MAKE_ATTEMPTS times; then failed, so it never takes a worker again."""
    tries, most = generation.tries, settings.STUDIO_MAKE_ATTEMPTS
    if tries >= most:
        moved = _finish(generation, State.FAILED, (State.DISPATCHED,), charged=False,
                        code="worker_lost", message=(
                            f"The worker making this stopped before it finished, {tries} "
                            "times (it ran out of time or memory, or was restarted), so "
                            "it will not be made again. Nothing was kept; try shorter or "
                            "smaller parts, and tell an admin if it happens again."))
    else:  # a task the broker lost (no try yet) goes back quietly
        said = {"error_code": "worker_lost", "error_message": (
            f"The worker making this stopped before it finished (try {tries} of {most}); "
            "making it again.")} if tries else {}
        moved = _move(generation, State.QUEUED, lease=generation.lease_until, **said)
    if moved:
        log.warning("reclaimed", extra={"generation": generation.pk, "tries": tries,
                                        "owner": generation.lease_owner})
    return moved


def hand_back_unsent(owner: str) -> int:
    """A stopping worker gives back what it dispatched and no worker started yet."""
    now = clock.now()
    unsent = Generation.objects.filter(state=State.DISPATCHED, lease_owner=owner)
    return sum(reclaim(generation, now) for generation in unsent)


def _lose_open_attempts(generation: Generation, now: datetime) -> None:
    Attempt.objects.filter(
        generation=generation, outcome__in=(Attempt.Outcome.DISPATCHED,
                                            Attempt.Outcome.IN_FLIGHT),
    ).update(outcome=Attempt.Outcome.LOST, finished_at=now, error_code="worker_lost",
             error_message="The worker stopped before this call finished.")


# --- a person's moves -------------------------------------------------------------


# The states a generation can still be canceled from: no call of it may be going out.
CANCELABLE = (State.HELD, State.QUEUED, State.PAUSED)


def cancel(generation: Generation, reason: str = "") -> bool:
    """held, queued or paused -> canceled; refused once a call may be going out."""
    return _move(generation, State.CANCELED, sources=CANCELABLE,
                 finished_at=clock.now(), queue_position=None, expected_start_at=None,
                 not_before=None, error_message=reason)


def waited_in_vain(generation: Generation, reason: str) -> bool:
    """queued -> failed: a row it waits for failed or was canceled. Nothing was sent,
    so nothing is charged, and its reserved credits are free again."""
    return _finish(generation, State.FAILED, (State.QUEUED,), charged=False,
                   code="part_failed", message=reason, queue_position=None,
                   expected_start_at=None, not_before=None)


def approve(generation: Generation) -> bool:
    """held -> queued: an admin let the set spend its credits."""
    return _move(generation, State.QUEUED, sources=(State.HELD,))


def pause(generation: Generation) -> bool:
    """queued -> paused: it keeps its turn's order but takes no slot until resumed."""
    return _move(generation, State.PAUSED, sources=(State.QUEUED,), queue_position=None,
                 expected_start_at=None)


def resume(generation: Generation) -> bool:
    """paused -> queued."""
    return _move(generation, State.QUEUED, sources=(State.PAUSED,))


def move_to_top(generation: Generation) -> bool:
    """First among its author's waiting work of its kind (their own order; turns
    between members stay fair)."""
    waiting = Generation.objects.for_team(generation.team_id).filter(
        kind=generation.kind, author_id=generation.author_id,
        state__in=(State.QUEUED, State.PAUSED))
    first = waiting.exclude(pk=generation.pk).order_by("rank").values_list(
        "rank", flat=True).first()
    rank = min(generation.rank, first - 1) if first is not None else generation.rank
    return _queue_write(generation, rank=rank)


def set_lane(generation: Generation, lane: str) -> bool:
    return _queue_write(generation, lane=lane)


def _queue_write(generation: Generation, **fields) -> bool:
    """Where a waiting job stands in line; nothing once it may be going out."""
    written = Generation.objects.filter(
        pk=generation.pk, state__in=(State.QUEUED, State.PAUSED)).update(
        updated_at=timezone.now(), **fields)
    for name, value in fields.items():
        setattr(generation, name, value)
    return bool(written)


# --- the sending worker's moves ---------------------------------------------------


def start_sending(attempt_id: int) -> Attempt | None:
    """dispatched -> sending, stamping the real send time; None if this attempt was
    already started, or reclaimed because its task came too late.

    The generation row is written before the attempt, in the order `reclaim` writes
    them, so the two never wait on each other's locks."""
    now = clock.now()
    attempt = (Attempt.objects.select_related("generation__team")
               .filter(pk=attempt_id, outcome=Attempt.Outcome.DISPATCHED).first())
    if attempt is None:
        return None
    with transaction.atomic():
        if not _move(attempt.generation, State.SENDING, sources=(State.DISPATCHED,),
                     new_lease=_lease(now)):
            return None
        started = Attempt.objects.filter(pk=attempt_id, outcome=Attempt.Outcome.DISPATCHED)\
            .update(outcome=Attempt.Outcome.IN_FLIGHT, sent_at=now)
        if not started:
            transaction.set_rollback(True)
            return None
    attempt.outcome, attempt.sent_at = Attempt.Outcome.IN_FLIGHT, now
    return attempt


def answered(generation: Generation, *, usage_id: str | None, credits_used: int | None,
             credits_remaining: int | None, with_media: bool, at: datetime) -> bool:
    """sending -> storing (the media came) or awaiting_provider (the provider works)."""
    observe_balance(generation.team, credits_remaining, at)
    holder = usage_holder(usage_id, generation)
    if holder is not None:
        _refuse_taken_usage(generation, usage_id, holder)
        return False  # nothing of this answer is stored
    charge = {"usage_id": usage_id or "", "credits_used": credits_used,
              "credits_remaining": credits_remaining}
    if with_media:
        return _move(generation, State.STORING, sources=(State.SENDING,),
                     lease=generation.lease_until, new_lease=_KEEP, **charge)
    return _await_provider(generation, (State.SENDING,), **charge)


def _refuse_taken_usage(generation: Generation, usage_id: str, holder: int) -> None:
    log.error("usage_id_taken", extra={"generation": generation.pk, "holder": holder,
                                       "usage_id": usage_id})
    _finish(generation, State.FAILED, (State.SENDING,), charged=False,
            code="usage_conflict", message=(
                f"The API's answer named a usage record that #{holder} already holds, so "
                "its charge is booked there, once. Nothing was kept; submit again, and "
                "tell an admin."))


def usage_holder(usage_id: str | None, generation: Generation) -> int | None:
    """Another generation that holds `usage_id`, if one does."""
    if not usage_id:
        return None
    return (Generation.objects.filter(usage_id=usage_id).exclude(pk=generation.pk)
            .values_list("pk", flat=True).first())


def _await_provider(generation: Generation, sources: tuple[State, ...], **fields) -> bool:
    return _move(generation, State.AWAITING_PROVIDER, sources=sources,
                 lease=generation.lease_until,
                 follow_up_at=clock.now() + timedelta(seconds=settings.STUDIO_PROVIDER_POLL),
                 **fields)


def retry_later(generation: Generation, at: datetime, code: str, message: str) -> bool:
    """sending -> queued, not sent again before `at` (a 429, a 5xx, no connection)."""
    return _move(generation, State.QUEUED, sources=(State.SENDING,),
                 lease=generation.lease_until, not_before=at, error_code=code,
                 error_message=message)


def call_lost(generation: Generation, code: str, message: str, *,
              at: datetime | None = None) -> bool:
    """sending -> checking: the call may have reached the API; ask before resending."""
    due = at or clock.now() + timedelta(seconds=settings.STUDIO_RECOVERY_DELAY)
    return _move(generation, State.CHECKING, sources=(State.SENDING,),
                 lease=generation.lease_until, follow_up_at=due, error_code=code,
                 error_message=message)


def refused(generation: Generation, code: str, message: str) -> bool:
    """sending -> failed: the API refused the call (nothing was charged)."""
    return _finish(generation, State.FAILED, (State.SENDING,), code=code, message=message,
                   charged=False)


# --- storing, and the follow-ups' moves -------------------------------------------


def stored(generation: Generation, media_fields: Iterable[str]) -> bool:
    """storing -> succeeded with the media fields the worker filled in; the charge
    booked in the same transaction."""
    media = {name: getattr(generation, name) for name in media_fields}
    return _finish(generation, State.SUCCEEDED, (State.STORING,), charged=True, **media)


def fail(generation: Generation, code: str, message: str, *, charged: bool,
         **fields) -> bool:
    """Any working state -> failed, with a reason a person can act on; the charge, if
    the API made one, booked in the same transaction. `fields`: what the last usage
    record said (usage_id, credits_used)."""
    return _finish(generation, State.FAILED, None, code=code, message=message,
                   charged=charged, **fields)


def _finish(generation: Generation, target: State, sources: tuple[State, ...] | None, *,
            charged: bool, code: str = "", message: str = "", **fields) -> bool:
    with transaction.atomic():
        if not _move(generation, target, sources=sources, lease=generation.lease_until,
                     finished_at=clock.now(), error_code=code, error_message=message,
                     follow_up_at=None, **fields):
            return False
        if charged:
            ledger.book_charge(**charge_of(generation))
    return True


def charge_of(generation: Generation) -> dict:
    """The plain values the ledger books for a generation's charge."""
    credits = generation.credits_used
    return {"team": generation.team, "generation_id": generation.pk,
            "member": generation.author, "kind": generation.kind,
            "usage_id": generation.usage_id,
            "credits": generation.cost if credits is None else credits,
            "credits_remaining": generation.credits_remaining}


def follow_up_later(generation: Generation, at: datetime, **fields) -> bool:
    """awaiting_provider or checking, again at `at`; the lease given back."""
    return _move(generation, State(generation.state), lease=generation.lease_until,
                 follow_up_at=at, **fields)


def provider_done(generation: Generation, usage_id: str, credits_used: int | None) -> bool:
    """awaiting_provider or checking -> storing: a completed usage record to store."""
    fields = {"usage_id": usage_id}
    if credits_used is not None:
        fields["credits_used"] = credits_used
    return _move(generation, State.STORING, lease=generation.lease_until,
                 new_lease=_KEEP, follow_up_at=None, **fields)


def charge_found_pending(generation: Generation, usage_id: str,
                         credits_used: int | None) -> bool:
    """checking -> awaiting_provider: the lost call was charged and is still rendering."""
    return _await_provider(generation, (State.CHECKING,), usage_id=usage_id,
                           credits_used=credits_used, credits_remaining=None)


def not_charged(generation: Generation, message: str) -> bool:
    """checking -> queued: the lost call never reached the API's books; send again."""
    return _move(generation, State.QUEUED, sources=(State.CHECKING,),
                 lease=generation.lease_until, follow_up_at=None, not_before=None,
                 error_message=message)


def beat(now: datetime | None = None) -> None:
    """This worker is alive: leases it holds stay its own."""
    Heartbeat.objects.update_or_create(name=worker_name(),
                                       defaults={"seen_at": now or clock.now()})
