"""A generation as the REST API and its webhooks show it: one shape in both, its
addresses absolute (the origin of the request, or the studio's public URL for a
webhook), its set, its timings and its links."""

from django.conf import settings
from django.http import HttpRequest

from studio.generations.lifecycle import CANCELABLE
from studio.generations.models import Generation
from studio.generations.states import State, Status

PREFIX = "/api/v1"


def origin_of(request: HttpRequest | None) -> str:
    """Where the API's URLs start: the request's own origin, else the public URL."""
    if request is None:
        return settings.STUDIO_PUBLIC_URL
    return request.build_absolute_uri("/").rstrip("/")


def generation_shape(generation: Generation, origin: str) -> dict:
    at = f"{origin}{PREFIX}/generations/{generation.pk}"
    media = f"{at}/media" if generation.status == Status.SUCCEEDED and generation.media \
        else None
    return {"id": generation.pk, "kind": generation.kind, "status": generation.status,
            "state": generation.state, "params": generation.params, "cost": generation.cost,
            "credits_used": generation.credits_used, "lane": generation.lane,
            "queue_position": generation.queue_position,
            "expected_start_at": generation.expected_start_at,
            "error_code": generation.error_code, "error_message": generation.error_message,
            "author": generation.author.username if generation.author else None,
            "created_at": generation.created_at, "started_at": generation.started_at,
            "finished_at": generation.finished_at, "timings": timings(generation),
            "media_url": media,
            "set": set_shape(generation),
            "links": {"self": at, "media": media,
                      "cancel": f"{at}/cancel" if State(generation.state) in CANCELABLE
                      else None}}


def timings(generation: Generation) -> dict:
    created, started, finished = (generation.created_at, generation.started_at,
                                  generation.finished_at)
    return {"waited_ms": milliseconds(created, started),
            "ran_ms": milliseconds(started, finished),
            "total_ms": milliseconds(created, finished)}


def milliseconds(start, end) -> int | None:
    if start is None or end is None:
        return None
    return max(0, round((end - start).total_seconds() * 1000))


def set_shape(generation: Generation) -> dict | None:
    chosen = generation.generation_set
    if chosen is None:
        return None
    return {"id": chosen.pk, "size": chosen.size, "cost": chosen.cost,
            "ids": sorted(g.pk for g in chosen.generations.all())}
