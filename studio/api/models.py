"""Who calls the REST API (tokens), what it already answered (idempotency keys), and
where the team wants to hear about its work (webhook endpoints and deliveries)."""

from django.conf import settings
from django.db import models

from studio.lib import clock
from studio.lib.team_scope import TeamQuerySet, reached_through


class Scope(models.TextChoices):
    READ = "read", "Read: the gallery, the ledger, the catalog"
    GENERATE = "generate", "Generate: create and cancel generations"
    ADMIN = "admin", "Admin: webhooks and the team's tokens"


class ApiToken(models.Model):
    """A bearer token: shown once, stored as its SHA-256. A personal token acts as its
    member; a service token belongs to the team and acts as its bot member."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens", help_text="Whom it acts as.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    service = models.BooleanField(default=False, help_text="The team's, for a bot.")
    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=16, help_text="Its first characters, to tell "
                                                       "tokens apart.")
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    monthly_cap = models.PositiveIntegerField(null=True, blank=True,
                                              help_text="Credits it may spend a month.")
    created_at = models.DateTimeField(default=clock.stamp)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes or Scope.ADMIN in self.scopes


class IdempotencyKey(models.Model):
    """The first answer to a POST with this key, replayed for 24 hours."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path "
                                                            "and body.")
    status = models.PositiveSmallIntegerField(null=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.stamp, db_index=True)

    objects = reached_through("token__team").as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"],
                                               name="one_answer_per_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'answering'})"


class WebhookEndpoint(models.Model):
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)
    secret = models.CharField(max_length=80, help_text="whsec_…: signs every delivery.")
    disabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.stamp)
    # Set: a `webhook` given with one submission (POST /api/v1/generations), which gets
    # only that submission's events; not one of the team's webhooks.
    generation_set = models.ForeignKey("generations.GenerationSet", null=True, blank=True,
                                       on_delete=models.CASCADE,
                                       related_name="request_webhooks")

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up"

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE,
                                 related_name="deliveries")
    message_id = models.CharField(max_length=40, unique=True)
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    sending_until = models.DateTimeField(null=True, blank=True,
                                         help_text="A worker is sending it until then.")
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.stamp)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = reached_through("endpoint__team").as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.event} {self.message_id} ({self.status})"


def upload_path(upload: "Upload", filename: str) -> str:
    return f"teams/{upload.team_id}/uploads/{filename}"


class Upload(models.Model):
    """A file a token sent (POST /api/v1/files), to be named by its id as a source:
    the image an image-to-video generation animates."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="uploads")
    token = models.ForeignKey(ApiToken, null=True, on_delete=models.SET_NULL)
    file = models.FileField(upload_to=upload_path, max_length=300)
    extension = models.CharField(max_length=10)
    size = models.BigIntegerField()
    created_at = models.DateTimeField(default=clock.stamp)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.file.name
