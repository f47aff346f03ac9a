"""`Idempotency-Key` on a POST: the first answer is kept for 24 hours and replayed to
the same key with the same request; another request under a used key is refused.

Copies that arrive together race for one row (a unique constraint); the losers wait
for the winner's answer instead of doing the work again.
"""

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from studio.api import problems
from studio.api.models import ApiToken, IdempotencyKey
from studio.lib import clock

LIFETIME = timedelta(hours=24)
WAIT_SECONDS = 30.0
WAIT_STEP = 0.05
MAX_KEY = 255
REPLAYED = "Idempotent-Replayed"


def fingerprint(request: HttpRequest) -> str:
    return hashlib.sha256(request.method.encode() + b" " + request.path.encode() + b"\n"
                          + request.body).hexdigest()


def once(request: HttpRequest, token: ApiToken,
         handle: Callable[[], HttpResponse]) -> HttpResponse:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return handle()
    if not 1 <= len(key) <= MAX_KEY:
        return problems.response("bad-idempotency-key",
                                 f"An Idempotency-Key is 1 to {MAX_KEY} characters.")
    IdempotencyKey.objects.filter(token=token, key=key,
                                  created_at__lt=clock.now() - LIFETIME).delete()
    mine = fingerprint(request)
    try:
        with transaction.atomic():
            IdempotencyKey.objects.create(token=token, key=key, fingerprint=mine)
    except IntegrityError:
        return replay(token, key, mine)
    try:
        answer = handle()
    except BaseException:
        IdempotencyKey.objects.filter(token=token, key=key, status=None).delete()
        raise
    if answer.status_code >= 500:
        IdempotencyKey.objects.filter(token=token, key=key).delete()
    else:
        IdempotencyKey.objects.filter(token=token, key=key).update(
            status=answer.status_code, body=answer.content.decode())
    answer[REPLAYED] = "false"
    return answer


def replay(token: ApiToken, key: str, mine: str) -> HttpResponse:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        kept = IdempotencyKey.objects.filter(token=token, key=key).first()
        if kept is None:
            return problems.response("idempotency-in-progress", "The first request with "
                                     "this Idempotency-Key failed; send it again.")
        if kept.fingerprint != mine:
            return problems.response("idempotency-key-reused", "This Idempotency-Key was "
                                     "used for another request; use a new key for a new "
                                     "request.")
        if kept.status is not None:
            answer = HttpResponse(kept.body, status=kept.status, content_type=(
                "application/problem+json" if kept.status >= 400 else "application/json"))
            answer[REPLAYED] = "true"
            return answer
        time.sleep(WAIT_STEP)  # the first copy is still being answered
    return problems.response("idempotency-in-progress", "The first request with this "
                             "Idempotency-Key is still being answered; try again shortly.",
                             headers={"Retry-After": "1"})
