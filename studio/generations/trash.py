"""Delete to the trash, restore within 30 days, purge after that: the pages (the
actions are `actions`', who reaches the trash is `reach`'s). A member who deletes
their own work can undo it at once, or restore it from the trash later."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from studio.generations import actions, reach
from studio.generations.models import Generation
from studio.lib import redirects, undo
from studio.lib.outcome import on_page
from studio.teams.models import Role
from studio.teams.scoping import current_membership, get_for_team_or_404, team_queryset


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = current_membership(request, Role.MEMBER)
    generation = get_for_team_or_404(request, Generation.objects.in_gallery(), pk=pk)
    done = actions.delete(membership, generation)
    if done.ok:
        undo.offer(request, done.message, reverse("generation_restore", args=[pk]))
        return redirects.back(request, "gallery")
    return on_page(request, done)


@login_required
@require_GET
def trash(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request, Role.MEMBER)
    team_trash = team_queryset(request, Generation.objects.select_related("author",
                                                                          "deleted_by"))
    deleted = reach.restorable(membership, team_trash).order_by("-deleted_at")
    return render(request, "generations/trash.html", {
        "deleted": deleted[:200], "days": settings.STUDIO_TRASH_DAYS,
        "everyones": membership.can_manage})


@login_required
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    generation = reach.within_reach_or_404(request, Generation.objects.exclude(
        deleted_at=None), pk)
    return on_page(request, actions.restore(current_membership(request), generation),
                   "trash")


def purge_expired() -> int:
    """The daily schedule: media of generations trashed long ago leaves storage."""
    expired = Generation.objects.filter(deleted_at__lt=reach.trash_cutoff())
    count = 0
    for generation in expired.iterator():
        generation.delete()  # its files go with it (models.remove_files)
        count += 1
    return count
