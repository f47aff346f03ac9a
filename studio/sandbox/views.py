"""The sandbox's HTTP surface: the Multimodal API contract, answered locally."""

import base64
import json
import math
import socket
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from studio.lib import clock, ranged
from studio.lib.video import RenderedVideo
from studio.multimodal import catalog
from studio.sandbox.handlers import UnsupportedInSandbox, model_used
from studio.sandbox.models import SandboxAccount, SandboxFaults, SandboxUsage, token_digest


def error(status: int, detail: Any, headers: dict | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status, headers=headers)


def field_errors(problems: dict[str, str]) -> list[dict]:
    return [{"loc": ["body", name], "msg": msg, "type": "value_error"}
            for name, msg in problems.items()]


def authenticate(request: HttpRequest) -> SandboxAccount | None:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    token = token or request.headers.get("X-API-Key", "").strip()
    if not token:
        return None
    return SandboxAccount.objects.filter(token_digest=token_digest(token)).first()


UNAUTHORIZED = {"status": 401, "detail": "Invalid or missing API token"}


def read_json_object(request: HttpRequest) -> dict | None:
    try:
        body = json.loads(request.body or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@csrf_exempt
@require_POST
def generate(request: HttpRequest, endpoint_type: str) -> JsonResponse:
    arrived = clock.now()  # a rate limiter counts a call when it arrives
    account = authenticate(request)
    if account is None:
        return error(**UNAUTHORIZED)
    params = read_json_object(request)
    if params is None:
        return error(400, [{"loc": ["body"], "msg": "Body must be a JSON object",
                            "type": "json_invalid"}])
    kind = catalog.get(endpoint_type)
    if problems := kind.violations(params):
        return error(400, field_errors(problems))
    if kind.premium_only and account.tier != "premium":
        return error(403, f"{kind.label} is available on the premium tier only")
    faults = SandboxFaults.objects.filter(account=account).first()
    if faults and (refusal := faults_before_charging(request, faults, kind)):
        return refusal
    response = charge_and_render(request, account, kind, kind.with_defaults(params), arrived)
    if faults and response.status_code == 201:
        return faults_after_charging(request, faults, response)
    return response


def faults_before_charging(request: HttpRequest, faults: SandboxFaults,
                           kind: catalog.Kind) -> HttpResponse | None:
    if faults.take("lose_next"):
        return lost_on_the_way(request)
    if faults.take("fail_next_500"):
        return error(500, "GPU provider error (sandbox fault)")
    if faults.always_429:
        window = catalog.rate_limit(kind.endpoint_type)[1]
        return error(429, "Rate limit exceeded (sandbox fault)",
                     headers={"Retry-After": str(max(1, math.ceil(window)))})
    if faults.take("malformed_next"):
        return HttpResponse(b'{"usage_id": "broken", "audio_base64": ', status=201,
                            content_type="application/json")
    return None


def faults_after_charging(request: HttpRequest, faults: SandboxFaults,
                          response: HttpResponse) -> HttpResponse:
    if faults.delay_seconds:
        time.sleep(faults.delay_seconds)
    if faults.take("drop_next"):
        return broken_off(request, response)
    return response


def broken_off(request: HttpRequest, response: HttpResponse) -> StreamingHttpResponse:
    """The answer's headers and half its body, then the connection breaks."""
    body = response.content

    def half_then_drop():
        yield body[: len(body) // 2]
        break_connection(request)

    dropped = StreamingHttpResponse(half_then_drop(), status=response.status_code,
                                    content_type=response["Content-Type"])
    dropped["Content-Length"] = str(len(body))
    return dropped


def lost_on_the_way(request: HttpRequest) -> StreamingHttpResponse:
    """The connection breaks before a byte of the answer: the caller cannot tell
    whether the call arrived (it did not; nothing was charged)."""
    def drop():
        break_connection(request)
        yield b""  # never sent: the connection is gone

    return StreamingHttpResponse(drop(), status=201, content_type="application/json")


class ConnectionBroken(Exception):
    """Raised inside an answer's body: an ASGI server then breaks the connection."""


def break_connection(request: HttpRequest) -> None:
    """Break the caller's connection mid-answer. An ASGI server (uvicorn) hands the
    app no socket, but closes the connection when the app fails after the answer
    began (its status and headers are out: the body never completes)."""
    if hasattr(request, "scope"):
        raise ConnectionBroken("sandbox fault: the connection breaks here")
    client_socket(request).shutdown(socket.SHUT_RDWR)


def client_socket(request: HttpRequest) -> socket.socket:
    """The connection's socket: gunicorn hands it over; Django's own server keeps it
    behind the request body stream."""
    if "gunicorn.socket" in request.META:
        return request.META["gunicorn.socket"]
    reader = request.META["wsgi.input"]._read.__self__  # LimitedStream(socket file)
    return reader.raw._sock


def charge_and_render(request: HttpRequest, account: SandboxAccount, kind: catalog.Kind,
                      params: dict, arrived: datetime) -> JsonResponse:
    usage_or_refusal = reserve(account, kind, params, arrived)
    if isinstance(usage_or_refusal, JsonResponse):
        return usage_or_refusal
    usage = usage_or_refusal
    try:
        media = kind.parts.handler(params)
    except UnsupportedInSandbox as exc:
        refund(usage)
        return error(400, str(exc))
    if isinstance(media, RenderedVideo):
        media = video_answer(request, usage, media)
    balance = SandboxAccount.objects.values_list("credits", flat=True).get(pk=account.pk)
    return JsonResponse(
        {**media, "usage_id": usage.id, "credits_used": usage.credits_used,
         "credits_remaining": balance},
        status=201,
    )


def video_answer(request: HttpRequest, usage: SandboxUsage, rendered: RenderedVideo) -> dict:
    """The rendered clip in the answer shape the sandbox is set to."""
    with rendered.path.open("rb") as clip:
        usage.media_name = default_storage.save(f"sandbox/videos/{usage.id}.mp4", File(clip))
    rendered.path.unlink(missing_ok=True)
    if settings.SANDBOX_VIDEO_SHAPE == "pending":
        usage.status, usage.completed_at = catalog.USAGE_PROCESSING, None
        usage.ready_at = usage.created_at + timedelta(seconds=settings.SANDBOX_VIDEO_LATENCY)
        usage.save(update_fields=["media_name", "status", "completed_at", "ready_at"])
        return {"status": catalog.USAGE_PROCESSING, "format": "mp4"}
    usage.save(update_fields=["media_name"])
    if settings.SANDBOX_VIDEO_SHAPE == "base64":
        with default_storage.open(usage.media_name, "rb") as clip:
            encoded = base64.b64encode(clip.read()).decode()
        return {"video_base64": encoded, "format": "mp4", "fps": rendered.fps,
                "duration_s": rendered.duration_seconds}
    return {"video_url": video_url(request, usage), "format": "mp4",
            "duration_seconds": rendered.duration_seconds}


def video_url(request: HttpRequest, usage: SandboxUsage) -> str:
    if not usage.media_name:
        return ""
    return request.build_absolute_uri(reverse("sandbox_file", args=[usage.id]))


def finish_due_renders(account: SandboxAccount) -> None:
    """Long-running renders whose time has come are completed (lazily, on reading)."""
    now = clock.now()
    account.usages.filter(status=catalog.USAGE_PROCESSING, ready_at__lte=now).update(
        status=catalog.USAGE_COMPLETED, completed_at=now)


@require_GET
def video_file(request: HttpRequest, usage_id: str) -> HttpResponse:
    """A rendered clip, at the unguessable URL the answer gave."""
    usage = SandboxUsage.objects.filter(id=usage_id).exclude(media_name="").first()
    if usage is None or usage.status != catalog.USAGE_COMPLETED:
        return error(404, "No such video")
    size = default_storage.size(usage.media_name)
    return ranged.serve(request, default_storage.open(usage.media_name, "rb"), size,
                        "video/mp4", f"{usage_id}.mp4")


def reserve(account: SandboxAccount, kind: catalog.Kind, params: dict,
            now: datetime) -> SandboxUsage | JsonResponse:
    """Take a rate-limit slot and debit the cost in one transaction, or refuse."""
    calls, window = catalog.rate_limit(kind.endpoint_type)
    with transaction.atomic():
        account = SandboxAccount.objects.select_for_update().get(pk=account.pk)
        recent = SandboxUsage.objects.filter(
            account=account, endpoint_type=kind.endpoint_type,
            created_at__gt=now - timedelta(seconds=window),
        ).order_by("created_at")
        if len(in_window := list(recent.values_list("created_at", flat=True))) >= calls:
            room_at = in_window[-calls] + timedelta(seconds=window)
            wait = max(1, math.ceil((room_at - now).total_seconds()))
            return error(429, f"Rate limit exceeded: {calls} per {window:g} seconds",
                         headers={"Retry-After": str(wait)})
        cost = kind.cost_for(params)
        if account.credits < cost:
            return error(402, f"Insufficient credits: this call costs {cost}, "
                              f"the balance is {account.credits}")
        account.credits -= cost
        account.save(update_fields=["credits"])
        return SandboxUsage.objects.create(
            account=account, endpoint_type=kind.endpoint_type,
            model_used=model_used(kind.endpoint_type, params), credits_used=cost,
            status=catalog.USAGE_COMPLETED, created_at=now, completed_at=now,
        )


def refund(usage: SandboxUsage) -> None:
    with transaction.atomic():
        account = SandboxAccount.objects.select_for_update().get(pk=usage.account_id)
        account.credits += usage.credits_used
        account.save(update_fields=["credits"])
        usage.status = catalog.USAGE_FAILED
        usage.credits_used = 0
        usage.save(update_fields=["status", "credits_used"])


def query_int(request: HttpRequest, name: str, default: int, low: int,
              high: int | None) -> int | str:
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        return "Input should be a valid integer"
    high = high if high is not None else 2**31 - 1  # past any real history
    if value < low or value > high:
        return f"Input should be between {low} and {high}"
    return value


@require_GET
def usage_list(request: HttpRequest) -> JsonResponse:
    account = authenticate(request)
    if account is None:
        return error(**UNAUTHORIZED)
    skip = query_int(request, "skip", 0, 0, None)
    limit = query_int(request, "limit", 50, 1, catalog.USAGE_LIST_LIMIT_MAX)
    endpoint_type = request.GET.get("endpoint_type") or None
    problems = {name: value for name, value in (("skip", skip), ("limit", limit))
                if isinstance(value, str)}
    if endpoint_type and endpoint_type not in catalog.KINDS:
        problems["endpoint_type"] = "Input should be " + ", ".join(catalog.KINDS)
    if problems:
        return error(400, [{"loc": ["query", k], "msg": v, "type": "value_error"}
                           for k, v in problems.items()])
    finish_due_renders(account)
    records = account.usages.all()
    if endpoint_type:
        records = records.filter(endpoint_type=endpoint_type)
    page = [usage.as_json(video_url(request, usage)) for usage in records[skip:skip + limit]]
    return JsonResponse({"items": page, "total": records.count(),
                         "skip": skip, "limit": limit})


@require_GET
def usage_detail(request: HttpRequest, usage_id: str) -> JsonResponse:
    account = authenticate(request)
    if account is None:
        return error(**UNAUTHORIZED)
    finish_due_renders(account)
    usage = account.usages.filter(id=usage_id).first()
    if usage is None:
        return error(404, "Usage record not found")
    return JsonResponse(usage.as_json(video_url(request, usage)))


@require_GET
def managed_usage(request: HttpRequest) -> JsonResponse:
    account = authenticate(request)
    if account is None:
        return error(**UNAUTHORIZED)
    spent = sum(account.usages.values_list("credits_used", flat=True))
    return JsonResponse({"credits_remaining": account.credits, "credits_used": spent,
                         "tier": account.tier})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    endpoints = dict.fromkeys(catalog.KINDS, "available")
    return JsonResponse({"status": "ok", "sandbox": True, "gpu_endpoints": endpoints})


FAULT_FIELDS = {"fail_next_500": int, "always_429": bool, "delay_seconds": float,
                "drop_next": int, "malformed_next": int}


@csrf_exempt
@staff_member_required
@require_POST
def set_faults(request: HttpRequest) -> JsonResponse:
    """Admin only: `{"token": ..., "fail_next_500": 2, ...}` sets a token's faults."""
    body = read_json_object(request) or {}
    account = SandboxAccount.objects.filter(
        token_digest=token_digest(str(body.get("token", "")))).first()
    if account is None:
        return error(404, "No sandbox account has that token")
    faults, _ = SandboxFaults.objects.get_or_create(account=account)
    for name, kind in FAULT_FIELDS.items():
        if name in body:
            try:
                setattr(faults, name, kind(body[name]))
            except (TypeError, ValueError):
                return error(400, [{"loc": ["body", name], "msg": f"Input should be a "
                                    f"valid {kind.__name__}", "type": "value_error"}])
    faults.full_clean()
    faults.save()
    return JsonResponse({name: getattr(faults, name) for name in FAULT_FIELDS})
