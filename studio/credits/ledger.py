"""Writing the ledger: the one place credit movements are recorded.

The ledger takes plain values, so it knows nothing of how a charge came about.
"""

from django.db import transaction

from studio.credits.models import LedgerEntry, Source
from studio.teams.models import Team


def book_charge(*, team: Team, generation_id: int | None, member, kind: str, usage_id: str,
                credits: int, credits_remaining: int | None = None) -> LedgerEntry:
    """A generation's charge. When reconciliation already booked the same usage
    record as found outside the studio (a lost call it could not yet tell from one),
    that entry is claimed for the generation instead of booking the charge twice."""
    with transaction.atomic():
        found = (LedgerEntry.objects.select_for_update()
                 .filter(team=team, usage_id=usage_id, generation=None,
                         source=Source.RECONCILIATION).first()) if usage_id else None
        if found is not None:
            found.generation_id, found.member, found.kind = generation_id, member, kind
            found.source = Source.CLAIMED
            found.save(update_fields=["generation", "member", "kind", "source"])
            return found
        return LedgerEntry.objects.create(
            team=team, generation_id=generation_id, member=member, kind=kind,
            usage_id=usage_id, credits=credits, credits_remaining=credits_remaining)
