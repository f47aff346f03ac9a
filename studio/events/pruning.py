from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from studio.events.models import Event


def prune_old_events() -> int:
    """Hourly (django-q2 schedule): events older than STUDIO_EVENT_KEEP_HOURS go; a
    page away longer than that reloads its cards instead of catching up."""
    cutoff = timezone.now() - timedelta(hours=settings.STUDIO_EVENT_KEEP_HOURS)
    deleted, _ = Event.objects.filter(created_at__lt=cutoff).delete()
    return deleted
