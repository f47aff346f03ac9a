"""Writing the ledger: the one place credit movements are recorded.

The ledger takes plain values, so it knows nothing of how a charge came about.
"""

import logging

from django.db import IntegrityError, transaction

from studio.credits.models import LedgerEntry, Source
from studio.teams.models import Team

log = logging.getLogger(__name__)


def book_charge(*, team: Team, generation_id: int | None, member, kind: str, usage_id: str,
                credits: int, credits_remaining: int | None = None) -> LedgerEntry | None:
    """A generation's charge. When reconciliation already booked the same usage
    record as found outside the studio (a lost call it could not yet tell from one),
    that entry is claimed for the generation instead of booking the charge twice.

    A usage record is charged once: a second charge of one is refused (None), logged,
    and leaves the ledger as it was."""
    with transaction.atomic():
        found = (LedgerEntry.objects.select_for_update()
                 .filter(usage_id=usage_id, generation=None,
                         source=Source.RECONCILIATION).first()) if usage_id else None
        if found is not None:
            found.generation_id, found.member, found.kind = generation_id, member, kind
            found.team, found.source = team, Source.CLAIMED
            found.save(update_fields=["generation", "member", "kind", "team", "source"])
            return found
        try:
            with transaction.atomic():
                return LedgerEntry.objects.create(
                    team=team, generation_id=generation_id, member=member, kind=kind,
                    usage_id=usage_id, credits=credits, credits_remaining=credits_remaining)
        except IntegrityError:
            log.error("charge_refused", extra={"usage_id": usage_id, "generation": generation_id,
                                               "team": team.pk})
            return None
