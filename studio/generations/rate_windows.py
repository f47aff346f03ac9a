"""The arithmetic of the API's rate windows and of the members' turns in them.

The API allows each token so many calls per kind in a sliding window and answers 429
above that. Given what the dispatcher read (our calls that may still count, the jobs
waiting, a 429's block), these functions say when each job can go. They are pure:
no database, no clock of their own (`now` is given), so they are tested with plain
values. The dispatcher's pass (dispatch.py) reads the rows and acts on the plan.
"""

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from studio.generations.models import Attempt, Generation, Lane
from studio.multimodal import catalog


@dataclass(frozen=True)
class Window:
    calls: int
    span: timedelta  # the API's window
    margin: timedelta  # how late the API may stamp a call we have no answer to yet

    @classmethod
    def for_kind(cls, kind: str) -> "Window":
        calls, seconds = catalog.rate_limit(kind)
        margin = max(settings.STUDIO_RATE_MARGIN_MIN, seconds * 0.01)
        return cls(calls, timedelta(seconds=seconds), timedelta(seconds=margin))


LANE_ORDER = {Lane.URGENT: 0, Lane.NORMAL: 1, Lane.BACKGROUND: 2}


class Turns:
    """The queued jobs of one window, handed out one slot at a time: the most urgent
    lane with work waiting first (background only when nothing else waits); in it,
    the member who has waited longest for a slot; of theirs, their own order."""

    def __init__(self, jobs: list[Generation], served: dict, now: datetime) -> None:
        self.now = now
        self.lanes: dict = defaultdict(lambda: defaultdict(list))  # lane -> member -> jobs
        for job in sorted(jobs, key=lambda j: (j.rank, j.created_at, j.pk)):
            self.lanes[LANE_ORDER[job.lane]][job.author_id].append(job)
        oldest: dict = {}
        for job in jobs:
            oldest[job.author_id] = min(oldest.get(job.author_id, job.created_at),
                                        job.created_at)
        # (since when, how): never served in this window, waiting since their oldest
        # job was queued (-1: before anyone served at that same instant).
        self.waited = {member: (served[member], 0) if member in served else (since, -1)
                       for member, since in oldest.items()}
        self.granted = 0

    def __bool__(self) -> bool:
        return bool(self.lanes)

    def take(self, room: datetime) -> tuple[Generation, datetime]:
        """The job that gets the slot opening at `room`, and when it can go."""
        lane = self.lanes[min(self.lanes)]
        offers = [(*self.offer(member, queue, room), member) for member, queue in lane.items()]
        start, _, job, member = min(offers, key=lambda offer: offer[:2])
        lane[member].remove(job)
        if not lane[member]:
            del lane[member]
            if not lane:
                del self.lanes[min(self.lanes)]
        self.granted += 1
        self.waited[member] = (start, self.granted)
        return job, start

    def offer(self, member, queue: list[Generation], room: datetime) -> tuple:
        """(start, waited since, job): the member's first job in their order that is
        ready at `room` (one backing off lets the next pass)."""
        job = next((j for j in queue if not j.not_before or j.not_before <= room), None)
        if job is None:
            job = min(queue, key=lambda j: j.not_before)
        return max(room, job.not_before or room), self.waited[member], job


def plan(sent: list[datetime], jobs: list[Generation], window: Window, now: datetime,
         blocked_until: datetime | None, served: dict | None = None,
         hold: timedelta | None = None) -> list[tuple[Generation, datetime]]:
    """When each job can go: each call already counted (`sent`: the latest moment the
    API can have stamped it) holds a slot until a window after it; each slot then
    goes by turns (Turns). `served`: when each member's last call of it went.
    `hold`: how long a call to come will take to be answered (the margin at least):
    only the expected starts beyond this pass depend on it."""
    times = sorted(sent)
    turns = Turns(jobs, served or {}, now)
    schedule = []
    while turns:
        room = max(now, blocked_until or now)
        if len(times) >= window.calls:
            room = max(room, times[-window.calls] + window.span)
        job, start = turns.take(room)
        schedule.append((job, start))
        bisect.insort(times, start + max(hold or window.margin, window.margin))
    return schedule


Call = tuple[datetime, datetime | None, str]  # an Attempt's sent_at, finished_at, outcome


def latest_stamps(calls: Iterable[Call], window: Window, now: datetime) -> list[datetime]:
    """For each of our calls that may still count in the API's window, the latest
    moment the API can have stamped it: an answered call arrived before its answer
    came back, so that bound is certain (a long render holds its slot until then); a
    call still in flight is taken to arrive within the margin of leaving; one still
    waiting for a worker leaves now at the earliest. (A 429 took no slot: the caller
    leaves those out.)"""
    bounds = []
    for sent_at, finished_at, outcome in calls:
        if outcome == Attempt.Outcome.DISPATCHED:
            bounds.append(max(sent_at, now) + window.margin)
        elif finished_at is None:
            bounds.append(sent_at + window.margin)
        else:
            bounds.append(finished_at)
    return [bound for bound in bounds if bound > now - window.span]


def typical(answered: Iterable[tuple[datetime, datetime]]) -> timedelta:
    """How long a call typically takes to be answered: the median of `answered`, each
    (sent, finished); zero when there is none."""
    durations = sorted(finished - sent for sent, finished in answered)
    return durations[len(durations) // 2] if durations else timedelta(0)
