"""`publish(team, kind, payload)`: the one call, from any layer, that tells a team's
open pages something changed."""

import logging

from django.db import transaction

from studio.events import bus
from studio.events.models import Event

log = logging.getLogger(__name__)


def publish(team, kind: str, payload: dict) -> None:
    """Store the event once the caller's transaction commits (a stream never shows a
    change the database does not have yet), then fan it out. Best effort: a failure
    here never undoes the change it reports."""
    team_id = getattr(team, "pk", team)
    transaction.on_commit(lambda: store_and_fan_out(team_id, kind, payload), robust=True)


def store_and_fan_out(team_id: int, kind: str, payload: dict) -> Event:
    event = Event.objects.create(team_id=team_id, kind=kind, payload=payload)
    bus.announce(event)
    return event


def last_id(team) -> int:
    """The newest event of `team`: a page read before this id shows everything up to
    it, so its stream starts after it."""
    newest = Event.objects.for_team(team).order_by("-id").values_list("id", flat=True)
    return newest.first() or 0


def page_last_id(request, team) -> int:
    """`last_id`, read once per request: a page's stream and its bell start there."""
    if not hasattr(request, "_last_event_id"):
        request._last_event_id = last_id(team)
    return request._last_event_id
