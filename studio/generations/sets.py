"""A submission's generations as one set: what a person does to the whole of it
(cancel the rest, retry the failed) and the approvals of sets above the team's limit.

A set is quoted, reserved and queued as a whole (submission.py); its stacked card in
the gallery reads its progress from `Generation.objects.stacked()`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from studio.generations import lifecycle, submission
from studio.generations.models import Generation, GenerationSet, Lane
from studio.generations.states import State
from studio.lib import redirects
from studio.multimodal import catalog
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership, Role
from studio.teams.scoping import current_membership, get_for_team_or_404

WAITING = (State.HELD, State.QUEUED, State.PAUSED)


def changeable_set(request: HttpRequest, pk: int) -> tuple[Membership, GenerationSet]:
    membership = current_membership(request, Role.MEMBER)
    batch = get_for_team_or_404(request, GenerationSet.objects.all(), pk=pk)
    if not membership.may_change(batch):
        raise PermissionDenied("Only its author or an admin can change this set.")
    return membership, batch


def items(batch: GenerationSet, *states: State):
    return batch.generations.filter(deleted_at=None, state__in=states).order_by("id")


@login_required
@require_POST
def cancel_rest(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel every item of the set still waiting; running ones finish."""
    _, batch = changeable_set(request, pk)
    canceled = [g.pk for g in items(batch, *WAITING) if lifecycle.cancel(g)]
    if canceled:
        audit.record(batch.team, request.user, AuditEvent.Action.CANCELED,
                     f"Canceled {len(canceled)} waiting items of set #{pk}",
                     generations=canceled)
        messages.success(request, f"Canceled the {len(canceled)} waiting items of set "
                                  f"#{pk}; their credits are free again.")
    else:
        messages.info(request, f"Nothing of set #{pk} was still waiting.")
    return redirects.back(request)


@login_required
@require_POST
def retry_failed(request: HttpRequest, pk: int) -> HttpResponse:
    """The failed items again, as a new set through the one submit path (quoted,
    judged and reserved as a whole)."""
    membership, batch = changeable_set(request, pk)
    failed = list(items(batch, State.FAILED))
    if not failed:
        messages.info(request, f"Nothing of set #{pk} failed.")
        return redirect("gallery")
    outcome = submission.submit(membership, request.user, retry_order(batch, failed,
                                                                       membership))
    if not outcome.queued:
        messages.error(request, f"Not retried: {outcome.verdict.refusal}")
    else:
        messages.success(request, f"Retrying the {len(failed)} failed items of set #{pk} "
                                  f"as set #{outcome.generations[0].generation_set_id}"
                                  + (": waiting for approval." if outcome.held else "."))
    return redirect("gallery")


def retry_order(batch: GenerationSet, failed: list[Generation],
                membership: Membership) -> submission.Order:
    first = failed[0]
    lane = first.lane if first.lane != Lane.URGENT or membership.can_manage else Lane.NORMAL
    extra = {"source_upload": first.source_upload.name} if first.source_upload else {}
    return submission.Order(kind=catalog.get(batch.kind), params=batch.template,
                            expanded=[g.params for g in failed], lane=lane,
                            source=first.source, extra=extra)


# --- approvals --------------------------------------------------------------------


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    """Sets waiting for approval: an admin approves or declines them; anyone else
    sees their own and who can approve them."""
    membership = current_membership(request)
    held = (GenerationSet.objects.filter(team=membership.team)
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
    batch = held_set(request, pk)
    approved = [g.pk for g in items(batch, State.HELD) if lifecycle.approve(g)]
    audit.record(batch.team, request.user, AuditEvent.Action.APPROVED,
                 f"Approved set #{pk}: {len(approved)} items, {batch.cost:,} credits",
                 generations=approved)
    messages.success(request, f"Set #{pk} approved: its {len(approved)} items are queued.")
    return redirect("approvals")


@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    batch = held_set(request, pk)
    reason = f"Declined by {request.user.username}."
    declined = [g.pk for g in items(batch, State.HELD) if lifecycle.cancel(g, reason)]
    audit.record(batch.team, request.user, AuditEvent.Action.DECLINED,
                 f"Declined set #{pk}: {len(declined)} items", generations=declined)
    messages.success(request, f"Set #{pk} declined: its {batch.cost:,} credits are free "
                              "again.")
    return redirect("approvals")


def held_set(request: HttpRequest, pk: int) -> GenerationSet:
    current_membership(request, Role.ADMIN)
    return get_for_team_or_404(request, GenerationSet.objects.all(), pk=pk)
