"""Webhooks, as the Standard Webhooks specification has them: each delivery signed
with the endpoint's `whsec_` secret (`webhook-id`, `webhook-timestamp`,
`webhook-signature`), retried with backoff for more than a day, every attempt kept.

Events come from the lifecycle's `moved` signal (after the move commits); deliveries
are sent by queue workers, and each pass of the worker's runner hands out the due
retries (runner.every_pass).
"""

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django_q.tasks import async_task

from studio.api import shapes
from studio.api.models import WebhookDelivery, WebhookEndpoint
from studio.api.times import rfc3339
from studio.generations import lifecycle, runner
from studio.generations.models import PENDING_STATUSES, Comment, Generation
from studio.generations.moments import note_made
from studio.generations.states import State
from studio.lib import clock, safe_http
from studio.review import statuses

DELIVER_TASK = "studio.api.webhooks.deliver"
# After each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (27.6 h in all).
BACKOFF = (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=5), timedelta(hours=10),
           timedelta(hours=10))
TIMEOUT = httpx.Timeout(10.0)
SENDING_SPAN = timedelta(seconds=60)
LOW_CREDITS = 1000


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def request_secret(team) -> str:
    """What signs the team's per-request webhooks (a `webhook` given with one
    submission): one secret per team, derived from SECRET_KEY, so a client verifies
    every such delivery with the secret GET /api/v1/webhooks/request-secret shows."""
    key = hmac.new(settings.SECRET_KEY.encode(), f"request-webhooks:{team.pk}".encode(),
                   hashlib.sha256).digest()[:24]
    return "whsec_" + base64.b64encode(key).decode()


def for_submission(generation_set, url: str, events: list[str]) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(
        team=generation_set.team, url=url, events=sorted(set(events)),
        secret=request_secret(generation_set.team), generation_set=generation_set)


def signature(secret: str, message_id: str, timestamp: int, body: str) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.{body}".encode()
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


# --- events ----------------------------------------------------------------------------


def connect() -> None:
    lifecycle.moved.connect(on_move, dispatch_uid="studio.api.webhooks")
    note_made.connect(on_note, sender=Comment, dispatch_uid="studio.api.webhooks.notes")
    statuses.review_changed.connect(on_review_changed, dispatch_uid="studio.api.webhooks.review")
    runner.every_pass(send_due)


def on_review_changed(sender, generation, status: str, by: str, **_) -> None:
    """`review.changed`: each change its own delivery (a status may come back)."""
    emit(generation.team, "review.changed",
         {"generation_id": generation.pk, "status": status, "by": by},
         f"review:{generation.pk}:{uuid.uuid4().hex}")


def on_move(sender, generation_id: int, source, target, **_) -> None:
    if target not in (State.SUCCEEDED, State.FAILED):
        return
    generation = Generation.objects.select_related("team", "generation_set", "author").filter(
        pk=generation_id).first()
    if generation is None or not listening(generation.team,
                                           generation.generation_set_id).exists():
        return
    team, set_id = generation.team, generation.generation_set_id
    event = "generation.succeeded" if target == State.SUCCEEDED else "generation.failed"
    emit(team, event, generation_data(generation), f"{event}:{generation.pk}", set_id)
    if set_id and set_finished(generation):
        emit(team, "set.finished", set_data(generation.generation_set), f"set:{set_id}",
             set_id)
    credits = team.credits_remaining
    if credits is not None and credits < LOW_CREDITS:
        emit(team, "credits.low", {"credits_remaining": credits},
             f"low:{generation.team_id}:{clock.now().date()}")


def listening(team, set_id: int | None = None):
    """The team's enabled webhooks, and those given with the submission `set_id`."""
    return team.webhooks.filter(disabled=False).filter(
        Q(generation_set=None) | Q(generation_set=set_id) if set_id
        else Q(generation_set=None))


def on_note(sender, comment: Comment, **_) -> None:
    team = comment.generation.team
    emit(team, "note.created", note_data(comment), f"note:{comment.pk}")


def note_data(comment: Comment) -> dict:
    return {"id": comment.pk, "generation_id": comment.generation_id,
            "author": comment.author.username if comment.author else None,
            "outside_name": comment.outside_name or None, "text": comment.text,
            "at": comment.at, "until": comment.until,
            "point": [comment.point_x, comment.point_y] if comment.has_point else None}


def generation_data(generation) -> dict:
    """The generation as GET /api/v1/generations/{id} shows it (its URLs absolute on
    the studio's public URL)."""
    # The API's schemas (django-ninja, pydantic) are read here, not when the app
    # loads: a worker that sends no webhook, or makes a film, does without them.
    from studio.api.schemas import GenerationOut

    shape = shapes.generation_shape(generation, shapes.origin_of(None))
    return GenerationOut(**shape).model_dump(mode="json")


def set_finished(generation) -> bool:
    return not generation.generation_set.generations.filter(
        status__in=PENDING_STATUSES).exists()


def set_data(generation_set) -> dict:
    counts = dict(generation_set.generations.values_list("status").annotate(n=Count("id")))
    return {"id": generation_set.pk, "kind": generation_set.kind,
            "size": generation_set.size, "cost": generation_set.cost,
            "succeeded": counts.get("succeeded", 0), "failed": counts.get("failed", 0),
            "canceled": counts.get("canceled", 0)}


def emit(team, event: str, data: dict, once: str,
         set_id: int | None = None) -> list[WebhookDelivery]:
    """One delivery per endpoint that wants `event` (the submission `set_id`'s own
    webhooks included); `once` makes it happen only once (a message id derived from
    it), however many processes see the move."""
    made = []
    for endpoint in listening(team, set_id):
        if event not in endpoint.events:
            continue
        message_id = "msg_" + uuid.uuid5(uuid.NAMESPACE_URL,
                                         f"{endpoint.pk}:{once}").hex
        payload = {"type": event, "timestamp": rfc3339(clock.now()), "data": data}
        try:
            with transaction.atomic():
                made.append(WebhookDelivery.objects.create(
                    endpoint=endpoint, message_id=message_id, event=event, payload=payload,
                    next_attempt_at=clock.now()))
        except IntegrityError:
            continue  # already emitted
    for delivery in made:
        transaction.on_commit(lambda pk=delivery.pk: async_task(DELIVER_TASK, pk))
    return made


def test(endpoint: WebhookEndpoint) -> WebhookDelivery:
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_" + uuid.uuid4().hex, event="webhook.test",
        payload={"type": "webhook.test", "timestamp": rfc3339(clock.now()),
                 "data": {"webhook_id": endpoint.pk}}, next_attempt_at=clock.now())
    transaction.on_commit(lambda: async_task(DELIVER_TASK, delivery.pk))
    return delivery


# --- sending ---------------------------------------------------------------------------


def send_due(now: datetime) -> None:
    """Hand due deliveries to workers (on each of the runner's passes)."""
    due = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now).filter(
        Q(sending_until=None) | Q(sending_until__lt=now))
    for pk in due.values_list("pk", flat=True)[:50]:
        async_task(DELIVER_TASK, pk)


def deliver(delivery_id: int) -> None:
    now = clock.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING).filter(
        Q(sending_until=None) | Q(sending_until__lt=now)).update(
        sending_until=now + SENDING_SPAN)
    if not claimed:
        return  # another worker has it, or it is done
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    status, error, latency = send(delivery)
    attempts = delivery.attempts + 1
    fields = {"attempts": attempts, "last_status": status, "last_error": error[:300],
              "last_latency_ms": latency, "sending_until": None}
    if status is not None and 200 <= status < 300:
        fields.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=clock.now(),
                      next_attempt_at=None)
    elif attempts > len(BACKOFF):
        fields.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
    else:
        fields["next_attempt_at"] = clock.now() + BACKOFF[attempts - 1]
    WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)


def send(delivery: WebhookDelivery) -> tuple[int | None, str, int]:
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"))
    timestamp = int(clock.now().timestamp())
    headers = {"content-type": "application/json", "webhook-id": delivery.message_id,
               "webhook-timestamp": str(timestamp),
               "webhook-signature": signature(endpoint.secret, delivery.message_id,
                                              timestamp, body),
               "user-agent": "Studio-Webhooks/1"}
    started = time.perf_counter()
    try:
        with httpx.Client(transport=safe_http.member_transport(), timeout=TIMEOUT,
                          follow_redirects=False) as client:
            answer = client.post(endpoint.url, content=body, headers=headers)
        status, error = answer.status_code, "" if answer.is_success else answer.text[:200]
    except httpx.HTTPError as exc:
        status, error = None, safe_http.describe_fetch_error(exc)
    return status, error, round((time.perf_counter() - started) * 1000)
