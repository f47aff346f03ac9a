"""The gallery's cards, drawn once and kept, and small helpers of cards and viewer."""

import re
from datetime import datetime

from django import template
from django.core.cache import caches
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince

from studio.generations.models import Generation, Status
from studio.lib import clock

register = template.Library()

# Rendering 48 cards was most of a gallery page's time. A card is drawn once for
# every viewer, kept per process under everything about its row that it shows, and
# fitted to each viewer on the way out by cheap cuts: what only some may do stands
# between <!--may-->/<!--generate--> marks, both states of the star between
# <!--starred-->/<!--unstarred--> marks, and its forms' CSRF token is a placeholder.
# Times on a card are absolute (the page's script tells them relative: "3 hours
# ago", "in 40 seconds"), so a kept card never ages.
CARD_TEMPLATE = "generations/_card.html"
STAR_TEMPLATE = "generations/_star.html"
CSRF_PLACEHOLDER = "CARD-CSRF-TOKEN-PLACEHOLDER"
SECTIONS = {name: re.compile(rf"<!--{name}-->.*?<!--/{name}-->", re.S)
            for name in ("may", "generate", "starred", "unstarred")}
MARKS = re.compile(r"<!--/?(?:may|generate|starred|unstarred)-->")


class EveryRight:
    """The membership a card is drawn for: every section drawn, marked for cutting."""

    can_generate = can_review = True

    def may_change(self, work) -> bool:
        return True


@register.simple_tag(takes_context=True)
def card(context, generation: Generation, oob: str = "") -> str:
    """The card of `generation` as this viewer sees it, from the card cache."""
    key = card_key(generation, oob)
    kept = caches["cards"].get(key)
    if kept is None:
        kept = draw(context, generation, oob, CSRF_PLACEHOLDER)
        caches["cards"].set(key, kept)
    return mark_safe(fitted(kept, generation, context.get("membership"),
                            str(context.get("csrf_token", ""))))


def card_key(generation: Generation, oob: str) -> str:
    rating = getattr(generation, "rating_avg", None) or 0
    comments = getattr(generation, "comment_count", 0) or 0
    trashed = int(generation.deleted_at is not None)
    stack = generation.stack.key if generation.stack else "-"
    return (f"card:{generation.pk}:{generation.updated_at.timestamp():.6f}:{trashed}:"
            f"{rating:.3f}:{comments}:{stack}:{oob or '-'}")


def fitted(html: str, generation: Generation, membership, token: str) -> str:
    """The kept card cut to what `membership`'s viewer may see and do."""
    away = ["starred" if not getattr(generation, "starred", False) else "unstarred"]
    if membership is None or not membership.may_change(generation):
        away.append("may")
    if membership is None or not membership.can_generate:
        away.append("generate")
    for name in away:
        html = SECTIONS[name].sub("", html)
    return MARKS.sub("", html).replace(CSRF_PLACEHOLDER, token)


@register.simple_tag(takes_context=True)
def star_either_way(context, generation: Generation) -> str:
    """Both states of the card's star, marked; `fitted` keeps the viewer's."""
    template = get_template(STAR_TEMPLATE)
    drawn = []
    for starred in (False, True):
        generation.starred = starred
        name = "starred" if starred else "unstarred"
        drawn.append(f"<!--{name}-->{template.render(context.flatten())}<!--/{name}-->")
    return mark_safe("".join(drawn))


def draw(context, generation: Generation, oob: str, token: str) -> str:
    starred = getattr(generation, "starred", False)
    values = {"generation": generation, "oob": oob, "csrf_token": token,
              "membership": EveryRight()}
    try:
        return get_template(CARD_TEMPLATE).render(values)
    finally:
        generation.starred = starred


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
