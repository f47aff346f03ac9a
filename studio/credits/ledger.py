"""Writing the ledger: the one place credit movements are recorded."""

from studio.credits.models import LedgerEntry
from studio.generations.models import Generation


def record_generation_charge(generation: Generation) -> LedgerEntry:
    credits = generation.credits_used
    if credits is None:
        credits = generation.cost  # the API did not say: the catalog's price stands
    entry = LedgerEntry.objects.create(
        team=generation.team, generation=generation, member=generation.author,
        kind=generation.kind, usage_id=generation.usage_id, credits=credits,
        credits_remaining=generation.credits_remaining,
    )
    if generation.credits_remaining is not None:
        team = generation.team
        team.credits_remaining = generation.credits_remaining
        team.credits_as_of = entry.created_at
        team.save(update_fields=["credits_remaining", "credits_as_of"])
    return entry
