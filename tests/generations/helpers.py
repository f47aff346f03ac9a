"""Submitting and driving generations in-process, with the sandbox over loopback."""

from studio.generations import dispatch
from studio.generations.models import PENDING_STATUSES, Generation
from studio.generations.states import State
from studio.multimodal import catalog


def queued(team, author, kind: str, lane: str = "normal", **params) -> Generation:
    spec = catalog.get(kind)
    params = spec.with_defaults(params)
    return Generation.objects.create(team=team, author=author, kind=kind, lane=lane,
                                     params=params, cost=spec.cost_for(params))


def drive(clock, *, limit: int = 2000) -> int:
    """Tick the dispatcher (tasks run inline), jumping the clock to each wake-up,
    until nothing is pending but what waits for a person (paused, held); the number
    of ticks it took."""
    for ticks in range(1, limit + 1):
        wake = dispatch.tick()
        pending = Generation.objects.filter(status__in=PENDING_STATUSES).exclude(
            state__in=(State.PAUSED, State.HELD))
        if not pending.exists():
            return ticks
        if wake is not None:
            clock.advance_to(wake)
    raise AssertionError(f"still pending after {limit} ticks")


def refreshed(generation: Generation) -> Generation:
    generation.refresh_from_db()
    return generation
