"""django-q2 task functions: they call the Multimodal API and map what happened to a
move of the state graph (states.py, made by lifecycle.py).

The dispatcher (dispatch.py) decides when a call may go and takes its rate-limit
slot; `send_attempt` makes the call. `follow_up` does what a running generation waits
for: poll a long-running provider job, or find out what became of a call whose
answer was lost before sending it again.
"""

import logging
import random
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timedelta

from django.conf import settings

from studio.generations import lifecycle, recovery, runner, sources, storage
from studio.generations.models import Attempt, Generation, RateWindow
from studio.generations.states import FOLLOWED_UP, State
from studio.lib import clock
from studio.multimodal import errors
from studio.multimodal.answers import GenerationResult, MediaAnswer, UsageRecord
from studio.multimodal.catalog import (
    USAGE_COMPLETED,
    USAGE_FAILED,
    USAGE_IN_PROGRESS,
    rate_limit,
)
from studio.multimodal.client import MultimodalClient
from studio.teams.client import client_for

log = logging.getLogger(__name__)

HINTS = {
    errors.InvalidRequest: "Change the values and submit again.",
    errors.AuthenticationFailed: "An admin can check the API token in Team settings.",
    errors.Forbidden: "The team's API plan does not allow this; an admin can check "
                      "the token and tier in Team settings.",
    errors.InsufficientCredits: "Top up the team's credits, then submit again.",
    errors.MalformedAnswer: "Nothing was stored; submit again, and tell an admin if "
                            "it keeps happening.",
    errors.AddressRefused: "An admin can correct the API URL in Team settings.",
}


class WorkerStopping(BaseException):
    """SIGTERM reached a worker in the middle of a task (a deploy, a scale-down)."""


@contextmanager
def handed_back_on_stop(generation: Generation) -> Iterator[None]:
    """On SIGTERM, give the job back at once (the move its state makes when a worker
    dies, without waiting for the lease to lapse) and let the process exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise WorkerStopping()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    except WorkerStopping:
        generation.refresh_from_db()
        lifecycle.reclaim(generation, clock.now())
        log.warning("handed_back", extra={"generation": generation.pk,
                                          "state": generation.state})
        raise SystemExit(0) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- sending ------------------------------------------------------------------------


def send_attempt(attempt_id: int) -> str:
    """Make the call the dispatcher took a slot for, at most once per attempt."""
    attempt = lifecycle.start_sending(attempt_id)
    if attempt is None:
        return "skipped"
    generation = attempt.generation
    log.info("sending", extra={"generation": generation.pk, "kind": generation.kind,
                               "attempt": attempt.number, "team": generation.team_id})
    began = time.monotonic()
    with handed_back_on_stop(generation):
        try:
            with client_for(generation.team) as client:
                result = client.generate(generation.kind, sources.api_params(generation))
        except errors.MultimodalError as exc:
            finish_attempt(attempt, began, exc)
            after_refusal(generation, attempt, exc)
        else:
            with closing(result):
                finish_attempt(attempt, began, None, result)
                take_result(generation, result)
    log.info("attempt", extra={
        "generation": generation.pk, "kind": generation.kind, "attempt": attempt.number,
        "outcome": attempt.outcome, "http_status": attempt.http_status,
        "latency_ms": attempt.latency_ms, "error": attempt.error_code or None,
        "status": generation.status, "team": generation.team_id})
    return generation.status


def finish_attempt(attempt: Attempt, began: float, exc: errors.MultimodalError | None,
                   result: GenerationResult | None = None) -> None:
    attempt.finished_at = clock.now()
    attempt.latency_ms = round((time.monotonic() - began) * 1000)
    if exc is None:
        attempt.http_status = result.http_status
        attempt.outcome = (Attempt.Outcome.SUCCEEDED if result.media is not None
                           else Attempt.Outcome.ACCEPTED)
    else:
        attempt.http_status = exc.status_code
        attempt.outcome = outcome_of(exc)
        attempt.error_code, attempt.error_message = exc.code, exc.message
    attempt.save()
    if attempt.outcome != Attempt.Outcome.RATE_LIMITED:
        runner.answer_arrived()


def outcome_of(exc: errors.MultimodalError) -> str:
    if isinstance(exc, errors.RateLimited):
        return Attempt.Outcome.RATE_LIMITED
    if exc.may_have_reached_api:
        return Attempt.Outcome.LOST
    return Attempt.Outcome.ERROR if exc.retryable else Attempt.Outcome.REFUSED


def take_result(generation: Generation, result: GenerationResult) -> None:
    answered = lifecycle.answered(
        generation, usage_id=result.usage_id, credits_used=result.credits_used,
        credits_remaining=result.credits_remaining, with_media=result.media is not None,
        at=clock.now())
    if answered and result.media is not None:
        store(generation, result)


def after_refusal(generation: Generation, attempt: Attempt,
                  exc: errors.MultimodalError) -> None:
    if isinstance(exc, errors.RateLimited):
        until = clock.now() + timedelta(
            seconds=exc.retry_after or rate_limit(generation.kind)[1])
        RateWindow.block(attempt.token_key, generation.kind, until)
        retry_at(generation, until, exc)
    elif exc.may_have_reached_api:
        lifecycle.call_lost(generation, exc.code, f"{exc.message}. Checking with the API "
                            "whether it was charged before sending it again.")
    elif exc.retryable and generation.attempts < settings.STUDIO_MAX_ATTEMPTS:
        retry_at(generation, clock.now() + retry_delay(), exc)
    else:
        lifecycle.refused(generation, exc.code, message_for(exc))


def retry_at(generation: Generation, at: datetime, exc: errors.MultimodalError) -> None:
    lifecycle.retry_later(generation, at, exc.code,
                          f"{exc.message}. Trying again at {at:%H:%M:%S} UTC.")


def retry_delay() -> timedelta:
    """STUDIO_RETRY_DELAY plus jitter, so a burst of failures does not return at once."""
    return timedelta(seconds=settings.STUDIO_RETRY_DELAY * random.uniform(1.0, 1.2))


def message_for(exc: errors.MultimodalError) -> str:
    hint = HINTS.get(type(exc))
    if exc.retryable:
        hint = f"Gave up after {settings.STUDIO_MAX_ATTEMPTS} attempts; submit again later."
    message = exc.message.rstrip(".")
    return f"{message}. {hint}" if hint else f"{message}."


# --- storing ------------------------------------------------------------------------


def store(generation: Generation, answer: MediaAnswer) -> None:
    """storing -> succeeded with the media, or failed with none kept; the API charged
    either way, so the charge is booked either way."""
    try:
        storage.save_media(generation, answer)
    except errors.MultimodalError as exc:
        storage.discard_media(generation)
        lifecycle.fail(generation, exc.code, message_for(exc), charged=True)
        return
    except Exception as exc:  # a file no check foresaw must not leave the job storing
        log.exception("store_failed", extra={"generation": generation.pk})
        storage.discard_media(generation)
        lifecycle.fail(generation, "store_failed", (
            f"The API's answer could not be stored ({type(exc).__name__}: {exc}"[:300]
            + "). The charge is in the credit ledger; submit again, and tell an admin "
            "if it keeps happening."), charged=True)
        return
    if not lifecycle.stored(generation, storage.MEDIA_FIELDS):
        storage.discard_media(generation)  # the job moved on without this worker


# --- following up -------------------------------------------------------------------


def follow_up(generation_id: int, lease: str) -> str:
    """Poll the provider's usage record, or settle a lost call; once per lease."""
    generation = (Generation.objects.select_related("team")
                  .filter(pk=generation_id, state__in=FOLLOWED_UP,
                          lease_until=datetime.fromisoformat(lease)).first())
    if generation is None:
        return "skipped"
    log.info("follow_up", extra={"generation": generation.pk, "state": generation.state,
                                 "team": generation.team_id})
    with handed_back_on_stop(generation):
        try:
            with client_for(generation.team) as client:
                if generation.state == State.AWAITING_PROVIDER:
                    poll_provider(generation, client)
                else:
                    settle_lost_call(generation, client)
        except errors.MultimodalError as exc:
            follow_up_failed(generation, exc)
    return generation.status


def poll_provider(generation: Generation, client: MultimodalClient) -> None:
    with closing(client.get_usage(generation.usage_id)) as record:
        if record.status == USAGE_COMPLETED:
            take_record(generation, record)
        elif record.status == USAGE_FAILED:
            message = (record.error or "The provider could not render this") + \
                ". Submit again; nothing more will happen to this one."
            lifecycle.fail(generation, "provider_failed", message,
                           charged=bool(record.credits_used), **charge_in(record))
        else:
            lifecycle.follow_up_later(generation, clock.now() + timedelta(
                seconds=settings.STUDIO_PROVIDER_POLL))


def charge_in(record: UsageRecord) -> dict:
    fields = {"usage_id": record.usage_id}
    if record.credits_used is not None:
        fields["credits_used"] = record.credits_used
    return fields


def take_record(generation: Generation, record: UsageRecord) -> None:
    """A completed usage record: store its media, or fail with its charge booked."""
    if record.media is None:
        lifecycle.fail(generation, "answer_lost", (
            "The API charged this call but its answer never arrived, so there is "
            "nothing to show. The charge is in the credit ledger; submit again to get "
            "the result."), charged=True, **charge_in(record))
    elif lifecycle.provider_done(generation, record.usage_id, record.credits_used):
        store(generation, record)


def settle_lost_call(generation: Generation, client: MultimodalClient) -> None:
    """Charged: finish from the usage record. Not charged: send it again."""
    if generation.usage_id:  # storing was cut short: the record is known
        record = client.get_usage(generation.usage_id)
    else:
        lost = generation.attempt_log.filter(outcome=Attempt.Outcome.LOST).last()
        record = recovery.find_charge(client, generation, lost)
        if record is recovery.WAIT:
            wait_for_overlapping_calls(generation)
            return
        if record is None:
            requeue_after_loss(generation, lost)
            return
    with closing(record):
        if record.status in USAGE_IN_PROGRESS:
            lifecycle.charge_found_pending(generation, record.usage_id, record.credits_used)
        elif record.status == USAGE_COMPLETED:
            take_record(generation, record)
        else:
            lifecycle.fail(generation, "answer_lost", (
                "The API's answer to this call was lost, and its usage record says it "
                f"{record.error or 'failed'}. Submit again."), charged=False,
                **charge_in(record))


def wait_for_overlapping_calls(generation: Generation) -> None:
    """Another call of the window could own the record this one might have made:
    ask again once it has settled, or give up at the follow-up limit (reconciliation
    books a record nobody claimed)."""
    if timed_out(generation):
        lifecycle.fail(generation, "answer_lost", (
            "The API's answer to this call was lost, and calls sent beside it kept the "
            "studio from telling whether it was charged. Any charge is in the credit "
            "ledger; submit again."), charged=False)
        return
    log.info("check_waits", extra={"generation": generation.pk})
    lifecycle.follow_up_later(generation, clock.now() + timedelta(
        seconds=settings.STUDIO_RECOVERY_DELAY))


def requeue_after_loss(generation: Generation, lost: Attempt | None) -> None:
    if generation.attempts >= settings.STUDIO_MAX_ATTEMPTS:
        last_error = (lost.error_message if lost else "").rstrip(".") or \
            "The API's answers kept getting lost"
        lifecycle.fail(generation, generation.error_code or "connection_error",
                       f"{last_error}. Gave up after {settings.STUDIO_MAX_ATTEMPTS} "
                       "attempts; submit again later.", charged=False)
        return
    lifecycle.not_charged(generation, "The last call was lost before the API charged "
                                      "it; sending it again.")


def follow_up_failed(generation: Generation, exc: errors.MultimodalError) -> None:
    if exc.retryable and not timed_out(generation):
        lifecycle.follow_up_later(generation, clock.now() + retry_delay())
    else:
        lifecycle.fail(generation, exc.code, message_for(exc),
                       charged=bool(generation.usage_id))


def timed_out(generation: Generation) -> bool:
    started = generation.started_at or generation.created_at
    return clock.now() - started > timedelta(seconds=settings.STUDIO_FOLLOW_UP_LIMIT)
