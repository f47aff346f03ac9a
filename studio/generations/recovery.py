"""Was a lost call charged? Ask the API's usage history before sending it again.

The API takes no idempotency key, so a call whose answer never arrived (worker
killed, connection dropped, read timeout) is matched to the usage record it made:
same kind, created after it was sent and before the next call of that window went
out, and claimed by no other generation. A record that reconciliation booked as
found outside the studio is still claimable: the ledger turns that entry into this
generation's charge (credits.ledger.book_charge) instead of booking it again.
"""

from datetime import datetime

from django.conf import settings

from studio.credits.models import LedgerEntry
from studio.credits.reconcile import CLOCK_SKEW
from studio.generations.models import Attempt, Generation
from studio.lib import clock
from studio.multimodal.answers import UsageRecord
from studio.multimodal.client import MultimodalClient

PAGE = 100


def find_charge(client: MultimodalClient, generation: Generation,
                lost: Attempt | None) -> UsageRecord | None:
    if lost is None:
        return None
    start, end = lost.sent_at - CLOCK_SKEW, next_send_after(lost) + CLOCK_SKEW
    for record in records_since(client, generation.kind, start):
        if record.created_at <= end and not already_claimed(record.usage_id):
            return client.get_usage(record.usage_id)
    return None


def next_send_after(lost: Attempt) -> datetime:
    later = (Attempt.objects.filter(token_key=lost.token_key, kind=lost.kind,
                                    sent_at__gt=lost.sent_at)
             .exclude(pk=lost.pk).order_by("sent_at").values_list("sent_at", flat=True)
             .first())
    return later or clock.now()


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


def already_claimed(usage_id: str) -> bool:
    return (Generation.objects.filter(usage_id=usage_id).exists()
            or LedgerEntry.objects.filter(usage_id=usage_id).exclude(generation=None)
            .exists())
