"""The dispatcher's process, started by `manage.py worker`: the loop that runs a pass,
then sleeps until the next window opens, an answer arrives or a short idle poll; the
heartbeat beside it; and the extra work other apps add to each pass.

The pass itself is dispatch.tick (plus `every_pass` work); this module is only the
process around it. A worker process of the same dyno wakes the loop through
`answer_arrived` (tasks.py); the API's webhook retries ride on `every_pass`.
"""

import logging
import multiprocessing
import multiprocessing.synchronize
import threading
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import close_old_connections

from studio.generations import dispatch, lifecycle
from studio.lib import clock

log = logging.getLogger(__name__)

# More work of each pass, registered by later apps (the API's webhook deliveries):
# the dispatcher is the one process that looks at the clock for everyone.
PASSES: list[Callable[[datetime], None]] = []
IDLE_POLL_SECONDS = 0.25
# While work waits for a window, a slot can open before the plan says (an answer
# arriving early tightens its call's bound): look again this often.
BACKLOG_POLL_SECONDS = 0.1


def every_pass(work: Callable[[datetime], None]) -> None:
    """Run `work(now)` on each pass, after the dispatcher's own (once, however often
    an app registers it)."""
    if work not in PASSES:
        PASSES.append(work)


def run_once(now: datetime | None = None) -> datetime | None:
    """One pass: the dispatcher's, then each registered extra. Returns when something
    next becomes due, or None when nothing waits (dispatch.tick)."""
    now = now or clock.now()
    wake = dispatch.tick(now)
    for more in PASSES:
        more(now)
    return wake


# Set by a worker process of this dyno when an answer arrives: an answered call frees
# its slot sooner than planned, so the dispatcher looks again at once. Made by
# `manage.py worker` before the cluster forks (the workers inherit it).
answers: multiprocessing.synchronize.Event | None = None


def listen_for_answers() -> None:
    global answers
    answers = multiprocessing.get_context("fork").Event()


def answer_arrived() -> None:
    if answers is not None:
        answers.set()


def run_forever(stopped: Callable[[], bool], *, on_error_pause: float = 1.0) -> None:
    """Pass until `stopped()`; sleep until the next window opens, an answer arrives,
    or a short idle poll."""
    wake_event = answers or threading.Event()
    heart = threading.Thread(target=beat_until, args=(stopped,), daemon=True,
                             name="heartbeat")
    heart.start()
    while not stopped():
        try:
            close_old_connections()
            next_at = run_once()
            pause = IDLE_POLL_SECONDS
            if next_at is not None:
                pause = min(BACKLOG_POLL_SECONDS,
                            max(0.0, (next_at - clock.now()).total_seconds()))
        except Exception:
            log.exception("dispatcher pass failed; trying again")
            pause = on_error_pause
        wake_event.wait(pause)
        wake_event.clear()


def beat_until(stopped: Callable[[], bool]) -> None:
    """The worker's heartbeat, on a thread of its own so that a slow pass never
    makes a live worker look dead and its leases lapse."""
    pause = threading.Event()
    while not stopped():
        try:
            close_old_connections()
            lifecycle.beat()
        except Exception:
            log.exception("heartbeat failed; trying again")
        pause.wait(settings.STUDIO_HEARTBEAT_SECONDS)
