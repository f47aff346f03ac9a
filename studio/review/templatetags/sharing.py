"""The item page's outside links block: drawn by the generations app's detail page
through `{% share_panel %}`, so that app needs to know nothing of this one."""

from django import template

from studio.review import share
from studio.review.models import ShareLink
from studio.review.share_views import ShareForm

register = template.Library()


@register.inclusion_tag("review/_share_panel.html", takes_context=True)
def share_panel(context) -> dict:
    request, generation = context["request"], context["generation"]
    membership = context.get("membership")
    team = membership.team if membership else None
    links = (ShareLink.objects.for_team(team).filter(generation=generation)
             .select_related("created_by"))
    return {
        "generation": generation, "membership": membership, "request": request,
        "csrf_token": context.get("csrf_token"),
        "links": [(link, request.build_absolute_uri(share.path_of(link))) for link in links],
        "form": context.get("share_form") or ShareForm(),
        "shareable": share.may_be_shared(generation),
    }
