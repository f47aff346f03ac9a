"""A member who leaves a team (or is removed) stops hearing its news at once: their
open streams of that team end (a reconnect then finds no membership)."""

from studio.events import bus
from studio.events.publishing import publish
from studio.events.shapers import Viewer, shaper


def on_member_left(sender, membership, **details) -> None:
    publish(membership.team_id, "left", {"user": membership.user_id})


@shaper("left")
def close_their_streams(event, viewer: Viewer, memo: dict):
    return bus.CLOSE if viewer.user_id == event.payload["user"] else None
