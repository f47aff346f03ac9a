"""The life of a generation, declared once: its states, the moves each may make, who
moves it on, and what moves it on when that process dies.

This module is only the declaration; `lifecycle.py` is the one writer that performs
the moves. A page, a CSV or the REST API shows the public `status` each state maps to.

    held ──► queued (approved) / canceled (declined)

    paused ⇄ queued ──► dispatched ──► sending ──► storing ──► succeeded
               │  ▲          │            │ │ │       │
               │  └──────────┘            │ │ └► awaiting_provider ──► storing / failed
               │  (lost before sending)   │ └──► checking ──► queued / awaiting_provider /
               ▼                          │       ▲         storing / failed
             canceled (also from paused)  └► queued (429, 5xx) / failed (refused)

A set that costs more than its team allows without approval starts `held` and goes
to `queued` when an admin approves it (a held job's credits are reserved).

A lease (`lease_owner`, `lease_until`) marks the states a worker is acting on. When
the worker dies, whatever line it died on, the dispatcher finds the lease lapsed (its
time passed, or its owner's heartbeat went silent) and makes the state's `on_lapse`
move. Nothing non-final waits for a process that no longer exists.
"""

from dataclasses import dataclass

from django.db import models


class Status(models.TextChoices):
    """What a person sees: pages, filters, CSV, the REST API."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


class State(models.TextChoices):
    HELD = "held", "Waiting for an admin's approval"
    QUEUED = "queued", "Waiting for a rate-limit slot"
    PAUSED = "paused", "Paused by a person"
    DISPATCHED = "dispatched", "Handed to the task queue"
    SENDING = "sending", "Calling the API"
    STORING = "storing", "Storing the answer"
    AWAITING_PROVIDER = "awaiting_provider", "The provider is rendering it"
    CHECKING = "checking", "Checking with the API what became of a lost call"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


@dataclass(frozen=True)
class Step:
    status: Status
    owner: str  # who moves it on in the normal course
    moves: tuple[State, ...]
    leased: bool = False  # a worker acts on it under a lease
    on_lapse: State | None = None  # the move when that worker's lease lapses
    after_crash: str = ""  # in words, for the README and the crash tests


GRAPH: dict[State, Step] = {
    State.HELD: Step(
        Status.QUEUED, "an admin, who approves it (queued) or declines it; its author "
        "may cancel it", (State.QUEUED, State.CANCELED),
        after_crash="nothing to recover: it waits in the database"),
    # A queued row that waits for another (waits_for) fails, unsent, when that one
    # fails or is canceled.
    State.QUEUED: Step(
        Status.QUEUED, "the dispatcher, when its (token, kind) window has room, it is "
        "this job's turn and every row it waits for succeeded",
        (State.DISPATCHED, State.PAUSED, State.CANCELED, State.FAILED),
        after_crash="nothing to recover: it waits in the database"),
    State.PAUSED: Step(
        Status.QUEUED, "its author or an admin, who resumes or cancels it",
        (State.QUEUED, State.CANCELED),
        after_crash="nothing to recover: it waits in the database"),
    # A local kind (mix, sequence) is made and stored by the worker that took it,
    # straight from dispatched: nothing is sent and nothing charged.
    State.DISPATCHED: Step(
        Status.RUNNING, "the worker that takes its send (or making) task",
        (State.SENDING, State.QUEUED, State.SUCCEEDED, State.FAILED), leased=True,
        on_lapse=State.QUEUED,
        after_crash="back to the queue: nothing was sent (a local kind is made again)"),
    State.SENDING: Step(
        Status.RUNNING, "the worker making the call",
        (State.STORING, State.AWAITING_PROVIDER, State.QUEUED, State.CHECKING,
         State.FAILED), leased=True, on_lapse=State.CHECKING,
        after_crash="checked against the API's usage history before any resend"),
    State.STORING: Step(
        Status.RUNNING, "the worker storing the media",
        (State.SUCCEEDED, State.FAILED, State.CHECKING), leased=True,
        on_lapse=State.CHECKING,
        after_crash="the usage record is read again: its media stored, or the charge "
                    "booked and the job failed with the reason"),
    State.AWAITING_PROVIDER: Step(
        Status.RUNNING, "the dispatcher, which hands due polls to a worker",
        (State.AWAITING_PROVIDER, State.STORING, State.FAILED), leased=True,
        on_lapse=State.AWAITING_PROVIDER, after_crash="polled again"),
    State.CHECKING: Step(
        Status.RUNNING, "the dispatcher, which hands due checks to a worker",
        (State.CHECKING, State.QUEUED, State.AWAITING_PROVIDER, State.STORING,
         State.FAILED), leased=True, on_lapse=State.CHECKING, after_crash="checked again"),
    State.SUCCEEDED: Step(Status.SUCCEEDED, "nobody: final", ()),
    State.FAILED: Step(Status.FAILED, "nobody: final", ()),
    State.CANCELED: Step(Status.CANCELED, "nobody: final", ()),
}

PENDING_STATES = tuple(state for state, step in GRAPH.items() if step.moves)
FOLLOWED_UP = (State.AWAITING_PROVIDER, State.CHECKING)  # due at `follow_up_at`
# Calls that went out (or may have) and whose charge no generation holds yet.
UNSETTLED_CALLS = (State.DISPATCHED, State.SENDING, State.CHECKING)


def status_of(state: State) -> Status:
    return GRAPH[state].status


def may_move(source: State, target: State) -> bool:
    return target in GRAPH[source].moves
