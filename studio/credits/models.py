from django.conf import settings
from django.db import models

from studio.generations.models import KIND_CHOICES


class Source(models.TextChoices):
    STUDIO = "studio", "Studio"
    RECONCILIATION = "reconciliation", "Found by reconciliation"


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
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    usage_id = models.CharField(max_length=100, blank=True, db_index=True)
    credits = models.IntegerField()
    credits_remaining = models.IntegerField(null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices,
                              default=Source.STUDIO)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.credits:+d} credits ({self.kind}) for {self.team}"
