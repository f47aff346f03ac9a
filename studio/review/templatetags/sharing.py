"""The outside links block: drawn by the generations app's detail page through
`{% share_panel %}`, so that app needs to know nothing of this one, and by a board's
page through `{% share_panel board %}`."""

from django import template

from studio.review import share
from studio.review.models import ShareLink
from studio.review.share_views import ShareForm

register = template.Library()


@register.inclusion_tag("review/_share_panel.html", takes_context=True)
def share_panel(context, board=None) -> dict:
    request = context["request"]
    generation = None if board else context["generation"]
    membership = context.get("membership")
    team = membership.team if membership else None
    links = (ShareLink.objects.for_team(team)
             .filter(**({"board": board} if board else {"generation": generation}))
             .select_related("created_by", "revoked_by"))
    return {
        "generation": generation, "board": board, "membership": membership,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "links": [(link, request.build_absolute_uri(share.path_of(link))) for link in links],
        "form": context.get("share_form") or ShareForm(),
        "shareable": board is not None or share.may_be_shared(generation),
    }
