"""A person's hold on waiting work: pause, resume, move to the top of their own line,
and its lane (the actions are `actions`'; turns between members stay the
dispatcher's, rate_windows.Turns)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from studio.generations import actions
from studio.generations.models import Generation
from studio.lib.outcome import on_page
from studio.teams.models import Membership, Role
from studio.teams.scoping import current_membership, get_for_team_or_404


def waiting_work(request: HttpRequest, pk: int) -> tuple[Membership, Generation]:
    membership = current_membership(request, Role.MEMBER)
    return membership, get_for_team_or_404(request, Generation.objects.all(), pk=pk)


@login_required
@require_POST
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    return on_page(request, actions.pause(*waiting_work(request, pk)))


@login_required
@require_POST
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    return on_page(request, actions.resume(*waiting_work(request, pk)))


@login_required
@require_POST
def move_to_top(request: HttpRequest, pk: int) -> HttpResponse:
    return on_page(request, actions.move_to_top(*waiting_work(request, pk)))


@login_required
@require_POST
def set_lane(request: HttpRequest, pk: int) -> HttpResponse:
    return on_page(request, actions.set_lane(*waiting_work(request, pk),
                                             request.POST.get("lane", "")))


@login_required
@require_POST
def vary(request: HttpRequest, pk: int) -> HttpResponse:
    """Four more like it: the same prompt and settings, one set, one quote."""
    membership = current_membership(request, Role.MEMBER)
    generation = get_for_team_or_404(request, Generation.objects.all(), pk=pk)
    return on_page(request, actions.vary(membership, generation))
