"""Tags and review statuses from the viewer and the gallery's selection: each a form
post (htmx makes it faster) that one action of tagging.py or statuses.py answers."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from studio.generations.models import Generation
from studio.lib.outcome import on_page
from studio.review import statuses, tagging
from studio.review.board_views import items_or_404
from studio.teams.scoping import current_membership, get_for_team_or_404


def item(request: HttpRequest, pk: int) -> Generation:
    return get_for_team_or_404(request, Generation.objects.in_gallery(), pk=pk)


def panel(request: HttpRequest, generation: Generation, done, typed: str | None = None):
    """The viewer's review panel again, with the outcome beside the field."""
    return render(request, "review/_panel.html", {
        **panel_context(current_membership(request), generation),
        "done": done, "typed_tags": typed}, status=200 if done.ok else 400)


def panel_context(member, generation: Generation) -> dict:
    return {"generation": generation, "item_tags": tagging.tags_of(generation),
            "suggested_tags": tagging.team_tags(member.team),
            "review_status": statuses.status_of(generation),
            "review_choices": statuses.choices_for(member)}


@login_required
@require_POST
def tags(request: HttpRequest, pk: int) -> HttpResponse:
    generation = item(request, pk)
    typed = request.POST.get("tags", "")
    done = tagging.set_tags(current_membership(request), generation, typed)
    if request.htmx:
        return panel(request, generation, done, None if done.ok else typed)
    return on_page(request, done, f"/generations/{pk}/")


@login_required
@require_POST
def tag_selection(request: HttpRequest) -> HttpResponse:
    done = tagging.add_tags(current_membership(request),
                            items_or_404(request, request.POST.getlist("ids")),
                            request.POST.get("tags", ""))
    return on_page(request, done, "gallery")


@login_required
@require_POST
def review_status(request: HttpRequest, pk: int) -> HttpResponse:
    generation = item(request, pk)
    done = statuses.set_status(current_membership(request), generation,
                               request.POST.get("status", ""))
    if request.htmx:
        return panel(request, generation, done)
    return on_page(request, done, f"/generations/{pk}/")
