"""A Server-Sent Events reader for tests: the stream as a browser's EventSource parses it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx


@dataclass
class Message:
    id: str | None = None
    event: str = "message"
    data: str = ""
    retry: int | None = None
    comment: str | None = None

    @property
    def json(self):
        return json.loads(self.data)


def messages(response: httpx.Response) -> Iterator[Message]:
    """Each message (and each comment, as a message of its own) as it arrives."""
    current = Message()
    seen = False
    for line in response.iter_lines():
        if line == "":
            if seen:
                yield current
            current, seen = Message(), False
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        seen = True
        if field == "":
            yield Message(comment=value)
            seen = False
        elif field == "data":
            current.data = f"{current.data}\n{value}" if current.data else value
        elif field == "id":
            current.id = value
        elif field == "event":
            current.event = value
        elif field == "retry":
            current.retry = int(value)


WAIT_SECONDS = 10.0  # heartbeats keep a stream alive: give up on the event itself


def next_event(stream: Iterator[Message], name: str | None = None) -> Message:
    """The next real event (named `name`), skipping heartbeats and others."""
    deadline = time.monotonic() + WAIT_SECONDS
    for message in stream:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {name or 'event'} within {WAIT_SECONDS} s")
        if message.comment is None and message.retry is None \
                and (name is None or message.event == name):
            return message
    raise AssertionError("the stream ended")


def next_message(stream: Iterator[Message]) -> Message:
    """The next event or comment, past the stream's `ready` (its catch-up is sent)."""
    for message in stream:
        if message.retry is None and message.event != "ready":
            return message
    raise AssertionError("the stream ended")
