"""Small helpers of the gallery's cards and its viewer."""

from datetime import datetime

from django import template
from django.utils.timesince import timesince

from studio.generations.models import Generation, Status
from studio.lib import clock

register = template.Library()

# The icon of each source action ("Animate" makes a video, "Voice-over" speech).
ACTION_ICONS = {"Animate": "film", "Voice-over": "mic"}
MEDIA_ICONS = {"audio": "audio-lines", "image": "image", "video": "film"}


@register.filter
def has_media(generation: Generation) -> bool:
    """Finished with a file to show, play and download."""
    return generation.status == Status.SUCCEEDED and bool(generation.media)


@register.filter
def spaced(name: str) -> str:
    """'Wise_Woman' as a person reads it: 'Wise Woman'."""
    return str(name or "").replace("_", " ")


@register.filter
def action_icon(action) -> str:
    return ACTION_ICONS.get(action.label, "wand-sparkles")


@register.filter
def media_icon(generation: Generation) -> str:
    return MEDIA_ICONS.get(generation.kind_spec.media, "image")


@register.filter
def since(moment: datetime | None) -> str:
    """'just now', '3 hours ago': the largest unit only, for a card's one line."""
    if moment is None:
        return ""
    now = clock.now()
    if (now - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, now, depth=1)} ago"
