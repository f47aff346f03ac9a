"""The gallery's cards, drawn once and kept, and small helpers of cards and viewer."""

from dataclasses import astuple, dataclass
from datetime import datetime

from django import template
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from studio.generations import shapes
from studio.generations.models import CARD_ANNOTATIONS, Generation, Status
from studio.lib import clock

register = template.Library()

# Rendering 48 cards was most of a gallery page's time. A card is drawn with the real
# membership and kept per process, under everything about its row that it shows and
# the viewer's rights that change it (Rights): viewers with the same rights share one
# drawing. Its forms' CSRF token is a placeholder swapped per request. Times on a card
# are absolute (the page's script tells them relative: "3 hours ago", "in 40
# seconds"), so a kept card never ages.
CARD_TEMPLATE = "generations/_card.html"
CSRF_PLACEHOLDER = "CARD-CSRF-TOKEN-PLACEHOLDER"


@dataclass(frozen=True)
class Rights:
    """What about the viewer a card shows: their controls and their star."""

    may_change: bool
    may_generate: bool
    may_manage: bool
    starred: bool
    mine: bool  # their own pending card follows its status by polling

    @classmethod
    def of(cls, membership, generation: Generation) -> "Rights":
        if membership is None:
            return cls(False, False, False, False, False)
        return cls(membership.may_change(generation), membership.can_generate,
                   membership.can_manage, bool(getattr(generation, "starred", False)),
                   generation.author_id == membership.user_id)

    @property
    def key(self) -> str:
        return "".join("1" if right else "0" for right in astuple(self))


@register.simple_tag(takes_context=True)
def card(context, generation: Generation, oob: str = "") -> str:
    """The card of `generation` as this viewer sees it, from the card cache."""
    membership = context.get("membership")
    key = f"{card_key(generation, oob)}:{Rights.of(membership, generation).key}"
    kept = caches["cards"].get(key)
    if kept is None:
        kept = get_template(CARD_TEMPLATE).render({
            "generation": generation, "oob": oob, "membership": membership,
            "csrf_token": CSRF_PLACEHOLDER})
        caches["cards"].set(key, kept)
    return mark_safe(kept.replace(CSRF_PLACEHOLDER, str(context.get("csrf_token", ""))))


def card_key(generation: Generation, oob: str) -> str:
    rating = getattr(generation, "rating_avg", None) or 0
    comments = getattr(generation, "comment_count", 0) or 0
    trashed = int(generation.deleted_at is not None)
    stack = generation.stack.key if generation.stack else "-"
    extras = ":".join(str(getattr(generation, name, "")) for name in
                      ("awaited", *CARD_ANNOTATIONS))
    return (f"card:{generation.pk}:{generation.updated_at.timestamp():.6f}:{trashed}:"
            f"{rating:.3f}:{comments}:{stack}:{extras}:{oob or '-'}")




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
    """The icon of a source action ("Animate", "Voice-over"): its catalog rule's."""
    return action.icon


@register.filter
def media_icon(generation: Generation) -> str:
    """The icon a card and the viewer show for the item: its kind's (catalog)."""
    return generation.kind_spec.icon


@register.filter
def since(moment: datetime | None) -> str:
    """'just now', '3 hours ago': the largest unit only, for a card's one line."""
    if moment is None:
        return ""
    now = clock.now()
    if (now - moment).total_seconds() < 60:
        return "just now"
    return f"{timesince(moment, now, depth=1)} ago"


@register.filter
def shape(generation: Generation) -> str:
    """The card's shape class (shapes.py): its row keeps the media's own aspect."""
    return shapes.class_of(shapes.ratio_of(generation))
