"""Was a lost call charged? Ask the API's usage history before sending it again.

The API takes no idempotency key, so a call whose answer never arrived (worker
killed, connection dropped, read timeout) is matched to the usage record it made:
same kind, stamped between its send and its loss (give or take the clocks' skew),
and held by no other generation. A record belongs to at most one call, and the
database says so (Generation.usage_id and the ledger's charges are unique).

Other calls of ours on the same (token, kind) may have made the records the lost
call could claim. The matcher never guesses while one of them could still say so:
while a call that could own a candidate is in flight, it waits (`WAIT`) and decides
once they have settled. Then the records go to the calls that cannot name theirs,
all at once and the same way whichever of them asks (`assign`): a call answered
without a usage id takes the record nearest its send; each record left goes to the
lost call sent nearest to it (the API stamps a call when it arrives, in the
order they came). A lost call given none was not charged and is sent again. Teams
that share a token share this: calls are counted by the token's fingerprint.

A record that reconciliation booked as found outside the studio is still claimable:
the ledger turns that entry into this generation's charge (credits.ledger.book_charge)
instead of booking it again.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from studio.credits.models import LedgerEntry
from studio.credits.reconcile import CLOCK_SKEW
from studio.generations.models import Attempt, Generation
from studio.generations.states import State
from studio.lib import clock
from studio.multimodal.answers import UsageRecord
from studio.multimodal.catalog import USAGE_IN_PROGRESS
from studio.multimodal.client import MultimodalClient

PAGE = 100


@dataclass(frozen=True)
class Call:
    """One call of ours, as far as the usage history is concerned: the API stamped
    its record (if it made one) after `sent_at` and, once the call ended, before
    `ended_at`; a call still in flight (`ended_at` None) may stamp one any time."""

    sent_at: datetime
    ended_at: datetime | None = None
    key: object = None  # who it is, for the caller

    def could_own(self, created_at: datetime) -> bool:
        if created_at < self.sent_at - CLOCK_SKEW:
            return False
        return self.ended_at is None or created_at <= self.ended_at + CLOCK_SKEW


@dataclass(frozen=True)
class Candidate:
    """An unclaimed usage record: a charge, or a render still under way."""

    usage_id: str
    created_at: datetime


WAIT = object()  # decide again once the overlapping calls have settled


def decide(lost: Call, records: list[Candidate], *, in_flight: list[Call],
           lost_others: list[Call], unnamed: list[Call]) -> Candidate | None | object:
    """The record `lost` made, None when it made none, or WAIT.

    `records`: unclaimed records of the kind. `in_flight`: other calls not yet
    answered; `lost_others`: other lost calls not yet settled; `unnamed`: calls
    answered without naming their usage record."""
    mine = [record for record in records if lost.could_own(record.created_at)]
    if not mine:
        return None
    if any(call.could_own(record.created_at) for call in in_flight for record in mine):
        return WAIT
    return assign(records, unnamed, [lost, *lost_others]).get(lost.key)


def assign(records: list[Candidate], unnamed: list[Call],
           lost: list[Call]) -> dict[object, Candidate]:
    """Which record each lost call made (by its key); the same answer for each."""
    free = sorted(records, key=lambda r: (r.created_at, r.usage_id))
    for call in sorted(unnamed, key=lambda c: c.sent_at):
        if (taken := nearest(free, call)) is not None:
            free.remove(taken)
    owners: dict[object, Candidate] = {}
    for record in free:
        open_calls = [c for c in lost if c.key not in owners and c.could_own(record.created_at)]
        if open_calls:
            owner = min(open_calls, key=lambda c: (abs(record.created_at - c.sent_at),
                                                   c.sent_at))
            owners[owner.key] = record
    return owners


def nearest(records: list[Candidate], call: Call) -> Candidate | None:
    mine = [r for r in records if call.could_own(r.created_at)]
    return min(mine, key=lambda r: abs(r.created_at - call.sent_at), default=None)


def find_charge(client: MultimodalClient, generation: Generation,
                lost: Attempt | None) -> UsageRecord | None | object:
    """The usage record of `generation`'s lost call (read again in full), None when
    the API never charged it, or WAIT."""
    if lost is None:
        return None
    call = Call(lost.sent_at, lost.finished_at or clock.now(), lost.pk)
    records = unclaimed(records_since(client, generation.kind, call.sent_at - CLOCK_SKEW))
    others = Attempt.objects.filter(token_key=lost.token_key, kind=lost.kind).exclude(
        generation_id=generation.pk)
    found = decide(call, records, in_flight=in_flight(others),
                   lost_others=lost_others(others), unnamed=unnamed(others, call))
    if isinstance(found, Candidate):
        return client.get_usage(found.usage_id)
    return found


def records_since(client: MultimodalClient, kind: str, start: datetime) -> list[UsageRecord]:
    """The kind's usage records created since `start`, oldest first."""
    found: list[UsageRecord] = []
    for skip in range(0, settings.STUDIO_RECOVERY_SCAN, PAGE):
        page = client.list_usage(skip=skip, limit=PAGE, endpoint_type=kind)
        fresh = [r for r in page.records if r.created_at and r.created_at >= start]
        found.extend(fresh)
        if len(fresh) < len(page.records) or len(page.records) < PAGE:
            break
    return sorted(found, key=lambda record: record.created_at)


def unclaimed(records: list[UsageRecord]) -> list[Candidate]:
    """The records a call may still claim: charged (or still rendering), and held by
    no generation nor any generation's ledger charge."""
    charges = [r for r in records if r.credits_used or r.status in USAGE_IN_PROGRESS]
    ids = [r.usage_id for r in charges]
    held = set(Generation.objects.filter(usage_id__in=ids).values_list("usage_id", flat=True))
    held |= set(LedgerEntry.objects.filter(usage_id__in=ids).exclude(generation=None)
                .values_list("usage_id", flat=True))
    return [Candidate(r.usage_id, r.created_at) for r in charges if r.usage_id not in held]


OPEN = (Attempt.Outcome.DISPATCHED, Attempt.Outcome.IN_FLIGHT)


def in_flight(others) -> list[Call]:
    return [Call(sent_at) for sent_at in
            others.filter(outcome__in=OPEN).values_list("sent_at", flat=True)]


def lost_others(others) -> list[Call]:
    """Other lost calls whose own check has not settled them yet: each generation
    still checking, by its latest call."""
    rows = others.filter(outcome=Attempt.Outcome.LOST, generation__state=State.CHECKING,
                         generation__usage_id="").order_by("generation_id", "number")
    latest = {generation: (pk, sent, ended) for pk, generation, sent, ended in
              rows.values_list("pk", "generation_id", "sent_at", "finished_at")}
    return [Call(sent, ended or clock.now(), pk) for pk, sent, ended in latest.values()]


def unnamed(others, lost: Call) -> list[Call]:
    """Calls answered with their media but no usage id (the document does not promise
    one for images): each made a record we cannot name, so it is not the lost one's."""
    rows = others.filter(outcome=Attempt.Outcome.SUCCEEDED, generation__usage_id="",
                         finished_at__gte=lost.sent_at - 2 * CLOCK_SKEW,
                         sent_at__lte=lost.ended_at + 2 * CLOCK_SKEW)
    return [Call(sent, ended) for sent, ended in rows.values_list("sent_at", "finished_at")]
