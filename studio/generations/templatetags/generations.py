from datetime import datetime
from urllib.parse import urlencode

from django import template
from django.utils.timesince import timesince

from studio.generations import moments, sources
from studio.lib import clock

register = template.Library()


@register.filter
def eta(moment: datetime | None) -> str:
    """'now', 'in 12 s', 'in 3 min', 'in 2 h': how long until a queued job starts."""
    if moment is None:
        return ""
    seconds = round((moment - clock.now()).total_seconds())
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
    if (clock.now() - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def remix_query(generation) -> str:
    """The generation's parameters as a query string that pre-fills its kind's form."""
    return urlencode(sources.remix_query(generation), doseq=True)


@register.filter
def source_actions(generation) -> list[sources.Action]:
    """"Animate", "Voice-over"...: the kinds that can be made from this item."""
    return sources.actions(generation)


@register.filter
def note_time(seconds: float | None) -> str:
    """A note's moment as a player shows it: 0:01.5."""
    return "" if seconds is None else moments.clock_label(seconds)


@register.filter
def seconds(value: float | int | None) -> str:
    """A number of seconds for a data attribute: plain digits, never localized."""
    return "" if value is None else f"{value:g}"


@register.filter
def percent(fraction: float | None) -> str:
    return "" if fraction is None else f"{fraction * 100:.0f} %"


@register.filter
def from_ms(milliseconds: int | None) -> str:
    """Milliseconds as seconds for a data attribute: 6000 -> 6."""
    return "" if milliseconds is None else f"{milliseconds / 1000:g}"
