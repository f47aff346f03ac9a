"""Reconciliation: the API's usage history against the team's ledger, by usage_id.

Charges the studio did not record (another client on the same token, a call whose
answer was lost) become ledger entries marked as found by reconciliation. A charge
recorded with a different amount gets a correcting entry, so the ledger's sum stays
what the API debited, and is flagged on the credits page.

A charge that a call of the studio's own could still claim (one in flight, or lost
and not yet checked) is left alone until that call is settled: booking it as found
now would make the call's recovery see someone else's charge and send it again.
What the studio's jobs hold is asked of the caller (`Claims`), so the ledger knows
nothing of generations.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.db import transaction
from django.db.models import Sum

from studio.credits.models import Discrepancy, LedgerEntry, Source, SyncState
from studio.lib import clock
from studio.multimodal.answers import UsageRecord
from studio.multimodal.catalog import USAGE_COMPLETED
from studio.multimodal.client import MultimodalClient
from studio.teams.models import Team

PAGE = 100
MAX_PAGES = 50
# Records can appear a little out of order (long renders complete late).
OVERLAP = timedelta(hours=2)
# The API's clock and ours may disagree by a little.
CLOCK_SKEW = timedelta(seconds=5)


class Claims(Protocol):
    """What the team's own jobs hold of the API's usage history."""

    def settling(self, usage_id: str) -> bool:
        """A job still working holds this record and will book its charge itself."""

    def open_call_since(self, kind: str) -> datetime | None:
        """The earliest send of a call of this kind whose charge no job holds yet."""

    def holder(self, usage_id: str) -> "Holder | None":
        """The finished job that holds this record."""


@dataclass(frozen=True)
class Holder:
    generation_id: int
    member: object
    team: Team  # the job's own, which may be another team on the same token


@dataclass
class Outcome:
    read: int = 0
    added: int = 0
    mismatched: int = 0
    deferred: int = 0


def reconcile(team: Team, client: MultimodalClient, claims: Claims) -> Outcome:
    state, _ = SyncState.objects.get_or_create(team=team)
    since = state.synced_through - OVERLAP if state.synced_through else None
    outcome = Outcome()
    newest = state.synced_through
    earliest_deferred = None
    for record in usage_since(client, since):
        outcome.read += 1
        if could_be_ours(record, claims):
            outcome.deferred += 1
            earliest_deferred = min(filter(None, (earliest_deferred, record.created_at)),
                                    default=None)
            continue
        newest = max(filter(None, (newest, record.created_at)), default=None)
        settle_record(team, record, outcome, claims)
    if earliest_deferred is not None and newest is not None:
        newest = min(newest, earliest_deferred)  # read them again next time
    state.synced_through, state.last_run_at, state.last_error = newest, clock.now(), ""
    state.save()
    return outcome


def could_be_ours(record: UsageRecord, claims: Claims) -> bool:
    """An unclaimed charge made after one of our unsettled calls went out."""
    if not record.endpoint_type or record.created_at is None:
        return False
    opened = claims.open_call_since(record.endpoint_type)
    return opened is not None and record.created_at >= opened - CLOCK_SKEW


def usage_since(client: MultimodalClient, since: datetime | None):
    """Usage records newest first, until they are older than `since`."""
    for page_number in range(MAX_PAGES):
        page = client.list_usage(skip=page_number * PAGE, limit=PAGE)
        for record in page.records:
            if since and record.created_at and record.created_at < since:
                return
            yield record
        if len(page.records) < PAGE:
            return


def settle_record(team: Team, record: UsageRecord, outcome: Outcome,
                  claims: Claims) -> None:
    charged = record.credits_used or 0
    if record.status != USAGE_COMPLETED or not record.usage_id:
        return  # still rendering, or failed: the studio settles those itself
    with transaction.atomic():
        recorded = (LedgerEntry.objects.filter(usage_id=record.usage_id)
                    .aggregate(total=Sum("credits"))["total"])
        if recorded is None:
            if charged and not claims.settling(record.usage_id):
                add_found_charge(team, record, charged, claims.holder(record.usage_id))
                outcome.added += 1
        elif recorded != charged and team.ledger_entries.filter(usage_id=record.usage_id).exists():
            flag_mismatch(team, record, recorded, charged)
            outcome.mismatched += 1


def add_found_charge(team: Team, record: UsageRecord, credits: int,
                     holder: Holder | None) -> None:
    generation_id, member, owner = (holder.generation_id, holder.member, holder.team) \
        if holder else (None, None, team)
    LedgerEntry.objects.create(
        team=owner, generation_id=generation_id, member=member,
        kind=record.endpoint_type or "", usage_id=record.usage_id, credits=credits,
        source=Source.RECONCILIATION,
    )


def flag_mismatch(team: Team, record: UsageRecord, recorded: int, charged: int) -> None:
    Discrepancy.objects.update_or_create(
        team=team, usage_id=record.usage_id,
        defaults={"ledger_credits": recorded, "api_credits": charged})
    LedgerEntry.objects.create(
        team=team, kind=record.endpoint_type or "", usage_id=record.usage_id,
        credits=charged - recorded, source=Source.CORRECTION,
    )
