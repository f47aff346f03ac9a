import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models

from studio.multimodal import catalog


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "sbx_" + secrets.token_urlsafe(24)


class SandboxAccount(models.Model):
    """One API token of the sandbox, with its own balance and tier."""

    token_digest = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    tier = models.CharField(
        max_length=10, choices=[("standard", "Standard"), ("premium", "Premium")],
        default="standard",
    )
    credits = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.label or f"sandbox account {self.pk}"

    @classmethod
    def provision(cls, token: str, *, tier: str = "standard", label: str = "",
                  credits: int | None = None) -> "SandboxAccount":
        """Create the token's account, or update its tier; the balance is kept."""
        account, created = cls.objects.get_or_create(
            token_digest=token_digest(token),
            defaults={"tier": tier, "label": label,
                      "credits": credits if credits is not None
                      else settings.SANDBOX_STARTING_CREDITS},
        )
        if not created:
            account.tier = tier
            if credits is not None:
                account.credits = credits
            account.save(update_fields=["tier", "credits"])
        return account


def new_usage_id() -> str:
    return "usage_" + uuid.uuid4().hex


class SandboxUsage(models.Model):
    """A usage record, as `GET /usage` lists it."""

    id = models.CharField(primary_key=True, max_length=40, default=new_usage_id)
    account = models.ForeignKey(SandboxAccount, on_delete=models.CASCADE,
                                related_name="usages")
    endpoint_type = models.CharField(max_length=20)
    model_used = models.CharField(max_length=40)
    credits_used = models.IntegerField()
    status = models.CharField(max_length=12, default=catalog.USAGE_COMPLETED)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True,
                                    help_text="A long-running video completes then.")
    media_name = models.CharField(max_length=200, blank=True,
                                  help_text="The rendered video in storage.")

    class Meta:
        indexes = [models.Index(fields=["account", "endpoint_type", "created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.endpoint_type} {self.id} ({self.status})"

    def as_json(self, video_url: str = "") -> dict:
        record = {
            "id": self.id,
            "endpoint_type": self.endpoint_type,
            "model_used": self.model_used,
            "credits_used": self.credits_used,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
        }
        if self.completed_at:
            record["completed_at"] = self.completed_at.isoformat()
        if video_url and self.status == catalog.USAGE_COMPLETED:
            record["video_url"] = video_url
            record["format"] = "mp4"
        return record


class SandboxFaults(models.Model):
    """Misbehaviour to act out for one token, so the studio's handling can be tested."""

    COUNTERS = ("fail_next_500", "drop_next", "malformed_next", "lose_next")

    account = models.OneToOneField(SandboxAccount, on_delete=models.CASCADE,
                                   related_name="faults")
    fail_next_500 = models.PositiveIntegerField(
        default=0, help_text="Answer this many generation calls with 500, uncharged.")
    always_429 = models.BooleanField(
        default=False, help_text="Answer every generation call with 429.")
    delay_seconds = models.FloatField(
        default=0, help_text="Wait this long before answering (after charging).")
    drop_next = models.PositiveIntegerField(
        default=0, help_text="Charge, then break off this many answers mid-body.")
    malformed_next = models.PositiveIntegerField(
        default=0, help_text="Answer this many calls with malformed JSON, uncharged.")
    lose_next = models.PositiveIntegerField(
        default=0, help_text="Break off this many calls before charging them (a network "
                             "drop on the way in: no answer, no charge).")

    class Meta:
        verbose_name_plural = "sandbox faults"

    def __str__(self) -> str:
        return f"faults of {self.account}"

    def take(self, counter: str) -> bool:
        """Use up one of a counted fault; True if there was one left."""
        return bool(SandboxFaults.objects.filter(pk=self.pk, **{f"{counter}__gt": 0})
                    .update(**{counter: models.F(counter) - 1}))
