"""`/events/`: one Server-Sent Events stream per open page, served by an async view
that holds no thread while it waits.

A stream sends what its viewer may see of their current team's events (the shapers),
starting after the id the page was drawn at (`?since=`) or the browser's
`Last-Event-ID` on a reconnect, caught up from the event table; a comment every
STUDIO_EVENTS_HEARTBEAT seconds keeps a router's idle timeout from cutting it.
"""

import asyncio
import json

from asgiref.sync import SyncToAsync, sync_to_async
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from studio.events import bus
from studio.events.models import Event
from studio.events.publishing import last_id
from studio.events.shapers import SHAPERS, Viewer
from studio.lib.converters import parse_id

CATCH_UP_LIMIT = 300  # more missed than this: the page reloads its cards instead
FILTER_PARAMS = ("since",)  # not a filter of the page


@require_GET
async def events(request: HttpRequest) -> HttpResponse:
    user = await request.auser()
    membership = getattr(request, "membership", None)
    if not user.is_authenticated or membership is None:
        return HttpResponse("Log in to a team first.", status=403, content_type="text/plain")
    viewer = Viewer(membership, page_filters(request))
    since = starting_id(request)
    if since is None:
        since = await bus.in_thread(last_id, membership.team)
    # The stream may stay open for hours: give back the request's database connection
    # and its thread now (the stream itself needs neither).
    await sync_to_async(connections.close_all)()
    release_request_thread()
    response = StreamingHttpResponse(stream(viewer, since), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a buffering proxy would hold every event
    return response


def release_request_thread() -> None:
    """Django runs a request's sync parts (our middleware) in a thread of its own,
    kept until the response ends: for a stream, hours. Shut it down once idle; a later
    sync call of this request (closing the response) gets a fresh one."""
    context = SyncToAsync.thread_sensitive_context.get(None)
    executor = SyncToAsync.context_to_thread_executor.pop(context, None) if context else None
    if executor is not None:
        executor.shutdown(wait=False)


def starting_id(request: HttpRequest) -> int | None:
    """After which event to start: the browser's Last-Event-ID on a reconnect, else
    the page's `since`; None: from now."""
    for value in (request.headers.get("Last-Event-ID"), request.GET.get("since")):
        if value == "0":
            return 0
        if value is not None and (parsed := parse_id(value)) is not None:
            return parsed
    return None


def page_filters(request: HttpRequest) -> str:
    query = request.GET.copy()
    for name in FILTER_PARAMS:
        query.pop(name, None)
    return query.urlencode()


async def stream(viewer: Viewer, since: int):
    hub = bus.hub(shape)
    subscription = hub.subscribe(viewer.membership.team_id, viewer)
    try:
        yield f"retry: {settings.STUDIO_EVENTS_RETRY_MS}\n\n"
        await hub.ready.wait()
        caught_up, last = await bus.in_thread(catch_up, viewer, since)
        for message in caught_up:
            if message is bus.CLOSE:
                return
            yield message
        # Data flows (no proxy holds it back): the page may stop its team poll.
        yield "event: ready\ndata: {}\n\n"
        while True:
            try:
                item = await asyncio.wait_for(subscription.queue.get(),
                                              settings.STUDIO_EVENTS_HEARTBEAT)
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            if item is bus.CLOSE:
                return
            event_id, message = item
            if event_id > last:  # not already sent by the catch-up
                last = event_id
                yield message
    finally:
        hub.unsubscribe(subscription)


def catch_up(viewer: Viewer, since: int) -> tuple[list, int]:
    """What happened after `since`, each thing once (the latest event about it), and
    the last id read. Too much, or older than the table keeps: one `reload`."""
    team = viewer.membership.team
    missed = list(Event.objects.for_team(team).filter(id__gt=since)
                  .order_by("id")[:CATCH_UP_LIMIT + 1])
    last = missed[-1].pk if missed else since
    pruned = since and not Event.objects.for_team(team).filter(id=since).exists()
    if len(missed) > CATCH_UP_LIMIT or (pruned and missed):
        return [message(last_id(team), "reload", {})], last_id(team)
    latest = {about(event): event for event in missed}
    shaped = (shape(event, [viewer])[0] for event in sorted(latest.values(), key=id_of))
    return [each for each in shaped if each is not None], last


def about(event: Event):
    """What an event is about: a later event about the same thing supersedes it."""
    return (event.kind, event.payload.get("id")) if "id" in event.payload else event.pk


def id_of(event: Event) -> int:
    return event.pk


def shape(event: Event, viewers: list[Viewer]) -> list:
    """The event as each viewer may see it: a ready SSE message, None, or CLOSE."""
    shaper = SHAPERS.get(event.kind)
    memo: dict = {}
    written: dict[int, tuple[object, str]] = {}  # one message per distinct data
    shaped = []
    for viewer in viewers:
        data = shaper(event, viewer, memo) if shaper else None
        if data is None or data is bus.CLOSE:
            shaped.append(data)
            continue
        if id(data) not in written:  # the data is held, so its id is not reused
            written[id(data)] = (data, message(event.pk, event.kind, data))
        shaped.append(written[id(data)][1])
    return shaped


def message(event_id: int, name: str, data) -> str:
    return f"id: {event_id}\nevent: {name}\ndata: {json.dumps(data)}\n\n"
