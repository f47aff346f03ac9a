"""The team's work after generation: boards, tags, review statuses, notes at a
moment, outside share links and notifications."""

from django.conf import settings
from django.db import models

from studio.lib import clock
from studio.lib.team_scope import TeamQuerySet

# --- sharing and notes ---


class ShareLink(models.Model):
    """An outside link (`/s/<token>/`) to one item, for someone with no account.

    The token is looked up by its SHA-256 digest, so the table cannot be read for
    tokens nor searched by guessing; a sealed copy (encrypted like the team's API
    token) lets members copy the link again. A board link adds a nullable `board`
    beside `generation` when boards are merged in.
    """

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    generation = models.ForeignKey("generations.Generation", on_delete=models.CASCADE,
                                   related_name="share_links")
    token_digest = models.CharField(max_length=64, unique=True)
    token_sealed = models.TextField()
    expires_at = models.DateTimeField()
    passphrase_hash = models.CharField(max_length=256, blank=True)
    allow_download = models.BooleanField(default=False)
    allow_notes = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.stamp)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    views = models.PositiveIntegerField(default=0)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"outside link {self.pk} to #{self.generation_id}"

    @property
    def has_passphrase(self) -> bool:
        return bool(self.passphrase_hash)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= clock.now()

    @property
    def is_live(self) -> bool:
        return not self.is_revoked and not self.is_expired
