"""Template tags every page uses (a builtin library, no {% load %} needed): icons from
the vendored Lucide sprite, times a browser shows in its own time zone, and the
theme a member chose."""

import functools
from datetime import datetime

from django import template
from django.http import HttpRequest
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html

from studio.lib import drawings

register = template.Library()

THEMES = ("light", "dark")  # no cookie: the system's preference


@functools.cache
def sprite_url() -> str:
    """The sprite's (hashed) URL, looked up once: a page draws hundreds of icons."""
    return static("icons/lucide.svg")


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """A Lucide icon; decorative unless `label` names it for screen readers."""
    sprite = sprite_url()
    if label:
        return format_html('<svg class="icon" role="img" aria-label="{}"><use href="{}#{}">'
                           "</use></svg>", label, sprite, name)
    return format_html('<svg class="icon" aria-hidden="true" focusable="false">'
                       '<use href="{}#{}"></use></svg>', sprite, name)


@register.filter
def when(moment: datetime | None, style: str = "datetime") -> str:
    """<time> in UTC for the server; the page's script shows it in the browser's own
    time zone and keeps the UTC moment on hover. `style`: datetime, date or time."""
    if moment is None:
        return ""
    utc = timezone.localtime(moment, timezone.UTC)
    shown = {"date": "%Y-%m-%d", "time": "%H:%M:%S"}.get(style, "%Y-%m-%d %H:%M")
    return format_html('<time datetime="{}" title="{} UTC" data-local="{}">{} UTC</time>',
                       utc.isoformat(), utc.strftime("%Y-%m-%d %H:%M:%S"), style,
                       utc.strftime(shown))


def theme(request: HttpRequest) -> dict:
    """The theme cookie set by the switch, so the first paint is already right."""
    chosen = request.COOKIES.get("theme", "")
    return {"theme": chosen if chosen in THEMES else ""}


@register.filter
def drawing_key(form) -> str:
    """What `{% cache %}` keeps a form's drawing under ("": draw it each time)."""
    return drawings.drawing_key(form)
