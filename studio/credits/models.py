from django.conf import settings
from django.db import models

from studio.lib.team_scope import TeamQuerySet
from studio.multimodal import catalog


class Source(models.TextChoices):
    STUDIO = "studio", "Studio"
    RECONCILIATION = "reconciliation", "Found by reconciliation"
    CLAIMED = "claimed", "Found by reconciliation, then matched to its generation"
    CORRECTION = "correction", "Correction by reconciliation"


# Entries that are a call's charge: a usage record is charged once. (A refund is
# negative; reconciliation's corrections are entries of their own.)
CHARGES = ~models.Q(usage_id="") & models.Q(credits__gt=0) & ~models.Q(source=Source.CORRECTION)


class LedgerEntry(models.Model):
    """One credit movement of a team: positive for a charge, negative for a refund.

    Append-only: entries are never edited; a correction is a new entry.
    """

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE,
                             related_name="ledger_entries")
    generation = models.ForeignKey("generations.Generation", null=True, blank=True,
                                   on_delete=models.SET_NULL,
                                   related_name="ledger_entries")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=catalog.kind_choices)
    usage_id = models.CharField(max_length=100, blank=True, db_index=True)
    credits = models.IntegerField()
    credits_remaining = models.IntegerField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices,
                              default=Source.STUDIO)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["usage_id"], condition=CHARGES,
                                               name="one_charge_per_usage_record")]

    def __str__(self) -> str:
        return f"{self.credits:+d} credits ({self.kind}) for {self.team}"


class Discrepancy(models.Model):
    """A usage record whose charge differs from what the ledger holds for it."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE,
                             related_name="credit_discrepancies")
    usage_id = models.CharField(max_length=100)
    ledger_credits = models.IntegerField()
    api_credits = models.IntegerField()
    found_at = models.DateTimeField(auto_now_add=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at"]
        constraints = [models.UniqueConstraint(fields=["team", "usage_id"],
                                               name="one_discrepancy_per_usage")]

    def __str__(self) -> str:
        return f"{self.usage_id}: ledger {self.ledger_credits}, API {self.api_credits}"


class SyncState(models.Model):
    """How far reconciliation has read a team's usage history."""

    team = models.OneToOneField("teams.Team", on_delete=models.CASCADE,
                                related_name="credit_sync")
    synced_through = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    objects = TeamQuerySet.as_manager()

    def __str__(self) -> str:
        return f"sync of {self.team}"
