"""A submission's generations as one set: what a person does to the whole of it
(cancel the rest, retry the failed) and the approvals of sets above the team's limit
(the actions are `actions`').

A set is quoted, reserved and queued as a whole (submission.py); its stacked card in
the gallery reads its progress from `Generation.objects.stacked()`.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from studio.generations import actions
from studio.generations.models import GenerationSet
from studio.generations.states import State
from studio.lib.outcome import on_page
from studio.teams.models import Membership, Role
from studio.teams.scoping import current_membership, get_for_team_or_404


def set_of(request: HttpRequest, pk: int) -> tuple[Membership, GenerationSet]:
    membership = current_membership(request, Role.MEMBER)
    return membership, get_for_team_or_404(request, GenerationSet.objects.all(), pk=pk)


@login_required
@require_POST
def cancel_rest(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel every item of the set still waiting; running ones finish."""
    return on_page(request, actions.cancel_rest(*set_of(request, pk)))


@login_required
@require_POST
def retry_failed(request: HttpRequest, pk: int) -> HttpResponse:
    return on_page(request, actions.retry_failed(*set_of(request, pk)))


# --- approvals --------------------------------------------------------------------


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Sets waiting for approval: an admin approves or declines them; anyone else
    sees their own and who can approve them."""
    membership = current_membership(request)
    held = (GenerationSet.objects.for_team(membership.team)
            .annotate(held=Count("generations", filter=Q(generations__state=State.HELD)))
            .filter(held__gt=0).select_related("author").order_by("created_at"))
    if not membership.can_manage:
        held = held.filter(author=request.user)
    return render(request, "generations/approvals.html", {
        "sets": held, "approvers": approvers(membership.team),
        "limit": membership.team.approval_above})


def approvers(team) -> list[str]:
    admins = team.memberships.filter(role__in=(Role.ADMIN, Role.OWNER)).select_related("user")
    return sorted(m.user.username for m in admins)


@login_required
@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return on_page(request, actions.approve(*set_of(request, pk)), "approvals")


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    return on_page(request, actions.decline(*set_of(request, pk)), "approvals")
