from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from studio.events.publishing import page_last_id
from studio.review.notifications import bell_context


def bell(request: HttpRequest) -> dict:
    """The bell in every page's top bar, and where its page's stream starts: read
    only by pages that draw the top bar (not by a card's or a poll's fragment)."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {"bell": SimpleLazyObject(lambda: bell_context(membership)),
            "bell_since": SimpleLazyObject(lambda: page_last_id(request, membership.team))}
