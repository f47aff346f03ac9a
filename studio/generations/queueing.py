"""A person's hold on waiting work: pause, resume, move to the top of their own line,
and its lane. Turns between members stay the dispatcher's (dispatch.Turns)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from studio.generations import lifecycle
from studio.generations.models import Generation, Lane
from studio.lib import redirects
from studio.teams.models import Role
from studio.teams.scoping import current_membership, get_for_team_or_404

NOT_WAITING = "It is no longer waiting: it may already be going out to the API."


def waiting_work(request: HttpRequest, pk: int) -> Generation:
    """The current team's generation that the person may change, or 404/403."""
    membership = current_membership(request, Role.MEMBER)
    generation = get_for_team_or_404(request, Generation.objects.all(), pk=pk)
    if not membership.may_change(generation):
        raise PermissionDenied("Only its author or an admin can change where it waits.")
    return generation


def answer(request: HttpRequest, done: bool, success: str) -> HttpResponse:
    if done:
        messages.success(request, success)
    else:
        messages.error(request, NOT_WAITING)
    return redirects.back(request)


@login_required
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    generation = waiting_work(request, pk)
    return answer(request, lifecycle.pause(generation),
                  f"#{pk} is paused: it takes no slot until you resume it.")


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    generation = waiting_work(request, pk)
    return answer(request, lifecycle.resume(generation), f"#{pk} is waiting for its turn again.")


@login_required
@require_POST
def move_to_top(request: HttpRequest, pk: int) -> HttpResponse:
    generation = waiting_work(request, pk)
    return answer(request, lifecycle.move_to_top(generation),
                  f"#{pk} goes first among {author_of(generation)} waiting work.")


@login_required
@require_POST
def set_lane(request: HttpRequest, pk: int) -> HttpResponse:
    generation = waiting_work(request, pk)
    lane = request.POST.get("lane", "")
    if lane not in Lane.values:
        messages.error(request, "Choose urgent, normal or background.")
        return redirects.back(request)
    if lane == Lane.URGENT and not current_membership(request).can_manage:
        raise PermissionDenied("Only an admin can mark work urgent.")
    return answer(request, lifecycle.set_lane(generation, lane),
                  f"#{pk} is in the {Lane(lane).label.lower()} lane.")


def author_of(generation: Generation) -> str:
    return f"{generation.author.username}'s" if generation.author else "its author's"
