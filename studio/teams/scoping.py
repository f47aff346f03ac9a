"""The one way to reach team data: through the request's current team.

Lists go through `Model.objects.for_team(team)` (studio.lib.team_scope), which every
team-owned model has; a page reaches it with the request's current team here. A
member of team A gets 404 for anything of team B, whatever the id.
"""

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from studio.teams.models import Membership, Role

M = TypeVar("M", bound=Model)


def current_membership(request: HttpRequest, role: str = Role.VIEWER) -> Membership:
    """The user's membership of the current team; 404 without one, 403 below `role`."""
    membership = getattr(request, "membership", None)
    if membership is None:
        raise Http404("You are not a member of any team.")
    if not membership.has_role(role):
        raise PermissionDenied(f"This needs the {Role(role).label.lower()} role.")
    return membership


def team_queryset(request: HttpRequest, queryset: QuerySet[M]) -> QuerySet[M]:
    return queryset.for_team(current_membership(request).team)


def get_for_team_or_404(request: HttpRequest, queryset: QuerySet[M], **lookup) -> M:
    try:
        return team_queryset(request, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("No such item in this team.") from None
