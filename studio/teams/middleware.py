from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from studio.teams.models import Membership

SESSION_KEY = "current_team_id"


def memberships_of(request: HttpRequest) -> list[Membership]:
    """The user's memberships with their teams, oldest first (a member has a few)."""
    if not request.user.is_authenticated:
        return []
    return list(Membership.objects.filter(user=request.user).select_related("team")
                .order_by("created_at", "id"))


def resolve_membership(request: HttpRequest, memberships: list[Membership]) -> Membership | None:
    """The chosen team's membership, else the user's oldest one."""
    chosen = str(request.session.get(SESSION_KEY)) if memberships else None
    return next((m for m in memberships if str(m.team_id) == chosen),
                memberships[0] if memberships else None)


class CurrentTeamMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = memberships_of(request)  # the team switcher's too
        request.membership = resolve_membership(request, request.memberships)
        return self.get_response(request)
