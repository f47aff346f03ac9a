"""/healthz: is this instance able to serve, and are its neighbours alive?

Cheap enough for a load balancer: the database and broker checks are one round
trip each, and the API checks are cached for a short while per process.

Anyone may ask, so strangers get whether each part answers and how fast; the teams'
names, their API URLs and the errors' text are for staff only. The worker is not ok
when it has gone silent, nor when a task has been running past django-q2's timeout
(a wedged worker: its heartbeat goes on, its task does not end); staff see which.
"""

import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_q.brokers import get_broker

from studio.finishing.models import Export
from studio.generations.lifecycle import lease_span
from studio.generations.models import Generation, Heartbeat
from studio.generations.states import State
from studio.lib import clock
from studio.multimodal import catalog, errors
from studio.teams.client import client_for
from studio.teams.models import Team

WORKER_SILENCE = timedelta(seconds=60)
API_CACHE_SECONDS = 30
API_TIMEOUT = 3.0


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": timed(check_database), "broker": timed(check_broker),
              "worker": check_worker(), "api": check_apis()}
    serving = checks["database"]["ok"]
    everything = serving and checks["broker"]["ok"] and checks["worker"]["ok"] and \
        all(api["ok"] for api in checks["api"].values())
    status = "ok" if everything else ("degraded" if serving else "down")
    # Without a database there is no telling who asks: answer as to a stranger.
    shown = checks if serving and request.user.is_staff else for_the_public(checks)
    return JsonResponse({"status": status, "checks": shown}, status=200 if serving else 503)


def for_the_public(checks: dict) -> dict:
    """Each part up or not, with its latency: one entry per distinct API, unnamed."""
    apis = {api["url"]: latency_of(api) for api in checks["api"].values()}
    return {"database": latency_of(checks["database"]),
            "broker": latency_of(checks["broker"]),
            "worker": {"ok": checks["worker"]["ok"]},
            "api": list(apis.values())}


def latency_of(check: dict) -> dict:
    return {"ok": check["ok"], "ms": check["ms"]}


def timed(check: Callable[[], dict | None]) -> dict:
    started = time.perf_counter()
    try:
        found = check() or {}
        result = {"ok": True, **found}
    except Exception as exc:  # a health check reports every failure, never raises
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_broker() -> dict:
    broker = get_broker()
    if not broker.ping():
        raise ConnectionError("the broker did not answer")
    return {"queued_tasks": broker.queue_size()}


def check_worker() -> dict:
    latest = Heartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    if latest is None:
        return {"ok": False, "error": "no worker has reported yet"}
    age = (clock.now() - latest).total_seconds()
    found = {"ok": age <= WORKER_SILENCE.total_seconds(), "last_seen_seconds_ago": round(age, 1)}
    if stuck := busy_past_timeout():
        timeout = settings.Q_CLUSTER["timeout"]
        found.update(ok=False, busy_past_timeout=stuck, error=(
            f"{len(stuck)} task(s) running longer than the {timeout} s task timeout"))
    return found


def busy_past_timeout() -> list[dict]:
    """Work a worker began longer ago than a task may run. A lease is taken when the
    work begins and runs lease_span() from then (states.py); an API call dispatched
    but not yet taken by a worker is only waiting in the queue, so it is left out."""
    now = clock.now()
    timeout = timedelta(seconds=settings.Q_CLUSTER["timeout"])
    began_before = now - timeout
    waiting = Q(state=State.DISPATCHED) & ~Q(kind__in=catalog.LOCAL_KINDS)
    rows = (Generation.objects.exclude(lease_until=None).exclude(waiting)
            .filter(lease_until__lt=began_before + lease_span())
            .order_by("lease_until")[:20])
    found = [{"what": f"{row.kind} #{row.pk}", "state": row.state, "worker": row.lease_owner,
              "busy_seconds": round((now - (row.lease_until - lease_span())).total_seconds())}
             for row in rows]
    for export in Export.objects.filter(state=Export.State.WORKING,
                                        started_at__lt=began_before)[:20]:
        found.append({"what": f"{export.format} export of #{export.generation_id}",
                      "state": "working", "worker": "",
                      "busy_seconds": round((now - export.started_at).total_seconds())})
    return found


def check_apis() -> dict:
    """The API's health endpoint for each team, once per distinct API URL."""
    results: dict[str, dict] = {}
    by_url: dict[str, dict] = {}
    for team in Team.objects.exclude(api_token_encrypted="").order_by("name"):
        url = team.effective_api_url
        if url not in by_url:
            by_url[url] = cached_api_check(team)
        results[team.name] = {**by_url[url], "url": url}
    return results


def cached_api_check(team: Team) -> dict:
    key = f"healthz-api:{team.effective_api_url}"
    found = cache.get(key)
    if found is None:
        found = timed(lambda: call_health(team))
        cache.set(key, found, API_CACHE_SECONDS)
    return found


def call_health(team: Team) -> dict:
    try:
        with client_for(team, timeout=API_TIMEOUT) as client:
            answer = client.health()
    except errors.MultimodalError as exc:
        raise ConnectionError(exc.message) from None
    return {"api_status": str(answer.get("status", "unknown"))[:40]}
