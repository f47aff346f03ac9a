"""The storyboard pages: the list (with its create form), and a storyboard's scene
strip, where its scenes are written, ordered and made into a film. Each change is one
action of studio.storyboards.actions; these views only adapt it to the page."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from studio.multimodal import catalog
from studio.storyboards import actions, forms, strip
from studio.storyboards.models import VOICE_CHOICES, Scene, Storyboard
from studio.teams.scoping import current_membership, get_for_team_or_404, team_queryset


def storyboard_or_404(request: HttpRequest, pk: int) -> Storyboard:
    return get_for_team_or_404(request, Storyboard.objects.select_related("film"), pk=pk)


def scene_or_404(request: HttpRequest, pk: int) -> Scene:
    return get_for_team_or_404(request, Scene.objects.select_related(
        "storyboard", "speech", "picture", "clip"), pk=pk)


def choices() -> dict:
    """The voices and providers the forms offer, from the catalog."""
    return {"voices": VOICE_CHOICES, "providers": catalog.I2V_PROVIDERS,
            "script_example": forms.SCRIPT_EXAMPLE}


def listed(request: HttpRequest) -> QuerySet:
    return team_queryset(request, Storyboard.objects.select_related("film", "author")) \
        .annotate(size=Count("scenes"))


@login_required
@require_http_methods(["GET", "POST"])
def storyboard_list(request: HttpRequest) -> HttpResponse:
    member = current_membership(request)
    typed, problems = forms.blank_storyboard(), {}
    if request.method == "POST":
        typed |= forms.typed(request.POST, forms.STORYBOARD_FIELDS)
        done, problems = create(member, typed)
        if done is not None and done.ok:
            return redirect("storyboard", pk=done.result.pk)
    boards = [(board, strip.state_of(board)) for board in listed(request)]
    return render(request, "storyboards/list.html", {
        "storyboards": boards, "typed": typed, "problems": problems, **choices()},
        status=400 if problems else 200)


def create(member, typed: dict) -> tuple:
    """(the action's Done or None, the problems by field)."""
    seconds, problem = forms.crossfade(typed["crossfade"])
    if problem:
        return None, {"crossfade": problem}
    done = actions.create(member, typed["title"], typed["script"], look=typed["look"],
                          voice=typed["voice"], provider=typed["provider"],
                          crossfade=seconds)
    return done, ({} if done.ok else done.result or {"script": done.message})


@login_required
def storyboard(request: HttpRequest, pk: int) -> HttpResponse:
    return strip_page(request, storyboard_or_404(request, pk))


def strip_page(request: HttpRequest, found: Storyboard, status: int = 200,
               **extra) -> HttpResponse:
    rows = strip.rows(found)
    return render(request, "storyboards/storyboard.html", {
        "storyboard": found, "rows": rows, "state": strip.state_of(found, rows),
        "total": sum(row.cost for row in rows), "film": strip.film_of(found),
        **choices(), **extra}, status=status)
