from django.db import models
from django.utils import timezone

from studio.lib.team_scope import TeamQuerySet


class Event(models.Model):
    """Something that changed for a team, kept a while so a stream that reconnects
    (`Last-Event-ID`) catches up from here. The id is the stream's event id."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["team", "id"], name="event_team_id")]

    def __str__(self) -> str:
        return f"event #{self.pk} {self.kind}"
