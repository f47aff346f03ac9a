"""django-q2 task functions: the only code that calls the Multimodal API client."""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from studio.generations import storage
from studio.generations.models import Generation, Status
from studio.lib import clock
from studio.multimodal import errors
from studio.multimodal.client import GenerationResult, MultimodalClient
from studio.teams.models import Team

log = logging.getLogger(__name__)

TASK = "studio.generations.tasks.run_generation"

HINTS = {
    errors.InvalidRequest: "Change the highlighted values and submit again.",
    errors.AuthenticationFailed: "An admin can check the API token in Team settings.",
    errors.Forbidden: "The team's API plan does not allow this; an admin can check "
                      "the token and tier in Team settings.",
    errors.InsufficientCredits: "Top up the team's credits, then submit again.",
    errors.MalformedAnswer: "Nothing was stored; submit again, and tell an admin if "
                            "it keeps happening.",
}


def enqueue(generation: Generation) -> None:
    """Queue the generation's call once the row it reads is committed."""
    transaction.on_commit(
        lambda: async_task(TASK, generation.pk, task_name=f"generation-{generation.pk}")
    )


def run_generation(generation_id: int) -> str:
    generation = claim(generation_id)
    if generation is None:
        return "skipped"
    log.info("generation=%s kind=%s attempt=%s", generation.pk, generation.kind,
             generation.attempts)
    try:
        result = call_api(generation)
        try:
            store_result(generation, result)
        finally:
            result.close()
    except errors.RateLimited as exc:
        retry_later(generation, wait_after_429(generation, exc), exc, counts=False)
    except errors.MultimodalError as exc:
        if exc.retryable and generation.attempts < settings.STUDIO_MAX_ATTEMPTS:
            retry_later(generation, settings.STUDIO_RETRY_DELAY * random.uniform(1, 1.2),
                        exc)
        else:
            fail(generation, error_code(exc), message_for(exc))
    except Exception:
        # Never leave a row running forever because of a bug of ours.
        log.exception("generation=%s failed inside the studio", generation.pk)
        fail(generation, "internal_error", "The studio hit an unexpected error while "
             "storing this result. Submit again; an admin can find it in the logs.")
    return generation.status


def claim(generation_id: int) -> Generation | None:
    """Move a queued row to running, exactly once, however often the task is sent."""
    with transaction.atomic():
        generation = (Generation.objects.select_for_update().select_related("team")
                      .filter(pk=generation_id, status=Status.QUEUED).first())
        if generation is None:
            return None
        generation.status = Status.RUNNING
        generation.attempts += 1
        generation.started_at = generation.started_at or timezone.now()
        generation.next_attempt_at = None
        generation.save(update_fields=["status", "attempts", "started_at",
                                       "next_attempt_at", "updated_at"])
    return generation


def client_for(team: Team) -> MultimodalClient:
    if not team.api_token:
        raise errors.AuthenticationFailed(
            "This team has no API token yet.", status_code=None)
    return MultimodalClient(team.effective_api_url, team.api_token,
                            timeout=settings.MULTIMODAL_TIMEOUT)


def call_api(generation: Generation) -> GenerationResult:
    with client_for(generation.team) as client:
        return client.generate(generation.kind, generation.params)


def store_result(generation: Generation, result: GenerationResult) -> None:
    if result.media is None:
        raise errors.MalformedAnswer("The API answered without any media.")
    storage.save_media(generation, result)
    with transaction.atomic():
        generation.status = Status.SUCCEEDED
        generation.finished_at = timezone.now()
        generation.error_code = generation.error_message = ""
        generation.save()
        record_charge(generation)


def record_charge(generation: Generation) -> None:
    from studio.credits.ledger import record_generation_charge

    record_generation_charge(generation)


def retry_later(generation: Generation, delay: float, exc: errors.MultimodalError,
                counts: bool = True) -> None:
    """Back to the queue with the reason shown, sent again after `delay` seconds."""
    run_at = clock.now() + timedelta(seconds=delay)
    generation.status = Status.QUEUED
    generation.next_attempt_at = run_at
    generation.error_code = error_code(exc)
    generation.error_message = f"{exc.message} Trying again at {run_at:%H:%M:%S} UTC."
    if not counts:
        generation.attempts -= 1
    generation.save()
    Schedule.objects.create(
        func=TASK, args=repr((generation.pk,)), schedule_type=Schedule.ONCE,
        repeats=1, next_run=run_at, name=f"retry-generation-{generation.pk}-"
                                          f"{generation.attempts}",
    )


def wait_after_429(generation: Generation, exc: errors.RateLimited) -> float:
    from studio.multimodal.catalog import rate_limit

    return exc.retry_after or rate_limit(generation.kind)[1]


def fail(generation: Generation, code: str, message: str) -> None:
    generation.status = Status.FAILED
    generation.error_code = code
    generation.error_message = message
    generation.finished_at = timezone.now()
    generation.save()


def error_code(exc: errors.MultimodalError) -> str:
    return exc.code


def message_for(exc: errors.MultimodalError) -> str:
    hint = HINTS.get(type(exc))
    if exc.retryable:
        hint = f"Gave up after {settings.STUDIO_MAX_ATTEMPTS} attempts; submit again later."
    return f"{exc.message} {hint}".strip() if hint else exc.message
