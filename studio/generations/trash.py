"""Delete to the trash, restore within 30 days, purge after that."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from studio.generations.models import PENDING_STATUSES, Generation
from studio.lib import clock
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership, Role
from studio.teams.scoping import current_membership, get_for_team_or_404, team_queryset


def trash_cutoff():
    return clock.now() - timedelta(days=settings.STUDIO_TRASH_DAYS)


def may_restore(membership: Membership, generation: Generation) -> bool:
    """Whether this member may bring this generation back from the trash: the one
    rule for who still reaches a trashed generation at all."""
    in_time = generation.deleted_at is not None and generation.deleted_at >= trash_cutoff()
    return in_time and membership.can_manage


def within_reach_or_404(request: HttpRequest, generations: QuerySet[Generation],
                        pk: int) -> Generation:
    """The current team's generation; a trashed one is as missing as one that never
    was, except to whoever may restore it."""
    generation = get_for_team_or_404(request, generations, pk=pk)
    if generation.deleted_at and not may_restore(current_membership(request), generation):
        raise Http404("No such item in this team.")
    return generation


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request, Role.MEMBER)
    generation = get_for_team_or_404(request, Generation.objects.filter(deleted_at=None),
                                     pk=pk)
    if not membership.may_change(generation):
        raise PermissionDenied("Only its author or an admin can delete this.")
    if generation.status in PENDING_STATUSES:
        messages.error(request, "It is still queued or running: cancel it first.")
        return redirect("gallery")
    Generation.objects.filter(pk=pk).update(deleted_at=clock.now(),
                                            deleted_by=request.user,
                                            updated_at=timezone.now())
    audit.record(generation.team, request.user, AuditEvent.Action.DELETED,
                 f"Deleted {generation.get_kind_display()} #{pk}", generation=pk)
    messages.success(request, f"{generation.get_kind_display()} #{pk} moved to the trash; "
                              f"an admin can restore it for {settings.STUDIO_TRASH_DAYS} days.")
    return redirect("gallery")


@login_required
@require_GET
def trash(request: HttpRequest) -> HttpResponse:
    current_membership(request, Role.ADMIN)
    deleted = (team_queryset(request, Generation.objects.select_related("author",
                                                                        "deleted_by"))
               .filter(deleted_at__gte=trash_cutoff()).order_by("-deleted_at"))
    return render(request, "generations/trash.html", {
        "deleted": deleted[:200], "days": settings.STUDIO_TRASH_DAYS})


@login_required
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    generation = within_reach_or_404(request, Generation.objects.exclude(deleted_at=None), pk)
    Generation.objects.filter(pk=pk).update(deleted_at=None, deleted_by=None,
                                            updated_at=timezone.now())
    audit.record(generation.team, request.user, AuditEvent.Action.RESTORED,
                 f"Restored {generation.get_kind_display()} #{pk}", generation=pk)
    messages.success(request, f"{generation.get_kind_display()} #{pk} is back in the gallery.")
    return redirect("trash")


def purge_expired() -> int:
    """The daily schedule: media of generations trashed long ago leaves storage."""
    expired = Generation.objects.filter(deleted_at__lt=trash_cutoff())
    count = 0
    for generation in expired.iterator():
        generation.delete()  # its files go with it (models.remove_files)
        count += 1
    return count
