from django.http import HttpRequest

from studio.multimodal import catalog
from studio.teams.models import Membership


def current_team(request: HttpRequest) -> dict:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    teams = (
        Membership.objects.filter(user=request.user)
        .select_related("team")
        .order_by("team__name")
    )
    return {
        "membership": membership,
        "team": membership.team,
        "my_memberships": teams,
        "nav_kinds": catalog.KINDS.values(),
    }
