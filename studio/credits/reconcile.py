"""Reconciliation: the API's usage history against the team's ledger, by usage_id.

Charges the studio did not record (another client on the same token, a call whose
answer was lost) become ledger entries marked as found by reconciliation. A charge
recorded with a different amount gets a correcting entry, so the ledger's sum stays
what the API debited, and is flagged on the credits page.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from studio.credits.models import Discrepancy, LedgerEntry, Source, SyncState
from studio.generations.models import PENDING_STATUSES, Generation
from studio.multimodal.client import MultimodalClient, UsageRecord
from studio.teams.models import Team

PAGE = 100
MAX_PAGES = 50
# Records can appear a little out of order (long renders complete late).
OVERLAP = timedelta(hours=2)


@dataclass
class Outcome:
    read: int = 0
    added: int = 0
    mismatched: int = 0


def reconcile(team: Team, client: MultimodalClient) -> Outcome:
    state, _ = SyncState.objects.get_or_create(team=team)
    since = state.synced_through - OVERLAP if state.synced_through else None
    outcome = Outcome()
    newest = state.synced_through
    for record in usage_since(client, since):
        outcome.read += 1
        newest = max(filter(None, (newest, record.created_at)), default=None)
        settle_record(team, record, outcome)
    state.synced_through, state.last_run_at, state.last_error = newest, timezone.now(), ""
    state.save()
    return outcome


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


def settle_record(team: Team, record: UsageRecord, outcome: Outcome) -> None:
    charged = record.credits_used or 0
    if record.status != "completed" or not record.id:
        return  # still rendering, or failed: the studio settles those itself
    with transaction.atomic():
        recorded = (LedgerEntry.objects.filter(usage_id=record.id)
                    .aggregate(total=Sum("credits"))["total"])
        if recorded is None:
            if charged and not settling_elsewhere(record.id):
                add_found_charge(team, record, charged)
                outcome.added += 1
        elif recorded != charged and team.ledger_entries.filter(usage_id=record.id).exists():
            flag_mismatch(team, record, recorded, charged)
            outcome.mismatched += 1


def settling_elsewhere(usage_id: str) -> bool:
    """A job of ours still owns this record and will write its charge itself."""
    return Generation.objects.filter(usage_id=usage_id, status__in=PENDING_STATUSES).exists()


def add_found_charge(team: Team, record: UsageRecord, credits: int) -> None:
    generation = Generation.objects.filter(team=team, usage_id=record.id).first()
    LedgerEntry.objects.create(
        team=team, generation=generation, member=generation.author if generation else None,
        kind=record.endpoint_type or "", usage_id=record.id, credits=credits,
        source=Source.RECONCILIATION,
    )


def flag_mismatch(team: Team, record: UsageRecord, recorded: int, charged: int) -> None:
    Discrepancy.objects.update_or_create(
        team=team, usage_id=record.id,
        defaults={"ledger_credits": recorded, "api_credits": charged})
    LedgerEntry.objects.create(
        team=team, kind=record.endpoint_type or "", usage_id=record.id,
        credits=charged - recorded, source=Source.RECONCILIATION,
    )
