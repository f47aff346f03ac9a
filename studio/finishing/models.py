"""Exports the worker makes: a format of a finished item too heavy to convert in a
web request (exports.py decides which). One row per item and format; its file is
kept until the item is deleted, so the second person to ask gets it at once."""

from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver

from studio.generations.models import Generation
from studio.lib.team_scope import reached_through


def export_path(export: "Export", filename: str) -> str:
    return f"teams/{export.generation.team_id}/exports/{filename}"


class Export(models.Model):
    class State(models.TextChoices):
        WORKING = "working", "Being made by the worker"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE,
                                   related_name="exports")
    format = models.CharField(max_length=10)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WORKING)
    file = models.FileField(upload_to=export_path, max_length=300, blank=True)
    error_message = models.TextField(blank=True)
    tries = models.PositiveSmallIntegerField(
        default=0, help_text="Times a worker began it; past STUDIO_MAKE_ATTEMPTS it fails.")
    started_at = models.DateTimeField(null=True, blank=True,
                                      help_text="When a worker last began it.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = reached_through("generation__team").as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["generation", "format"],
                                               name="one_export_per_format")]
        indexes = [models.Index(fields=["state", "started_at"])]

    def __str__(self) -> str:
        return f"{self.format} of #{self.generation_id} ({self.state})"


@receiver(post_delete, sender=Export)
def _drop_file(sender, instance: Export, **kwargs) -> None:
    if instance.file:
        instance.file.delete(save=False)
