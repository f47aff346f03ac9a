from datetime import datetime
from urllib.parse import urlencode

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def eta(moment: datetime | None) -> str:
    """'now', 'in 12 s', 'in 3 min', 'in 2 h': how long until a queued job starts."""
    if moment is None:
        return ""
    seconds = round((moment - timezone.now()).total_seconds())
    if seconds <= 1:
        return "any moment now"
    if seconds < 90:
        return f"in {seconds} s"
    if seconds < 90 * 60:
        return f"in {round(seconds / 60)} min"
    return f"in {round(seconds / 3600)} h"


@register.filter
def duration(milliseconds: int | None) -> str:
    """0:07, 1:05: a clip's length as players show it."""
    if not milliseconds:
        return ""
    total = milliseconds // 1000  # as players show it: whole seconds elapsed
    return f"{total // 60}:{total % 60:02d}"


@register.filter
def ago(moment: datetime | None) -> str:
    """'just now', or Django's '3 minutes ago'."""
    if moment is None:
        return ""
    if (timezone.now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def remix_query(generation) -> str:
    """The generation's parameters as a query string that pre-fills its kind's form."""
    params = dict(generation.params)
    if generation.source_id:
        params["source"] = generation.source_id
        if generation.kind == "video_i2v":
            params.pop("image_url", None)
    return urlencode(params)


@register.filter
def voice_over_query(generation) -> str:
    """A TTS form pre-filled to narrate this video."""
    return urlencode({"source": generation.pk, "text": generation.summary})
