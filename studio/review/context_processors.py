from django.http import HttpRequest

from studio.events.publishing import last_id
from studio.review.notifications import bell_context


def bell(request: HttpRequest) -> dict:
    """The bell in every page's top bar, and where its page's stream starts."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {"bell": bell_context(membership), "bell_since": last_id(membership.team)}
