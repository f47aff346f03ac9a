"""Events to the streams of this process: one Hub per event loop, fed once for the
whole process, never once per stream.

With `REDIS_URL` every process that stores an event publishes it on a Redis channel
and every hub listens (so a worker's move reaches every web dyno). Without Redis (SQLite,
`make run`) the worker is another process too, so the hub reads the event table once
every STUDIO_EVENTS_POLL seconds while it has streams, and an event stored by this very
process wakes it at once.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import weakref
from collections import defaultdict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError, connections

from studio.events.models import Event

log = logging.getLogger(__name__)

CLOSE = object()  # put in a stream's queue: the stream ends (shutdown, member left)
REDIS_RETRY_SECONDS = 1.0
READ_LIMIT = 500  # events read from the table at once

# What a stream shows of an event, per viewer: set by studio.events.stream.
Shape = Callable[[Event, list], list]


@dataclass(eq=False)
class Subscription:
    team_id: int
    viewer: object
    queue: asyncio.Queue = field(default_factory=asyncio.Queue)


class Hub:
    def __init__(self, loop: asyncio.AbstractEventLoop, shape: Shape) -> None:
        self.loop = loop
        self.shape = shape
        self.subscriptions: dict[int, set[Subscription]] = defaultdict(set)
        self.wake = asyncio.Event()
        # Set once the hub knows where the table stands: a stream catches up from
        # the table only after that, so nothing falls between the two.
        self.ready = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.last_id: int | None = None
        self.closing = False

    def subscribe(self, team_id: int, viewer: object) -> Subscription:
        subscription = Subscription(team_id, viewer)
        if self.closing:
            subscription.queue.put_nowait(CLOSE)
            return subscription
        self.subscriptions[team_id].add(subscription)
        if self.task is None or self.task.done():
            # A context of its own: not the first stream's request (its thread, its
            # database connection) for the life of the process.
            self.task = self.loop.create_task(self.run(), context=contextvars.Context())
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        streams = self.subscriptions.get(subscription.team_id)
        if streams is not None:
            streams.discard(subscription)
            if not streams:
                del self.subscriptions[subscription.team_id]

    def close_all(self) -> None:
        self.closing = True
        for streams in self.subscriptions.values():
            for subscription in streams:
                subscription.queue.put_nowait(CLOSE)

    @property
    def streams(self) -> int:
        return sum(len(streams) for streams in self.subscriptions.values())

    async def run(self) -> None:
        if settings.REDIS_URL:
            await self.listen_to_redis()
        else:
            await self.poll_table()

    async def poll_table(self) -> None:
        while True:
            if self.subscriptions or self.last_id is None:
                try:
                    await self.catch_up()
                except DatabaseError as error:  # a restarting database: the next read
                    log.warning("event_table_unreadable", extra={"error": str(error)})
            with suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), settings.STUDIO_EVENTS_POLL)
            self.wake.clear()

    async def listen_to_redis(self) -> None:
        import redis.asyncio as aioredis
        from redis.exceptions import RedisError

        while True:
            try:
                async with aioredis.from_url(settings.REDIS_URL) as client, \
                        client.pubsub() as pubsub:
                    await pubsub.subscribe(channel())
                    await self.catch_up()  # what was stored while (re)subscribing
                    async for message in pubsub.listen():
                        if message["type"] == "message":
                            await self.deliver(from_json(message["data"]))
            except (RedisError, OSError, DatabaseError) as error:
                log.warning("event_bus_reconnect", extra={"error": str(error)})
                await asyncio.sleep(REDIS_RETRY_SECONDS)

    async def catch_up(self) -> None:
        if self.last_id is None:
            self.last_id = await in_thread(newest_id)
            self.ready.set()
            return
        await self.deliver(*await in_thread(events_after, self.last_id))

    async def deliver(self, *events: Event) -> None:
        """Events shaped for this process's streams, all in one trip to a thread."""
        batch = []
        for event in events:
            self.last_id = max(self.last_id or 0, event.pk)
            if streams := list(self.subscriptions.get(event.team_id, ())):
                batch.append((event, streams))
        if batch:
            for (event, streams), shaped in zip(
                    batch, await in_thread(self.shape_batch, batch), strict=True):
                for subscription, message in zip(streams, shaped, strict=True):
                    if message is not None:
                        subscription.queue.put_nowait(message if message is CLOSE
                                                      else (event.pk, message))

    def shape_batch(self, batch: list) -> list[list]:
        shaped = []
        for event, streams in batch:
            try:
                shaped.append(self.shape(event, [s.viewer for s in streams]))
            except Exception:  # one event that cannot be shown must not stop the rest
                log.exception("event_not_shaped", extra={"event": event.pk,
                                                         "kind": event.kind})
                shaped.append([None] * len(streams))
        return shaped


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def hub(shape: Shape) -> Hub:
    """This event loop's hub."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub(loop, shape)
    return _hubs[loop]


def close_all() -> None:
    """End every open stream of this process (a deploy's SIGTERM): browsers reconnect
    to the next server and catch up. Safe from a signal handler or another thread."""
    for loop, each in list(_hubs.items()):
        with suppress(RuntimeError):  # a loop already closed
            loop.call_soon_threadsafe(each.close_all)


def announce(event: Event) -> None:
    """Just stored: tell every process's hubs (Redis), or this process's at once."""
    if settings.REDIS_URL:
        redis_client(settings.REDIS_URL).publish(channel(), to_json(event))
        return
    for loop, each in list(_hubs.items()):
        with suppress(RuntimeError):
            loop.call_soon_threadsafe(each.wake.set)


async def in_thread(function, *args):
    """Database work off the event loop, in a shared pool thread (not a thread held
    per stream). The thread's connection is given back after each call: held
    between calls, the pool threads would keep PostgreSQL's pool empty."""
    def run():
        try:
            return function(*args)
        finally:
            connections.close_all()
    return await sync_to_async(run, thread_sensitive=False)()


def newest_id() -> int:
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_after(last_id: int) -> list[Event]:
    return list(Event.objects.filter(id__gt=last_id).order_by("id")[:READ_LIMIT])


def channel() -> str:
    """One channel per database: stacks sharing a Redis server never mix teams."""
    return f"studio-events:{settings.DATABASES['default']['NAME']}"


@cache
def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


def to_json(event: Event) -> str:
    return json.dumps({"id": event.pk, "team": event.team_id, "kind": event.kind,
                       "payload": event.payload, "created": event.created_at.isoformat()})


def from_json(data: bytes | str) -> Event:
    fields = json.loads(data)
    return Event(id=fields["id"], team_id=fields["team"], kind=fields["kind"],
                 payload=fields["payload"],
                 created_at=datetime.fromisoformat(fields["created"]))
