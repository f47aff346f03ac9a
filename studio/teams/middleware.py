from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from studio.teams.models import Membership

SESSION_KEY = "current_team_id"


def resolve_membership(request: HttpRequest) -> Membership | None:
    """The chosen team's membership, else the user's oldest one."""
    if not request.user.is_authenticated:
        return None
    memberships = Membership.objects.filter(user=request.user).select_related("team")
    chosen = request.session.get(SESSION_KEY)
    membership = memberships.for_team(chosen).first() if chosen else None
    return membership or memberships.order_by("created_at", "id").first()


class CurrentTeamMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = resolve_membership(request)
        return self.get_response(request)
