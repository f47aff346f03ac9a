"""django-q2 task functions: the only code that calls the Multimodal API client.

The dispatcher (dispatch.py) decides when a call may go and takes its rate-limit
slot; `send_attempt` makes the call and records what happened. `follow_up` does what
a running generation waits for: poll a long-running provider job, or find out
whether a call whose answer was lost was charged before sending it again.
"""

import logging
import random
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from studio.generations import recovery, signing, storage
from studio.generations.api import client_for
from studio.generations.dispatch import block_window
from studio.generations.models import Attempt, FollowUp, Generation, Status
from studio.lib import clock
from studio.multimodal import catalog, errors
from studio.multimodal.catalog import rate_limit
from studio.multimodal.client import GenerationResult, MultimodalClient, UsageRecord

log = logging.getLogger(__name__)

HINTS = {
    errors.InvalidRequest: "Change the values and submit again.",
    errors.AuthenticationFailed: "An admin can check the API token in Team settings.",
    errors.Forbidden: "The team's API plan does not allow this; an admin can check "
                      "the token and tier in Team settings.",
    errors.InsufficientCredits: "Top up the team's credits, then submit again.",
    errors.MalformedAnswer: "Nothing was stored; submit again, and tell an admin if "
                            "it keeps happening.",
}


# --- sending ------------------------------------------------------------------------


def send_attempt(attempt_id: int) -> str:
    """Make the call the dispatcher took a slot for, at most once per attempt."""
    attempt = start_attempt(attempt_id)
    if attempt is None:
        return "skipped"
    generation = attempt.generation
    log.info("sending", extra={"generation": generation.pk, "kind": generation.kind,
                               "attempt": attempt.number, "team": generation.team_id})
    began = time.monotonic()
    try:
        with client_for(generation.team) as client:
            result = client.generate(generation.kind, api_params(generation))
    except errors.MultimodalError as exc:
        finish_attempt(attempt, began, exc)
        after_refusal(generation, attempt, exc)
    else:
        finish_attempt(attempt, began, None, result)
        try:
            take_result(generation, result)
        finally:
            result.close()
    log.info("attempt", extra={
        "generation": generation.pk, "kind": generation.kind, "attempt": attempt.number,
        "outcome": attempt.outcome, "http_status": attempt.http_status,
        "latency_ms": attempt.latency_ms, "error": attempt.error_code or None,
        "status": generation.status, "team": generation.team_id})
    return generation.status


def api_params(generation: Generation) -> dict:
    """The stored parameters; an I2V source from the team gets a fresh signed link."""
    if generation.kind != catalog.VIDEO_I2V:
        return generation.params
    return {**generation.params, "image_url": signing.image_url_for(generation)}


def start_attempt(attempt_id: int) -> Attempt | None:
    """Stamp the real send time; None if this attempt already started or was lost."""
    started = Attempt.objects.filter(pk=attempt_id, outcome=Attempt.Outcome.DISPATCHED)\
        .update(outcome=Attempt.Outcome.IN_FLIGHT, sent_at=clock.now())
    if not started:
        return None
    return Attempt.objects.select_related("generation__team").get(pk=attempt_id)


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


def outcome_of(exc: errors.MultimodalError) -> str:
    if isinstance(exc, errors.RateLimited):
        return Attempt.Outcome.RATE_LIMITED
    if exc.may_have_reached_api:
        return Attempt.Outcome.LOST
    return Attempt.Outcome.ERROR if exc.retryable else Attempt.Outcome.REFUSED


# --- answers ------------------------------------------------------------------------


def take_result(generation: Generation, result: GenerationResult) -> None:
    generation.usage_id = result.usage_id or ""
    generation.credits_used = result.credits_used
    generation.credits_remaining = result.credits_remaining
    if result.media is None:
        wait_for_provider(generation)
    else:
        store_and_succeed(generation, result)


def store_and_succeed(generation: Generation, result: GenerationResult | UsageRecord) -> None:
    try:
        storage.save_media(generation, result)
    except errors.MultimodalError as exc:
        # Charged but unusable: the ledger still records the charge.
        fail(generation, exc.code, message_for(exc), charged=True)
        return
    finish(generation, Status.SUCCEEDED, charged=True)


def wait_for_provider(generation: Generation) -> None:
    """The long-running shape: follow the usage record without holding a worker."""
    generation.follow_up = FollowUp.PROVIDER
    generation.next_attempt_at = clock.now() + timedelta(
        seconds=settings.STUDIO_PROVIDER_POLL)
    generation.save()


def after_refusal(generation: Generation, attempt: Attempt,
                  exc: errors.MultimodalError) -> None:
    if isinstance(exc, errors.RateLimited):
        until = clock.now() + timedelta(
            seconds=exc.retry_after or rate_limit(generation.kind)[1])
        block_window(attempt.token_key, generation.kind, until)
        requeue(generation, until, exc)
    elif exc.may_have_reached_api:
        ask_whether_charged(generation, exc)
    elif exc.retryable and generation.attempts < settings.STUDIO_MAX_ATTEMPTS:
        requeue(generation, clock.now() + retry_delay(), exc)
    else:
        fail(generation, exc.code, message_for(exc))


def retry_delay() -> timedelta:
    """STUDIO_RETRY_DELAY plus jitter, so a burst of failures does not return at once."""
    return timedelta(seconds=settings.STUDIO_RETRY_DELAY * random.uniform(1.0, 1.2))


def requeue(generation: Generation, at: datetime, exc: errors.MultimodalError) -> None:
    """Back to the queue with the reason on the card; dispatched again at `at`."""
    generation.status = Status.QUEUED
    generation.follow_up = FollowUp.NONE
    generation.next_attempt_at = at
    generation.error_code = exc.code
    generation.error_message = f"{exc.message}. Trying again at {at:%H:%M:%S} UTC."
    generation.save()


def ask_whether_charged(generation: Generation, exc: errors.MultimodalError) -> None:
    """The call may have reached the API: find out if it was charged before resending."""
    generation.follow_up = FollowUp.RECOVERY
    generation.next_attempt_at = clock.now() + timedelta(
        seconds=settings.STUDIO_RECOVERY_DELAY)
    generation.error_code = exc.code
    generation.error_message = (f"{exc.message}. Checking with the API whether it was "
                                "charged before sending it again.")
    generation.save()


def finish(generation: Generation, status: str, *, charged: bool) -> None:
    from studio.credits.ledger import record_generation_charge

    with transaction.atomic():
        generation.status = status
        generation.follow_up = FollowUp.NONE
        generation.next_attempt_at = None
        generation.finished_at = clock.now()
        if status == Status.SUCCEEDED:
            generation.error_code = generation.error_message = ""
        generation.save()
        if charged:
            record_generation_charge(generation)


def fail(generation: Generation, code: str, message: str, *, charged: bool = False) -> None:
    generation.error_code = code
    generation.error_message = message
    finish(generation, Status.FAILED, charged=charged)


def message_for(exc: errors.MultimodalError) -> str:
    hint = HINTS.get(type(exc))
    if exc.retryable:
        hint = f"Gave up after {settings.STUDIO_MAX_ATTEMPTS} attempts; submit again later."
    message = exc.message.rstrip(".")
    return f"{message}. {hint}" if hint else f"{message}."


# --- following up -------------------------------------------------------------------


def follow_up(generation_id: int, lease: str) -> str:
    """Poll the provider's usage record, or settle a lost call; once per lease."""
    generation = (Generation.objects.select_related("team")
                  .filter(pk=generation_id, status=Status.RUNNING,
                          next_attempt_at=datetime.fromisoformat(lease))
                  .exclude(follow_up=FollowUp.NONE).first())
    if generation is None:
        return "skipped"
    log.info("follow_up", extra={"generation": generation.pk, "what": generation.follow_up,
                                 "team": generation.team_id})
    try:
        with client_for(generation.team) as client:
            if generation.follow_up == FollowUp.PROVIDER:
                poll_provider(generation, client)
            else:
                settle_lost_call(generation, client)
    except errors.MultimodalError as exc:
        follow_up_failed(generation, exc)
    return generation.status


def poll_provider(generation: Generation, client: MultimodalClient) -> None:
    record = client.get_usage(generation.usage_id)
    try:
        if record.status == "completed":
            adopt_record(generation, record)
            store_and_succeed(generation, record)
        elif record.status == "failed":
            adopt_record(generation, record)
            fail(generation, "provider_failed", (record.error or "The provider could not "
                 "render this") + ". Submit again; nothing more will happen to this one.",
                 charged=bool(record.credits_used))
        else:
            generation.next_attempt_at = clock.now() + timedelta(
                seconds=settings.STUDIO_PROVIDER_POLL)
            generation.save()
    finally:
        record.close()


def adopt_record(generation: Generation, record: UsageRecord) -> None:
    generation.usage_id = record.id
    if record.credits_used is not None:
        generation.credits_used = record.credits_used


def settle_lost_call(generation: Generation, client: MultimodalClient) -> None:
    """Charged: finish from the usage record. Not charged: send it again."""
    lost = generation.attempt_log.filter(outcome=Attempt.Outcome.LOST).last()
    record = recovery.find_charge(client, generation, lost)
    if record is None:
        requeue_after_loss(generation, lost)
        return
    adopt_record(generation, record)
    generation.credits_remaining = None
    if record.status in ("pending", "processing"):
        wait_for_provider(generation)
    elif record.status == "completed" and record.media is not None:
        store_and_succeed(generation, record)
    else:
        fail(generation, "answer_lost", "The API charged this call but its answer never "
             "arrived, so there is nothing to show. The charge is in the credit ledger; "
             "submit again to get the result.", charged=record.status == "completed")


def requeue_after_loss(generation: Generation, lost: Attempt | None) -> None:
    if generation.attempts >= settings.STUDIO_MAX_ATTEMPTS:
        last_error = (lost.error_message if lost else "").rstrip(".") or \
            "The API's answers kept getting lost"
        fail(generation, generation.error_code or "connection_error",
             f"{last_error}. Gave up after {settings.STUDIO_MAX_ATTEMPTS} attempts; "
             "submit again later.")
        return
    generation.status = Status.QUEUED
    generation.follow_up = FollowUp.NONE
    generation.next_attempt_at = None
    generation.error_message = "The last call was lost before the API charged it; " \
                               "sending it again."
    generation.save()


def follow_up_failed(generation: Generation, exc: errors.MultimodalError) -> None:
    if exc.retryable and not timed_out(generation):
        generation.next_attempt_at = clock.now() + retry_delay()
        generation.save()
    else:
        fail(generation, exc.code, message_for(exc))


def timed_out(generation: Generation) -> bool:
    started = generation.started_at or generation.created_at
    return clock.now() - started > timedelta(seconds=settings.STUDIO_FOLLOW_UP_LIMIT)
