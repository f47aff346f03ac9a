"""Delete to the trash, restore within 30 days, purge after that.

Who restores follows the one rule for changing someone's work
(Membership.may_change): its author while still a member, or an admin. So a member
who deletes their own work can undo it at once, or restore it from the trash later.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from studio.generations.models import PENDING_STATUSES, Generation
from studio.lib import clock, redirects, undo
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership, Role
from studio.teams.scoping import current_membership, get_for_team_or_404, team_queryset


def trash_cutoff():
    return clock.now() - timedelta(days=settings.STUDIO_TRASH_DAYS)


def may_restore(membership: Membership, generation: Generation) -> bool:
    """Whether this member may bring this generation back from the trash: the one
    rule for who still reaches a trashed generation at all."""
    in_time = generation.deleted_at is not None and generation.deleted_at >= trash_cutoff()
    return in_time and membership.may_change(generation)


def restorable(membership: Membership, generations: QuerySet[Generation]
               ) -> QuerySet[Generation]:
    """What this member finds in the trash: may_restore as a query (an admin's is the
    whole team's, a member's their own work)."""
    in_time = generations.filter(deleted_at__gte=trash_cutoff())
    if membership.can_manage:
        return in_time
    if membership.can_generate:
        return in_time.filter(author_id=membership.user_id)
    return in_time.none()


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
        return redirects.back(request, "gallery")
    Generation.objects.filter(pk=pk).update(deleted_at=clock.now(),
                                            deleted_by=request.user,
                                            updated_at=timezone.now())
    audit.record(generation.team, request.user, AuditEvent.Action.DELETED,
                 f"Deleted {generation.get_kind_display()} #{pk}", generation=pk)
    undo.offer(request, f"{generation.get_kind_display()} #{pk} moved to the trash. It can "
                        f"be restored from the trash for {settings.STUDIO_TRASH_DAYS} days.",
               reverse("generation_restore", args=[pk]))
    return redirects.back(request, "gallery")


@login_required
@require_GET
def trash(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request, Role.MEMBER)
    team_trash = team_queryset(request, Generation.objects.select_related("author",
                                                                          "deleted_by"))
    deleted = restorable(membership, team_trash).order_by("-deleted_at")
    return render(request, "generations/trash.html", {
        "deleted": deleted[:200], "days": settings.STUDIO_TRASH_DAYS,
        "everyones": membership.can_manage})


@login_required
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    generation = within_reach_or_404(request, Generation.objects.exclude(deleted_at=None), pk)
    Generation.objects.filter(pk=pk).update(deleted_at=None, deleted_by=None,
                                            updated_at=timezone.now())
    audit.record(generation.team, request.user, AuditEvent.Action.RESTORED,
                 f"Restored {generation.get_kind_display()} #{pk}", generation=pk)
    messages.success(request, f"{generation.get_kind_display()} #{pk} is back in the gallery.")
    return redirects.back(request, "trash")


def purge_expired() -> int:
    """The daily schedule: media of generations trashed long ago leaves storage."""
    expired = Generation.objects.filter(deleted_at__lt=trash_cutoff())
    count = 0
    for generation in expired.iterator():
        generation.delete()  # its files go with it (models.remove_files)
        count += 1
    return count
