"""`Prefer: wait=N` (RFC 7240) on a create: the answer comes when the submission's
generations are all final or N seconds (at most MAX_WAIT) have passed, whichever is
first, and says `Preference-Applied: wait=N`. Workers finish generations in other
processes, so the rows are read again every POLL_SECONDS."""

import re
import time
from datetime import timedelta

from django.http import HttpRequest

from studio.generations.models import PENDING_STATUSES, Generation
from studio.lib import clock

MAX_WAIT = 60
POLL_SECONDS = 0.25
WAIT = re.compile(r"^\s*wait\s*=\s*\"?(\d{1,6})\"?\s*$", re.IGNORECASE)


def preferred(request: HttpRequest) -> int | None:
    """The seconds a `Prefer: wait=N` asks for (at most MAX_WAIT), or None."""
    for preference in request.headers.get("Prefer", "").split(","):
        found = WAIT.match(preference.split(";")[0])
        if found:
            return min(int(found.group(1)), MAX_WAIT)
    return None


def pause(seconds: float) -> None:
    time.sleep(seconds)


def until_final(ids: list[int], seconds: int) -> None:
    deadline = clock.now() + timedelta(seconds=seconds)
    pending = Generation.objects.filter(pk__in=ids, status__in=PENDING_STATUSES)
    while pending.exists() and clock.now() < deadline:
        pause(POLL_SECONDS)
