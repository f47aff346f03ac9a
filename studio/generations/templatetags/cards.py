"""The gallery's cards, drawn once and kept, and small helpers of cards and viewer."""

from datetime import datetime

from django import template
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from studio.generations.models import Generation, Status
from studio.lib import clock

register = template.Library()

# Rendering 48 cards was most of a gallery page's time. A finished card's HTML
# depends only on its row and on who looks (their star, what they may do), so it is
# kept per process under exactly that (a waiting card's place and start change its
# updated_at). The one per-request part, the CSRF token of its forms, is drawn as a
# placeholder and put in on the way out. Times on a card are absolute (the page's
# script shows them relative: "3 hours ago", "in 40 seconds"), so a kept card never
# ages.
CARD_TEMPLATE = "generations/_card.html"
CSRF_PLACEHOLDER = "CARD-CSRF-TOKEN-PLACEHOLDER"


@register.simple_tag(takes_context=True)
def card(context, generation: Generation, oob: str = "") -> str:
    """The card of `generation`, from the card cache when it is finished."""
    membership = context.get("membership")
    token = str(context.get("csrf_token", ""))
    key = card_key(generation, membership, oob)
    kept = caches["cards"].get(key)
    if kept is None:
        kept = draw(context, generation, oob, CSRF_PLACEHOLDER)
        caches["cards"].set(key, kept)
    return mark_safe(kept.replace(CSRF_PLACEHOLDER, token))


def card_key(generation: Generation, membership, oob: str) -> str:
    may = (membership.can_generate, membership.may_change(generation),
           membership.can_manage) if membership else (False, False, False)
    seen = (getattr(generation, "starred", False), generation.deleted_at is not None)
    flags = "".join("1" if flag else "0" for flag in (*may, *seen))
    rating = getattr(generation, "rating_avg", None) or 0
    comments = getattr(generation, "comment_count", 0) or 0
    return (f"card:{generation.pk}:{generation.updated_at.timestamp():.6f}:{flags}:"
            f"{rating:.3f}:{comments}:{oob or '-'}")


def draw(context, generation: Generation, oob: str, token: str) -> str:
    values = {"generation": generation, "oob": oob, "csrf_token": token,
              "membership": context.get("membership"), "user": context.get("user"),
              "request": context.get("request")}
    return get_template(CARD_TEMPLATE).render(values)

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
