from django.http import HttpRequest

from studio.multimodal import catalog
from studio.teams.models import Membership


def current_team(request: HttpRequest) -> dict:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    mine = getattr(request, "memberships", None)  # read by the middleware
    if mine is None:
        mine = Membership.objects.filter(user=request.user).select_related("team")
    teams = sorted(mine, key=lambda each: (each.team.name, each.team_id))
    return {
        "membership": membership,
        "team": membership.team,
        "my_memberships": teams,
        "nav_kinds": catalog.KINDS.values(),
    }
