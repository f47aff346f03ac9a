"""What each viewer may see of an event: one shaper per event kind, plugged in by the
app that publishes that kind (as the catalog's kinds are).

A shaper gets the event, the viewer and a memo shared by every viewer of this event
in this process (load the row once, draw it once per kind of viewer), and returns
the event's data for this viewer (JSON-able), None to show them nothing, or
`studio.events.bus.CLOSE` to end their stream. Return the same object to viewers
who see the same thing: it is written out once.
"""

from collections.abc import Callable
from dataclasses import dataclass

from studio.events.models import Event


@dataclass(frozen=True, eq=False)
class Viewer:
    """Who a stream is for: their membership (team and role) as it was when the
    stream opened, and the page's filters."""

    membership: object
    query: str = ""

    @property
    def user_id(self) -> int:
        return self.membership.user_id


Shaper = Callable[[Event, Viewer, dict], object]
SHAPERS: dict[str, Shaper] = {}


def shaper(kind: str) -> Callable[[Shaper], Shaper]:
    def register(function: Shaper) -> Shaper:
        SHAPERS[kind] = function
        return function
    return register
